"""Reading issuance out of Vietnamese news text: sentences, issuance phrases, citation cues, issue dates.

The difference between "Thủ tướng vừa ký ban hành Chỉ thị số 07/CT-TTg ngày 12/11/2026" (news)
and "theo Nghị định số 17/2017/NĐ-CP" (a citation) is local: an issuance phrase in the same
sentence, bound to *this* number (no other number or clause break between them, no citation
cue such as "theo", "thực hiện", "triển khai" right before it), and a recent issue date.
Matching is done on tone-normalised, lower-cased text with offsets preserved (both transforms
keep string length), so evidence is quoted from the original sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from newswatch.text.normalize import normalize_tone

DEFAULT_ISSUANCE_PHRASES = (
    "vừa ký ban hành", "vừa ban hành", "vừa ký", "ký ban hành", "đã ký", "đã ban hành", "ban hành",
    "phê duyệt", "có công điện", "vừa có", "vừa được ban hành", "được ban hành", "vừa thông qua",
    "đã thông qua", "thông qua", "vừa công bố", "ký công điện", "gửi công điện", "ký quyết định",
    "ký chỉ thị", "ký nghị định", "ký nghị quyết", "ký thông báo", "ký kế hoạch", "ký văn bản", "ký luật",
    "ký lệnh công bố", "vừa gửi", "ký", "được ký", "ra", "vừa ra", "có văn bản", "có thông báo",
    "thông báo kết luận", "truyền đạt", "công bố", "đã có", "có",
)
# "ký" alone is an issuance verb, but not in "đăng ký", "ký kết", "ký tên", "chữ ký", "ký hợp đồng".
_PHRASE_GUARDS = {
    "ký": (r"(?<!đăng )(?<!chữ )(?<!kí )(?<!ngày )(?<!khi )", r"(?!\s+(?:kết|tên|số|hợp đồng|thỏa thuận|biên bản|cam kết|nhận))"),
    "ra": (r"(?<=vừa )|(?<=đã )|(?<=mới )", r"(?=\s+(?:chỉ thị|công điện|quyết định|nghị quyết|thông báo|văn bản|công văn))"),
    "công bố": (r"", r"(?=\s+(?:luật|lệnh|quyết định|nghị quyết|pháp lệnh))"),
    "thông báo kết luận": (r"(?<=có )|(?<=ra )|(?<=ban hành )", r""),
    "truyền đạt": (r"", r"(?=\s+(?:ý kiến|kết luận|chỉ đạo))"),
    "có": (r"", r"(?=\s+(?:công văn|văn bản|thông báo|công điện|chỉ thị|quyết định|kế hoạch|hướng dẫn)(?!\w))"),
    "đã có": (r"", r"(?=\s+(?:công văn|văn bản|thông báo|công điện|chỉ thị|quyết định|kế hoạch|hướng dẫn)(?!\w))"),
}

# Words that, right before a document name, mean the document is cited, not issued.
CITATION_CUES = (
    "theo", "căn cứ", "thực hiện", "triển khai", "tại", "quy định tại", "hướng dẫn", "sửa đổi", "bổ sung",
    "thay thế", "trên cơ sở", "theo tinh thần", "tinh thần", "quán triệt", "tổng kết", "sơ kết",
    "đánh giá", "kết quả thực hiện", "thi hành", "của", "như", "nêu tại", "tiếp tục", "bãi bỏ",
    "hết hiệu lực", "cụ thể hóa", "hưởng ứng", "trước đó", "năm ngoái", "sau", "kể từ", "từ khi",
    "kể từ khi", "ra đời", "quy định chi tiết", "chi tiết", "hướng dẫn thi hành", "phù hợp với", "thống nhất với",
    "bám sát", "dựa trên", "căn cứ vào",
)

# Words right before an issuance phrase that make it future, proposed or hypothetical ("trình Chính phủ ban hành").
PROSPECTIVE_CUES = (
    "sẽ", "trình", "đề nghị", "kiến nghị", "đề xuất", "dự kiến", "chuẩn bị", "sắp", "chưa", "xem xét", "để",
    "nhằm", "cần", "phải", "yêu cầu", "đang xây dựng", "dự thảo", "chậm", "được giao",
)

# Names of documents that may stand between a verb and the number ("ban hành Chỉ thị số 07/CT-TTg").
DOC_NAMES = (
    "chỉ thị", "công điện", "quyết định", "nghị quyết", "nghị định", "thông báo kết luận", "thông báo",
    "kết luận", "công văn", "văn bản", "kế hoạch", "luật", "thông tư liên tịch", "thông tư", "chương trình",
    "đề án", "hướng dẫn", "quy định", "chiến lược", "pháp lệnh", "lệnh",
)

_ABBREVIATIONS = {"tp", "q", "p", "ts", "ths", "pgs", "gs", "ks", "bs", "th", "tt", "st", "v.v", "tr", "số", "kt", "tm",
                  "tl", "tuq", "q.", "ttg"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s)|\n+")
_DATE_NUMERIC = re.compile(r"(?:ngày|sáng|chiều|trưa|tối|đêm|hôm nay|hôm qua)\s*\(?\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})"
                           r"(?:\s*[/.-]\s*((?:19|20)\d{2}))?(?![\d/])")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+((?:19|20)\d{2}))?")
_CLAUSE_BREAK = re.compile(r"[;:]|\.\s|\n")


def matching_form(text: str) -> str:
    """Lower-cased, new-style tone placement; same length as ``text`` so offsets carry over."""
    folded = normalize_tone(text).lower()
    return folded if len(folded) == len(text) else text.lower()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after an abbreviation (TP., TS.) does not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if not match.group().startswith("\n"):
            word = re.search(r"([\wĐđ.]+)[.!?…]*$", text[start:match.start() + 1])
            token = (word.group(1) if word else "").rstrip(".").lower()
            nxt = text[end:end + 2].lstrip()
            if token in _ABBREVIATIONS or (token.isdigit() and nxt[:1].isdigit()) or (nxt and nxt[0].islower()):
                continue
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


@dataclass
class Occurrence:
    """Where a document number appears: its offsets in a text and the sentence around it."""

    start: int
    end: int
    sentence_start: int
    sentence_end: int


def find_occurrences(text: str, needles: list[str], hint: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """Offsets of each needle in ``text``; the extractor's own offsets win when they fit."""
    if hint and 0 <= hint[0] < hint[1] <= len(text) and text[hint[0]:hint[1]] in needles:
        found = {hint}
    else:
        found = set()
    for needle in needles:
        if not needle:
            continue
        pos = text.find(needle)
        while pos >= 0:
            before = text[pos - 1:pos]
            after = text[pos + len(needle):pos + len(needle) + 1]
            if not (before.isalnum() or before in "/-") and not (after.isalnum() or after == "/"):
                found.add((pos, pos + len(needle)))
            pos = text.find(needle, pos + 1)
    return sorted(found)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    phrase_l = matching_form(phrase)
    before, after = _PHRASE_GUARDS.get(phrase_l, ("", ""))
    core = r"(?<!\w)" + re.escape(phrase_l).replace(r"\ ", r"\s+") + r"(?!\w)"
    return re.compile((f"(?:{before})" if before else "") + core + after)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _phrase_positions(lower: str, phrases: tuple[str, ...] | list[str]) -> list[tuple[int, int, str]]:
    out = []
    for phrase in phrases:
        pattern = _PATTERNS.get(phrase)
        if pattern is None:
            pattern = _PATTERNS[phrase] = _phrase_pattern(phrase)
        for match in pattern.finditer(lower):
            out.append((match.start(), match.end(), phrase))
    return out


