"""What a press article states about one of its documents: its signer and its trích yếu, when stated.

Both are read conservatively, only where the article ties them to the document's own number:

* **signer** — a title and a personal name right before "(vừa|đã) ký" in the sentence of the number
  ("Phó Thủ tướng Nguyễn Chí Dũng vừa ký Quyết định số 2433/QĐ-TTg …"), or "do <title> <Name> ký"
  after it ("Quyết định … do Phó Thủ tướng Nguyễn Chí Dũng ký"). A title without a name
  ("Phó Thủ tướng vừa ký …") states no signer;
* **trích yếu** — the words after the number up to the end of its sentence, as the directive reading
  takes a document's subject (:func:`monitor.signal.subject_after`), kept only when they open the way
  a trích yếu opens ("phê duyệt …", "về …", "quy định …", "ban hành …") and bounded in length
  ("Quyết định 1580/QĐ-TTg: Phê duyệt Đề án …" gives "Phê duyệt Đề án …").

The numbers are the article's own (found once by :mod:`newswatch.text.enrich`); their occurrences
are located in the segments the way the directive reading locates them.
"""

from __future__ import annotations

import re

from monitor.evidence import Occurrence, find_occurrences, sentence_spans
from monitor.signal import subject_after
from newswatch.models import Article, DocNumber

SEGMENTS = ("title", "lead", "text")
MAX_TRICH_YEU = 300  # characters: a trích yếu is one line of a listing, not a paragraph
MIN_TRICH_YEU_WORDS = 3
SIGNER_REACH = 60  # characters between "… vừa ký" and the number: "ban hành Quyết định số "

_TITLES = (r"Phó Thủ tướng(?: Thường trực)?(?: Chính phủ)?|Thủ tướng(?: Chính phủ)?|Tổng Bí thư|Chủ tịch nước|"
           r"Phó Chủ tịch nước|Chủ tịch Quốc hội|Phó Chủ tịch Quốc hội|Phó Thống đốc|Thống đốc|Bộ trưởng|Thứ trưởng|"
           r"Tổng Kiểm toán nhà nước|Chủ nhiệm Văn phòng Chính phủ|Phó Chủ tịch UBND|Chủ tịch UBND")
_TITLE_RE = re.compile(rf"(?<!\w)(?P<title>{_TITLES})\s+", re.I)
_NAME_WORD = re.compile(r"[^\W\d_]+")
_SIGNS_AFTER = re.compile(r"\s*(?:(?:vừa|đã|mới|đã thay mặt Thủ tướng|thay mặt Thủ tướng)\s+)?ký(?!\w)", re.I)
_DO_BEFORE = re.compile(r"(?<!\w)do\s+$", re.I)
_TRICH_YEU_OPEN = re.compile(
    r"^(?:về|quy định|phê duyệt|hướng dẫn|ban hành|sửa đổi|bổ sung|thành lập|điều chỉnh|đẩy mạnh|tăng cường|"
    r"thúc đẩy|triển khai|phát triển|bãi bỏ|công bố|chấn chỉnh|bảo đảm|kiện toàn)(?!\w)(?!\s+(?:ngày|từ|năm)\b)",
    re.I)
# what follows a trích yếu in the same sentence: its effect, its content, a second clause
_TRICH_YEU_END = re.compile(r";|\s\(|,\s*(?:trong đó|theo đó|có hiệu lực|áp dụng|đặt mục tiêu|thay thế|cho phép|yêu cầu|nâng|"
                            r"giao|bỏ|nhằm|với mục tiêu|kể từ|dựa trên|cùng|gồm|đồng thời)(?!\w)|"
                            r"\s(?:có hiệu lực|được ban hành|ban hành kèm theo)(?!\w)|\s[—–]\s", re.I)
_ORGANISATION = frozenset({"Bộ", "Chính", "Ủy", "Ban", "Văn", "Ngân", "Quốc", "Tổng", "Cục", "Sở", "Thành", "Tỉnh"})
_LEAD_PUNCT = " :-–—,"


