"""Is a page an article or something else (category, tag, contact page)? Decided on page evidence.

The crawler asks this when a source has no URL pattern. Evidence: structured data saying article
(og:type, JSON-LD NewsArticle), a publication date, a headline, a body of real length (long
paragraphs), against signs of a listing (many teaser links, listing URL paths).
"""

from __future__ import annotations

import re

from newswatch.errors import ExtractionError
from newswatch.extract.dates import URL_TIMESTAMP, from_structured, from_visible
from newswatch.extract.decode import decode_html
from newswatch.extract.dom import ClassIndex, parse_html
from newswatch.extract.metadata import read_meta
from newswatch.text.dates import DEFAULT_TZ

_LISTING_PATH = re.compile(r"/(?:tag|tags|category|categories|chuyen-muc|chu-de|topic|lien-he|contact|gioi-thieu|"
                           r"about|search|tim-kiem|page/\d+|trang-\d+)(?:/|\.html?$|$)", re.I)


def classify_page(html: bytes | str, url: str) -> tuple[str, str]:
    """("article" | "other", reason) for one page."""
    try:
        tree = parse_html(decode_html(html))
    except ExtractionError as exc:
        return "other", str(exc)
    index = ClassIndex(tree)  # one walk, shared by the metadata and the date lookups
    meta = read_meta(tree, index=index)
    evidence: list[str] = []
    structured = bool(meta.jsonld_article) or meta.og_type == "article"
    if meta.jsonld_article:
        evidence.append("JSON-LD article")
    if meta.og_type == "article":
        evidence.append("og:type article")
    dated = (from_structured(tree, meta.jsonld_article, DEFAULT_TZ, index.meta) is not None
             or bool(URL_TIMESTAMP.search(url)))
    if not dated:
        dated = from_visible(tree, None, DEFAULT_TZ, index) is not None
    if dated:
        evidence.append("publication date")
    long_paragraphs = _long_blocks(tree)
    body = sum(long_paragraphs)
    links = sum(1 for _ in tree.iter("a"))
    if body >= 500:
        evidence.append(f"body {body} chars in {len(long_paragraphs)} paragraphs")
    if _LISTING_PATH.search(url.split("?")[0]):
        return "other", f"listing-style URL path; evidence: {', '.join(evidence) or 'none'}"
    headline = meta.title_element is not None or any(
        (e.text or "").strip() == meta.title for e in tree.iter("b", "strong", "font") if meta.title)
    if meta.og_type in ("website", "profile") and not meta.jsonld_article and body < 1500 and not (
            dated and headline and len(long_paragraphs) >= 2 and body >= 300):
        return "other", f"og:type {meta.og_type} and a short body ({body} chars)"
    lead = len(meta.lead or "")
    if dated and headline and (structured or (meta.og_type or "").startswith("video")) and lead >= 80 and (
            body + lead >= 200):
        # an infographic or a video page: a headline, a date, a sapo and little else
        return "article", "; ".join([*evidence, f"headline, sapo ({lead} chars) and {body} chars of body"])
    if body < 300:
        return "other", f"no article body (only {body} chars in long paragraphs, {links} links)"
    if structured and body >= 300:
        return "article", "; ".join(evidence)
    if dated and body >= 500 and len(long_paragraphs) >= 3:
        return "article", "; ".join(evidence)
    return "other", f"not enough evidence of an article: {', '.join(evidence) or 'none'}"


def _long_blocks(tree) -> list[int]:
    """Lengths of the page's blocks of real text (≥ 80 characters): paragraphs, captions, text cells
    (a photo story tells its story in captions, an old portal in table cells) and ``<br>``-separated text."""
    lengths = [len(t) for e in tree.iter("p", "figcaption") if len(t := " ".join(e.itertext()).strip()) >= 80]
    for cell in tree.iter("td"):
        if cell.find(".//p") is None:
            lengths += [n for n in _break_segments(cell) if n >= 80]
    return lengths


def _break_segments(cell) -> list[int]:
    """Lengths of the cell's own text between ``<br>`` tags, link text left out."""
    segments: list[str] = []
    current: list[str] = [cell.text or ""]

    def walk(element) -> None:
        for child in element:
            if child.tag == "br":
                segments.append(" ".join(current).strip())
                current.clear()
            elif child.tag not in ("table", "a"):  # nested tables are cells of their own; links are not body
                current.append(child.text or "")
                walk(child)
            current.append(child.tail or "")

    walk(cell)
    segments.append(" ".join(current).strip())
    return [len(s) for s in segments]
