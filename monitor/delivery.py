"""Delivering the outbox's notifications at least once, effectively once, from any number of processes.

:func:`deliver_pending` may run in several processes at once:

1. a worker *claims* one due row with a single conditional UPDATE (pending and due, or sending
   with an expired lease) that sets ``status='sending'``, its id and a lease; only one worker's
   UPDATE can match, so only one worker sends it;
2. it sends through apprise (or :mod:`monitor.zalo` for ``zalo://`` targets) with the row's
   idempotency key in headers, payload and text;
3. it marks the row ``sent`` (never picked again) or, on failure, ``pending`` with an
   exponential back-off (``dead`` after ``max_attempts``).

A worker killed between 1 and 3 leaves a ``sending`` row whose lease expires; the next worker
retries it. If the kill came after the receiver got the message, the repeat carries the same
idempotency key, so the receiver can recognise it: delivery is at-least-once, effectively once.
The rows are written by :mod:`monitor.outbox` (alerts, their "confirmed" follow-ups, digests), :mod:`monitor.briefing` (the
daily briefing) and :mod:`monitor.channels` (test notifications). Each finished send is also
recorded as its channel's last result (:func:`monitor.channels.record`).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from monitor import channels, store, zalo
from monitor.config import DeliveryConfig
from monitor.notify import PermanentError, Rendered, render, send
from newswatch import localtime
from newswatch.settings import Settings
from newswatch.state.db import StateDB, open_state

log = logging.getLogger(__name__)


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


def _message(db: StateDB, row: Any, settings: Settings | None = None) -> tuple[Any, bool]:
    """Render the notification of an outbox row in the configured time zone; returns (Rendered, urgent)."""
    tz = localtime.zone_of(settings)
    if row["kind"] == "digest":
        a = store.alerts.c
        with db.connect() as conn:
            ids = [r[0] for r in conn.execute(
                select(a.id).where(a.rule == row["rule"], a.created_at >= row["period_start"],
                                   a.created_at < row["period_end"]).order_by(a.created_at, a.id))]
        items = [store.get_alert(db, i) for i in ids]
        context = {"rule": row["rule"], "period": "hourly" if (localtime.utc(row["period_end"]) - localtime.utc(row["period_start"]))
                   <= timedelta(hours=1) else "daily", "alerts": [i for i in items if i],
                   "start": localtime.utc(row["period_start"]), "end": localtime.utc(row["period_end"]),
                   "severity": row["severity"], "idempotency_key": row["idempotency_key"]}
        return render("digest", context, tz), row["severity"] == "high"
    if row["kind"] == "briefing":
        if settings is None:
            raise PermanentError("a briefing needs the settings to find the archive")
        from monitor.briefing import build

        report = build(settings, localtime.utc(row["period_start"]), localtime.utc(row["period_end"]))
        return render("briefing", {"briefing": report, "idempotency_key": row["idempotency_key"]}, tz), False
    if row["kind"] == "test":
        return render("test", {"created_at": localtime.utc(row["created_at"]), "target": store.mask_url(row["url"]),
                               "idempotency_key": row["idempotency_key"]}, tz), False
    alert = store.get_alert(db, row["alert_id"])
    if alert is None:
        raise PermanentError(f"alert {row['alert_id']} no longer exists")
    kind = "confirmed" if row["kind"] == "confirmed" else "alert"  # confirmed: the official-source follow-up
    return (render(kind, {"alert": alert, "idempotency_key": row["idempotency_key"]}, tz),
            alert["severity"] == "high" and kind == "alert")


def send_one(db: StateDB, url: str, message: Rendered, key: str, *, timeout: float, urgent: bool) -> tuple[bool, str]:
    """Send through the channel ``url`` names: the Zalo OA notifier for ``zalo://``, apprise for the rest."""
    if zalo.is_zalo(url):
        try:
            return zalo.send(db, url, message.subject, message.text, key, timeout=timeout)
        except zalo.ZaloConfigError as exc:
            raise PermanentError(str(exc)) from None
    return send(url, message, key, timeout=timeout, urgent=urgent)


def _delivery_config(settings: Settings) -> DeliveryConfig:
    from monitor.loader import RuleLoader

    try:
        return RuleLoader(settings).current().delivery
    except Exception:
        return DeliveryConfig()


def deliver_pending(settings: Settings, *, now: datetime | None = None, limit: int = 200,
                    delivery: DeliveryConfig | None = None, worker: str | None = None,
                    only: list[int] | None = None) -> dict[str, int]:
    """Send every due notification once (``only``: just these outbox rows); returns counts
    (sent, retry, dead, lost_lease, due)."""
    db = open_state(settings.state_url)
    now = localtime.utc(now)
    cfg = delivery or _delivery_config(settings)
    worker = worker or worker_id()
    counts = {"due": 0, "sent": 0, "retry": 0, "dead": 0, "lost_lease": 0}
    with db.connect() as conn:
        ids = _due_ids(conn, now or localtime.utcnow(), limit)
    if only is not None:
        ids = [i for i in ids if i in set(only)]
    counts["due"] = len(ids)
    for row_id in ids:
        at = now or localtime.utcnow()
        if not claim(db, row_id, worker, at, timedelta(seconds=cfg.lease_seconds)):
            continue  # another worker took it
        with db.connect() as conn:
            row = conn.execute(select(store.outbox).where(store.outbox.c.id == row_id)).mappings().one()
        try:
            message, urgent = _message(db, row, settings)
            ok, error = send_one(db, row["url"], message, row["idempotency_key"], timeout=cfg.timeout_seconds,
                                 urgent=urgent)
            permanent = False
        except PermanentError as exc:
            ok, error, permanent = False, str(exc), True
        except Exception as exc:  # rendering or plugin failure: retry later, never crash the worker
            log.exception("notification %s failed to render or send", row["idempotency_key"])
            ok, error, permanent = False, f"{type(exc).__name__}: {exc}", False
        done_at = now or localtime.utcnow()
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
            channels.record(db, row["url"], kind=row["kind"], ok=ok, error=error, at=done_at,
                            key=row["idempotency_key"])
            level = logging.INFO if ok else logging.WARNING
            log.log(level, "notification %s (%s) -> %s%s", row["idempotency_key"], store.mask_url(row["url"]), outcome,
                    f": {error}" if error else "")
        else:
            counts["lost_lease"] += 1
            log.warning("notification %s: lease expired during the send; another worker owns it now",
                        row["idempotency_key"])
    return counts
