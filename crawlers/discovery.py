"""Finding article URLs: feeds, sitemaps, robots.txt, listing pages, and URL identity.

Pure functions over bytes and strings (no Scrapy engine), shared by the spider and by the cheap
poller (:mod:`newswatch.crawl.poll`), so both see exactly the same links:

- :func:`parse_feed` — RSS/Atom items (feedparser) with their updated/published date;
- :func:`parse_sitemap` — urlset, sitemap index and Google News sitemaps (Scrapy's sitemap parser);
- :func:`robots_sitemaps` — the ``Sitemap:`` lines of a robots.txt;
- :func:`listing_links` — article candidates and pagination links of a listing page;
- :func:`normalize_url` — the identity of a URL: tracking parameters and fragments gone;
- :func:`canonical_url` — the page's ``<link rel=canonical>`` when it stays on the source's site.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape as html_unescape
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
from lxml import html as lxml_html
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from w3lib.url import canonicalize_url, url_query_cleaner

from newswatch.sources import Source

TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "utm_name",
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
    "ref", "ref_src", "zarsrc", "zoneid", "gidzl", "cmpid", "ito", "src", "share",
)
PAGINATION_RE = re.compile(
    r"([?&](page|p|trang|pg|paged|pageindex|start)=\d+)|(/(page|trang|p)[-/]?\d+(\.html?)?/?$)|(-p\d+\.html?$)|(/\d+/?$)",
    re.I)
NON_ARTICLE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|zip|rar|mp[34]|avi|mov|css|js|xml|rss|ico)$",
                             re.I)
NON_ARTICLE_PATH = re.compile(
    r"/(tag|tags|tu-khoa|chu-de|topic|search|tim-kiem|lien-he|contact|gioi-thieu|about|login|dang-nhap|"
    r"register|dang-ky|rss|video|videos|podcast|author|tac-gia|multimedia|emagazine-list)(/|$|\.htm)", re.I)


@dataclass(frozen=True)
class Link:
    """A URL found in a feed, sitemap or listing, with the modification date announced there (if any)."""

    url: str
    modified: datetime | None = None
    title: str | None = None


# --- URL identity -------------------------------------------------------------------------------

def normalize_url(url: str) -> str:
    """The identity of a URL: lower-case host, no fragment, no tracking parameters, sorted query."""
    url = url.strip()
    try:
        cleaned = url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)
        normal = canonicalize_url(cleaned, keep_fragments=False)
    except ValueError:
        return url
    parts = urlsplit(normal)
    host = (parts.hostname or "").lower()
    netloc = host if parts.port is None or (parts.scheme, parts.port) in (("http", 80), ("https", 443)) \
        else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def url_allowed(url: str, source: Source) -> bool:
    """Whether ``url`` is on one of the source's domains (a subdomain counts; for IP hosts the port must match)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    if _is_ip(host):
        return parts.netloc.lower() in {urlsplit(u).netloc.lower() for u in source.start_urls} or (
            host in source.allowed_domains and not any(_is_ip(urlsplit(u).hostname or "") for u in source.start_urls))
    return any(host == d or host.endswith("." + d) for d in (d.lower().lstrip(".") for d in source.allowed_domains))


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host)) and any(c.isdigit() for c in host)


def canonical_url(html: str | bytes, page_url: str, source: Source) -> str:
    """The page's declared canonical URL when it is on the source's own site, else the normalised page URL.

    A canonical pointing at another outlet (syndicated copies often do that) is not taken: the copy
    stays its own article and the dedupe pipeline clusters it with the original.
    """
    head = html[:200_000] if isinstance(html, str | bytes) else ""
    match = _CANONICAL_RE.search(head if isinstance(head, str) else head.decode("utf-8", "replace"))
    if match:
        href = match.group("h1") or match.group("h2")
        if href:
            candidate = urljoin(page_url, html_unescape(href.strip()))
            if url_allowed(candidate, source):
                return normalize_url(candidate)
    return normalize_url(page_url)


