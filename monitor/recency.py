"""When the article says a document was issued: an explicit date, an old number, a year or month said, "vừa".

For one statement (a sentence that binds an issuance phrase to a document), first that applies:

1. an explicit issue date: after the number ("07/CT-TTg ngày 12/11/2026"), after the signing verb
   ("ký chiều 4/12"), or earlier in the sentence; a date without a year takes the latest such date
   not after publication;
2. a number whose own year is two or more years before publication (``31/2021/QĐ-TTg``) is old;
3. a year or month said for the issuance ("ban hành năm 2020", "ban hành từ giữa tháng 8"), near the
   number (a year said for another text later in the sentence is not this one's);
4. a word that means now ("vừa", "mới đây", "hôm nay", "tuần trước" …), not when it speaks of entry
   into force ("có hiệu lực từ hôm nay"): the publication date;
5. the year in the number;
6. a statement in the headline or the sapo, or about the headline's or sapo's document: the
   publication date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from monitor.evidence import Occurrence, issue_date_near, matching_form
from newswatch.models import DocNumber

RECENT_RE = re.compile(r"(?<!\w)(?:vừa|mới đây|mới ban hành|mới ký|hôm nay|sáng nay|trưa nay|chiều nay|tối nay|"
                       r"hôm qua|sáng qua|chiều qua|tối qua|đêm qua|ngày hôm qua|vừa qua|tuần trước|tuần qua|"
                       r"tuần này|đầu tuần|cuối tuần qua)(?!\w)")
# "Cũng trong ngày, Thủ tướng ký Chỉ thị …": the day a date earlier in the text names, else the article's
_SAME_DAY = re.compile(r"(?<!\w)(?:cùng ngày|trong ngày|cũng trong ngày|ngay trong ngày)(?!\s+\d)")
_ANY_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*((?:19|20)\d{2}))?(?![\d/])")
_SAID_MONTH = re.compile(r"(?:ban hành|ký|thông qua)\s+(?:từ\s+|vào\s+|trong\s+|hồi\s+)?(?:(?:đầu|giữa|cuối)\s+)?tháng\s+"
                         r"(\d{1,2})(?:\s*/\s*((?:19|20)\d{2})|\s+năm\s+((?:19|20)\d{2}))?(?![\d/])")
_EFFECT = re.compile(r"(?:hiệu lực|áp dụng|thi hành)(?:\s+\S+){0,3}\s*$")


def about_effect(lower: str, at: int) -> bool:
    """Whether the words before ``at`` speak of entry into force ("có hiệu lực từ hôm nay"), not issuance."""
    return bool(_EFFECT.search(lower[max(0, at - 30):at]))


_SAID_YEAR = re.compile(r"(?:(?:ban hành|ký|thông qua|ra đời|có hiệu lực)\s+(?:từ\s+|vào\s+|trong\s+|hồi\s+)?"
                        r"(?:cuối\s+|đầu\s+|giữa\s+)?năm\s+|^\s*(?:từ\s+|vào\s+|cuối\s+|đầu\s+|giữa\s+)?năm\s+)"
                        r"((?:19|20)\d{2})(?![\d/])")
_SIGNED_DATE = re.compile(r"(?:ký|ban hành|thông qua)(?:\s+(?:thay|thừa lệnh|thay mặt)(?:\s+[^\s\d,;.]+){1,3})?\s+(?:vào\s+)?(?:(?:sáng|trưa|chiều|tối|đêm)\s+)?(?:ngày\s+)?"
                          r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*((?:19|20)\d{2}))?(?![\d/])")


def _on_or_before(published: date):  # type: ignore[no-untyped-def]
    """A date match read in the publication's year, kept only when it is not after publication (a future
    date, "cấm biển từ ngày 10/11", is not the day the text speaks from)."""
    def read(match: re.Match[str]) -> date | None:
        try:
            found = date(int(match.group(3) or published.year), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
        return found if found <= published else None
    return read


def _date_of(match: re.Match[str], reference: date) -> date | None:
    """The date of a day/month[/year] match; without a year, the latest such date not after ``reference``."""
    day, month = int(match.group(1)), int(match.group(2))
    try:
        if match.group(3):
            return date(int(match.group(3)), month, day)
        found = date(reference.year, month, day)
        return found if found <= reference else date(reference.year - 1, month, day)
    except ValueError:
        return None


def statement_recency(segment_name: str, lower: str, occ: Occurrence, others: list[tuple[int, int]], published: date,
                      number: DocNumber, phrase: str, *, by_name: bool, featured: bool
                      ) -> tuple[date | None, int | None, str]:
    """(issue date, issue year, how it was known) for one statement, first of the rules of the module docstring."""
    issued = issue_date_near(lower, occ, others, published)
    sentence = lower[occ.sentence_start:occ.sentence_end]
    if issued is None:
        signed = _SIGNED_DATE.search(lower, occ.end, occ.sentence_end)
        if signed and not any(occ.end <= o < signed.start() for o, _ in others):
            issued = _date_of(signed, published)
    if issued is None and number.issue_date is not None and not by_name:
        issued = number.issue_date
    if issued is not None:
        return issued, issued.year, "date"
    if number.year and number.year < published.year - 1:
        return None, number.year, "year in the number"  # "Quyết định số 31/2021/QĐ-TTg" is not this week's
    # "Năm 2026, Chính phủ đã ban hành …": some time that year, not news of this month; only what is said before
    # the number or right after it ("thay thế phiên bản ban hành năm 2021" speaks of another text)
    said = _SAID_YEAR.search(lower[occ.sentence_start:min(occ.sentence_end, occ.end + 30)])
    if said:
        return None, int(said.group(1)), "year said"
    month = _SAID_MONTH.search(lower, occ.sentence_start, occ.sentence_end)
    if month and not about_effect(lower, month.start()) and 1 <= int(month.group(1)) <= 12:
        number_of = int(month.group(1))
        year = int(month.group(2) or month.group(3) or published.year)
        if date(year, number_of, 1) > published:
            year -= 1
        last_day = date(year + number_of // 12, number_of % 12 + 1, 1) - timedelta(days=1)
        return min(last_day, published), year, "month said"  # the latest the month allows
    if _SAME_DAY.search(sentence):
        same_day = next((d for d in map(_on_or_before(published), reversed(list(
            _ANY_DATE.finditer(lower, 0, occ.sentence_start)))) if d is not None), published)
        return same_day, same_day.year, "date"
    recent = [m for m in RECENT_RE.finditer(sentence) if not about_effect(sentence, m.start())]
    if recent or RECENT_RE.search(matching_form(phrase)):
        return published, published.year, "just now"
    if number.year:
        return None, number.year, "year in the number"
    if segment_name in ("title", "lead"):
        return published, published.year, "headline or sapo"
    if featured:
        return published, published.year, "the headline's or sapo's document"
    return None, None, ""
