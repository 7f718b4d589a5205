"""Rule type ``new_directive``: a document newly issued per the article, of the listed types and issuers.

Three conditions, all local to the number's own sentence (see :mod:`monitor.evidence`):

1. the number has one of ``doc_types`` and one of ``issuers``;
2. an issuance phrase ("vừa ban hành", "vừa ký", "phê duyệt", ...) is bound to it, and no
   citation cue ("theo", "thực hiện", "triển khai", ...) stands before its name;
3. its issue date (or, failing that, the year in the number) is at most ``max_age_days`` before
   the article's publication.

The topic test passes when the article's topics or the sentence's topics meet ``topics`` and
none of ``exclude_topics``. The key is the canonical number plus its issue year, so
"07/CT-TTg" of 2026 and of 2027 are different directives; a key alerts once per rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator

from monitor.evidence import (
    DEFAULT_ISSUANCE_PHRASES,
    Occurrence,
    cited,
    evidence_text,
    find_occurrences,
    issuance_phrase,
    issue_date_near,
    matching_form,
    sentence_spans,
)
from monitor.rules.base import Finding, RuleConfig, RuleContext, article_published
from newswatch.models import Article, DocNumber

TYPE_NAMES = {
    "CT": "Chỉ thị", "CĐ": "Công điện", "QĐ": "Quyết định", "NQ": "Nghị quyết", "NĐ": "Nghị định",
    "TB": "Thông báo", "KH": "Kế hoạch", "TT": "Thông tư", "CV": "Công văn", "LUAT": "Luật", "KL": "Kết luận",
    "TTLT": "Thông tư liên tịch", "CTr": "Chương trình", "ĐA": "Đề án", "HD": "Hướng dẫn",
}
ISSUER_NAMES = {
    "TTg": "Thủ tướng Chính phủ", "CP": "Chính phủ", "VPCP": "Văn phòng Chính phủ", "TW": "Trung ương Đảng",
    "BKHCN": "Bộ Khoa học và Công nghệ", "BTTTT": "Bộ Thông tin và Truyền thông", "UBND": "Ủy ban nhân dân",
    "QH15": "Quốc hội", "QH": "Quốc hội",
}


class NewDirectiveRule(RuleConfig):
    """Configuration of a ``new_directive`` rule."""

    type: Literal["new_directive"]
    doc_types: list[str] = Field(min_length=1, description="type codes: CT, CĐ, QĐ, NQ, NĐ, TB, KH, TT, CV, LUAT, ...")
    issuers: list[str] = Field(default_factory=list, description="issuer codes (TTg, CP, VPCP, ...); empty = any")
    topics: list[str] = Field(default_factory=list, description="topic ids; empty = any topic")
    exclude_topics: list[str] = Field(default_factory=list)
    max_age_days: int = Field(30, ge=1, le=3650)
    issuance_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_ISSUANCE_PHRASES), min_length=1)
    require_date: bool = Field(True, description="a number with neither issue date nor year never fires")

    @field_validator("doc_types")
    @classmethod
    def _known_types(cls, codes: list[str]) -> list[str]:
        try:
            from newswatch.text.docnumbers import DOC_TYPES
        except ImportError:
            return codes
        known = {str(k) for k in DOC_TYPES}
        unknown = [c for c in codes if c not in known and c not in TYPE_NAMES]
        if unknown:
            raise ValueError(f"unknown document type code(s) {unknown}; use codes such as {sorted(TYPE_NAMES)}")
        return codes

    # -- evaluation -------------------------------------------------------------------------------

    def wants(self, number: DocNumber) -> bool:
        if number.doc_type not in self.doc_types:
            return False
        if not self.issuers:
            return True
        issuer = (number.issuer or "").casefold()
        return any(issuer == i.casefold() or (i.endswith("*") and issuer.startswith(i[:-1].casefold()))
                   for i in self.issuers)

    def topics_ok(self, article_topics: set[str], sentence_topics: set[str]) -> bool:
        topics = article_topics | sentence_topics
        if self.exclude_topics and topics & set(self.exclude_topics):
            return False
        return not self.topics or bool(topics & set(self.topics))

    def recent(self, issued: date | None, year: int | None, published: date) -> bool:
        if issued is not None:
            age = (published - issued).days
            return -2 <= age <= self.max_age_days
        if year is not None:
            return (published - timedelta(days=self.max_age_days)).year <= year <= published.year
        return not self.require_date

    def evaluate(self, article: Article, ctx: RuleContext) -> list[Finding]:
        """The directives this article reports as newly issued (one finding per directive key)."""
        return [f for f in self.explain(article, ctx) if f.details.get("fires")]

    def explain(self, article: Article, ctx: RuleContext) -> list[Finding]:
        """Every wanted number with the verdict and its reason (``details['fires']``/``['reason']``)."""
        when = article_published(article) or datetime.now().astimezone()
        published = when.date()
        article_topics = set(article.topics)
        segments = [("text", article.text or ""), ("lead", article.lead or ""), ("title", article.title or "")]
        found: dict[str, Finding] = {}
        for number in article.doc_numbers:
            if not self.wants(number):
                continue
            for segment, text in segments:
                if not text:
                    continue
                finding = self._judge(number, segment, text, article, ctx, article_topics, published)
                if finding is None:
                    continue
                previous = found.get(finding.key)
                if previous is None or (finding.details["fires"] and not previous.details["fires"]):
                    found[finding.key] = finding
        return list(found.values())

    def _judge(self, number: DocNumber, segment: str, text: str, article: Article, ctx: RuleContext,
               article_topics: set[str], published: date) -> Finding | None:
        hint = (number.start, number.end) if segment == "text" else None
        spots = find_occurrences(text, [number.raw, number.canonical], hint)
        if not spots:
            return None
        lower = matching_form(text)
        others = [(s, e) for other in article.doc_numbers if other.canonical != number.canonical
                  for s, e in find_occurrences(text, [other.raw, other.canonical])]
        sentences = sentence_spans(text)
        verdict: Finding | None = None
        for start, end in spots:
            s_start, s_end = next(((a, b) for a, b in sentences if a <= start < b), (0, len(text)))
            occ = Occurrence(start, end, s_start, s_end)
            issued = number.issue_date or issue_date_near(lower, occ, others, published)
            year = number.year or (issued.year if issued else None)
            key = number.canonical if number.year else f"{number.canonical}@{year}" if year else number.canonical
            sentence = evidence_text(text, occ)
            phrase = issuance_phrase(lower, occ, others, self.issuance_phrases)
            cue = cited(lower, s_start, start)
            reason = ""
            if cue:
                reason = f"cited (“{cue} …” before it)"
            elif not phrase:
                reason = "no issuance phrase bound to the number in its sentence"
            elif not self.recent(issued, year, published):
                reason = ("no issue date or year" if issued is None and year is None
                          else f"issued {issued or year}, older than {self.max_age_days} days")
            elif not self.topics_ok(article_topics, ctx.sentence_topics(sentence)):
                reason = "topics do not match"
            finding = Finding(
                rule=self.name, key=key, evidence=sentence,
                headline=_headline(number),
                doc_number=number.canonical, doc_type=number.doc_type,
                doc_type_name=number.type_name or TYPE_NAMES.get(number.doc_type),
                doc_issuer=number.issuer, doc_issue_date=issued.isoformat() if issued else None, doc_year=year,
                details={"fires": not reason, "reason": reason or f"issued (“{phrase}”)", "segment": segment},
            )
            if not reason:
                return finding
            verdict = verdict or finding
        return verdict


def _headline(number: DocNumber) -> str:
    name = number.type_name or TYPE_NAMES.get(number.doc_type, number.doc_type)
    issuer = ISSUER_NAMES.get(number.issuer or "", number.issuer or "")
    return f"{name} {number.canonical}" + (f" ({issuer})" if issuer else "")
