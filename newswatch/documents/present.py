"""What the CLI and the API both make of the register: a query from their parameters, records as JSON, the alert.

``newswatch documents`` and ``GET /api/documents`` take the same parameters (type, issuer, status, month,
since, text, limit, offset) and print the same JSON, so both go through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from newswatch.documents.model import DocumentPage, DocumentQuery, DocumentRecord, MentionKind
from newswatch.durations import parse_duration


def parse_since(value: str | None, tz: ZoneInfo) -> datetime | None:
    """``--since`` / ``since=``: a span back from now ("7d", "12h", "2w"), a day (2026-11-20, 20/11/2026) or a time."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.now(tz) - parse_duration(text)
    except ValueError:
        pass
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return datetime.combine(date(year, month, day), time.min, tz)
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.min, tz)
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    except ValueError:
        raise ValueError(f"since {value!r} is neither a span (7d, 12h, 2w) nor a day (2026-11-20 or 20/11/2026)") from None


def make_query(*, types: Sequence[str] = (), issuers: Sequence[str] = (), statuses: Sequence[str] = (),
               month: str | None = None, since: str | None = None, text: str = "", limit: int = 50, offset: int = 0,
               tz: ZoneInfo) -> DocumentQuery:
    """The register query of the CLI's options or the API's parameters (values checked by the register)."""
    return DocumentQuery(doc_types=[t for t in types if t.strip()], issuers=[i for i in issuers if i.strip()],
                         statuses=[s for s in statuses if s.strip()],  # type: ignore[misc]
                         month=(month or "").strip() or None, since=parse_since(since, tz), text=text or "",
                         limit=limit, offset=offset)


def counts(record: DocumentRecord) -> dict[str, int]:
    """How many articles reported, cited or officially published the document."""
    return {kind.value: sum(m.kind is kind for m in record.mentions) for kind in MentionKind}


def record_json(record: DocumentRecord) -> dict[str, Any]:
    """A record as JSON: every field, its first publisher and its mention counts."""
    data = record.to_dict()
    first = record.first_publisher
    data["first_publisher"] = first.to_dict() if first else None
    data["counts"] = counts(record)
    return data


def page_json(page: DocumentPage, query: DocumentQuery) -> dict[str, Any]:
    return {"total": page.total, "offset": query.offset, "limit": query.limit,
            "records": [record_json(r) for r in page.records], "facets": page.facets}


def alert_for_document(db: Any, record: DocumentRecord) -> str | None:
    """The uid of the alert raised for this document, if any (:func:`monitor.store.alert_for_document`)."""
    from monitor import store as alert_store

    found = alert_store.alert_for_document(db, record.key)
    return found["uid"] if found else None
