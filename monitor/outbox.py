"""The outbox: notifications committed with their alert, then delivered at least once and never resent.

This module is the writing side: :func:`enqueue_alert` runs inside the transaction that creates the
alert (and :func:`enqueue_confirmed` inside the one that marks it confirmed by an official source), so an alert never exists without its notifications and no notification is sent for an alert
that was rolled back. The delivery side is :mod:`monitor.delivery` (kept apart so that crawl
processes, which only enqueue, never load apprise and the templates).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor import store
from monitor.digest import period
from monitor.quiet import release_time
from monitor.rules.base import RuleConfig
from newswatch import localtime
from newswatch.settings import Settings

log = logging.getLogger(__name__)


def targets(rule: RuleConfig, settings: Settings) -> list[str]:
    """The apprise URLs a rule's notifications go to: its own, plus the service's unless it opts out."""
    urls = list(rule.notify) + (list(settings.notify_urls) if rule.notify_default else [])
    return list(dict.fromkeys(u for u in urls if u))


def _url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


def enqueue_alert(conn: Connection, *, alert_id: int, alert_uid: str, rule: RuleConfig, settings: Settings,
                  now: datetime) -> int:
    """Create the alert's outbox rows in the caller's transaction; returns how many."""
    urls = targets(rule, settings)
    if not urls:
        return 0
    quiet = settings.service.quiet_hours
    tz = settings.service.timezone
    count = 0
    if rule.digest != "none":
        start, end = period(now, rule.digest, tz)
        due = localtime.utc(release_time(end, quiet, urgent=rule.urgent, tz=tz))
        start, end = localtime.utc(start), localtime.utc(end)
        for url in urls:
            key = f"nw-digest-{rule.name}-{rule.digest}-{start.strftime('%Y%m%dT%H%M%z')}-{_url_hash(url)}"
            exists = conn.execute(select(store.outbox.c.id).where(store.outbox.c.idempotency_key == key)).first()
            if exists:
                continue
            conn.execute(store.outbox.insert().values(
                idempotency_key=key, kind="digest", alert_id=None, rule=rule.name, severity=rule.severity, url=url,
                period_start=start, period_end=end, status="pending", held="digest", attempts=0, not_before=due,
                created_at=now))
            count += 1
        return count
    due = localtime.utc(release_time(now, quiet, urgent=rule.urgent, tz=tz))
    held = "quiet" if due > now else None
    for url in urls:
        conn.execute(store.outbox.insert().values(
            idempotency_key=f"nw-{alert_uid}-{_url_hash(url)}", kind="alert", alert_id=alert_id, rule=rule.name,
            severity=rule.severity, url=url, status="pending", held=held, attempts=0, not_before=due,
            created_at=now))
        count += 1
    return count


def enqueue_confirmed(conn: Connection, *, alert_id: int, alert_uid: str, rule: RuleConfig, settings: Settings,
                      now: datetime) -> int:
    """The short "confirmed by an official source" follow-up of an alert, on the alert's channels; returns how many.

    Once per alert and channel: its idempotency key is fixed by the alert (``nw-<uid>-confirmed-<url>``) and a
    row that exists is never added again. A rule with a digest gets none (its alerts are read in the digest,
    and the alert page shows the confirmation). Held by quiet hours like the alert itself.
    """
    if rule.digest != "none":
        return 0
    urls = targets(rule, settings)
    quiet = settings.service.quiet_hours
    tz = settings.service.timezone
    due = localtime.utc(release_time(now, quiet, urgent=rule.urgent, tz=tz))
    held = "quiet" if due > now else None
    count = 0
    for url in urls:
        key = f"nw-{alert_uid}-confirmed-{_url_hash(url)}"
        if conn.execute(select(store.outbox.c.id).where(store.outbox.c.idempotency_key == key)).first():
            continue
        conn.execute(store.outbox.insert().values(
            idempotency_key=key, kind="confirmed", alert_id=alert_id, rule=rule.name, severity=rule.severity, url=url,
            status="pending", held=held, attempts=0, not_before=due, created_at=now))
        count += 1
    return count
