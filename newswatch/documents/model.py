"""The records of the document register: a legal document, the articles that reported or cited it,
its official listing entry and its attachments.

These types are the contract between the parts of the register:

* the official-listing crawler (:mod:`crawlers.official`) turns one row of an official "Văn bản"
  listing into an :class:`~newswatch.models.Article` whose ``extraction["official"]`` is an
  :class:`OfficialEntry` (``to_dict``) — the official document travels through the same pipelines
  as a press article, so its text is searchable and the monitor sees it;
* attachments (:mod:`newswatch.documents.attachments`) of an official entry or of a press article
  are downloaded, their text extracted within bounds, and kept as ``extraction["attachments"]``, a
  list of :class:`Attachment` dicts; their text is appended to the article's body;
* the register (:mod:`newswatch.documents.register`) derives one :class:`DocumentRecord` per
  canonical document from the stored articles, with a :class:`Mention` per article that reported,
  cited or officially published it, in time order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

OFFICIAL_METHOD = "official-listing"  # Article.extraction["method"] of an official listing entry


class MentionKind(enum.StrEnum):
    """What one article does with a document."""

    OFFICIAL = "official"  # an official source publishes the document itself
    REPORTED = "reported"  # a report of the document as newly issued
    CITED = "cited"  # only cited, named, or reported as old / not yet issued


class DocumentStatus(enum.StrEnum):
    """Where a document stands in the register (best of its mentions)."""

    CONFIRMED = "confirmed"  # on an official source (whether or not the press reported it first)
    REPORTED = "reported"  # reported as issued by the press, not yet seen on an official source
    CITED = "cited"  # only ever cited


class AttachmentStatus(enum.StrEnum):
    """The outcome of downloading and reading one attachment; anything but OK carries a reason."""

    OK = "ok"
    NO_TEXT_LAYER = "no_text_layer"  # a scanned PDF: pages without text (no OCR is done)
    TOO_LARGE = "too_large"  # over the size bound: not downloaded past it
    TIMEOUT = "timeout"  # download or text extraction took longer than its bound
    ENCRYPTED = "encrypted"  # password-protected
    CORRUPT = "corrupt"  # not a readable file of its type
    UNSUPPORTED = "unsupported"  # a format the project does not read (e.g. .zip, .rar)
    FAILED = "failed"  # the download failed (HTTP error, connection refused …)


def _scalar_dict(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        data[f.name] = value
    return data


def _parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _parse_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@dataclass
class Attachment:
    """One attached file (PDF, DOC, DOCX) of an official entry or an article, and what was read from it."""

    url: str
    filename: str = ""
    content_type: str | None = None
    size: int | None = None  # bytes downloaded (None when not downloaded)
    status: AttachmentStatus = AttachmentStatus.OK
    reason: str = ""  # why not OK, in words a user understands ("encrypted PDF: needs a password")
    text: str = ""  # the extracted text (empty unless OK)
    pages: int | None = None
    number_confirmed: bool | None = None  # the document's number is found in the text (None: not checked)
    date_confirmed: bool | None = None  # its issue date is found in the text (None: not checked)

    def to_dict(self) -> dict[str, Any]:
        return _scalar_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attachment:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["status"] = AttachmentStatus(values.get("status", "ok"))
        return cls(**values)


@dataclass
class OfficialEntry:
    """One row of an official document listing, as the listing (and its detail page) states it."""

    number: str  # "Số ký hiệu" as printed: "1234/QĐ-TTg"
    listing_url: str  # the listing page the row was read from
    source: str  # the official source's name
    canonical: str | None = None  # canonicalize_doc_number(number)
    doc_type_name: str | None = None  # "Loại văn bản" as printed: "Quyết định"
    issuer_name: str | None = None  # "Cơ quan ban hành" as printed: "Thủ tướng Chính phủ"
    issue_date: date | None = None  # "Ngày ban hành"
    effective_date: date | None = None  # "Ngày hiệu lực" when stated
    signer: str | None = None  # "Người ký"
    trich_yeu: str | None = None  # the summary title (trích yếu)
    detail_url: str | None = None  # the entry's own page, when it has one
    attachment_urls: list[str] = field(default_factory=list)
    published: datetime | None = None  # the gazette's publication time, when the listing gives one

    def to_dict(self) -> dict[str, Any]:
        return _scalar_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfficialEntry:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["issue_date"] = _parse_date(values.get("issue_date"))
        values["effective_date"] = _parse_date(values.get("effective_date"))
        values["attachment_urls"] = list(values.get("attachment_urls") or [])
        values["published"] = _parse_datetime(values.get("published"))
        return cls(**values)


@dataclass
class Mention:
    """One article's mention of a document: who, where, when, and whether it reported or cited it."""

    article_id: str
    url: str
    source: str
    title: str
    published: datetime | None  # the article's publication time (its fetch time when it has none)
    kind: MentionKind
    evidence: str = ""  # the sentence that reported or cited it

    def to_dict(self) -> dict[str, Any]:
        return _scalar_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["published"] = _parse_datetime(values.get("published"))
        values["kind"] = MentionKind(values["kind"])
        return cls(**values)


