"""The publication date of a page, most reliable source first, and which source won.

Order: the profile's selector (+ strptime format) → ``article:published_time`` / JSON-LD /
itemprop / ``<time datetime>`` → the timestamp VCCorp-family CMSs put in the URL → a visible
Vietnamese date line near the headline → htmldate in fast mode (``extensive_search=False``, capped
at the fetch time, so it cannot pick a decree date cited in the body) → the feed's date.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

import htmldate
from lxml.html import HtmlElement

from newswatch.extract.dom import ClassIndex, MetaTags, select_one, text_of
from newswatch.sources import Profile
from newswatch.text.dates import DEFAULT_TZ, ParsedDate, looks_like_date_line, parse_iso, parse_vi_datetime

LOG = logging.getLogger(__name__)
URL_TIMESTAMP = re.compile(r"-(\d{3})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\d{2,3}\.htm$")
_META_KEYS = ("article:published_time", "og:article:published_time", "datePublished", "pubdate",
              "publishdate", "dc.date.issued", "date", "article.published", "sailthru.date", "parsely-pub-date")
_DATE_CLASS_PARTS = ("date", "time", "ngay", "publish", "meta", "thoigian", "ngaydang")


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def from_profile(tree: HtmlElement, profile: Profile | None, tz: tzinfo) -> datetime | None:
    if not profile or not profile.date:
        return None
    element = select_one(tree, profile.date)
    if element is None:
        return None
    raw = element.get("datetime") or element.get("content") or text_of(element)
    if profile.date_format:
        for candidate in (raw, raw.strip()):
            try:
                return _aware(datetime.strptime(candidate, profile.date_format), tz)
            except ValueError:
                continue
        # The format may cover only part of the text ("Thứ hai, 03/03/2025 16:51"): fall through.
    parsed = parse_vi_datetime(raw, tz) or parse_iso(raw, tz)
    return parsed.value if parsed else None


def from_structured(tree: HtmlElement, article_ld: dict[str, Any] | None, tz: tzinfo,
                    meta: MetaTags | None = None) -> ParsedDate | None:
    candidates: list[str] = []
    if article_ld and isinstance(article_ld.get("datePublished"), str):
        candidates.append(article_ld["datePublished"])
    value = (meta or MetaTags(tree)).content(*_META_KEYS)
    if value:
        candidates.append(value)
    for node in tree.xpath("//*[@itemprop='datePublished']"):
        candidates.append(node.get("content") or node.get("datetime") or text_of(node))
    for node in tree.xpath("//time[@datetime]")[:1]:
        candidates.append(node.get("datetime") or "")
    for raw in candidates:
        parsed = parse_iso(raw, tz) or parse_vi_datetime(raw, tz)
        if parsed:
            return parsed
    return None


def from_url(url: str, tz: tzinfo, now: datetime) -> datetime | None:
    """The publish time in VCCorp-family article ids: ``…-197250303165113888.htm`` → 2025-03-03 16:51:13."""
    match = URL_TIMESTAMP.search(url.split("?")[0].split("#")[0])
    if not match:
        return None
    _, yy, mm, dd, hh, mi, ss = (int(g) for g in match.groups())
    try:
        value = datetime(2000 + yy, mm, dd, hh, mi, ss, tzinfo=tz)
    except ValueError:
        return None
    return value if value <= now + timedelta(hours=1) else None


def from_visible(tree: HtmlElement, title_element: HtmlElement | None, tz: tzinfo,
                 index: ClassIndex | None = None) -> ParsedDate | None:
    """A short date line ("Thứ hai, 03/03/2025 16:51") in date-ish markup, preferring the one after the headline."""
    index = index or ClassIndex(tree)
    nodes = index.containing(*_DATE_CLASS_PARTS) + list(tree.iter("time"))
    order = index.order
    title_pos = order.get(title_element, -1) if title_element is not None else -1
    best: tuple[tuple[int, int, int], ParsedDate] | None = None
    for node in nodes:
        raw = node.get("datetime") or text_of(node)
        if not raw or len(raw) > 120:
            continue
        parsed = parse_vi_datetime(raw, tz)
        if parsed is None and node.get("datetime"):
            parsed = parse_iso(raw, tz)
        if parsed is None:
            continue
        position = order.get(node, 0)
        rank = (0 if position >= title_pos else 1, 0 if parsed.has_time else 1, position)
        if best is None or rank < best[0]:
            best = (rank, parsed)
    if best:
        return best[1]
    # No date-ish markup: a standalone short line that is only a date, after the headline.
    for node in index.elements[max(title_pos, 0):]:
        if node.tag not in ("div", "span", "p", "li", "td", "time", "i", "em", "font", "small", "b"):
            continue
        raw = (node.text or "").strip()
        if raw and len(raw) <= 60 and looks_like_date_line(raw):
            return parse_vi_datetime(raw, tz)
    return None


def from_htmldate(tree: HtmlElement, url: str, now: datetime, tz: tzinfo) -> datetime | None:
    try:
        found = htmldate.find_date(tree, extensive_search=False, original_date=True, url=url,
                                   outputformat="%Y-%m-%dT%H:%M:%S", max_date=now.strftime("%Y-%m-%d"))
    except Exception as exc:  # htmldate raises assorted errors on odd markup
        LOG.debug("htmldate failed on %s: %s", url, exc)
        return None
    parsed = parse_iso(found, tz) if found else None
    return parsed.value if parsed else None


def find_published(tree: HtmlElement, url: str, *, profile: Profile | None, article_ld: dict[str, Any] | None,
                   title_element: HtmlElement | None, hint: datetime | None, fetched_at: datetime | None,
                   tz: tzinfo = DEFAULT_TZ, index: ClassIndex | None = None) -> tuple[datetime | None, str | None]:
    """(published, date_source); published is timezone-aware and expressed in ``tz``."""
    now = fetched_at or datetime.now(tz)
    now = _aware(now, tz)

    def done(value: datetime | None, source: str) -> tuple[datetime | None, str | None]:
        return (value.astimezone(tz), source) if value else (None, None)

    value = from_profile(tree, profile, tz)
    if value:
        return done(value, "profile")
    structured = from_structured(tree, article_ld, tz, index.meta if index else None)
    if structured and structured.has_time:
        return done(structured.value, "metadata")
    url_time = from_url(url, tz, now)
    if url_time and (structured is None or structured.value.date() == url_time.date()):
        return done(url_time, "url")
    visible = from_visible(tree, title_element, tz, index)
    if structured:
        # A date-only metadata value: take the time from the visible line of the same day.
        if visible and visible.has_time and visible.value.date() == structured.value.date():
            return done(visible.value, "metadata+visible")
        return done(structured.value, "metadata")
    if visible:
        return done(visible.value, "visible")
    value = from_htmldate(tree, url, now, tz)
    if value:
        return done(value, "htmldate")
    if hint:
        return done(_aware(hint, tz), "feed")
    return None, None