_CANONICAL_RE = re.compile(
    r"<link\b(?=[^>]*\brel=[\"']?canonical[\"'\s>])(?:[^>]*?\bhref=[\"'](?P<h1>[^\"']+)[\"'])?[^>]*>"
    r"|<link\b[^>]*\bhref=[\"'](?P<h2>[^\"']+)[\"'][^>]*\brel=[\"']?canonical", re.I)


# --- Dates ----------------------------------------------------------------------------------------

def parse_date(value: str | None) -> datetime | None:
    """A timezone-aware datetime from a W3C/ISO 8601 or RFC 822 date (feeds, sitemaps); naive means UTC."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _struct_to_dt(value) -> datetime | None:  # type: ignore[no-untyped-def]
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


# --- Feeds ------------------------------------------------------------------------------------------

def looks_like_feed(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head or (head.startswith(b"<?xml") and (
        b"<rss" in body[:4096].lower() or b"<feed" in body[:4096].lower()))


def parse_feed(body: bytes, base_url: str) -> list[Link]:
    """Item links of an RSS/Atom feed with their updated (else published) date; broken XML is tolerated."""
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    links: list[Link] = []
    for entry in parsed.entries:
        href = entry.get("link") or ""
        if not href:
            for alt in entry.get("links", []):
                if alt.get("rel", "alternate") == "alternate" and alt.get("href"):
                    href = alt["href"]
                    break
        if not href:
            continue
        modified = _struct_to_dt(entry.get("updated_parsed")) or _struct_to_dt(entry.get("published_parsed"))
        links.append(Link(urljoin(base_url, href.strip()), modified, entry.get("title")))
    return links


# --- Sitemaps -----------------------------------------------------------------------------------------

def parse_sitemap(body: bytes, base_url: str) -> tuple[str, list[Link]]:
    """``("index", child sitemaps)`` or ``("urlset", pages)``; a page's date is lastmod or news:publication_date."""
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml gives up on non-XML (an HTML error page served as the sitemap)
        return "invalid", []
    kind = "index" if sitemap.type == "sitemapindex" else "urlset" if sitemap.type == "urlset" else "invalid"
    links: list[Link] = []
    try:
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            modified = parse_date(entry.get("lastmod")) or parse_date(entry.get("publication_date"))
            links.append(Link(urljoin(base_url, loc), modified, entry.get("title")))
    except Exception:  # a truncated sitemap: keep what was parsed
        pass
    if kind == "urlset" and not any(link.modified for link in links):
        links = _google_news_dates(body, base_url) or links
    return kind, links


