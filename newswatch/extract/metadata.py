"""Page metadata: title, author, section, lead (sapo), JSON-LD, og:type and language.

Each field takes the most reliable source first: the source's profile selector, then structured
data (JSON-LD, Open Graph, itemprop), then visible markup conventions shared by Vietnamese CMSs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from newswatch.extract.dom import ClassIndex, select, select_one, text_of
from newswatch.sources import Profile
from newswatch.text.normalize import clean_line

ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                 "opinionnewsarticle", "backgroundnewsarticle", "liveblogposting", "scholarlyarticle"}
_LEAD_CLASSES = ("detail-sapo", "sapo", "article__sapo", "article-sapo", "content-detail-sapo", "news-sapo",
                 "sapo-detail", "article__summary", "detail__summary", "chapeau", "description", "summary", "lead")
_LEAD_TAGS = ("p", "h2", "h3", "div", "span", "strong", "td")
_AUTHOR_CLASSES = ("detail-author", "author-name", "article__author", "article-author", "author", "tac-gia",
                   "tacgia", "byline", "article-detail-author__main")
_BREADCRUMB_CLASSES = ("breadcrumb", "bread-crumb", "breadcrumbs", "bread-crumb-detail")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—]\s+[^|\-–—]{2,60}$")
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_VI_LETTERS = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
_VI_CHARS = re.compile(f"[{_VI_LETTERS}{_VI_LETTERS.upper()}]")  # both cases listed: faster than re.I
_AUTHOR_PREFIX = re.compile(r"^(?:bài|tác giả|theo|by|viết bởi)\s*[:\-]?\s*", re.I)


@dataclass
class PageMeta:
    """What the page says about itself, before the body is extracted."""

    title: str | None = None
    author: str | None = None
    section: str | None = None
    lead: str | None = None
    lead_element: HtmlElement | None = None
    title_element: HtmlElement | None = None
    og_type: str | None = None
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    html_lang: str | None = None
    description: str | None = None

    @property
    def jsonld_article(self) -> dict[str, Any] | None:
        for item in self.jsonld:
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds):
                return item
        return None


def _flatten_jsonld(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [d for item in data for d in _flatten_jsonld(item)]
    if isinstance(data, dict):
        if "@graph" in data:
            return _flatten_jsonld(data["@graph"])
        return [data]
    return []


def read_jsonld(tree: HtmlElement) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            items.extend(_flatten_jsonld(json.loads(raw)))
        except (ValueError, RecursionError):
            continue
    return items


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str):
        value = clean_line(value)
        return value or None
    return None


def _title(tree: HtmlElement, profile: Profile | None, og_title: str | None) -> str | None:
    if profile and profile.title:
        found = text_of(select_one(tree, profile.title))
        if found:
            return found
    headings = [t for t in (text_of(h) for h in tree.iter("h1")) if len(t) > 5]
    if headings:
        if og_title:
            for heading in headings:
                if heading in og_title or og_title in heading:
                    return heading
        article_h1 = [text_of(h) for h in tree.xpath("//article//h1 | //main//h1")]
        return next((h for h in article_h1 if len(h) > 5), headings[0])
    if og_title:
        return og_title
    title = text_of(select_one(tree, "title"))
    return _TITLE_SUFFIX.sub("", title) or None


def _author(tree: HtmlElement, index: ClassIndex, profile: Profile | None,
            article_ld: dict[str, Any] | None) -> str | None:
    if profile and profile.author:
        found = text_of(select_one(tree, profile.author))
        if found:
            return _AUTHOR_PREFIX.sub("", found) or None
    if article_ld and _name(article_ld.get("author")):
        return _name(article_ld.get("author"))
    value = index.meta.content("author", "article:author", "dc.creator")
    if value and not value.startswith("http"):
        return value
    candidates = index.find(_AUTHOR_CLASSES) + tree.xpath("//*[@rel='author' or @itemprop='author'][not(self::meta)]")
    candidates += sorted(index.containing("author", "tac-gia", "tacgia", "byline"), key=lambda e: index.order.get(e, 0))
    for element in candidates:
        link = element.find(".//a[@title]")
        found = _AUTHOR_PREFIX.sub("", text_of(element) or (link.get("title") if link is not None else "")).strip()
        if 1 < len(found) <= 80:
            return found
    return None


def _section(tree: HtmlElement, index: ClassIndex, profile: Profile | None,
             article_ld: dict[str, Any] | None, title_position: int = -1) -> str | None:
    if profile and profile.section:
        found = text_of(select_one(tree, profile.section))
        if found:
            return found
    value = index.meta.content("article:section")
    if value:
        return value
    if article_ld and isinstance(article_ld.get("articleSection"), str | list):
        section = article_ld["articleSection"]
        section = section[0] if isinstance(section, list) and section else section
        if isinstance(section, str) and section.strip():
            return clean_line(section)
    crumbs = [t for box in index.find(_BREADCRUMB_CLASSES) for t in (text_of(a) for a in box.iter("a")) if t]
    crumbs = [c for c in crumbs if c.lower() not in ("trang chủ", "home")]
    if crumbs:
        return crumbs[-1]
    if title_position >= 0:
        # A category link just above the headline ("Pháp luật về kinh tế").
        boxes = [e for e in index.containing("cate", "chuyen-muc", "chuyenmuc", "section-name")
                 if 0 <= title_position - index.order.get(e, -10**9) <= 40]
        for box in sorted(boxes, key=lambda e: -index.order.get(e, 0)):
            found = text_of(box)
            if 1 < len(found) <= 60:
                return found
    return None


def _lead(tree: HtmlElement, index: ClassIndex, profile: Profile | None) -> tuple[str | None, HtmlElement | None]:
    candidates = select(tree, profile.lead) if profile and profile.lead else []
    candidates += index.find(_LEAD_CLASSES, _LEAD_TAGS)
    for element in candidates:
        found = text_of(element)
        if 30 <= len(found) <= 1200:
            return found, element
    return None, None


def read_meta(tree: HtmlElement, profile: Profile | None = None, index: ClassIndex | None = None) -> PageMeta:
    """Read every metadata field once from the parsed page."""
    index = index or ClassIndex(tree)
    jsonld = read_jsonld(tree)
    meta = PageMeta(jsonld=jsonld)
    article_ld = meta.jsonld_article
    og_title = index.meta.content("og:title", "twitter:title")
    meta.title = _title(tree, profile, og_title)
    meta.author = _author(tree, index, profile, article_ld)
    meta.title_element = next((h for h in index.elements if h.tag in ("h1", "h2") and meta.title
                               and text_of(h) == meta.title), None)
    title_position = index.order.get(meta.title_element, -1) if meta.title_element is not None else -1
    meta.section = _section(tree, index, profile, article_ld, title_position)
    meta.lead, meta.lead_element = _lead(tree, index, profile)
    meta.og_type = (index.meta.content("og:type") or "").lower() or None
    meta.html_lang = (tree.get("lang") or tree.get("xml:lang") or "").split("-")[0].lower() or None
    meta.description = index.meta.content("og:description", "description")
    return meta


def _letter_counts(text: str) -> tuple[int, int]:
    """(letters, ASCII letters) in the text, counted in C (bytes.translate) but for the non-ASCII characters."""
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))
    return ascii_letters + sum(map(str.isalpha, _ASCII_RUN.sub("", text))), ascii_letters


def detect_language(text: str, html_lang: str | None) -> str:
    """'vi' when the text is Vietnamese (tone-marked letters), else the page's lang attribute, else 'en'/'und'."""
    sample = text[:5000]
    letters, ascii_letters = _letter_counts(sample)
    if letters and len(_VI_CHARS.findall(sample)) / letters > 0.03:
        return "vi"
    if html_lang:
        return html_lang
    return "en" if letters and ascii_letters / letters > 0.95 else "und"