@dataclass
class DocumentRecord:
    """One canonical document (``key`` = canonical number, plus ``@year`` when the number has none)."""

    key: str
    number: str  # canonical number
    doc_type: str  # type code: QĐ, CT, NĐ …
    type_name: str  # Quyết định, Chỉ thị …
    issuer: str | None = None  # issuer code: TTg, CP, BKHCN …
    issuer_name: str | None = None
    issue_date: date | None = None
    signer: str | None = None
    trich_yeu: str | None = None
    status: DocumentStatus = DocumentStatus.CITED
    first_seen_source: str | None = None
    first_seen_url: str | None = None
    first_seen_at: datetime | None = None
    official_url: str | None = None  # the official entry's page (or its first attachment)
    official_source: str | None = None
    confirmed_at: datetime | None = None  # when the official entry was first seen
    alert_uid: str | None = None  # the alert it raised, if any
    attachments: list[Attachment] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)  # oldest first

    @property
    def first_publisher(self) -> Mention | None:
        """The earliest mention that reported or published the document (else the earliest citation)."""
        issued = [m for m in self.mentions if m.kind is not MentionKind.CITED]
        return (issued or self.mentions or [None])[0]

    def to_dict(self) -> dict[str, Any]:
        data = _scalar_dict(self)
        data["attachments"] = [a.to_dict() for a in self.attachments]
        data["mentions"] = [m.to_dict() for m in self.mentions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["issue_date"] = _parse_date(values.get("issue_date"))
        values["first_seen_at"] = _parse_datetime(values.get("first_seen_at"))
        values["confirmed_at"] = _parse_datetime(values.get("confirmed_at"))
        values["status"] = DocumentStatus(values.get("status", "cited"))
        values["attachments"] = [Attachment.from_dict(a) for a in values.get("attachments") or []]
        values["mentions"] = [Mention.from_dict(m) for m in values.get("mentions") or []]
        return cls(**values)


@dataclass
class DocumentQuery:
    """What the Văn bản page, ``GET /api/documents`` and ``newswatch documents`` ask the register for.

    Filters combine with AND; values inside one filter with OR. ``doc_types`` and ``issuers`` take the
    codes or the names a user types ("ND", "Nghị định", "TTg") and are normalised by the register.
    ``month`` is ``YYYY-MM`` of the issue date (first-seen date when the issue date is unknown).
    """

    doc_types: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    statuses: list[DocumentStatus] = field(default_factory=list)
    month: str | None = None
    since: datetime | None = None  # first seen at or after
    text: str = ""  # words in the number, trích yếu or issuer name
    limit: int = 50
    offset: int = 0


@dataclass
class DocumentPage:
    """One page of the register, newest first seen first, with counts for the filters."""

    total: int
    records: list[DocumentRecord]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # doc_type, issuer, status, month -> count
