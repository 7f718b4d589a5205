"""The Văn bản pages: the document register's list (filters, facets, paging) and one document's record.

``/documents`` lists :class:`~newswatch.documents.model.DocumentRecord` s from ``store.documents`` (the
register every article store keeps) with facets by type, issuer, status and month; ``/documents/{number}``
shows one record — its number may be typed in any spelling, with its "/" as is or URL-encoded, and is
redirected to the record's own key. The register is read only through its interface
(:class:`~newswatch.documents.register.DocumentRegister` ``list``/``get``, through :mod:`newswatch.web.data`
as the JSON API reads it), with the queries made and the mentions counted by :mod:`newswatch.documents.present`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import QueryParams

from newswatch.documents.model import DocumentPage, DocumentQuery, DocumentRecord, Mention
from newswatch.documents.present import counts
from newswatch.web import data
from newswatch.web.context import ctx, document_url
from newswatch.web.pages import render
from newswatch.web.params import query_link
from newswatch.web.reading import timezone_of

log = logging.getLogger(__name__)
router = APIRouter()

PER_PAGE = 25
MAX_PAGE = 10_000  # 250,000 records reachable by paging (the search stops at 500 pages: relevance runs out)
TRICH_YEU_CHARS = 160  # how much of a trích yếu a list row shows

STATUS_LABELS = {"confirmed": "Đã xác nhận chính thức", "reported": "Đã đưa tin ban hành",
                 "cited": "Chỉ được trích dẫn"}
STATUS_HINTS = {"confirmed": "có trên nguồn văn bản chính thức", "reported": "báo chí đưa tin đã ban hành, "
                "chưa thấy trên nguồn chính thức", "cited": "chỉ được nhắc đến, trích dẫn"}
KIND_LABELS = {"official": "văn bản chính thức", "reported": "đưa tin ban hành", "cited": "trích dẫn"}
ATTACHMENT_LABELS = {"ok": "Đã đọc", "no_text_layer": "Không có lớp chữ", "too_large": "Quá lớn",
                     "timeout": "Quá thời gian", "encrypted": "Có mật khẩu", "corrupt": "Tệp hỏng",
                     "unsupported": "Định dạng không đọc được", "failed": "Không tải được"}
FACETS = ("doc_type", "issuer", "status", "month")
FACET_NAMES = {"doc_type": "Loại văn bản", "issuer": "Cơ quan ban hành", "status": "Trạng thái", "month": "Tháng"}


@dataclass
class DocumentParams:
    """The Văn bản list's filters as the query string gives them (``doc_type``, ``issuer``, ``status`` repeat)."""

    q: str = ""
    doc_types: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    month: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: QueryParams) -> DocumentParams:
        def many(key: str) -> list[str]:
            return list(dict.fromkeys(v.strip() for v in params.getlist(key) if v.strip()))

        try:
            page = max(1, min(MAX_PAGE, int(params.get("page") or 1)))
        except ValueError:
            page = 1
        return cls(q=(params.get("q") or "").strip(), doc_types=many("doc_type"), issuers=many("issuer"),
                   statuses=[s.lower() for s in many("status")], month=(params.get("month") or "").strip(), page=page)

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.doc_types or self.issuers or self.statuses or self.month)

    def to_query(self, tz: ZoneInfo) -> DocumentQuery:
        """The register query, made as the API and the CLI make theirs (values checked by the register)."""
        from newswatch.documents.present import make_query

        return make_query(types=self.doc_types, issuers=self.issuers, statuses=self.statuses, month=self.month,
                          text=self.q, limit=PER_PAGE, offset=(self.page - 1) * PER_PAGE, tz=tz)

    def items(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        pairs += [("doc_type", v) for v in self.doc_types]
        pairs += [("issuer", v) for v in self.issuers]
        pairs += [("status", v) for v in self.statuses]
        if self.month:
            pairs.append(("month", self.month))
        return pairs

    def link(self, *, page: int | None = None, add: tuple[str, str] | None = None,
             remove: tuple[str, str] | None = None, **replace: Any) -> str:
        return query_link("/documents", self.items(), page=page, add=add, remove=remove, **replace)

    def has(self, facet: str, value: str) -> bool:
        if facet == "month":
            return value == self.month
        chosen = {"doc_type": self.doc_types, "issuer": self.issuers, "status": self.statuses}.get(facet, [])
        return value.casefold() in {v.casefold() for v in chosen}

    def facet_link(self, facet: str, value: str) -> str:
        """Choosing a facet value adds it to the filter (the month replaces the month); a chosen one is removed."""
        if facet == "month":
            return self.link(month="" if self.has(facet, value) else value)
        chosen = next((v for v in self.items() if v[0] == facet and v[1].casefold() == value.casefold()), None)
        return self.link(remove=chosen) if chosen else self.link(add=(facet, value))


def facet_value_label(facet: str, value: str) -> str:
    """What a facet value reads as: types and issuers by their Vietnamese names, statuses in words, MM/YYYY."""
    from newswatch.text.issuers import issuer_name
    from newswatch.web.context import facet_label

    if facet == "issuer":
        name = issuer_name(value)
        return f"{name} ({value})" if name and name != value else value
    if facet == "status":
        return STATUS_LABELS.get(value, value)
    if facet == "month" and len(value) == 7:
        return f"{value[5:]}/{value[:4]}"
    return facet_label(facet, value)


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL, else None: scraped links (attachments, official pages) are never
    ``javascript:`` or ``data:`` links on these pages."""
    from urllib.parse import urlsplit

    try:
        return url if url and urlsplit(url.strip()).scheme.lower() in ("http", "https") else None
    except ValueError:
        return None


def shorten(text: str | None, limit: int = TRICH_YEU_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.- ") + "…"


def timeline(record: DocumentRecord) -> list[Mention]:
    """The record's reports and citations oldest first (a mention without a time last)."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(record.mentions, key=lambda m: (m.published or far, m.article_id))


def human_size(size: int | None) -> str:
    """``48213`` -> ``47 KB``; ``1200000`` -> ``1,1 MB`` (Vietnamese decimal comma)."""
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            text = f"{value:.0f}" if unit != "MB" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    return f"{size} B"


def document_alerts(request: Request, record: DocumentRecord) -> list[dict[str, Any]]:
    """The alert the document raised (``record.alert_uid``, filled by :func:`newswatch.web.data.get_document`)."""
    from sqlalchemy import select

    from monitor import store as alert_store

    if not record.alert_uid:
        return []
    table = alert_store.alerts
    query = select(table.c.id, table.c.uid, table.c.rule, table.c.status, table.c.headline).where(
        table.c.uid == record.alert_uid)
    try:
        with ctx(request).db.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings().all()]
    except Exception as exc:  # the page still shows the record
        log.warning("cannot read the alert of %s: %s", record.key, exc)
        return []


