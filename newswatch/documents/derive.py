"""One stored article's mentions of documents: for each of its numbers, what it does with the document and
what it states about it.

* the numbers are the article's own, found once by :mod:`newswatch.text.enrich` — never found again here;
* **OFFICIAL** when the article is an official listing entry (``extraction["method"] == OFFICIAL_METHOD``)
  and the number is the entry's; **REPORTED** when the directive reading (:class:`monitor.signal.Judge`,
  the one reading the alert rules use, with the default issuance phrases and a 30-day age limit) says the
  article reports it as issued; **CITED** otherwise;
* issue date: the official entry's, else the number's own ("… ngày 5/11/2026"), else the reading's;
  signer and trích yếu: the official entry's, else what the press text states
  (:mod:`newswatch.documents.statements`).

The document's key is :attr:`DocNumber.key` (canonical number, plus ``@year`` when the number has none);
a number without a year of its own takes the year of its stated issue date or, when the article
reports it as issued, the year the reading gives it — so a press report and the official entry of
"07/CT-TTg" of 2026 meet under ``07/CT-TTg@2026``, as the alert's key does.

Import direction: ``monitor.signal`` imports only ``monitor.evidence``, ``monitor.recency``,
``newswatch.models`` and ``newswatch.text``; nothing there imports the store, so the store may derive
mentions through this module without a cycle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from monitor.evidence import DEFAULT_ISSUANCE_PHRASES
from monitor.signal import Judge, Verdict
from newswatch.documents.entries import document_key, entry_of, official_url, own_number, speaks_from
from newswatch.documents.model import Attachment, Mention, MentionKind, OfficialEntry
from newswatch.documents.statements import stated_signer, stated_trich_yeu
from newswatch.models import Article, DocNumber
from newswatch.store.keys import article_time

log = logging.getLogger(__name__)

REPORTED_MAX_AGE_DAYS = 30  # as the default new_directive rule: an issuance reported later than this is a citation
EVIDENCE_CHARS = 400


@dataclass
class Derived:
    """One article's mention of one document, with what the article states about the document."""

    key: str
    number: DocNumber
    mention: Mention
    seen_at: datetime  # when the article was seen (fetched, else published): the confirmation time of an entry
    issue_date: date | None = None
    signer: str | None = None
    trich_yeu: str | None = None
    official: OfficialEntry | None = None
    official_url: str | None = None  # an entry's official link (newswatch.documents.entries.official_url)
    attachments: list[Attachment] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "number": self.number.to_dict(), "mention": self.mention.to_dict(),
            "seen_at": self.seen_at.isoformat(),
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "signer": self.signer, "trich_yeu": self.trich_yeu,
            "official": self.official.to_dict() if self.official else None, "official_url": self.official_url,
            "attachments": [a.to_dict() for a in self.attachments],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Derived:
        return cls(
            key=data["key"], number=DocNumber.from_dict(data["number"]), mention=Mention.from_dict(data["mention"]),
            seen_at=datetime.fromisoformat(data["seen_at"]),
            issue_date=date.fromisoformat(data["issue_date"]) if data.get("issue_date") else None,
            signer=data.get("signer"), trich_yeu=data.get("trich_yeu"),
            official=OfficialEntry.from_dict(data["official"]) if data.get("official") else None,
            official_url=data.get("official_url"),
            attachments=[Attachment.from_dict(a) for a in data.get("attachments") or []],
        )


def article_attachments(article: Article) -> list[Attachment]:
    return [Attachment.from_dict(a) for a in article.extraction.get("attachments") or []]


def _key(number: DocNumber, *dates_or_years: date | int | None) -> str:
    """The document's key: :attr:`DocNumber.key`, with the first year known when the number has none."""
    if number.year or number.issue_date:
        return number.key
    years = (value.year if isinstance(value, date) else value for value in dates_or_years)
    return number.key_in(next((year for year in years if year), None))


def derive(article: Article) -> list[Derived]:
    """The article's mentions, one per document (its numbers are already found by the enrichment step)."""
    entry = entry_of(article)
    entry_number = own_number(article, entry) if entry is not None else None
    numbers = list(article.doc_numbers)
    if entry_number is not None and all(n.canonical != entry_number.canonical for n in numbers):
        numbers.insert(0, entry_number)
    if not numbers:
        return []
    now = datetime.now(UTC)
    published = article_time(article, now)
    seen_at = article.fetched_at or published
    seen_at = seen_at if seen_at.tzinfo else seen_at.replace(tzinfo=published.tzinfo)
    attachments = article_attachments(article)
    judge: Judge | None = None
    out: dict[str, Derived] = {}
    for number in numbers:
        if entry is not None and entry_number is not None and number.canonical == entry_number.canonical:
            kind, evidence = MentionKind.OFFICIAL, entry.trich_yeu or article.title
            issue_date = entry.issue_date or number.issue_date
            key = document_key(number, entry)
            # on the timeline an entry stands when it appeared (a listing dates rows by their issue date)
            moment = speaks_from(article) or published
            signer, trich_yeu = entry.signer, entry.trich_yeu
            official, own_attachments = entry, attachments
            link: str | None = official_url(article, entry)
        else:
            if judge is None:
                judge = Judge(article, published.date(), DEFAULT_ISSUANCE_PHRASES, REPORTED_MAX_AGE_DAYS)
            verdict: Verdict = judge.judge(number)
            kind = MentionKind.REPORTED if verdict.issued else MentionKind.CITED
            evidence = verdict.evidence
            issue_date = number.issue_date or verdict.issue_date
            key = _key(number, issue_date, verdict.year if verdict.issued else None)
            signer, trich_yeu = stated_signer(article, number), stated_trich_yeu(article, number)
            official, link = None, None
            moment = published
            # a press article's attachment is the reported document's own when its text confirms the number
            own_attachments = [a for a in attachments if a.number_confirmed and kind is MentionKind.REPORTED
                               and (number.canonical in a.text or number.raw in a.text)]
        mention = Mention(article_id=article.id, url=article.url, source=article.source, title=article.title,
                          published=moment if moment.tzinfo else moment.replace(tzinfo=published.tzinfo), kind=kind,
                          evidence=(evidence or "")[:EVIDENCE_CHARS])
        derived = Derived(key=key, number=number, mention=mention, seen_at=seen_at, issue_date=issue_date,
                          signer=signer, trich_yeu=trich_yeu, official=official, official_url=link,
                          attachments=own_attachments)
        kept = out.get(key)
        if kept is None or _rank(derived.mention.kind) > _rank(kept.mention.kind):
            out[key] = derived
    return list(out.values())


def _rank(kind: MentionKind) -> int:
    return {MentionKind.CITED: 0, MentionKind.REPORTED: 1, MentionKind.OFFICIAL: 2}[kind]
