"""Delivering the outbox's notifications at least once, effectively once, from any number of processes.

:func:`deliver_pending` may run in several processes at once:

1. a worker *claims* one due row with a single conditional UPDATE (pending and due, or sending
   with an expired lease) that sets ``status='sending'``, its id and a lease; only one worker's
   UPDATE can match, so only one worker sends it;
2. it sends through apprise with the row's idempotency key in headers, payload and text;
3. it marks the row ``sent`` (never picked again) or, on failure, ``pending`` with an
   exponential back-off (``dead`` after ``max_attempts``).

A worker killed between 1 and 3 leaves a ``sending`` row whose lease expires; the next worker
retries it. If the kill came after the receiver got the message, the repeat carries the same
idempotency key, so the receiver can recognise it: delivery is at-least-once, effectively once.
The rows are written by :mod:`monitor.outbox`.
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

from monitor import store
from monitor.config import DeliveryConfig
from monitor.notify import PermanentError, render, send
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
    from monitor.loader import RuleLoader

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
