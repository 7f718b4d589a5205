"""Rule type ``source_silence``: a source that went quiet for longer than usual, or whose crawls keep failing.

A :class:`~monitor.rules.base.PeriodicRule`: evaluated on a schedule, not per article. A source is
silent when its newest stored article is older than ``cadence_factor`` times its usual gap
between articles (median over ``cadence_window_days``), bounded by ``min_silence`` and
``max_silence``; a source with too little history uses ``max_silence``. A source is failing when
its last ``max_consecutive_failures`` crawls failed (crawl run history). The key is the source
and the condition, and ``realert`` (default 12h) repeats an unresolved condition at most that often.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator

from monitor.rules.base import Finding, PeriodicRule, PeriodicView, parse_duration


def _duration_field(value: str) -> str:
    try:
        parse_duration(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a duration; write it like '30m', '6h', '2d'") from None
    return value


class SourceSilenceRule(PeriodicRule):
    """Configuration of a ``source_silence`` rule."""

    type: Literal["source_silence"]
    severity: Literal["high", "normal", "low", "ops"] = "ops"
    realert: str | None = "12h"
    sources: list[str] = Field(default_factory=list, description="source names; empty = every configured source")
    exclude_sources: list[str] = Field(default_factory=list)
    cadence_factor: float = Field(4.0, gt=1)
    cadence_window_days: int = Field(14, ge=1, le=365)
    min_history: int = Field(5, ge=2, description="articles needed in the window to trust the cadence")
    min_silence: str = "6h"
    max_silence: str = "48h"
    max_consecutive_failures: int = Field(3, ge=1)

    @field_validator("min_silence", "max_silence")
    @classmethod
    def _check_durations(cls, value: str) -> str:
        return _duration_field(value)

    def covers(self, source: str) -> bool:
        return (not self.sources or source in self.sources) and source not in self.exclude_sources

    def threshold(self, published: list[datetime]) -> timedelta:
        """How long this source may stay quiet, from its recent publishing cadence."""
        low = parse_duration(self.min_silence) or timedelta(hours=6)
        high = parse_duration(self.max_silence) or timedelta(hours=48)
        if len(published) < self.min_history:
            return high
        ordered = sorted(published)
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ordered) if b > a]
        if not gaps:
            return high
        usual = timedelta(seconds=statistics.median(gaps) * self.cadence_factor)
        return max(low, min(high, usual))

    def check(self, view: PeriodicView, now: datetime) -> list[Finding]:
        """Sources silent past their usual cadence, or failing their last crawls."""
        latest = view.latest_by_source()
        names = list(dict.fromkeys(view.source_names() + sorted(latest)))
        history = view.published_since(now - timedelta(days=self.cadence_window_days))
        return self.findings(names, latest, history, view.consecutive_failures(), now)

    def findings(
        self,
        sources: list[str],
        latest: Mapping[str, datetime],
        history: Mapping[str, list[datetime]],
        failures: Mapping[str, int],
        now: datetime,
    ) -> list[Finding]:
        findings: list[Finding] = []
        for source in sources:
            if not self.covers(source):
                continue
            failed = failures.get(source, 0)
            if failed >= self.max_consecutive_failures:
                findings.append(Finding(
                    rule=self.name, key=f"{source}:failing",
                    headline=f"Nguồn {source}: {failed} lần thu thập liên tiếp thất bại",
                    evidence=f"{failed} lần thu thập gần nhất của nguồn {source} đều thất bại.",
                    details={"fires": True, "source": source, "condition": "failing", "consecutive_failures": failed},
                ))
            last = latest.get(source)
            limit = self.threshold(history.get(source, []))
            if last is None:
                continue  # never published anything yet: nothing to compare with
            quiet = now - last
            if quiet > limit:
                hours = quiet.total_seconds() / 3600
                findings.append(Finding(
                    rule=self.name, key=f"{source}:silent",
                    headline=f"Nguồn {source} không có bài mới trong {hours:.0f} giờ",
                    evidence=(f"Bài mới nhất của nguồn {source} lúc {last.isoformat(timespec='minutes')}; "
                              f"bình thường không quá {limit.total_seconds() / 3600:.1f} giờ."),
                    details={"fires": True, "source": source, "condition": "silent", "last_article": last.isoformat(),
                             "silent_hours": round(hours, 1), "threshold_hours": round(limit.total_seconds() / 3600, 1)},
                ))
        return findings


def failures_from_health(health: Any) -> dict[str, int]:
    """Consecutive failures per source from ``newswatch.state.runs.source_health(db)``, whatever its shape."""
    out: dict[str, int] = {}
    items = health.items() if isinstance(health, Mapping) else ((None, h) for h in (health or []))
    for name, entry in items:
        get = entry.get if isinstance(entry, Mapping) else lambda k, e=entry: getattr(e, k, None)
        source = name or get("source") or get("name")
        count = get("consecutive_failures")
        if source and isinstance(count, int):
            out[str(source)] = count
    return out