def document_links(request: Request, numbers: list[Any]) -> dict[str, str]:
    """Per document number of an article (``DocNumber``), the URL of its record in the register.

    A number the register holds links to its record's own key; one it does not (yet) hold links to the
    number itself, whose page says so. Reading the register never breaks the article page.
    """
    links: dict[str, str] = {}
    try:
        register = ctx(request).store.documents
    except Exception:
        register = None
    for number in numbers:
        record = None
        if register is not None:
            try:
                record = register.get(number.key)
            except Exception as exc:
                log.warning("document register: cannot look up %s: %s", number.key, exc)
        links[number.canonical] = document_url(record.key if record else number.key)
    return links


def _list_page(request: Request, params: DocumentParams) -> tuple[DocumentPage | None, str | None, int]:
    try:
        return data.list_documents(ctx(request), params.to_query(timezone_of(request))), None, 200
    except ValueError as exc:  # a filter the register cannot read: say which
        return None, f"Bộ lọc không hợp lệ / bad filter: {exc}", 400
    except Exception as exc:
        log.exception("cannot list the document register")
        return None, f"Không đọc được sổ văn bản / the register cannot be read: {type(exc).__name__}: {exc}", 503


@router.get("/documents", include_in_schema=False)
def documents_page(request: Request) -> Response:
    params = DocumentParams.from_query(request.query_params)
    page, error, status = _list_page(request, params)
    pages = max(1, -(-page.total // PER_PAGE)) if page is not None else 0
    if page is not None and page.facets.get("month"):  # months newest first, as a calendar reads
        page.facets["month"] = dict(sorted(page.facets["month"].items(), reverse=True))
    return render(request, "documents.html", status_code=status, params=params, result=page, error=error,
                  pages=pages, facets=FACETS, facet_names=FACET_NAMES, facet_value_label=facet_value_label,
                  status_labels_doc=STATUS_LABELS, status_hints=STATUS_HINTS, shorten=shorten,
                  mention_counts=counts)


@router.get("/documents/{number:path}", include_in_schema=False)
def document_page(request: Request, number: str) -> Response:
    """One record; ``number`` in any spelling ("15/ct-ttg", "15%2FCT-TTg", "07/CT-TTg@2026")."""
    from newswatch.documents.register import parse_number

    wanted = number.strip().strip("/")
    if not wanted:
        return RedirectResponse("/documents", status_code=303)
    record: DocumentRecord | None = None
    error = None
    try:
        record = data.get_document(ctx(request), wanted)
    except ValueError:
        record = None
    except Exception as exc:
        log.exception("cannot read %s from the document register", wanted)
        error = f"{type(exc).__name__}: {exc}"
    if record is None:
        return render(request, "document_missing.html", status_code=503 if error else 404, number=wanted,
                      error=error)
    if wanted != record.key:
        # another spelling of the same key is permanent; a bare number resolved to one of its years is not
        canonical, year = parse_number(wanted)
        same = (f"{canonical}@{year}" if year else canonical) == record.key
        return RedirectResponse(document_url(record.key), status_code=301 if same else 302)
    first = record.first_publisher
    return render(request, "document.html", record=record, mentions=timeline(record),
                  first_id=first.article_id if first else None, counts=counts(record),
                  alerts=document_alerts(request, record), status_labels_doc=STATUS_LABELS,
                  status_hints=STATUS_HINTS, kind_labels=KIND_LABELS, attachment_labels=ATTACHMENT_LABELS,
                  human_size=human_size, web_url=web_url)
