"""Rule type ``new_directive``: a document newly issued per the article, of the listed types and issuers.

Three conditions (the reading itself is :mod:`monitor.signal`'s):

1. the number has one of ``doc_types`` (compared by the same keys as the search filter: ``ND`` is
   ``NĐ``) and one of ``issuers`` (codes, prefixes such as ``QH*``, or groups of the issuer
   registry such as ``central``, ``ministries``, ``party``: :mod:`newswatch.text.issuers`);
2. the article reports it as issued: an issuance statement bound to it by its number or by its
   name, in the headline, the sapo or the body, not cited, not proposed;
3. recently: at most ``max_age_days`` before the article's publication, by an explicit issue
   date, a "vừa"-type word, a year said for the issuance or in the number, or the headline/sapo.

The topic test passes when the article's topics or the evidence sentence's topics meet ``topics``
and none of ``exclude_topics``. The key is the canonical number plus its issue year, so
"07/CT-TTg" of 2026 and of 2027 are different directives; a key alerts once per rule.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from typing import Literal

from pydantic import Field, field_validator

from monitor import official
from monitor.evidence import DEFAULT_ISSUANCE_PHRASES
from monitor.rules.base import ArticleRule, Finding, RuleContext, article_published
from monitor.signal import Judge, Verdict
from newswatch.documents import entries
from newswatch.models import Article, DocNumber
from newswatch.store.keys import filter_keys, known_doc_type_keys, number_type_keys
from newswatch.text.docnumbers import DOC_TYPES
from newswatch.text.issuers import (
    CENTRAL_GROUPS,
    expand_selector,
    issuer_group,
    issuer_name,
    issuer_topics,
    selector_matches,
)
from newswatch.text.topics import topic_scores


class NewDirectiveRule(ArticleRule):
    """Configuration of a ``new_directive`` rule."""

    type: Literal["new_directive"]
    doc_types: list[str] = Field(min_length=1, description="type codes or names: CT, CĐ (or CD), QĐ, NQ, NĐ, ...")
    issuers: list[str] = Field(default_factory=list,
                               description="issuer codes (TTg, CP, VPCP, ...), prefixes (QH*) or groups (central, "
                                           "government, ministries, assembly, party, steering); empty = any")
    topics: list[str] = Field(default_factory=list, description="topic ids; empty = any topic")
    exclude_topics: list[str] = Field(default_factory=list)
    max_age_days: int = Field(30, ge=1, le=3650)
    issuance_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_ISSUANCE_PHRASES), min_length=1)
    require_date: bool = Field(True, description="a number without any recency evidence never fires")
    notify_confirmed: bool = Field(True, description="when the official entry of an alerted document is stored "
                                                     "later, send a short 'confirmed' follow-up on the alert's "
                                                     "channels (once per alert)")

    @field_validator("doc_types")
    @classmethod
    def _known_types(cls, codes: list[str]) -> list[str]:
        known = known_doc_type_keys()
        unknown = [c for c in codes if not filter_keys([c]) <= set(known)]
        if unknown:
            raise ValueError(f"unknown document type(s) {unknown}; use codes such as "
                             f"{', '.join(sorted(DOC_TYPES)[:14])} … or names such as 'Nghị định'")
        return codes

    @field_validator("issuers")
    @classmethod
    def _known_issuers(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            expand_selector(entry)  # raises ValueError naming the entry and what is accepted
        return entries

    @cached_property
    def _type_keys(self) -> set[str]:
        return filter_keys(self.doc_types)

    @cached_property
    def _issuer_selectors(self) -> list[tuple[str, str]]:
        return [expand_selector(entry) for entry in self.issuers]

    # -- evaluation -------------------------------------------------------------------------------

    def type_ok(self, number: DocNumber) -> bool:
        return bool(number_type_keys(number) & self._type_keys)

    def issuer_ok(self, number: DocNumber) -> bool:
        return not self.issuers or any(selector_matches(s, number.issuer) for s in self._issuer_selectors)

    def _context_issuer_ok(self, judge: Judge, number: DocNumber) -> bool:
        """For an issuer code the registry does not know, the group named after the number may meet the rule."""
        if issuer_group(number.issuer) != "other" or not any(kind == "group" for kind, _ in self._issuer_selectors):
            return False
        group = judge.context_group(number)
        return group is not None and any(
            kind == "group" and (value == group or (value == "central" and group in CENTRAL_GROUPS))
            for kind, value in self._issuer_selectors)

    def wants(self, number: DocNumber) -> bool:
        return self.type_ok(number) and self.issuer_ok(number)

    def topics_ok(self, article_topics: set[str], sentence_topics: set[str]) -> bool:
        topics = filter_keys(list(article_topics | sentence_topics))
        if self.exclude_topics and topics & filter_keys(self.exclude_topics):
            return False
        return not self.topics or bool(topics & filter_keys(self.topics))

    def evaluate(self, article: Article, ctx: RuleContext) -> list[Finding]:
        """The directives this article reports as newly issued (one finding per directive key)."""
        found: dict[str, Finding] = {}
        for finding in self.explain(article, ctx, every_number=False):
            if finding.details["fires"]:
                found.setdefault(finding.key, finding)
        return list(found.values())

    def explain(self, article: Article, ctx: RuleContext, *, every_number: bool = True) -> list[Finding]:
        """The verdict and its reason for each number (``details['fires']``/``['reason']``).

        With ``every_number`` the numbers the rule does not want are listed too, with the reason
        (type or issuer not in the rule), so that a press officer sees why each one did not alert.
        """
        when = article_published(article) or datetime.now().astimezone()
        judge = Judge(article, when.date(), self.issuance_phrases, self.max_age_days)
        article_topics = set(article.topics)

        def topics_ok(number: DocNumber, subject: str, sentence: str) -> bool:
            topics = (document_topics(subject, sentence, article_topics, ctx, article.doc_numbers)
                      | set(issuer_topics(number.issuer)))
            return self.topics_ok(topics, set())

        ref = official.reference(article, ctx.source_title) if judge.official is not None else None
        findings = []
        for number in entries.numbers(article):
            if not self.type_ok(number):
                if every_number:
                    findings.append(_finding(self.name, Verdict(number, False, f"type {number.doc_type} not in the rule")))
                continue
            if not self.issuer_ok(number) and not self._context_issuer_ok(judge, number):
                if every_number:
                    findings.append(_finding(self.name, Verdict(
                        number, False, f"issuer {number.issuer or '?'} not in the rule")))
                continue
            verdict = judge.judge(number, lambda subject, sentence, n=number: topics_ok(n, subject, sentence))
            reported = verdict.issued
            if verdict.issued and not verdict.directive:
                verdict.issued = False  # an inspection conclusion is news, but not a directive to alert on
            if not verdict.issued and verdict.reason.startswith("no issue date") and not self.require_date:
                verdict.issued, verdict.reason = True, "issued (no recency evidence; require_date is off)"
            finding = _finding(self.name, verdict, reported)
            if ref is not None and number.canonical == ref.number:
                # raised from an official source: the alert says so first, with the official link
                finding.details["official"] = ref.to_dict()
                finding.evidence = f"Nguồn chính thức: {ref.source_title} — {finding.evidence}"
            findings.append(finding)
        return findings


# Decisions about people and honours, and the routine announcement of administrative procedures, are never
# policy, whatever the body's name ("bổ nhiệm … Cục trưởng Cục Chuyển đổi số quốc gia", "tặng thưởng Huân
# chương … vì phát triển hạ tầng số", "thăng cấp bậc hàm … Cục An ninh mạng").
_PERSONNEL = re.compile(r"^(?:\S+\s+){0,3}?(?:bổ nhiệm|bổ nhiệm lại|miễn nhiệm|cách chức|cho thôi|điều động|luân chuyển|"
                        r"phê chuẩn|kỷ luật|nghỉ hưu|tặng thưởng|khen thưởng|truy tặng|phong tặng|tặng bằng khen|"
                        r"tặng danh hiệu|tặng huân chương|xét tặng|thăng cấp|thăng hàm|nâng lương|nâng ngạch|"
                        r"giao quyền|kéo dài thời gian giữ chức vụ|công bố thủ tục hành chính|công bố danh mục thủ tục)"
                        r"(?!\w)", re.I)
# A notice that schedules a meeting or invites to it directs nothing ("… Thủ tướng sẽ chủ trì Hội nghị toàn quốc …")
_SCHEDULING = re.compile(r"(?<!\w)(?:sẽ chủ trì|triệu tập|giấy mời|lịch làm việc|kính mời)(?!\w)", re.I)
DESCRIPTIVE_WORDS = 8


def document_topics(subject: str, sentence: str, article_topics: set[str], ctx: RuleContext,
                    numbers: list[DocNumber] | tuple[DocNumber, ...] = ()) -> set[str]:
    """The topics of the document itself, as a reader takes them from how the article describes it.

    Its trích yếu ("… về bảo đảm trật tự, an toàn giao thông dịp Tết") and the headline naming it
    decide: any phrase of a topic there counts (a supporting one too: "nguồn nhân lực công nghệ
    số"), and a document described at length (eight words or more) with none of them is not on
    those topics, however much the article mentions them in passing — a decree on land prices is
    not a digital-transformation decree. Only when the article hardly describes the document
    ("Chỉ thị nêu rõ …", "… của Bộ trưởng") do the article's and the sentence's topics stand in
    for it. Personnel and honours decisions have no topic.
    """
    text = subject.strip()
    if _PERSONNEL.match(text) or _SCHEDULING.search(text):
        return set()
    # the article's numbers named in the description ("triển khai Kế hoạch số 02-KH/BCĐTW") say their topics too;
    # they were found once by the enrichment step, the description is not parsed again
    named = [n for n in numbers if n.raw in text or n.canonical in text]
    topics = ({topic for topic, score in topic_scores(text, doc_numbers=[n.canonical for n in named]).items()
               if score >= 1} if text else set())
    for cited_number in named:
        topics.update(issuer_topics(cited_number.issuer))
    if topics or len(text.split()) >= DESCRIPTIVE_WORDS:
        return topics
    return article_topics | ctx.sentence_topics(sentence)


def _finding(rule: str, verdict: Verdict, reported: bool | None = None) -> Finding:
    number = verdict.number
    return Finding(
        rule=rule, key=verdict.key, evidence=verdict.evidence, headline=headline(number),
        doc_number=number.canonical, doc_type=number.doc_type, doc_type_name=number.type_name,
        doc_issuer=number.issuer, doc_issue_date=verdict.issue_date.isoformat() if verdict.issue_date else None,
        doc_year=verdict.year or number.year,
        details={"fires": verdict.issued, "reason": verdict.reason, "segment": verdict.segment, "how": verdict.how,
                 "issued": verdict.issued if reported is None else reported},
    )


def headline(number: DocNumber) -> str:
    """"Chỉ thị 07/CT-TTg (Thủ tướng Chính phủ)": how an alert names its document."""
    name = number.type_name or DOC_TYPES.get(number.doc_type, DOC_TYPES["CV"]).name
    issuer = issuer_name(number.issuer)
    return f"{name} {number.canonical}" + (f" ({issuer})" if issuer else "")