def _name_after(text: str, start: int) -> tuple[str, int] | None:
    """A personal name (two to four capitalised words) starting at ``start``, and where it ends."""
    words: list[str] = []
    at = start
    for match in _NAME_WORD.finditer(text, start):
        gap = text[at:match.start()]
        if gap.strip() or (words and not gap):
            break
        word = match.group(0)
        if not word[0].isupper() or len(words) == 4 or (not words and word in _ORGANISATION):
            break
        words.append(word)
        at = match.end()
    if len(words) < 2:
        return None
    return " ".join(words), at


def _signers(text: str, span: tuple[int, int]) -> list[tuple[int, str]]:
    """(end offset, "title Name") of each "<title> <Name> (vừa) ký" inside the sentence span."""
    out = []
    s_start, s_end = span
    for match in _TITLE_RE.finditer(text, s_start, s_end):
        named = _name_after(text, match.end())
        if named is None:
            continue
        name, end = named
        signs = _SIGNS_AFTER.match(text, end)
        if signs is None:
            continue
        title = re.sub(r"\s+", " ", match.group("title")).strip()
        out.append((signs.end(), f"{title[0].upper()}{title[1:]} {name}"))
    return out


def _occurrences(article: Article, number: DocNumber) -> list[tuple[str, int, int, tuple[int, int]]]:
    """(segment text, start, end, sentence span) of each occurrence of the number in the article's own text."""
    out = []
    for segment in SEGMENTS:
        text = getattr(article, segment) or ""
        if not text:
            continue
        hint = (number.start, number.end) if number.segment == segment else None
        spots = find_occurrences(text, [number.raw, number.canonical], hint)
        if not spots:
            continue
        spans = sentence_spans(text)
        for start, end in spots:
            span = next(((a, b) for a, b in spans if a <= start < b), (0, len(text)))
            out.append((text, start, end, span))
    return out


def _number_between(article: Article, text: str, start: int, stop: int) -> bool:
    between = text[start:stop]
    return any(n.raw in between or n.canonical in between for n in article.doc_numbers)


def stated_signer(article: Article, number: DocNumber) -> str | None:
    """The signer the article names for this number, when it does (see the module docstring)."""
    for text, start, end, span in _occurrences(article, number):
        before = [(stop, who) for stop, who in _signers(text, span)
                  if stop <= start and start - stop <= SIGNER_REACH and not _number_between(article, text, stop, start)]
        if before:
            return before[-1][1]
        for match in _TITLE_RE.finditer(text, end, span[1]):
            if not _DO_BEFORE.search(text[max(end, match.start() - 6):match.start()]):
                continue
            named = _name_after(text, match.end())
            if named is None:
                continue
            name, name_end = named
            if re.match(r"^\s*ký(?!\w)", text[name_end:name_end + 6]):
                title = re.sub(r"\s+", " ", match.group("title")).strip()
                return f"{title[0].upper()}{title[1:]} {name}"
    return None


def stated_trich_yeu(article: Article, number: DocNumber) -> str | None:
    """The trích yếu the article prints after this number, when it does (see the module docstring)."""
    others_by_text: dict[int, list[tuple[int, int]]] = {}
    for text, start, end, (s_start, s_end) in _occurrences(article, number):
        others = others_by_text.setdefault(id(text), [
            spot for other in article.doc_numbers if other.canonical != number.canonical
            for spot in find_occurrences(text, [other.raw, other.canonical])])
        described = subject_after(text, Occurrence(start, end, s_start, s_end), others).strip(_LEAD_PUNCT)
        described = re.sub(r"\s+", " ", described)
        cut = _TRICH_YEU_END.search(described)
        if cut:
            described = described[:cut.start()].strip(_LEAD_PUNCT)
        if not _TRICH_YEU_OPEN.match(described) or len(described.split()) < MIN_TRICH_YEU_WORDS:
            continue
        if len(described) > MAX_TRICH_YEU:
            described = described[:MAX_TRICH_YEU].rsplit(" ", 1)[0] + " …"
        return described[0].upper() + described[1:]
    return None
