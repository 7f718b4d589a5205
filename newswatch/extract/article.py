"""``extract_article``: one page in, one clean :class:`~newswatch.models.Article` out.

The page is decoded and parsed once; metadata and the date are read from the full tree; the page
type is named (photo, list, live, video, e-magazine, interview, infographic, split body, table
portal) and the tree repaired for it (story captions to paragraphs, layout tables unwrapped); then
furniture boxes are pruned and the body comes from the source profile (when its selector matches)
or from trafilatura; the Vietnamese cut rules clean the paragraphs, and the safety net checks them
against the page's own article container so the article is never thrown away with the furniture.
Document numbers and topics are then found by the one enrichment step (:mod:`newswatch.text.enrich`)
in the headline, the sapo and the cleaned body: never in the teaser lists pruned here.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

from newswatch.errors import ExtractionError
from newswatch.extract.body import join_split_body, profile_body, trafilatura_lines, unwrap_embedded_tweets
from newswatch.extract.dates import find_published
from newswatch.extract.decode import decode_html
from newswatch.extract.dom import ClassIndex, parse_html, remove, select
from newswatch.extract.furniture import (
    Cleaned,
    clean_paragraphs,
    link_titles,
    prune_tree,
    split_dateline,
    trailing_author,
)
from newswatch.extract.metadata import detect_language, read_meta
from newswatch.extract.pagetype import (
    CAPTION_TYPES,
    breaks_to_paragraphs,
    caption_blocks,
    captions_to_paragraphs,
    detect_page_type,
    unwrap_layout_tables,
)
from newswatch.extract.safety import MIN_BODY_CHARS, safety_net, short_article
from newswatch.models import Article
from newswatch.sources import Profile
from newswatch.text.enrich import enrich_article

LOG = logging.getLogger(__name__)
LISTING_MAX_CHARS = 600
_VI_HINT = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _canonical_url(tree: HtmlElement, url: str) -> str:
    for link in tree.xpath('//link[@rel="canonical"][@href]')[:1]:
        candidate = urljoin(url, link.get("href").strip())
        if urlsplit(candidate).scheme in ("http", "https") and (
                urlsplit(candidate).hostname or "").removeprefix("www.") == (urlsplit(url).hostname or "").removeprefix("www."):
            return candidate
    return url


def _is_vietnamese(tree: HtmlElement, *samples: str | None) -> bool:
    lang = (tree.get("lang") or "").lower()
    if lang.startswith("vi"):
        return True
    sample = " ".join(s for s in samples if s)
    return len(_VI_HINT.findall(sample)) >= 3


def extract_article(html: bytes | str, url: str, *, profile: Profile | None = None, source: str = "",
                    declared_encoding: str | None = None, hint_published: datetime | None = None,
                    fetched_at: datetime | None = None, timezone: str = "Asia/Ho_Chi_Minh",
                    canonical_url: str | None = None) -> Article:
    """Extract the article of one page; raise :class:`ExtractionError` saying why when there is none.

    ``canonical_url`` is the article's identity when the caller decided it (the crawler does, with the
    source's own sites: :func:`crawlers.discovery.canonical_url`); alone (``newswatch extract``) the page's
    ``rel=canonical`` on the same host is taken.
    """
    tz = ZoneInfo(timezone)
    decoded = decode_html(html, declared_encoding)
    report: dict[str, object] = {}
    tree = parse_html(decoded, report)
    index = ClassIndex(tree)
    meta = read_meta(tree, profile, index)
    title_element = meta.title_element
    published, date_source = find_published(
        tree, url, profile=profile, article_ld=meta.jsonld_article, title_element=title_element,
        hint=hint_published, fetched_at=fetched_at, tz=tz, index=index)
    canonical = canonical_url or _canonical_url(tree, url)
    vietnamese = _is_vietnamese(tree, meta.title, meta.lead, meta.description)
    teasers = link_titles(tree, url, index.elements) - {(meta.title or "").lower()}

    captions = caption_blocks(tree, index)
    page_type = detect_page_type(tree, index, meta, url, captions)
    report["page_type"] = page_type
    if page_type in CAPTION_TYPES and vietnamese:  # the "(Ảnh: …)" caption conventions are Vietnamese
        report["captions_kept"], report["captions_dropped"] = captions_to_paragraphs(captions)
    layout_tables = unwrap_layout_tables(tree)
    if layout_tables:
        report["layout_tables"] = layout_tables
    if page_type == "table_portal" and (rebuilt := breaks_to_paragraphs(tree)):
        report["paragraphs_from_breaks"] = rebuilt

    if profile:
        for css in profile.drop:
            for node in select(tree, css):
                remove(node)
    inline_boxes: list[HtmlElement] = []
    pruned = prune_tree(tree, vietnamese, index.elements, inline_boxes)
    if inline_boxes:
        report["inline_boxes"] = len(inline_boxes)
        if page_type == "news":
            report["page_type"] = page_type = "split"
    lines, _ = profile_body(tree, profile)
    method = "profile"
    if not lines or sum(len(line) for line in lines) < MIN_BODY_CHARS:
        join_split_body(tree, index)
        unwrap_embedded_tweets(tree)
        lines, method = trafilatura_lines(tree, url), "trafilatura"

    dateline, lead = split_dateline(meta.lead)

    def clean(candidate: list[str]) -> Cleaned:
        return clean_paragraphs(candidate, title=meta.title, lead=lead, vietnamese=vietnamese,
                                teaser_titles=teasers, header_values=(meta.section, meta.author))

    cleaned = clean(lines)
    rescued = safety_net(tree, cleaned, clean, lead=lead, page_type=page_type, vietnamese=vietnamese)
    if rescued is not None:
        cleaned, report["safety_net"] = rescued
        method = "container"
    author = meta.author
    byline = trailing_author(cleaned.paragraphs) if vietnamese else None
    if byline:
        cleaned.paragraphs.pop()
        author = author or byline
    text = "\n\n".join(cleaned.paragraphs)
    if len(text) < MIN_BODY_CHARS and meta.title and published is not None:
        text, lead, note = short_article(text, lead, decoded, url, clean)
        if note:
            report["short_body"] = note
    if len(text) < MIN_BODY_CHARS and "short_body" not in report:
        reason = "no article text found" if not text else f"no article: only {len(text)} characters of body text"
        raise ExtractionError(f"{reason} on {url}")

    if (published is None and meta.og_type != "article" and meta.jsonld_article is None
            and len(text) < LISTING_MAX_CHARS):
        raise ExtractionError(f"no article on {url}: no publication date, no article markup and only "
                              f"{len(text)} characters of text (a listing or service page)")
    title = meta.title or cleaned.paragraphs[0][:200]
    article = Article(
        url=canonical, title=title, text=text, source=source, published=published, author=author,
        section=meta.section, lead=lead, language=detect_language(text, meta.html_lang),
        dateline=dateline or cleaned.dateline, provenance=cleaned.provenance,
        extraction={"method": method, "date_source": date_source, "pruned_boxes": pruned,
                    "removed_lines": len(cleaned.removed), **report},
        fetched_url=url, fetched_at=fetched_at,
    )
    enrich_article(article)
    return article
