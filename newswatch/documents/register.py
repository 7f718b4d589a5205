"""The document register: one :class:`DocumentRecord` per canonical document, derived from stored articles.

Every backend keeps two things: the *mentions* (one row per article and document: what
:func:`~newswatch.documents.derive.derive` read from that article) and the *records* merged from them.
:meth:`DocumentRegister.record` replaces an article's mentions (an edited article replaces its own, the
same article stored again changes nothing) and merges again the records it touched:

* mentions in time order (publication time, else fetch time); first seen = the earliest;
* status CONFIRMED once an OFFICIAL mention exists (``confirmed_at``, ``official_url``,
  ``official_source``; the official entry's issue date, signer and trích yếu win over what the
  press stated), else REPORTED if any mention reports it as issued, else CITED;
* attachments: the official entry's, then a press article's own attachment that confirms the number.

The backends (:mod:`newswatch.documents.sqlite_register`, :mod:`newswatch.documents.elastic_register`)
implement the storage primitives and the queries; filters are normalised here, the way the search and
the alert rules normalise theirs (:mod:`newswatch.store.keys`).
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from newswatch.documents.derive import Derived, derive
from newswatch.documents.model import (
    Attachment,
    DocumentPage,
    DocumentQuery,
    DocumentRecord,
    DocumentStatus,
    MentionKind,
)
from newswatch.models import Article
from newswatch.store.keys import canonical_key, filter_keys, known_doc_type_keys, label_key, month_of
from newswatch.text.docnumbers import canonicalize_doc_number
from newswatch.text.issuers import issuer_name
from newswatch.text.normalize import fold

log = logging.getLogger(__name__)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_RANK = {MentionKind.OFFICIAL: 0, MentionKind.REPORTED: 1, MentionKind.CITED: 2}
RECORD_BATCH = 500


class DocumentNotFound(LookupError):
    """No record for the number asked for."""


def _reason(exc: BaseException) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


# -- merging -------------------------------------------------------------------------------------------


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v), None)


def merge(key: str, rows: list[Derived]) -> DocumentRecord | None:
    """The record of one document from all its mentions (None when it has none left)."""
    if not rows:
        return None
    rows = sorted(rows, key=lambda d: (d.mention.published or d.seen_at, d.mention.article_id))
    official = [d for d in rows if d.mention.kind is MentionKind.OFFICIAL]
    # what the official entry states wins; then what the press reporting it as issued states; then citations
    stating = official + sorted((d for d in rows if d.mention.kind is not MentionKind.OFFICIAL),
                                key=lambda d: _RANK[d.mention.kind])
    number = (official or rows)[0].number
    if official:
        status = DocumentStatus.CONFIRMED
    elif any(d.mention.kind is MentionKind.REPORTED for d in rows):
        status = DocumentStatus.REPORTED
    else:
        status = DocumentStatus.CITED
    first = rows[0].mention
    entry = official[0].official if official else None
    attachments: dict[str, Attachment] = {}
    for d in official + [d for d in rows if d.mention.kind is not MentionKind.OFFICIAL]:
        for attachment in d.attachments:
            attachments.setdefault(attachment.url, attachment)
    return DocumentRecord(
        key=key, number=number.canonical, doc_type=number.doc_type, type_name=number.type_name,
        issuer=number.issuer,
        issuer_name=(entry.issuer_name if entry and entry.issuer_name else issuer_name(number.issuer) or None),
        issue_date=_first(d.issue_date for d in stating), signer=_first(d.signer for d in stating),
        trich_yeu=_first(d.trich_yeu for d in stating), status=status,
        first_seen_source=first.source, first_seen_url=first.url, first_seen_at=first.published,
        official_url=(official[0].official_url or official[0].mention.url) if official else None,
        official_source=entry.source if entry else None,
        confirmed_at=min(d.seen_at for d in official) if official else None,
        attachments=list(attachments.values()), mentions=[d.mention for d in rows],
    )


def merge_number(rows: list[Derived]) -> list[DocumentRecord]:
    """The records of one canonical number from all its mentions.

    A number without a year of its own is keyed by the year its mention gives (``07/CT-TTg@2026``); a
    mention that gives none (an undated citation) joins the number's only dated record, and makes a record
    of its own (keyed by the bare number) only when there is no dated one or several: which year it means
    is then unknown. This depends only on the mentions, never on the order they were stored in.
    """
    by_key: dict[str, list[Derived]] = {}
    for d in rows:
        by_key.setdefault(d.key, []).append(d)
    undated = [k for k in by_key if "@" not in k and k == by_key[k][0].number.canonical
               and not by_key[k][0].number.year]
    dated = [k for k in by_key if "@" in k]
    if len(dated) == 1 and undated:
        for key in undated:
            by_key[dated[0]] += by_key.pop(key)
    return [record for key, found in sorted(by_key.items()) if (record := merge(key, found)) is not None]


# -- the fields the queries filter on --------------------------------------------------------------------


def record_month(record: DocumentRecord) -> str:
    """``YYYY-MM`` of the issue date, else of the first-seen time."""
    if record.issue_date is not None:
        return record.issue_date.strftime("%Y-%m")
    return month_of(record.first_seen_at) if record.first_seen_at else ""


def type_keys(record: DocumentRecord) -> list[str]:
    return sorted({label_key(v) for v in (record.doc_type, record.type_name) if v})


def issuer_keys(record: DocumentRecord) -> list[str]:
    return sorted({label_key(v) for v in (record.issuer, record.issuer_name) if v})


def search_text(record: DocumentRecord) -> str:
    """Folded words a text filter looks in: the number, the type, the issuer, the trích yếu, the signer."""
    parts = (record.number, record.type_name, record.issuer or "", record.issuer_name or "", record.trich_yeu or "",
             record.signer or "")
    return " ".join(fold(p) for p in parts if p)


def record_fields(record: DocumentRecord) -> dict[str, Any]:
    """What both backends index of a record besides the record itself."""
    return {
        "key": record.key, "canonical": record.number, "number_key": canonical_key(record.number),
        "doc_type": record.doc_type, "type_keys": type_keys(record), "issuer": record.issuer or "",
        "issuer_keys": issuer_keys(record), "status": record.status.value, "month": record_month(record),
        "first_seen_ts": record.first_seen_at.timestamp() if record.first_seen_at else 0.0,
        "text": search_text(record),
    }


@dataclass
class Filters:
    """A :class:`DocumentQuery` normalised: type codes, issuer keys, statuses, month, since, folded words."""

    doc_types: list[str]
    issuers: list[str]
    statuses: list[str]
    month: str | None
    since: datetime | None
    words: list[str]
    limit: int
    offset: int


def normalize_query(query: DocumentQuery) -> Filters:
    """Validate and normalise a query; a value the register cannot read raises ValueError naming it."""
    known = known_doc_type_keys()
    codes: list[str] = []
    for value in query.doc_types:
        keys = filter_keys([value])
        if not keys:
            continue
        key = next(iter(keys))
        if key not in known:
            raise ValueError(f"unknown document type {value!r}; use a code such as QĐ, CT, NĐ, TT or a name such as "
                             f"'Nghị định'")
        codes.append(known[key])
    statuses: list[str] = []
    for value in query.statuses:
        try:
            statuses.append(DocumentStatus(str(getattr(value, "value", value)).strip().lower()).value)
        except ValueError:
            raise ValueError(f"unknown status {value!r}; use one of "
                             f"{', '.join(s.value for s in DocumentStatus)}") from None
    if query.month and not _MONTH.match(query.month):
        raise ValueError(f"month {query.month!r} is not YYYY-MM (e.g. 2026-11)")
    if query.limit < 1 or query.offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0")
    return Filters(doc_types=sorted(set(codes)), issuers=sorted(filter_keys(query.issuers)), statuses=sorted(set(statuses)),
                   month=query.month or None, since=query.since, words=fold(query.text or "").split(),
                   limit=query.limit, offset=query.offset)


def parse_number(number: str) -> tuple[str, int | None]:
    """A number as a user types it ("1234/qđ-ttg", "07/CT-TTg@2026") as (canonical, year or None)."""
    text = (number or "").strip()
    year: int | None = None
    if "@" in text:
        text, _, tail = text.rpartition("@")
        if tail.strip().isdigit():
            year = int(tail.strip())
    canonical = canonicalize_doc_number(text) or text.strip()
    if not canonical:
        raise ValueError("no document number given")
    return canonical, year


# -- the register -------------------------------------------------------------------------------------


class DocumentRegister(ABC):
    """The register of one article store. ``errors`` counts articles that could not be recorded, by reason."""

    def __init__(self, errors: Counter[str] | None = None) -> None:
        self.errors: Counter[str] = errors if errors is not None else Counter()

    # -- the interface the web, the CLI and the store use ---------------------------------------------

    def record(self, article: Article) -> list[str]:
        """Derive the article's mentions, replace its earlier ones and merge the records touched; returns their keys."""
        return self.record_many([article])

    def record_many(self, articles: Iterable[Article]) -> list[str]:
        """:meth:`record` for several articles at once (one merge per touched document).

        An article whose mentions cannot be derived is logged with its reason and counted in
        ``errors``; the others are recorded.
        """
        batch: dict[str, list[Derived]] = {}
        for article in articles:
            try:
                batch[article.id] = derive(article)
            except Exception as exc:
                reason = _reason(exc)
                self.errors[reason] += 1
                log.error("document register: could not read the documents of %s (%s): %s", article.url, reason, exc)
        if not batch:
            return []
        touched = set(self._replace_mentions(batch)) | {d.key for rows in batch.values() for d in rows}
        self._merge_keys(sorted(touched))
        return sorted(touched)

    def _merge_keys(self, keys: list[str]) -> None:
        by_canonical: dict[str, set[str]] = {}
        for key in keys:
            by_canonical.setdefault(key.partition("@")[0], set()).add(key)
        canonicals = sorted(by_canonical)
        for start in range(0, len(canonicals), RECORD_BATCH):
            chunk = canonicals[start:start + RECORD_BATCH]
            rows = self._mentions_for(chunk)
            records: list[DocumentRecord] = []
            gone: list[str] = []
            for canonical in chunk:
                merged = merge_number(rows.get(canonical, []))
                records += merged
                candidates = by_canonical[canonical] | {canonical}
                candidates |= {d.key for d in rows.get(canonical, [])}
                gone += sorted(candidates - {r.key for r in merged})
            self._write_records(records, gone)

    def rebuild(self, articles: Iterable[Article]) -> int:
        """Clear the register and derive it again from ``articles`` (the archive); returns how many records it holds."""
        self.clear()
        wanted = iter(a for a in articles if a.doc_numbers or a.extraction.get("official"))
        while batch := list(islice(wanted, RECORD_BATCH)):
            self.record_many(batch)
        return self.count()

    def get(self, number: str) -> DocumentRecord | None:
        """The record of a number in any spelling ("1234/QD-TTg", "1234/qđ-ttg", "07/CT-TTg@2026").

        A number without ``@year`` finds the record keyed by the bare number, else the newest of that number.
        """
        canonical, year = parse_number(number)
        if year is not None:
            return self._get_key(f"{canonical}@{year}")
        return self._get_key(canonical) or self._newest_of(canonical)

    @abstractmethod
    def list(self, query: DocumentQuery) -> DocumentPage:
        """One page of records matching the query, newest first seen first, with facets."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every record and mention."""

    @abstractmethod
    def count(self) -> int:
        """How many records the register holds."""

    # -- storage primitives of a backend ---------------------------------------------------------------

    @abstractmethod
    def _replace_mentions(self, batch: dict[str, list[Derived]]) -> set[str]:
        """Replace each article's mentions with the given ones; returns the keys its old mentions had."""

    @abstractmethod
    def _mentions_for(self, canonicals: list[str]) -> dict[str, list[Derived]]:
        """The stored mentions of each canonical number (whatever the year in their keys)."""

    @abstractmethod
    def _write_records(self, records: list[DocumentRecord], gone: list[str]) -> None:
        """Write (replace) records; delete those of ``gone``."""

    @abstractmethod
    def _get_key(self, key: str) -> DocumentRecord | None: ...

    @abstractmethod
    def _newest_of(self, canonical: str) -> DocumentRecord | None:
        """The record of this canonical number with the latest year in its key."""


def record_stored(store: Any, articles: list[Article]) -> None:
    """Keep the store's register current with articles just written; a failure is logged and counted, never raised.

    Called by both backends once the articles are committed (so a failure here never loses an article).
    """
    wanted = [a for a in articles if a.store_outcome != "unchanged"
              and (a.doc_numbers or a.extraction.get("official") or a.store_outcome == "updated")]
    if not wanted:
        return
    try:
        register = store.documents
        register.record_many(wanted)
    except Exception as exc:
        reason = _reason(exc)
        store.documents_errors[reason] += len(wanted)
        log.error("document register: %d stored article(s) not recorded (%s): %s; `newswatch documents rebuild` "
                  "derives them again", len(wanted), reason, exc)
