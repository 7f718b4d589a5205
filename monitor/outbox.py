"""The outbox: notifications committed with their alert, then delivered at least once and never resent.

Writing side (:func:`enqueue_alert`) runs inside the transaction that creates the alert, so an
alert never exists without its notifications and no notification is sent for an alert that was
rolled back. Delivery side (:func:`deliver_pending`) may run in several processes at once:

1. a worker *claims* one due row with a single conditional UPDATE (pending and due, or sending
   with an expired lease) that sets ``status='sending'``, its id and a lease; only one worker's
   UPDATE can match, so only one worker sends it;
2. it sends through apprise with the row's idempotency key in headers, payload and text;
3. it marks the row ``sent`` (never picked again) or, on failure, ``pending`` with an
   exponential back-off (``dead`` after ``max_attempts``).

A worker killed between 1 and 3 leaves a ``sending`` row whose lease expires; the next worker
retries it. If the kill came after the receiver got the message, the repeat carries the same
idempotency key, so the receiver can recognise it: delivery is at-least-once, effectively once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from monitor import store
from monitor.config import DeliveryConfig
from monitor.digest import period
from monitor.notify import PermanentError, render, send
from monitor.quiet import release_time
from monitor.rules.base import RuleConfig
from newswatch.settings import Settings
from newswatch.state.db import StateDB, open_state

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
        due = store.utc(release_time(end, quiet, urgent=rule.urgent, tz=tz))
        start, end = store.utc(start), store.utc(end)
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
    due = store.utc(release_time(now, quiet, urgent=rule.urgent, tz=tz))
    held = "quiet" if due > now else None
    for url in urls:
        conn.execute(store.outbox.insert().values(
            idempotency_key=f"nw-{alert_uid}-{_url_hash(url)}", kind="alert", alert_id=alert_id, rule=rule.name,
            severity=rule.severity, url=url, status="pending", held=held, attempts=0, not_before=due,
            created_at=now))
        count += 1
    return count


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _due_ids(conn: Connection, now: datetime, limit: int) -> list[int]:
    o = store.outbox.c
    query = (select(o.id).where(or_(and_(o.status == "pending", o.not_before <= now),
                                    and_(o.status == "sending", o.lease_until < now)))
             .order_by(o.not_before, o.id).limit(limit))
    return [row[0] for row in conn.execute(query)]


def claim(db: StateDB, row_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
    """Atomically take one due row; True if this worker now owns it."""
    o = store.outbox.c
    with db.begin() as conn:
        result = conn.execute(
            update(store.outbox)
            .where(o.id == row_id)
            .where(or_(and_(o.status == "pending", o.not_before <= now), and_(o.status == "sending", o.lease_until < now)))
            .values(status="sending", lease_owner=worker, lease_until=now + lease, attempts=o.attempts + 1, held=None))
        return result.rowcount == 1


def _finish(db: StateDB, row_id: int, worker: str, values: dict[str, Any]) -> bool:
    o = store.outbox.c
    with db.begin() as conn:
        result = conn.execute(update(store.outbox).where(o.id == row_id, o.lease_owner == worker, o.status == "sending")
                              .values(**values))
        return result.rowcount == 1


def _message(db: StateDB, row: Any) -> tuple[Any, bool]:
    """Render the notification of an outbox row; returns (Rendered, urgent)."""
    if row["kind"] == "digest":
        a = store.alerts.c
        with db.connect() as conn:
            ids = [r[0] for r in conn.execute(
                select(a.id).where(a.rule == row["rule"], a.created_at >= row["period_start"],
                                   a.created_at < row["period_end"]).order_by(a.created_at, a.id))]
        items = [store.get_alert(db, i) for i in ids]
        context = {"rule": row["rule"], "period": "hourly" if (store.utc(row["period_end"]) - store.utc(row["period_start"]))
                   <= timedelta(hours=1) else "daily", "alerts": [i for i in items if i],
                   "start": store.utc(row["period_start"]), "end": store.utc(row["period_end"]),
                   "severity": row["severity"], "idempotency_key": row["idempotency_key"]}
        return render("digest", context), row["severity"] == "high"
    alert = store.get_alert(db, row["alert_id"])
    if alert is None:
        raise PermanentError(f"alert {row['alert_id']} no longer exists")
    return render("alert", {"alert": alert, "idempotency_key": row["idempotency_key"]}), alert["severity"] == "high"


def _delivery_config(settings: Settings) -> DeliveryConfig:
    from monitor.engine import RuleLoader

    try:
        return RuleLoader(settings).current().delivery
    except Exception:
        return DeliveryConfig()


def deliver_pending(settings: Settings, *, now: datetime | None = None, limit: int = 200,
                    delivery: DeliveryConfig | None = None, worker: str | None = None) -> dict[str, int]:
    """Send every due notification once; returns counts (sent, retry, dead, lost_lease, due)."""
    db = open_state(settings.state_url)
    now = store.utc(now)
    cfg = delivery or _delivery_config(settings)
    worker = worker or worker_id()
    counts = {"due": 0, "sent": 0, "retry": 0, "dead": 0, "lost_lease": 0}
    with db.connect() as conn:
        ids = _due_ids(conn, now or store.now_utc(), limit)
    counts["due"] = len(ids)
    for row_id in ids:
        at = now or store.now_utc()
        if not claim(db, row_id, worker, at, timedelta(seconds=cfg.lease_seconds)):
            continue  # another worker took it
        with db.connect() as conn:
            row = conn.execute(select(store.outbox).where(store.outbox.c.id == row_id)).mappings().one()
        try:
            message, urgent = _message(db, row)
            ok, error = send(row["url"], message, row["idempotency_key"], timeout=cfg.timeout_seconds, urgent=urgent)
            permanent = False
        except PermanentError as exc:
            ok, error, permanent = False, str(exc), True
        except Exception as exc:  # rendering or plugin failure: retry later, never crash the worker
            log.exception("notification %s failed to render or send", row["idempotency_key"])
            ok, error, permanent = False, f"{type(exc).__name__}: {exc}", False
        done_at = now or store.now_utc()
        if ok:
            values = {"status": "sent", "sent_at": done_at, "lease_until": None, "last_error": None}
            outcome = "sent"
        elif permanent or row["attempts"] >= cfg.max_attempts:
            values = {"status": "dead", "lease_until": None, "last_error": error}
            outcome = "dead"
        else:
            delay = min(cfg.backoff_max_seconds, cfg.backoff_seconds * 2 ** max(0, row["attempts"] - 1))
            values = {"status": "pending", "not_before": done_at + timedelta(seconds=delay), "lease_until": None,
                      "last_error": error}
            outcome = "retry"
        if _finish(db, row_id, worker, values):
            counts[outcome] += 1
            level = logging.INFO if ok else logging.WARNING
            log.log(level, "notification %s (%s) -> %s%s", row["idempotency_key"], store.mask_url(row["url"]), outcome,
                    f": {error}" if error else "")
        else:
            counts["lost_lease"] += 1
            log.warning("notification %s: lease expired during the send; another worker owns it now",
                        row["idempotency_key"])
    return counts
