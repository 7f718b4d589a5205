"""Vietnamese date and time strings as news pages print them, parsed without guessing.

Handles the formats of the domain notes (§3.2): "19/05/2021 11:45", "Thứ hai, 22/4/2024, 10:00 (GMT+7)",
"Thứ Sáu, 26/12/2025 - 22:10", "10:00 22/04/2024", "Cập nhật: 08:15 ngày 19/07/2024",
"ngày 17 tháng 2 năm 2017", ISO 8601 ("2024-04-22T10:00:00+07:00"). Day first, always; a time zone
written on the page ("GMT+7", "+07:00", "Z") wins, otherwise the given zone applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from newswatch.text.normalize import normalize_text

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_TIME = r"(?P<H>\d{1,2})\s*(?:[:h]|giờ)\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?(?:\s*(?P<ampm>AM|PM|SA|CH))?"
_DMY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})"
_DMY_WORDS = r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*(?:,|\s)\s*(?:năm\s+)?(?P<y>(?:19|20)\d{2})"
_GMT = r"(?:\(?\s*(?:GMT|UTC)\s*(?P<gmt>[+-]\s*\d{1,2})(?::?(?P<gmtm>\d{2}))?\s*\)?)"

# date then time: "22/4/2024, 10:00 (GMT+7)", "26/12/2025 - 22:10", "03/03/2025 16:51"
_DATE_TIME = re.compile(rf"(?<!\d){_DMY}(?!\d)(?:\s*(?:[,|\-–]|lúc)?\s*{_TIME})?(?:\s*{_GMT})?", re.I)
# time then date: "10:00 22/04/2024", "08:15 ngày 19/07/2024"
_TIME_DATE = re.compile(rf"(?<!\d){_TIME}\s*(?:[,|\-–]\s*)?(?:ngày\s*)?(?:[^\d\s]{{1,10}}\s*,?\s*)?{_DMY}(?!\d)"
                        rf"(?:\s*{_GMT})?", re.I)
_WORDS = re.compile(rf"(?<!\d){_DMY_WORDS}(?:\s*(?:[,|\-–]|lúc)?\s*{_TIME})?", re.I)
_ISO = re.compile(r"(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})"
                  r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
                  r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?")
_WEEKDAY = re.compile(r"\b(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|T[2-7]|CN)\b", re.I)


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: the datetime (aware), whether a time of day was given, and whether a zone was."""

    value: datetime
    has_time: bool
    has_zone: bool


def _zone(gmt: str | None, gmtm: str | None) -> tzinfo | None:
    if not gmt:
        return None
    hours = int(gmt.replace(" ", ""))
    minutes = int(gmtm or 0) * (1 if hours >= 0 else -1)
    return timezone(timedelta(hours=hours, minutes=minutes))


def _build(groups: dict[str, str | None], tz: tzinfo, zone: tzinfo | None) -> ParsedDate | None:
    try:
        hour = int(groups.get("H") or 0)
        ampm = (groups.get("ampm") or "").upper()
        if ampm in ("PM", "CH") and hour < 12:
            hour += 12
        elif ampm in ("AM", "SA") and hour == 12:
            hour = 0
        naive = datetime(int(groups["y"] or 0), int(groups["m"] or 0), int(groups["d"] or 0), hour,
                         int(groups.get("M") or 0), int(groups.get("S") or 0))
    except (TypeError, ValueError):
        return None
    has_time = groups.get("H") is not None
    return ParsedDate(naive.replace(tzinfo=zone or tz), has_time, zone is not None)


def parse_iso(text: str, tz: tzinfo = DEFAULT_TZ) -> ParsedDate | None:
    """An ISO 8601 date or date-time ("2024-04-22", "2024-04-22T10:00:00+07:00", "...Z")."""
    match = _ISO.search(text or "")
    if not match:
        return None
    groups = match.groupdict()
    zone: tzinfo | None = None
    if groups.get("tz"):
        raw = groups["tz"]
        if raw == "Z":
            zone = UTC
        else:
            sign = 1 if raw[0] == "+" else -1
            digits = raw[1:].replace(":", "")
            zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
    return _build(groups, tz, zone)


def parse_vi_datetime(text: str, tz: tzinfo = DEFAULT_TZ) -> ParsedDate | None:
    """The first date (with its time, when printed next to it) in a short Vietnamese date line."""
    text = normalize_text(text or "")
    if not text:
        return None
    candidates = []
    for pattern in (_TIME_DATE, _DATE_TIME, _WORDS):
        match = pattern.search(text)
        if match:
            candidates.append(match)
    if not candidates:
        return parse_iso(text, tz)
    # The earliest match; at equal start prefer the one that carries a time.
    match = min(candidates, key=lambda m: (m.start(), m.groupdict().get("H") is None))
    groups = match.groupdict()
    return _build(groups, tz, _zone(groups.get("gmt"), groups.get("gmtm")))


def looks_like_date_line(text: str) -> bool:
    """True for a short line that is only a date (with weekday/time), e.g. "Thứ hai, 03/03/2025 16:51"."""
    text = normalize_text(text or "").strip()
    if not text or len(text) > 60:
        return False
    rest = _WEEKDAY.sub(" ", text)
    for pattern in (_TIME_DATE, _DATE_TIME, _WORDS):
        rest = pattern.sub(" ", rest)
    rest = re.sub(r"(?i)\b(?:cập nhật|đăng|ngày|lúc|giờ|gmt\s*[+-]\d+)\b|[\s,|:()+\-–/]", "", rest)
    return rest == "" and bool(_DATE_TIME.search(text) or _WORDS.search(text) or _TIME_DATE.search(text))
