"""What an article says about each of its documents: issued now, cited, or old — read as a reader reads it.

A report of a new document binds an *issuance statement* to the document:

* **directly**, in the sentence of its number, in the headline, the sapo or the body ("Thủ tướng
  vừa ký ban hành Chỉ thị số 07/CT-TTg …", "Chỉ thị 07/CT-TTg … vừa được ban hành");
* **by its name**, when the number stands in one place and the statement in another: the headline
  says "Quyết định 1580/QĐ-TTg: Phê duyệt Đề án …" and the sapo "Phó Thủ tướng vừa ký Quyết định
  phê duyệt Đề án …", or the sapo has the number and the body says "Chỉ thị được ký ngày …". A
  statement about "Quyết định" (with no number of its own) binds to the article's only Quyết
  định — or, when there are several, to the one in the headline — unless the number itself is
  cited, or the statement's subject is of another level (a province's "UBND tỉnh vừa ban hành
  Kế hoạch" never binds to the Prime Minister's plan).

Each statement gets a recency (:mod:`monitor.recency`): an explicit issue date, else a word that
means now ("vừa", "mới đây", "hôm nay"), else a year said for the issuance or in the number, else —
for a statement in the headline or the sapo, which report the day's news — the publication date.

:meth:`Judge.judge` returns one :class:`Verdict` per number: whether it is reported as issued,
when, with which evidence, or why not. An official listing entry (:mod:`monitor.official`) is not
read this way: it issues its own number on its issue date and cites every other one.

Why this module is about 500 lines: it is one reading of one article — statements bound by number,
by name, by the headline — and each binding rule depends on what the others found (a number cited
in its own sentence vetoes a statement by its name; an old date said anywhere vetoes the headline);
the text primitives live in :mod:`monitor.evidence` and the dates in :mod:`monitor.recency`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from monitor.evidence import (
    Occurrence,
    attached_date,
    cited,
    evidence_text,
    find_occurrences,
    issuance_phrase,
    matching_form,
    reporting_cue,
    sentence_spans,
)
from monitor.recency import RECENT_RE, statement_recency
from newswatch.documents.entries import entry_of
from newswatch.models import Article, DocNumber
from newswatch.text.issuers import is_central

# Document names (lower case, new tone style) and the type codes they name.
NAME_TYPES: dict[str, frozenset[str]] = {
    "chỉ thị": frozenset({"CT"}), "công điện": frozenset({"CĐ"}), "điện": frozenset({"CĐ"}),
    "quyết định": frozenset({"QĐ"}), "nghị quyết": frozenset({"NQ", "NQQH", "QH"}),
    "nghị định": frozenset({"NĐ"}), "thông báo kết luận": frozenset({"TB"}), "thông báo": frozenset({"TB"}),
    "kết luận": frozenset({"KL", "TB"}), "công văn": frozenset({"CV"}), "văn bản": frozenset({"CV"}),
    "kế hoạch": frozenset({"KH", "QĐ"}), "luật": frozenset({"LUAT", "QH"}), "thông tư": frozenset({"TT", "TTLT"}),
    "thông tư liên tịch": frozenset({"TTLT"}), "quy định": frozenset({"QyĐ", "QĐ"}),
    "hướng dẫn": frozenset({"HD"}), "chương trình": frozenset({"CTr", "QĐ"}), "đề án": frozenset({"ĐA", "QĐ"}),
    "pháp lệnh": frozenset({"PL"}), "lệnh": frozenset({"L"}),
    # what a Quyết định approves or issues: "Chiến lược dữ liệu quốc gia vừa được ban hành"
    "chiến lược": frozenset({"QĐ"}), "quy chế": frozenset({"QĐ", "QC"}), "quy hoạch": frozenset({"QĐ"}),
    "danh mục": frozenset({"QĐ"}),
}
# Laws are named by their titles ("Luật Trí tuệ nhân tạo"), several in one article: never bound by "luật" alone.
_NOT_BY_NAME = frozenset({"LUAT", "QH", "NQQH", "PL"})
_NAME_RE = re.compile(r"(?<!\w)(" + "|".join(sorted((re.escape(n) for n in NAME_TYPES), key=len, reverse=True))
                      + r")(?!\w)")
_ENFORCEMENT = re.compile(r"kết luận\s+(?:thanh tra|kiểm tra|giám sát|kiểm toán)\s*(?:số\s*)?$")
_COUNTS = {"2": 2, "3": 3, "4": 4, "5": 5, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "02": 2, "03": 3}
_BODY_AFTER = re.compile(r"^[^.;]{0,40}?(?:của|do)\s+(?:\S+\s+){0,2}?(?:(?P<steering>ban chỉ đạo trung ương|ban chỉ đạo của chính phủ)|"
                         r"(?P<party>bộ chính trị|ban bí thư|ban chấp hành trung ương|tổng bí thư)|"
                         r"(?P<government>thủ tướng|chính phủ|văn phòng chính phủ)|(?P<ministries>bộ trưởng|bộ [a-zđ]))")
_BODY_GROUPS = {"steering": "steering", "party": "party", "government": "government", "ministries": "ministries"}
# names that are never verbs ("quy định", "hướng dẫn", "kết luận" are also "regulates", "guides", "concludes")
_NEXT_NAMED = re.compile(r"(?:,|;|\svà|\scùng)\s+(?:chỉ thị|công điện|quyết định|nghị quyết|nghị định|thông tư|kế hoạch|"
                         r"công văn|luật)(?!\w)")
_HEADLINE_NAMES = re.compile(r"^\s*(?:toàn văn\s+|chính thức:?\s+|infographic:?\s+)?(?:" + "|".join(
    sorted((re.escape(n) for n in NAME_TYPES), key=len, reverse=True)) + r")\s+(?:số\s*)?$")
_HEADLINE_THEN = re.compile(r"^\s*(?::|-|–|—|về\s|quy định|phê duyệt|ban hành|hướng dẫn|sửa đổi|thành lập|"
                            r"yêu cầu|đẩy mạnh|tăng cường)")
_TRICH_YEU = re.compile(r"^(?:mới\s+)?(?:về|quy định|phê duyệt|hướng dẫn|ban hành|sửa đổi|bổ sung|thành lập|"
                        r"đẩy mạnh|tăng cường|thúc đẩy|triển khai|phát triển)(?!\w)")
_DRAFT_BEFORE = re.compile(r"(?<!\w)(?:dự thảo|dự án|tờ trình)\s+$")
_PLURAL_BEFORE = re.compile(r"(?<!\w)(?:các|những|\d{1,2})\s+$")
_COUNT_BEFORE = re.compile(r"(?<!\w)(\d{1,2}|hai|ba|bốn|năm)\s+$")
_NUMBER_AFTER = re.compile(r"^\s*(?:số\s*[:.]?\s*)?\d")
TopicTest = Callable[[str, str], bool]  # the rule's topic test: (the document's subject, the evidence sentence)
ALL_TYPES = frozenset(code for codes in NAME_TYPES.values() for code in codes)
_SUBJECT_LEAD = re.compile(r"^[\s,()]*(?:số\s*[:.]?\s*)?(?:ngày\s+[\d/.\s-]+|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)?"
                           r"[\s,]*(?:(?:do|của|được)\s+[^,;]{0,80}?(?:ký|ban hành)(?:\s+(?:ngày\s+)?[\d/.-]+)?\s*,\s*)?")
_LOCAL_SUBJECT = re.compile(r"(?<!\w)(?:ubnd|ủy ban nhân dân|hđnd|hội đồng nhân dân|tỉnh ủy|thành ủy|huyện ủy|"
                            r"sở|tỉnh|thành phố|huyện|quận|xã|phường)(?!\w)")
_CENTRAL_SUBJECT = re.compile(r"(?<!\w)(?:thủ tướng|chính phủ|bộ chính trị|ban bí thư|trung ương|quốc hội|"
                              r"tổng bí thư|bộ trưởng|bộ [a-zđ]|ngân hàng nhà nước|ban chỉ đạo trung ương)")


@dataclass
class Statement:
    """One place where the article says something about a document."""

    segment: str  # title | lead | text
    text: str
    occ: Occurrence
    by_name: bool  # bound through the document's name, not its number


@dataclass
class Verdict:
    """What the article says about one document number."""

    number: DocNumber
    issued: bool
    reason: str
    evidence: str = ""
    segment: str = ""
    phrase: str = ""
    issue_date: date | None = None
    year: int | None = None
    cue: str = ""
    reporting: bool = False  # the cue only attributes ("theo Chỉ thị …")
    directive: bool = True  # False for what is issued but directs nothing (an inspection conclusion)
    how: str = ""  # "number" | "name": how the statement was bound

    @property
    def key(self) -> str:
        """The directive's identity: canonical number, plus the issue year when the number has none."""
        return self.number.key_in(self.year)


