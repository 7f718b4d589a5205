"""An official listing entry as the monitor reads it: the document's own issuance, not a report of it.

An article whose ``extraction["method"]`` is :data:`~newswatch.documents.model.OFFICIAL_METHOD`
carries an :class:`~newswatch.documents.model.OfficialEntry` in ``extraction["official"]`` (one row
of an official "Văn bản" listing). The monitor reads it from that entry alone — never from the
source's name, never from the words of its trích yếu:

* the entry's own number is issued on the entry's issue date (:func:`entry_of`, :func:`own_number`);
* every other number in it is cited (the number a trích yếu amends, replaces or implements);
* its key is the document's key (canonical number, plus ``@year`` of the issue date when the
  number has none): the same key a press report of the document gets, so the two meet on one alert;
* :func:`reference` is what an alert keeps of it: the official link, the source and its title.

The reading itself is :meth:`monitor.signal.Judge.judge`'s; the alert's confirmation is the
engine's (:meth:`monitor.engine.Monitor.confirm`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from newswatch.documents.model import OFFICIAL_METHOD, OfficialEntry
from newswatch.models import Article, DocNumber
from newswatch.text.docnumbers import canonicalize_doc_number, find_doc_numbers

log = logging.getLogger(__name__)


def entry_of(article: Article) -> OfficialEntry | None:
    """The official listing entry this article is, or None for any other article (a malformed entry too)."""
    extraction = article.extraction or {}
    if extraction.get("method") != OFFICIAL_METHOD or not isinstance(extraction.get("official"), dict):
        return None
    try:
        entry = OfficialEntry.from_dict(extraction["official"])
    except (TypeError, ValueError, KeyError) as exc:
        log.warning("official entry of %s is malformed (%s): read as a press article", article.url, exc)
        return None
    if not entry.canonical:
        entry.canonical = canonicalize_doc_number(entry.number)
    return entry if entry.canonical else None


def own_number(article: Article, entry: OfficialEntry) -> DocNumber:
    """The entry's own number among the article's numbers (found from the entry's number when enrichment missed it)."""
    for number in article.doc_numbers:
        if number.canonical == entry.canonical:
            return number
    found = [n for n in find_doc_numbers(f"Văn bản số {entry.number}") if n.canonical == entry.canonical]
    if not found:
        found = [n for n in find_doc_numbers(f"{entry.doc_type_name or 'Văn bản'} số {entry.canonical}")]
    number = found[0] if found else DocNumber(canonical=str(entry.canonical), raw=entry.number, doc_type="CV",
                                             type_name=entry.doc_type_name or "Văn bản")
    number.start = number.end = 0
    number.segment = "title"
    return number


def numbers(article: Article) -> list[DocNumber]:
    """The numbers a rule judges: the article's own, plus an official entry's number if enrichment missed it."""
    entry = entry_of(article)
    if entry is None or any(n.canonical == entry.canonical for n in article.doc_numbers):
        return list(article.doc_numbers)
    return [own_number(article, entry), *article.doc_numbers]


def document_key(number: DocNumber, entry: OfficialEntry) -> str:
    """The document's key: its canonical number, plus the issue year when the number has none (``DocNumber.key``)."""
    year = number.year or (entry.issue_date.year if entry.issue_date else None)
    return number.canonical if number.year or year is None else f"{number.canonical}@{year}"


def official_url(article: Article, entry: OfficialEntry) -> str:
    """The official link: the entry's own page, else its first attachment, else the article's URL."""
    return entry.detail_url or (entry.attachment_urls[0] if entry.attachment_urls else "") or article.url


def speaks_from(article: Article) -> datetime | None:
    """When an official entry is news: when newswatch first fetched it, if later than the listing's date.

    A listing dates a row by its issue date; a row of last year read by a first crawl is not new.
    """
    published, fetched = article.published, article.fetched_at
    if published is None or fetched is None:
        return published or fetched
    return max(published, fetched)


@dataclass
class OfficialRef:
    """What an alert keeps of the official entry of its document."""

    key: str
    number: str
    url: str
    source: str
    source_title: str
    article_id: str
    article_url: str
    title: str
    issue_date: str | None = None
    signer: str | None = None
    trich_yeu: str | None = None
    listing_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def reference(article: Article, titles: Any = None) -> OfficialRef | None:
    """The :class:`OfficialRef` of an official entry article (None for any other article).

    ``titles`` maps a source name to its title (:meth:`monitor.rules.base.RuleContext.source_title`).
    """
    entry = entry_of(article)
    if entry is None:
        return None
    number = own_number(article, entry)
    source = entry.source or article.source
    title = titles(source) if callable(titles) else source
    return OfficialRef(key=document_key(number, entry), number=number.canonical, url=official_url(article, entry),
                       source=source, source_title=title or source, article_id=article.id, article_url=article.url,
                       title=article.title, issue_date=entry.issue_date.isoformat() if entry.issue_date else None,
                       signer=entry.signer, trich_yeu=entry.trich_yeu, listing_url=entry.listing_url)


@lru_cache(maxsize=8)
def _titles(path: str, mtime: float) -> dict[str, str]:
    from newswatch.sources import load_sources

    return {s.name: s.title or s.name for s in load_sources(path)}


def source_titles(sources_file: Path | str | None) -> Any:
    """A function: source name -> its title in the sources file (the name itself when unknown or unreadable)."""

    def title(name: str) -> str:
        if not sources_file:
            return name
        path = Path(sources_file)
        try:
            return _titles(str(path), path.stat().st_mtime).get(name, name)
        except Exception as exc:  # a missing or broken sources file must not stop an alert
            log.warning("source titles unavailable from %s (%s)", path, exc)
            return name

    return title
