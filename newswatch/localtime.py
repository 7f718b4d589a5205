"""One time zone for every time a person reads: CLI, JSON, Atom, notifications and the UI.

The zone is ``timezone`` in ``config/newswatch.yaml`` (``settings.service.timezone``, default
Asia/Ho_Chi_Minh). Times are stored in UTC; everything shown goes through :func:`local`,
:func:`human` or :func:`iso`, so a press officer never reads a UTC time as a local one. JSON keeps
ISO 8601 with the zone's offset (``2026-12-05T05:30:00+07:00``): the same instant, readable as is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from newswatch.settings import TIMEZONE

DEFAULT_ZONE = TIMEZONE  # the one default; a deployment sets ``timezone`` in newswatch.yaml
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


@lru_cache(maxsize=16)
def zone(name: str | None = None) -> ZoneInfo:
    """The ZoneInfo of ``name`` (the configured zone's name), cached."""
    return ZoneInfo(name or DEFAULT_ZONE)


def zone_of(settings: Any) -> ZoneInfo:
    """The configured zone of a :class:`newswatch.settings.Settings`."""
    return zone(getattr(getattr(settings, "service", None), "timezone", None) or DEFAULT_ZONE)


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from a datetime, an ISO string or epoch seconds; naive values are UTC (how they are stored)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def local(value: Any, tz: ZoneInfo) -> datetime | None:
    moment = as_datetime(value)
    return moment.astimezone(tz) if moment else None


def human(value: Any, tz: ZoneInfo, *, fmt: str = "%d/%m/%Y %H:%M", empty: str = "—") -> str:
    """``05/12/2026 05:30`` in the configured zone (how the press office reads times)."""
    moment = local(value, tz)
    return moment.strftime(fmt) if moment else empty


def iso(value: Any, tz: ZoneInfo) -> str | None:
    """ISO 8601 in the configured zone, with its offset."""
    moment = local(value, tz)
    return moment.isoformat() if moment else None


def localize(data: Any, tz: ZoneInfo) -> Any:
    """A JSON-ready copy of ``data`` whose datetimes and ISO time strings are in ``tz`` with the offset."""
    if isinstance(data, dict):
        return {k: localize(v, tz) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [localize(v, tz) for v in data]
    if isinstance(data, datetime):
        return iso(data, tz)
    if isinstance(data, str) and len(data) >= 16 and _ISO_RE.match(data):
        return iso(data, tz) or data
    return data


def utcnow() -> datetime:
    """Now, timezone-aware UTC: what every stored time is."""
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """Timezone-aware UTC (SQLite returns naive datetimes, which are stored as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