def _google_news_dates(body: bytes, base_url: str) -> list[Link]:
    """Google News sitemaps nest the date in ``<news:news><news:publication_date>``; read it with lxml."""
    from lxml import etree

    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    out = []
    for url_el in root.iter("{*}url"):
        loc = url_el.findtext("{*}loc")
        if not loc:
            continue
        date = url_el.findtext(".//{*}publication_date") or url_el.findtext("{*}lastmod")
        title = url_el.findtext(".//{*}title")
        out.append(Link(urljoin(base_url, loc.strip()), parse_date(date), title))
    return out


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt."""
    return [urljoin(base_url, u) for u in sitemap_urls_from_robots(body, base_url=base_url)]


# --- Listing pages ---------------------------------------------------------------------------------------

def listing_links(body: str | bytes, page_url: str, source: Source) -> tuple[list[Link], list[str]]:
    """Article candidates and pagination URLs of a listing page (same site only, excluded patterns dropped).

    With ``article_pattern`` only matching URLs are candidates; without it, every same-site link that does
    not look like a navigation page (tag, search, contact, category root) is a candidate and the page
    itself later decides (:func:`newswatch.extract.classify_page`).
    """
    try:
        doc = lxml_html.fromstring(body if body else b"<html/>")
    except (ValueError, lxml_html.etree.ParserError):
        return [], []
    article_re = re.compile(source.article_pattern) if source.article_pattern else None
    excludes = [re.compile(p) for p in source.exclude_patterns]
    page_norm = normalize_url(page_url)
    listing_roots = {normalize_url(u) for u in source.listings}
    candidates: dict[str, Link] = {}
    pages: dict[str, None] = {}
    for el in doc.iter("a", "link"):
        href = el.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = normalize_url(urljoin(page_url, href))
        if url == page_norm or not url_allowed(url, source) or any(x.search(url) for x in excludes):
            continue
        rel = (el.get("rel") or "").lower()
        if el.tag == "link":
            if rel == "next":
                pages.setdefault(url)
            continue
        if rel == "next" or _is_pagination(url, page_url, source):
            pages.setdefault(url)
            continue
        if article_re is not None:
            if article_re.search(url):
                candidates.setdefault(url, Link(url, None, (el.text_content() or "").strip() or None))
            continue
        if url in listing_roots or not _could_be_article(url):
            continue
        candidates.setdefault(url, Link(url, None, (el.text_content() or "").strip() or None))
    return list(candidates.values()), list(pages)


def _is_pagination(url: str, page_url: str, source: Source) -> bool:
    """A link to another page of the same listing: same path family plus a page number."""
    if not PAGINATION_RE.search(url):
        return False
    here = urlsplit(page_url)
    there = urlsplit(url)
    roots = [urlsplit(u).path.rstrip("/") for u in source.listings] or [here.path.rstrip("/")]
    base = re.sub(r"(/(page|trang|p)[-/]?\d+(\.html?)?/?$)|(-p\d+\.html?$)|(/\d+/?$)", "", there.path).rstrip("/")
    return there.netloc == here.netloc and (base in roots or base == here.path.rstrip("/")
                                            or re.sub(r"(/(page|trang|p)[-/]?\d+(\.html?)?/?$)|(-p\d+\.html?$)|(/\d+/?$)",
                                                      "", here.path).rstrip("/") == base)


def _could_be_article(url: str) -> bool:
    """Cheap URL evidence against an article: files, navigation paths, the site root, one-word sections."""
    parts = urlsplit(url)
    path = parts.path
    if NON_ARTICLE_EXT.search(path) or NON_ARTICLE_PATH.search(path):
        return False
    if path in ("", "/"):
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    # article slugs are long and hyphenated, or carry an id; a bare section name ("thoi-su") is a listing
    return last.count("-") >= 3 or bool(re.search(r"\d{4,}", last))


@dataclass
class EntryLinks:
    """What one entry point (feed, sitemap, listing page) links to."""

    articles: list[Link]
    sitemaps: list[str]  # child sitemaps of a sitemap index
    pages: list[str]  # pagination pages of a listing
    readable: bool = True


def entry_links(kind: str, body: bytes, url: str, source: Source, text: str | None = None) -> EntryLinks:
    """The links of an entry point, whatever it turns out to be: the one reading the spider and the poller share.

    A feed (RSS/Atom) where one was announced or is recognised; a sitemap index or urlset; else an HTML
    listing page (``text``, its decoded body, when the caller has it; None when the body is not text).
    """
    if kind == "feed" or (kind != "listing" and looks_like_feed(body)):
        links = parse_feed(body, url)
        if links or looks_like_feed(body):
            return EntryLinks(links, [], [])
    if kind in ("sitemap", "feed"):
        sitemap_kind, links = parse_sitemap(body, url)
        if sitemap_kind == "index":
            return EntryLinks([], [link.url for link in links], [])
        if sitemap_kind == "urlset":
            return EntryLinks(links, [], [])
    page: str | bytes = body if text is None else text  # listing_links reads either (lxml decodes bytes)
    if "<" not in (text[:4096] if text is not None else body[:4096].decode("latin-1")):
        return EntryLinks([], [], [], readable=False)
    links, pages = listing_links(page, url, source)
    return EntryLinks(links, [], pages)


class ArticleFilter:
    """Which article URLs a source considers at all: on its sites, not excluded, matching its pattern."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.pattern = re.compile(source.article_pattern) if source.article_pattern else None
        self.excludes = [re.compile(p) for p in source.exclude_patterns]

    def rejects(self, url: str) -> str | None:
        """Why ``url`` (normalised) is not an article of the source — ``offsite``, ``excluded``, ``pattern`` — or None."""
        if not url_allowed(url, self.source):
            return "offsite"
        if any(x.search(url) for x in self.excludes):
            return "excluded"
        if self.pattern is not None and not self.pattern.search(url):
            return "pattern"
        return None