def _strip_doc_name(prefix: str) -> str:
    """'vừa ký ban hành chỉ thị số ' -> 'vừa ký ban hành' (the document's own name is not a cue)."""
    text = prefix.rstrip()
    text = re.sub(r"(?:số|số hiệu)\s*[:.]?$", "", text).rstrip()
    for name in sorted(DOC_NAMES, key=len, reverse=True):
        if text.endswith(name):
            return text[: -len(name)].rstrip(" ,")
    return text


# Cues that only attribute ("theo Quyết định số … ngày 30/11/2026 của Bộ trưởng …"): a document reported
# through them with its own recent issue date is news, not a citation.
REPORTING_CUES = frozenset({"theo", "của", "như", "nêu tại"})
_SECTION_REF = re.compile(r"(?:,\s*)?(?<!\w)(?:mục|điểm|khoản|điều|chương|phần|tiết)\s+[\w.]{1,6}\s*(?:,\s*)?$")
_LISTED_BEFORE = re.compile(r"[\w/.-]*\d[\w/.-]*(?:\s+ngày\s+[\d/.\s-]+?)?(?:\s+(?:của|do)(?:\s+[^\s\d,;.]+){1,6}?)?"
                            r"\s*(?:,|và|hoặc|cùng)\s*$")
_DOC_NAME_RE = re.compile(r"(?<!\w)(?:" + "|".join(sorted((re.escape(n) for n in DOC_NAMES), key=len, reverse=True))
                          + r")(?!\w)")


