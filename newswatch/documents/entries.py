"""An official listing entry read as a document: its own number, its key, its link and when it became news.

An article whose ``extraction["method"]`` is :data:`~newswatch.documents.model.OFFICIAL_METHOD`
carries an :class:`~newswatch.documents.model.OfficialEntry` in ``extraction["official"]`` (one row
of an official "Văn bản" listing, :mod:`crawlers.official`). The register
(:mod:`newswatch.documents.derive`) and the monitor (:mod:`monitor.official`, :mod:`monitor.signal`)
both read entries through these functions only:

* :func:`entry_of`: the entry an article is (None for a press article or a malformed entry);
* :func:`own_number`: the entry's own number among the article's numbers;
* :func:`document_key`: the document's key, the same a press report of it gets;
* :func:`official_url`: the official link (the entry's page, else its first attachment);
* :func:`speaks_from`: when the entry is news (first fetched, if later than the listing's date).
"""

from __future__ import annotations

import logging
from datetime import datetime

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
    return number.key_in(entry.issue_date.year if entry.issue_date else None)


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