@dataclass
class _Segment:
    name: str
    text: str
    lower: str
    sentences: list[tuple[int, int]]


def _segments(article: Article) -> list[_Segment]:
    out = []
    for name in ("title", "lead", "text"):
        text = (article.own_text if name == "text" else getattr(article, name)) or ""
        if text:
            out.append(_Segment(name, text, matching_form(text), sentence_spans(text)))
    return out


def _sentence_of(segment: _Segment, start: int) -> tuple[int, int]:
    return next(((a, b) for a, b in segment.sentences if a <= start < b), (0, len(segment.text)))


def _number_spots(segment: _Segment, number: DocNumber) -> list[tuple[int, int]]:
    hint = (number.start, number.end) if segment.name == number.segment else None
    return find_occurrences(segment.text, [number.raw, number.canonical], hint)


def _other_spots(segment: _Segment, article: Article, number: DocNumber) -> list[tuple[int, int]]:
    return [(s, e) for other in article.doc_numbers if other.canonical != number.canonical
            for s, e in find_occurrences(segment.text, [other.raw, other.canonical])]


def _name_spots(segment: _Segment, types: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """Mentions of a document by its name alone ("vừa ký Quyết định phê duyệt …"), not followed by a number."""
    spots = []
    for match in _NAME_RE.finditer(segment.lower):
        if not (NAME_TYPES[match.group(1)] & types):
            continue
        if _NUMBER_AFTER.match(segment.lower[match.end():match.end() + 12]):
            continue  # "Quyết định số 12/…": that number's own statement
        if _DRAFT_BEFORE.search(segment.lower[max(0, match.start() - 12):match.start()]):
            continue  # "dự thảo luật", "dự án luật": a text not yet issued
        spots.append((match.start(), match.end()))
    return spots


def _subject_level(lower: str, start: int, stop: int) -> str | None:
    """'local' / 'central' when the words before the statement name its subject's level."""
    before = lower[start:stop]
    local = list(_LOCAL_SUBJECT.finditer(before))
    central = list(_CENTRAL_SUBJECT.finditer(before))
    if not local and not central:
        return None
    last_local = local[-1].start() if local else -1
    last_central = central[-1].start() if central else -1
    return "local" if last_local > last_central else "central"


_LIST_BEFORE = re.compile(r"(?:,|;|và|hoặc|cùng)\s+(?:" + "|".join(sorted((re.escape(n) for n in NAME_TYPES), key=len,
                                                                           reverse=True)) + r")?\s*(?:số\s*)?$")


def subject_after(text: str, occ: Occurrence, others: list[tuple[int, int]]) -> str:
    """The words after a document's number or name up to the end of its sentence (its trích yếu).

    Another number inside is skipped ("sửa đổi … Nghị định số 47/2020/NĐ-CP về …" still describes
    this one), unless it starts the next item of a list of documents ("… thu hồi đất và Nghị định
    số 321/2026/NĐ-CP quy định về …" describes that one).
    """
    lower = text.lower()
    pieces = []
    at = occ.end
    for o_start, o_end in sorted(o for o in others if occ.end <= o[0] < occ.sentence_end):
        if o_start < at:
            continue
        if _LIST_BEFORE.search(lower[at:o_start]):
            pieces.append(text[at:o_start])
            at = occ.sentence_end
            break
        pieces.append(text[at:o_end])  # the number stays: a known document's number says its topic
        at = o_end
    if at < occ.sentence_end:
        pieces.append(text[at:occ.sentence_end])
    words = " ".join(p.strip() for p in pieces)
    lead = _SUBJECT_LEAD.match(words)
    if lead and lead.group(0).rstrip().endswith(",") and lead.end() > 0 and re.search(r"\d|ký|ban hành", lead.group(0)):
        return ""  # "Theo Thông tư 50/… ngày 10/11/2026, bộ câu hỏi …": what it says follows, not what it is
    listed = _NEXT_NAMED.search(words.lower())  # "Công điện về ứng phó mưa lũ, Chỉ thị về …": the next one's
    if listed:
        words = words[:listed.start()]
    lead = _SUBJECT_LEAD.match(words)
    return words[lead.end():].strip(" ,.;") if lead else words.strip()


def _title_before(segment: _Segment, occ: Occurrence) -> str:
    """The title printed between a document's name and its number ("Luật Chuyển đổi số số 148/2025/QH15")."""
    window = segment.lower[max(occ.sentence_start, occ.start - 80):occ.start]
    names = list(_NAME_RE.finditer(window))
    if not names:
        return ""
    offset = occ.start - len(window)
    title = segment.text[offset + names[-1].end():occ.start].strip(" ,")
    return re.sub(r"^(?:số|số hiệu)\s*[:.]?\s*", "", title, flags=re.I)


def _by_name(segment: _Segment, occ: Occurrence, number: DocNumber) -> bool:
    return segment.text[occ.start:occ.end] not in (number.raw, number.canonical)


class Judge:
    """Reads one article once and judges any of its numbers against a rule's phrases and age limit."""

    def __init__(self, article: Article, published: date, phrases: tuple[str, ...] | list[str],
                 max_age_days: int) -> None:
        self.article = article
        self.published = published
        self.phrases = phrases
        self.max_age_days = max_age_days
        self.segments = _segments(article)
        # per number, asked again for every statement of it and of its same-type neighbours: computed once
        self._names: dict[str, list[Statement]] = {}
        self._descriptions: dict[str, list[str]] = {}
        self._lives: dict[tuple[str, bool], bool] = {}
        self.official = entry_of(article)  # an official listing entry is read from the entry, not its words

    def recent(self, issued: date | None, year: int | None, vague: bool = False) -> bool:
        if issued is not None:
            return -2 <= (self.published - issued).days <= self.max_age_days
        if year is not None:
            early = self.published.timetuple().tm_yday <= self.max_age_days
            if vague:  # a year said in words: recent only while that year is younger than the age limit
                return year == self.published.year and early
            return self.published.year - 1 <= year <= self.published.year and (year == self.published.year or early)
        return False

    def _statement(self, segment: _Segment, start: int, end: int, by_name: bool) -> Statement:
        s_start, s_end = _sentence_of(segment, start)
        return Statement(segment.name, segment.text, Occurrence(start, end, s_start, s_end), by_name)

    def _name_statements(self, number: DocNumber) -> list[Statement]:
        if number.canonical not in self._names:
            self._names[number.canonical] = self._find_name_statements(number)
        return self._names[number.canonical]

    def _find_name_statements(self, number: DocNumber) -> list[Statement]:
        """Statements that name this number's type without a number, when they can only mean this number.

        "Chính phủ vừa ban hành 3 nghị định …" binds to each of the article's three Nghị định.
        """
        if number.doc_type in _NOT_BY_NAME:
            # laws are named by title, several in an article: "luật" binds to the article's only live law
            # number, and "các luật", "13 luật đã được … thông qua" to every live one
            if not self._live(number, strict=True):
                return []
            alone = [n for n in self.article.doc_numbers
                     if n.doc_type in _NOT_BY_NAME and self._live(n, strict=True)] == [number]
            return [self._statement(segment, start, end, by_name=True) for segment in self.segments
                    for start, end in _name_spots(segment, {number.doc_type})
                    if alone or _PLURAL_BEFORE.search(segment.lower[max(0, start - 12):start])]
        same_type = [n for n in self.article.doc_numbers if n.doc_type == number.doc_type and self._live(n)]
        types_present = {n.doc_type for n in self.article.doc_numbers}
        out = []
        for segment in self.segments:
            for start, end in _name_spots(segment, {number.doc_type}):
                own = NAME_TYPES[segment.lower[start:end]] - {"QĐ"}
                if number.doc_type == "QĐ" and own and own & types_present:
                    continue  # "ban hành Kế hoạch …" with a Kế hoạch number in the article: that one's
                counted = _COUNT_BEFORE.search(segment.lower[max(0, start - 12):start])
                count = _COUNTS.get(counted.group(1), 0) if counted else 0
                if len(same_type) > 1 and count != len(same_type):
                    in_title = [n for n in same_type if n.segment == "title"]
                    if in_title != [number]:
                        continue
                out.append(self._statement(segment, start, end, by_name=True))
        return out

    def context_group(self, number: DocNumber) -> str | None:
        """The group of an issuer the registry does not know, from the body named after the number.

        "Thông báo kết luận số 47-TB/TGV ngày 17/10/2025 cuộc họp của lãnh đạo Ban Chỉ đạo Trung ương …":
        TGV (a working group) is the central steering committee's.
        """
        for segment in self.segments:
            for _, end in _number_spots(segment, number):
                match = _BODY_AFTER.search(segment.lower[end:end + 120])
                if match:
                    return _BODY_GROUPS[next(k for k, v in match.groupdict().items() if v)]
        return None

    def _live(self, number: DocNumber, strict: bool = False) -> bool:
        key = (number.canonical, strict)
        if key not in self._lives:
            self._lives[key] = self._is_live(number, strict)
        return self._lives[key]

    def _is_live(self, number: DocNumber, strict: bool) -> bool:
        """Whether a number could be one just issued: not of an old year, not cited where it stands."""
        if number.year and number.year < self.published.year - 1:
            return False
        for segment in self.segments:
            for start, _ in _number_spots(segment, number):
                s_start, _ = _sentence_of(segment, start)
                cue = cited(segment.lower, s_start, start)
                if cue and (strict or not reporting_cue(segment.lower, s_start, start, cue)):
                    return False  # "thực hiện …"; for a law, "Chương IV của Luật … số …" too
        return True

    def judge(self, number: DocNumber, topics_ok: TopicTest | None = None) -> Verdict:
        """The verdict on one number: the first statement that reports it issued and recent, else the best reason."""
        if self.official is not None:
            return self._official_verdict(number, topics_ok)
        statements: list[Statement] = []
        for segment in reversed(self.segments):  # body first: its sentence is the fullest evidence
            for start, end in _number_spots(segment, number):
                statements.append(self._statement(segment, start, end, by_name=False))
        direct = len(statements)
        statements += self._name_statements(number)
        best: Verdict | None = None
        citation: Verdict | None = None
        off_topic = False
        read = False  # a statement of the number itself said something: issued elsewhere, old, proposed, cited
        dated = False  # some statement, by number or name, said it is old or not yet issued
        for index, statement in enumerate(statements):
            if statement.by_name and (off_topic or read):
                break  # the number's own statements are the reading; a statement by its name would be a guess
            verdict = self._judge_statement(number, statement, topics_ok)
            if verdict.issued:
                if citation is not None and statement.by_name:
                    continue  # the number itself is cited: a statement by name is about another document
                return verdict
            if index < direct and verdict.cue and not verdict.reporting:
                citation = citation or verdict
            if verdict.reason.startswith(_DECISIVE):
                read = read or index < direct
                dated = True
            off_topic = off_topic or (index < direct and verdict.reason == "topics do not match")
            if best is None or _rank(verdict) > _rank(best):
                best = verdict
        if not dated and citation is None and not off_topic:
            named = self._headline_names(number, topics_ok)
            if named is not None and (named.issued or best is None):
                return named
        if best is None:
            return Verdict(number, False, "not in the article's own text")
        return citation if citation is not None and best.how == "name" else best

    def _official_verdict(self, number: DocNumber, topics_ok: TopicTest | None) -> Verdict:
        """An official listing entry issues its own number on its issue date; any other number in it is cited.

        "Quyết định 1234/QĐ-TTg Về việc sửa đổi Quyết định số 12/QĐ-TTg …": 1234 is issued whatever
        the trích yếu says, 12 is the number it amends. Recency counts from when the entry was fetched.
        """
        entry = self.official
        assert entry is not None
        title = self.article.title or ""
        if number.canonical != entry.canonical:
            return Verdict(number, False, f"cited (in the official entry of {entry.canonical})",
                           evidence=entry.trich_yeu or title, segment="text", cue="văn bản chính thức", how="official")
        evidence = " — ".join(p for p in (title, self.article.lead or "") if p)
        base = dict(number=number, evidence=evidence, segment="title", how="official", phrase="ban hành")
        issued = entry.issue_date
        year = issued.year if issued else (number.year or self.published.year)
        if issued is not None and not self.recent(issued, year):
            return Verdict(**base, issued=False, issue_date=issued, year=year,
                           reason=f"issued {issued}, older than {self.max_age_days} days (official listing)")
        if topics_ok is not None and not topics_ok(entry.trich_yeu or title, title):
            return Verdict(**base, issued=False, issue_date=issued, year=year, reason="topics do not match")
        day = f", {issued:%d/%m/%Y}" if issued else ""
        return Verdict(**base, issued=True, issue_date=issued, year=year,
                       reason=f"issued (official listing {entry.source}{day})")

    def _headline_names(self, number: DocNumber, topics_ok: TopicTest | None) -> Verdict | None:
        """A headline that is the document ("Chỉ thị 07/CT-TTg: Đẩy mạnh …", "Nghị định 318/2026/NĐ-CP quy định
        về …") reports it as the day's news, when nothing in the article says otherwise (a cue, an old date,
        a proposal: those were read first)."""
        title = self.segments[0] if self.segments and self.segments[0].name == "title" else None
        if title is None:
            return None
        for start, end in _number_spots(title, number)[:1]:
            if not _HEADLINE_NAMES.match(title.lower[:start]) or not _HEADLINE_THEN.match(title.lower[end:]):
                return None
            occ = Occurrence(start, end, 0, len(title.text))
            base = dict(number=number, evidence=title.text, segment="title", how="number", phrase="tiêu đề")
            if number.year and not self.recent(None, number.year):
                return Verdict(**base, issued=False, year=number.year,
                               reason=f"issued {number.year}, older than {self.max_age_days} days")
            lead = next((s.text for s in self.segments if s.name == "lead"), "")
            subject = f"{subject_after(title.text, occ, [])} {lead}"
            if topics_ok is not None and not topics_ok(subject, title.text):
                return Verdict(**base, issued=False, reason="topics do not match")
            return Verdict(**base, issued=True, year=number.year or self.published.year,
                           reason="issued (the headline names it; headline or sapo)")
        return None

    def _subject(self, number: DocNumber, segment: _Segment, occ: Occurrence, others: list[tuple[int, int]]) -> str:
        """What the document is about, as the article describes it: its trích yếu after the number or the name
        ("… về bảo đảm trật tự, an toàn giao thông"), plus the headline when the headline names it."""
        parts = [subject_after(segment.text, occ, others)]
        if _by_name(segment, occ, number):
            parts += self._own_descriptions(number)  # the number's own mentions describe the document too
        else:
            parts.insert(0, _title_before(segment, occ))  # "Luật Chuyển đổi số số 148/2025/QH15"
            parts += self._name_descriptions(number)  # "Bộ Công an vừa ban hành Thông tư quy định về …"
        title = self.segments[0] if self.segments and self.segments[0].name == "title" else None
        if title is not None and segment is not title and self._headline_is_about(number, title, segment):
            parts.append(title.text)
        return " ".join(p for p in parts if p)

    def _name_descriptions(self, number: DocNumber) -> list[str]:
        if number.canonical not in self._descriptions:
            self._descriptions[number.canonical] = self._find_name_descriptions(number)
        return self._descriptions[number.canonical]

    def _find_name_descriptions(self, number: DocNumber) -> list[str]:
        """What the statements naming this document without its number say it is about."""
        out = []
        for statement in self._name_statements(number):
            segment = next(s for s in self.segments if s.name == statement.segment)
            others = _other_spots(segment, self.article, number)
            before = segment.lower[max(0, statement.occ.start - 12):statement.occ.start]
            if _COUNT_BEFORE.search(before) or _PLURAL_BEFORE.search(before):
                continue  # "ban hành 2 nghị định về … và …" describes them together, not this one
            described = subject_after(segment.text, statement.occ, others)
            # "vừa ban hành Thông tư quy định về …" describes it; "Theo nghị định ký ngày …, người hút …" and
            # "Thông tư yêu cầu …" tell what it says, not what it is
            if _TRICH_YEU.match(described.lower()) and issuance_phrase(segment.lower, statement.occ, others,
                                                                       self.phrases):
                out.append(described)
        return out

    def _own_descriptions(self, number: DocNumber) -> list[str]:
        out = []
        for segment in self.segments:
            others = _other_spots(segment, self.article, number)
            for start, end in _number_spots(segment, number)[:1]:
                s_start, s_end = _sentence_of(segment, start)
                occ = Occurrence(start, end, s_start, s_end)
                out += [_title_before(segment, occ), subject_after(segment.text, occ, others)]
        return out

    def _headline_is_about(self, number: DocNumber, title: _Segment, segment: _Segment) -> bool:
        """Whether the headline speaks of this document: it names it, or the sapo reports it alone."""
        if _number_spots(title, number):
            return True
        if segment.name != "lead":
            return False
        for other in self.article.doc_numbers:
            if other.canonical == number.canonical:
                continue
            if _number_spots(title, other):
                return False
            for start, _ in _number_spots(segment, other):
                s_start, _ = _sentence_of(segment, start)
                if not cited(segment.lower, s_start, start):
                    return False  # the sapo reports two documents: the headline may speak of either
        return True

    def _judge_statement(self, number: DocNumber, statement: Statement, topics_ok: TopicTest | None) -> Verdict:
        segment = next(s for s in self.segments if s.name == statement.segment)
        occ = statement.occ
        others = _other_spots(segment, self.article, number)
        sentence = evidence_text(segment.text, occ)
        base = dict(number=number, evidence=sentence, segment=segment.name,
                    how="name" if statement.by_name else "number")
        if statement.by_name:
            others = others + [spot for spot in _name_spots(segment, ALL_TYPES) if spot[0] != occ.start]
        cue = cited(segment.lower, occ.sentence_start, occ.start)
        reporting = bool(cue) and reporting_cue(segment.lower, occ.sentence_start, occ.start, cue or "")
        if statement.by_name and reporting:
            cue = None  # "Theo Quyết định, …": the article quoting its own document
        blocked: list[str] = []
        phrase = None
        if not cue or (reporting and not statement.by_name):
            # after an attribution ("Quy định nằm tại Thông tư số 27/… do Phó Thống đốc ký ngày 21/11"), only a
            # statement after the number can be about it
            phrase = issuance_phrase(segment.lower, occ, others, self.phrases, blocked=blocked, after_only=bool(cue))
            if phrase:
                cue = None
        elif not statement.by_name and RECENT_RE.search(re.split(r"[,;:]", segment.lower[occ.end:occ.end + 40])[0]):
            # cited, but said to be new in the same breath: "bám sát … Kết luận 31-KL/TW mới ban hành",
            # "thực hiện Nghị định 301/2026/NĐ-CP vừa được Chính phủ ban hành"
            phrase = issuance_phrase(segment.lower, occ, others, self.phrases, after_only=True)
            if phrase:
                cue = None
        if (reporting or (not cue and not phrase)) and not statement.by_name:
            dated = attached_date(segment.lower, occ, self.published)
            if dated is not None and self.recent(dated, dated.year):
                # "Theo Quyết định số 3378/QĐ-BCT ngày 30/11/2026 của Bộ trưởng …", "nội dung tại Thông báo số
                # 621/TB-VPCP ngày 1/12/2026": a document of days ago, reported through its own date
                cue, phrase = None, f"{cue or 'văn bản'} … ngày {dated:%d/%m/%Y}"
        if cue:
            return Verdict(**base, issued=False, reason=f"cited (“{cue} …” before it)", cue=cue, reporting=reporting)
        if not phrase and blocked:
            return Verdict(**base, issued=False, reason=f"proposed or remembered, not issued (“{blocked[0]}”)")
        if not phrase:
            return Verdict(**base, issued=False, reason="no issuance phrase bound to the number in its sentence")
        if statement.by_name:
            level = _subject_level(segment.lower, occ.sentence_start, occ.start)
            central = is_central(number.issuer)
            if level is not None and (level == "central") != central:
                return Verdict(**base, issued=False, phrase=phrase,
                               reason=f"the statement's subject is {level}, the number's issuer is not")
        featured = any(not cited(s.lower, _sentence_of(s, start)[0], start)
                       for s in self.segments if s.name in ("title", "lead") for start, _ in _number_spots(s, number))
        issued, year, known = statement_recency(segment.name, segment.lower, occ, others, self.published, number,
                                                 phrase, by_name=_by_name(segment, occ, number), featured=featured)
        if not self.recent(issued, year, vague=known == "year said"):
            if issued is None and year is None:
                reason = "no issue date, year or word such as “vừa” for it"
            else:
                reason = f"issued {issued or year}, older than {self.max_age_days} days"
            return Verdict(**base, issued=False, reason=reason, phrase=phrase, issue_date=issued, year=year)
        if topics_ok is not None and not topics_ok(self._subject(number, segment, occ, others), sentence):
            return Verdict(**base, issued=False, reason="topics do not match", phrase=phrase, issue_date=issued,
                           year=year)
        if not statement.by_name and _ENFORCEMENT.search(segment.lower[max(0, occ.start - 40):occ.start]):
            return Verdict(**base, issued=True, phrase=phrase, issue_date=issued if known == "date" else None,
                           year=year, directive=False,
                           reason="an inspection, audit or supervision conclusion: issued, but not a directive")
        how = "by its name" if statement.by_name else "by its number"
        return Verdict(**base, issued=True, phrase=phrase, issue_date=issued if known == "date" else None,
                       year=year, reason=f"issued (“{phrase}”, {how}, {segment_label(segment.name)}; {known})")


def segment_label(name: str) -> str:
    return {"title": "headline", "lead": "sapo", "text": "body"}[name]


# What a statement of the number itself may say that no statement by its name can overturn.
_DECISIVE = ("proposed or remembered", "issued ")
_RANKS = ("not in the article", "no issuance phrase", "proposed or remembered", "cited", "the statement's subject", "no issue date",
          "issued ", "topics")


def _rank(verdict: Verdict) -> int:
    """Which failed verdict explains best: one that got further wins."""
    for index, prefix in enumerate(_RANKS):
        if verdict.reason.startswith(prefix):
            return index
    return 0