_REPORTED_AT = re.compile(r"(?:nội dung|nêu|truyền đạt|đề cập|chỉ đạo|ý kiến|kết luận|đưa ra|thể hiện|công bố|nằm|có)"
                          r"(?:\s+(?:này|trên|đó))?\s+(?:tại|trong)\s*$")


def reporting_cue(lower: str, sentence_start: int, number_start: int, cue: str) -> bool:
    """Whether a cue only attributes ("theo …", "nội dung tại …", "truyền đạt tại văn bản …"), not cites."""
    if cue in REPORTING_CUES:
        return True
    if cue not in ("tại", "trong"):
        return False
    head = _strip_doc_name(lower[max(sentence_start, number_start - 100):number_start])
    return bool(_REPORTED_AT.search(head))


_INSTRUMENT = re.compile(r"(?:(?<!\w)(vừa|được|mới|đã được|vừa được)\s+(?:\S+\s+){0,5}?)?"
                         r"(?:ban hành|phê duyệt|thông qua|ký ban hành)\s+(?:[^,;.]{0,80}?\s+)?(kèm theo|tại|bằng)$")
# "chương trình" and "tờ trình" are documents, not the verb "trình" (to submit)
_TRINH_NOUNS = re.compile(r"(?<!\w)(?:chương|tờ)\s+trình(?!\w)")


_ADVERBS = re.compile(r"(?:\s+(?:ngay|nghiêm|nghiêm túc|kịp thời|hiệu quả|đồng bộ|khẩn trương|quyết liệt|đầy đủ|tốt))+$")


def _cue_at_end(head: str) -> str | None:
    head = _ADVERBS.sub("", head)  # "triển khai ngay Nghị định …", "thực hiện nghiêm Chỉ thị …"
    instrument = _INSTRUMENT.search(head.rstrip())
    if instrument:
        # "Quy chế … được ban hành kèm theo Quyết định số …", "Đề án … được Thủ tướng phê duyệt tại Quyết định
        # số …" report the instrument that issues it; "Quy chế … ban hành kèm theo Quyết định số 31/2021/QĐ-TTg"
        # names an older one that a new text amends
        return None if instrument.group(1) else instrument.group(2)
    tail = " ".join(head.split()[-4:])
    for cue in sorted(CITATION_CUES, key=len, reverse=True):
        if tail == cue or tail.endswith(" " + cue) or tail.endswith("(" + cue):
            return cue
    return None


_NAMED_LIST_GAP = re.compile(r"^[^\d,;:.]{0,60}?(?:,|và|hoặc)\s*$")


