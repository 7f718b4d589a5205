"""Durations as people write them in configuration and on the command line: 90, "90s", "15m", "6h", "2d", "1w".

One parser for the source file's schedules and politeness, the rule file's ``realert`` and silence
bounds, and the CLI's ``--since 7d``: a number alone is seconds.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$")
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
HINT = "write it like 90, '90s', '15m', '6h', '1d' or '1w'"


def parse_duration(value: str | int | float) -> timedelta:
    """The duration of ``value``; a ValueError that says how to write one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration; {HINT}")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def duration_seconds(value: str | int | float) -> float:
    """The duration of ``value`` in seconds."""
    return parse_duration(value).total_seconds()
