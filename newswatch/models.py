"""The records that flow through newswatch: a found document number and an article.

An :class:`Article` is created by the extractor, travels through the Scrapy item pipelines
(it is the crawler's item: Scrapy handles dataclass items through itemadapter), is stored by
an :class:`~newswatch.store.base.ArticleStore`, and is what alert rules look at.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any


@dataclass
class DocNumber:
    """A Vietnamese legal/administrative document number found in an article's own text.

    ``canonical`` is the normalised number (``17/2017/NĐ-CP``, ``36-NQ/TW``, ``1560/VPCP-KGVX``);
    ``doc_type`` the type code (``NĐ``, ``CT``, ``CV`` for a công văn, ``LUAT`` for a law);
    ``issuer`` the issuing body's code (``CP``, ``TTg``, ``VPCP``, ``TW``). ``segment`` says where
    its first occurrence is (``title``, ``lead`` or ``text``: the headline, the sapo, the body);
    ``start``/``end`` are offsets in that segment.
    """

    canonical: str
    raw: str
    doc_type: str
    type_name: str
    issuer: str | None = None
    unit: str | None = None
    year: int | None = None
    issue_date: date | None = None
    family: str = "state"  # state | normative | party | assembly
    directive_weight: int = 0
    start: int = 0
    end: int = 0
    segment: str = "text"

    @property
    def key(self) -> str:
        """Identity across articles: the canonical number plus its issue year when it has no year of its own."""
        return self.key_in(self.issue_date.year if self.issue_date else None)

    def key_in(self, year: int | None) -> str:
        """The key of this number issued in ``year``: ``@year`` is added only to a number without a year of its own."""
        return self.canonical if self.year or not year else f"{self.canonical}@{year}"

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (every field is a scalar: no ``asdict`` deep copy)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["issue_date"] = self.issue_date.isoformat() if self.issue_date else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocNumber:
        data = dict(data)
        if isinstance(data.get("issue_date"), str):
            data["issue_date"] = date.fromisoformat(data["issue_date"])
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


# Starts the line before each attachment's text appended to a body (newswatch.documents.attachments).
ATTACHMENT_SEPARATOR = "——— Tệp đính kèm: "


@lru_cache(maxsize=65536)  # a stored article's id is asked for several times while it is written
def url_id(canonical_url: str) -> str:
    """Stable article id: a hash of the canonical URL (re-indexing never duplicates)."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:20]


@dataclass
class Article:
    """One news article, clean: the body alone, its metadata and what enrichment found in it."""

    url: str  # canonical URL: identity
    title: str
    text: str  # body paragraphs joined by blank lines
    source: str = ""
    published: datetime | None = None  # timezone-aware
    author: str | None = None
    section: str | None = None
    lead: str | None = None
    language: str = "vi"
    doc_numbers: list[DocNumber] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    dateline: str | None = None  # "LĐTĐ" from "(LĐTĐ) -", kept as metadata
    provenance: str | None = None  # "Cổng thông tin điện tử Chính phủ" from "(Nguồn: ...)"
    extraction: dict[str, Any] = field(default_factory=dict)  # method, date_source, ...
    fetched_url: str | None = None
    fetched_at: datetime | None = None
    # Set by the pipelines
    content_hash: str | None = None
    simhash: int | None = None
    cluster_id: str | None = None
    version: int = 1
    # Set by the store pipeline for the pipelines after it (not stored)
    store_outcome: str | None = None  # new | updated | unchanged (PutOutcome)
    first_in_cluster: bool = True

    @property
    def id(self) -> str:
        return url_id(self.url)

    @property
    def own_text(self) -> str:
        """The body the outlet wrote: ``text`` before the first appended attachment.

        Attachments' text is appended so that search finds words inside the official text; what the
        article itself says about documents (numbers, topics, the directive reading) is read here only.
        """
        index = self.text.find(ATTACHMENT_SEPARATOR)
        return self.text if index < 0 else self.text[:index].rstrip()

    @property
    def canonical_doc_numbers(self) -> list[str]:
        seen: dict[str, None] = {}
        for number in self.doc_numbers:
            seen.setdefault(number.canonical)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO 8601 strings with their offset)."""
        data = asdict(self)
        data["id"] = self.id
        data["doc_numbers"] = self.canonical_doc_numbers
        data["documents"] = [n.to_dict() for n in self.doc_numbers]
        for key in ("published", "fetched_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        if self.simhash is not None:
            data["simhash"] = str(self.simhash)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        data.pop("id", None)
        documents = data.pop("documents", None)
        numbers = data.get("doc_numbers") or []
        if documents is not None:
            data["doc_numbers"] = [DocNumber.from_dict(d) for d in documents]
        else:
            data["doc_numbers"] = [n if isinstance(n, DocNumber) else DocNumber.from_dict(n)
                                   for n in numbers if not isinstance(n, str)]
        for key in ("published", "fetched_at"):
            if isinstance(data.get(key), str):
                data[key] = datetime.fromisoformat(data[key])
        if isinstance(data.get("simhash"), str):
            data["simhash"] = int(data["simhash"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
