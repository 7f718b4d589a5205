"""Digest periods: hourly and daily windows in local time (the configured ``timezone``) for rules with ``digest:``.

An alert of a digest rule gets no notification of its own; instead the first alert of a window
creates one outbox row per target for the window (idempotency key = rule + window + target),
due at the window's end. When it is sent, it lists every alert of the rule created in the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from newswatch.settings import TIMEZONE


def period(when: datetime, kind: str, tz: str = TIMEZONE) -> tuple[datetime, datetime]:
    """The [start, end) window of kind ``hourly``/``daily`` containing ``when`` (local time boundaries)."""
    local = when.astimezone(ZoneInfo(tz))
    if kind == "hourly":
        start = local.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    if kind == "daily":
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=1)
    raise ValueError(f"unknown digest period {kind!r}")