def cited(lower: str, sentence_start: int, number_start: int) -> str | None:
    """The citation cue before the document's name, if any.

    "thực hiện Chỉ thị 07/CT-TTg"; the cue of a list carries to each of its members ("thực hiện
    Nghị quyết 57-NQ/TW và Nghị quyết 71/NQ-CP"); a name with its title between it and the number
    is looked through ("hướng dẫn Luật Công nghiệp công nghệ số số 71/2025/QH15").
    """
    prefix = lower[max(sentence_start, number_start - 160):number_start]
    head = _strip_doc_name(prefix)
    for _ in range(3):  # "tại Mục 2 Kết luận số …", "tại khoản 3 Điều 5 Nghị định …"
        section = _SECTION_REF.search(head)
        if not section:
            break
        head = head[:section.start()].rstrip()
    for _ in range(4):  # "… A, B và C": walk back over the earlier members of a list
        listed = _LISTED_BEFORE.search(head)
        if not listed:
            break
        head = _strip_doc_name(head[:listed.start()])
    cue = _cue_at_end(head)
    if cue:
        return cue
    names = list(_DOC_NAME_RE.finditer(prefix))
    if names and names[-1].start() >= len(prefix) - 70:
        start = names[-1].start()
        between = prefix[start:]
        if not _CLAUSE_BREAK.search(between) and not re.search(r"\d", between):
            # "thống nhất với Luật Căn cước và Luật Chuyển đổi số số 148/2025/QH15": back over the list
            for earlier in reversed(names[:-1]):
                if not _NAMED_LIST_GAP.match(prefix[earlier.end():start]):
                    break
                start = earlier.start()
            return _cue_at_end(prefix[:start])
    return None


_RETROSPECTIVE = re.compile(r"(?:tròn|kỷ niệm|đánh dấu)\s+(?:\d+|một|hai|ba|bốn|năm|mười)\s+(?:năm|tháng)|"
                            r"(?:\d+|một|hai|ba|bốn|năm|mười)\s+năm\s+(?:kể từ|từ khi|sau khi|từ ngày)|kỷ niệm")


_PROSPECTIVE_AHEAD = re.compile(r"(?<!\w)(?:sẽ|trình|chuẩn bị|dự kiến|đề nghị|đề xuất|kiến nghị|sắp)\s+(?:\S+\s+){0,5}$")


def _prospective(lower: str, start: int, end: int) -> bool:
    if _RETROSPECTIVE.search(lower[max(0, start - 30):end]):
        return True  # "tròn 5 năm Thủ tướng ban hành …", "3 năm kể từ khi …": an anniversary
    lower = _TRINH_NOUNS.sub(lambda m: "x" * len(m.group()), lower[:end])
    words = lower[start:end].replace(",", " ").split()[-3:]
    tail = " ".join(words)
    if any(tail == cue or tail.endswith(" " + cue) or f" {cue} " in f" {tail} " for cue in PROSPECTIVE_CUES):
        return True
    clause = re.split(r"[,;:]", lower[max(0, start - 20):end])[-1]  # "chuẩn bị trình Thủ tướng Chính phủ ký …"
    return bool(_PROSPECTIVE_AHEAD.search(clause))


# "vừa ban hành Nghị định số 320/… và Nghị định số 321/…": the next member of a list of documents
_LISTED_AFTER = re.compile(r"(?:,|;|và|cùng)\s+(?:" + "|".join(sorted((re.escape(n) for n in DOC_NAMES), key=len, reverse=True))
                           + r")\s*(?:số\s*)?$")
_PASSIVE_MARK = re.compile(r"(?<!\w)(?:vừa|được|đã|(?<!đổi )mới|do|mà)(?!\w)")  # "… mà Chính phủ ban hành tuần trước"


def _predicative(phrase: str, between: str) -> bool:
    """Whether a phrase after the number says it was issued ("… vừa được ban hành", "… do Thủ tướng ký")."""
    form = matching_form(phrase)
    return bool(_PASSIVE_MARK.match(form) or _PASSIVE_MARK.search(between) or form == "ký")


