"""Periodic rules on a schedule: the view they read, and alerts resolved when their condition ends.

The service runs :func:`run_periodic_rules` every few minutes. Each enabled
:class:`~monitor.rules.base.PeriodicRule` checks what holds now through an :class:`ArchiveView`
(the configured sources, the archive's recent publications, the crawl run history); each finding
becomes an alert (or attaches to the open one, within ``realert``), and an open alert whose key is
no longer found is resolved.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from monitor import store
from monitor.rules.base import PeriodicRule
from monitor.rules.source_silence import failures_from_health
from newswatch import localtime
from newswatch.settings import Settings
from newswatch.state import runs
from newswatch.state.db import StateDB

if TYPE_CHECKING:
    from monitor.engine import Alert, Monitor

log = logging.getLogger(__name__)


class ArchiveView:
    """:class:`~monitor.rules.base.PeriodicView` over the archive, the source list and the crawl runs."""

    def __init__(self, settings: Settings, article_store: Any, db: StateDB) -> None:
        self.settings = settings
        self.article_store = article_store
        self.db = db

    def source_names(self) -> list[str]:
        from newswatch.sources import load_sources

        try:
            return [s.name for s in load_sources(self.settings.sources_file)]
        except Exception as exc:  # a broken source file must not stop the checks: the archive's sources remain
            log.warning("source list unavailable (%s); checking the sources seen in the archive", exc)
            return []

    def latest_by_source(self) -> Mapping[str, datetime]:
        return {k: v for k, v in ((k, localtime.utc(v)) for k, v in self.article_store.latest_by_source().items()) if v}

    def published_since(self, since: datetime) -> Mapping[str, list[datetime]]:
        history: dict[str, list[datetime]] = defaultdict(list)
        for article in self.article_store.iter_articles(since=since):
            when = localtime.utc(article.published)
            if when and article.source:
                history[article.source].append(when)
        return history

    def consecutive_failures(self) -> Mapping[str, int]:
        return failures_from_health(runs.source_health(self.db))


def run_periodic_rules(monitor: Monitor, now: datetime | None = None) -> list[Alert]:
    """Check every enabled periodic rule once; resolve its alerts whose condition no longer holds."""
    now = localtime.utc(now) or localtime.utcnow()
    created: list[Alert] = []
    view = monitor.periodic_view()
    for rule in monitor.rules.periodic_rules:
        if not isinstance(rule, PeriodicRule):
            continue
        try:
            findings = rule.check(view, now)
        except Exception:
            log.exception("periodic rule %s failed", rule.name)
            continue
        for finding in findings:
            alert = monitor.record(rule, finding, None, now)
            if alert:
                created.append(alert)
        _resolve_ended(monitor, rule, {f.key for f in findings})
    return created


def _resolve_ended(monitor: Monitor, rule: PeriodicRule, active: set[str]) -> None:
    a = store.alerts.c
    with monitor.db.connect() as conn:
        stale = [r[0] for r in conn.execute(select(a.id).where(a.rule == rule.name, a.status != "resolved",
                                                               a.query_key.not_in(active or {""})))]
    for alert_id in stale:
        with contextlib.suppress(store.InvalidTransition, store.AlertNotFound):
            store.resolve(monitor.db, alert_id, "newswatch (condition ended)")
