"""Quiet hours in local time (the configured ``timezone``): when a non-urgent notification may go out.

``settings.service.quiet_hours`` (``start``/``end`` as HH:MM, may wrap midnight, e.g. 22:00-06:30)
holds non-urgent notifications until the end of the quiet period; urgent ones (severity high)
go out at once. ``quiet_hours: null`` in newswatch.yaml turns the feature off.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from newswatch.settings import TIMEZONE, QuietHours


def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours) % 24, int(minutes))


def quiet_until(when: datetime, quiet: QuietHours | None, tz: str = TIMEZONE) -> datetime | None:
    """The end of the quiet period ``when`` falls in (aware, same instant semantics), or None if not quiet."""
    if quiet is None:
        return None
    zone = ZoneInfo(tz)
    local = when.astimezone(zone)
    start, end = _hm(quiet.start), _hm(quiet.end)
    if start == end:
        return None
    now_t = local.time()
    if start < end:
        inside = start <= now_t < end
        end_day = local.date()
    else:  # wraps midnight
        inside = now_t >= start or now_t < end
        end_day = local.date() + timedelta(days=1) if now_t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone)


def release_time(when: datetime, quiet: QuietHours | None, *, urgent: bool, tz: str = TIMEZONE) -> datetime:
    """When a notification created (or due) at ``when`` may be sent."""
    if urgent:
        return when
    until = quiet_until(when, quiet, tz)
    return until if until is not None else when