def issuance_phrase(
    lower: str, occ: Occurrence, others: list[tuple[int, int]], phrases: tuple[str, ...] | list[str],
    max_gap: int = 120, blocked: list[str] | None = None, after_only: bool = False,
) -> str | None:
    """The issuance phrase bound to this occurrence: in its sentence, nothing but words between them.

    Phrases that were bound but are proposed or remembered ("sẽ ban hành", "tròn 5 năm … ban hành")
    are appended to ``blocked`` when a list is given.
    """
    blocked = blocked if blocked is not None else []
    sentence = (occ.sentence_start, occ.sentence_end)
    best: tuple[int, str] | None = None
    for p_start, p_end, phrase in _phrase_positions(lower[sentence[0]:sentence[1]], phrases):
        p_start += sentence[0]
        p_end += sentence[0]
        listed = False
        if p_end <= occ.start:
            if after_only:
                continue
            gap = (p_end, occ.start)
            listed = bool(_LISTED_AFTER.search(lower[max(gap[0], occ.start - 40):occ.start]))
            limit = max_gap * 3 if listed else max_gap  # "vừa ban hành Nghị định số 320/… và Nghị định số 321/…"
        elif p_start >= occ.end:
            gap = (occ.end, p_start)
            if not _predicative(phrase, lower[occ.end:p_start]):
                continue  # "Quyết định 1580/QĐ-TTg phê duyệt Đề án …": the document's title, not its issuance
            limit = max_gap * 2  # "Kế hoạch số 02-KH/BCĐTW về … (a long title) … được ký ban hành ngày 19/6/2025"
        else:
            continue
        if gap[1] - gap[0] > limit or _CLAUSE_BREAK.search(lower[gap[0]:gap[1]]):
            continue
        if any(gap[0] <= o_start < gap[1] for o_start, _ in others) and not listed:
            continue  # another document number stands between: the phrase is about that one (unless a list)
        if _prospective(lower, max(sentence[0], p_start - 30), p_start):
            blocked.append(phrase)
            continue  # "trình Chính phủ ban hành", "sẽ ban hành": not issued (yet)
        distance = gap[1] - gap[0]
        if best is None or distance < best[0]:
            best = (distance, phrase)
    return best[1] if best else None


def attached_date(lower: str, occ: Occurrence, reference: date | None) -> date | None:
    """The date printed with the number itself ("07/CT-TTg ngày 12/11/2026", "… ký ngày 2 tháng 12")."""
    found = _attached(lower, occ)
    return _to_date(found, reference) if found else None


def _attached(lower: str, occ: Occurrence) -> re.Match[str] | None:
    after = lower[occ.end:min(occ.sentence_end, occ.end + 45)]
    match = re.match(r"^[\s,(]*(?:được\s+ký\s+|ký\s+|ban\s+hành\s+)?(?:vào\s+)?", after)
    rest = after[match.end():] if match else after
    return _DATE_NUMERIC.match(rest) or _DATE_WORDS.match(rest)


def issue_date_near(lower: str, occ: Occurrence, others: list[tuple[int, int]], reference: date | None) -> date | None:
    """A date stated for this number: right after it ("07/CT-TTg ngày 12/11/2026"), else earlier in its sentence."""
    found = _attached(lower, occ)
    if not found:
        before = lower[occ.sentence_start:occ.start]
        candidates = list(_DATE_NUMERIC.finditer(before)) + list(_DATE_WORDS.finditer(before))
        candidates = [c for c in candidates
                      if not any(occ.sentence_start + c.end() <= o < occ.start for o, _ in others)]
        found = max(candidates, key=lambda c: c.start()) if candidates else None
    return _to_date(found, reference) if found else None


def _to_date(found: re.Match[str], reference: date | None) -> date | None:
    day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
    if year is None:
        if reference is None:
            return None
        year_i = reference.year
        try:
            if date(year_i, month, day) > reference:
                year_i -= 1
        except ValueError:
            return None
    else:
        year_i = int(year)
    try:
        return date(year_i, month, day)
    except ValueError:
        return None


def evidence_text(text: str, occ: Occurrence, limit: int = 600) -> str:
    """The sentence, trimmed around the number when it is very long."""
    sentence = text[occ.sentence_start:occ.sentence_end].strip()
    if len(sentence) <= limit:
        return sentence
    rel = occ.start - occ.sentence_start
    lo = max(0, rel - limit // 2)
    return ("…" if lo else "") + sentence[lo:lo + limit].strip() + "…"
