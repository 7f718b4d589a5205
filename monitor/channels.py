"""Notification channels as a person sees them: which are configured, how each one last fared, a test message.

A *channel* is one target URL: an apprise URL (``mailto://``, ``tgram://``, ``json://`` …) or a
Zalo OA URL (``zalo://``), from ``NEWSWATCH_NOTIFY_URLS`` or from a rule's ``notify`` list.

* :func:`configured` lists them (targets masked), with where each comes from.
* :func:`record` keeps each channel's **last delivery result** (sent or failed, when, the error)
  in ``monitor_state`` (key ``channel:<hash>``); :mod:`monitor.delivery` calls it after each send.
* :func:`send_test` puts one test notification per channel into the outbox and delivers it at
  once, through the same claim/send/mark path as an alert (``newswatch notify test`` and the
  "Gửi thông báo thử" button on the alerts page).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from monitor import store
from newswatch import localtime
from newswatch.settings import Settings
from newswatch.state.db import StateDB, open_state

log = logging.getLogger(__name__)

SETUP_HINT = ("Đặt biến môi trường NEWSWATCH_NOTIFY_URLS (ví dụ mailto://user:pass@mail.example.vn, "
              "tgram://BOT_TOKEN/CHAT_ID hoặc zalo://APP_ID:SECRET_KEY@USER_ID?refresh_token=…) rồi khởi động lại; "
              "hoặc thêm notify: vào một quy tắc trong rules.yaml.")


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


def _state_key(url: str) -> str:
    return f"channel:{url_hash(url)}"


def configured(settings: Settings) -> list[dict[str, Any]]:
    """Every channel the service would send to: ``url`` (secret), ``target`` (masked) and ``origin``."""
    found: dict[str, list[str]] = {}
    for url in settings.notify_urls:
        if url:
            found.setdefault(url, []).append("NEWSWATCH_NOTIFY_URLS")
    try:
        from monitor.loader import RuleLoader

        for rule in RuleLoader(settings).current().rules:
            if rule.enabled:
                for url in rule.notify:
                    found.setdefault(url, []).append(f"quy tắc {rule.name}")
    except Exception as exc:  # a broken rule file: the service's own channels still count
        log.debug("rules not readable for channels: %s", exc)
    return [{"url": url, "target": store.mask_url(url), "origin": ", ".join(origins), "hash": url_hash(url)}
            for url, origins in found.items()]


def record(db: StateDB, url: str, *, kind: str, ok: bool, error: str, at: datetime, key: str) -> None:
    """Keep ``url``'s last delivery result (never fails the caller)."""
    value = json.dumps({"target": store.mask_url(url), "kind": kind, "ok": ok, "error": error or "",
                        "at": localtime.utc(at).isoformat(), "key": key}, ensure_ascii=False)
    try:
        with db.begin() as conn:
            store.set_state(conn, _state_key(url), value)
    except Exception as exc:
        log.warning("could not record the delivery result of %s: %s", store.mask_url(url), exc)


def last_result(db: StateDB, url: str) -> dict[str, Any] | None:
    with db.connect() as conn:
        raw = store.get_state(conn, _state_key(url))
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def status(settings: Settings, db: StateDB | None = None) -> list[dict[str, Any]]:
    """The configured channels, each with ``last`` (its last delivery result, or None) and ``waiting``
    (notifications in its outbox queue)."""
    db = db or open_state(settings.state_url)
    rows = configured(settings)
    o = store.outbox.c
    with db.connect() as conn:
        pending = {}
        for url, in conn.execute(select(o.url).where(o.status.in_(("pending", "sending")))):
            pending[url] = pending.get(url, 0) + 1
    for row in rows:
        row["last"] = last_result(db, row["url"])
        row["waiting"] = pending.get(row["url"], 0)
    return rows


def send_test(settings: Settings, *, user: str = "", now: datetime | None = None) -> list[dict[str, Any]]:
    """One test notification to every configured channel, delivered now; returns each channel's result."""
    from monitor.delivery import deliver_pending

    db = open_state(settings.state_url)
    now = localtime.utc(now) or localtime.utcnow()
    targets = configured(settings)
    ids = []
    with db.begin() as conn:
        for channel in targets:
            key = f"nw-test-{now.strftime('%Y%m%dT%H%M%S%f')}-{channel['hash']}"
            result = conn.execute(store.outbox.insert().values(
                idempotency_key=key, kind="test", alert_id=None, rule="test", severity="normal",
                url=channel["url"], status="pending", held=None, attempts=0, not_before=now, created_at=now))
            ids.append(int(result.inserted_primary_key[0]))
    if ids:
        deliver_pending(settings, only=ids)
        with db.begin() as conn:  # a test that failed is reported now, not retried later
            conn.execute(store.outbox.update().where(store.outbox.c.id.in_(ids), store.outbox.c.status == "pending")
                         .values(status="dead", lease_until=None))
        log.info("test notification to %d channel(s)%s", len(ids), f" by {user}" if user else "")
    results = []
    for channel, row_id in zip(targets, ids, strict=True):
        with db.connect() as conn:
            row = conn.execute(select(store.outbox).where(store.outbox.c.id == row_id)).mappings().one()
        results.append({"target": channel["target"], "origin": channel["origin"],
                        "ok": row["status"] == "sent", "status": row["status"], "error": row["last_error"] or "",
                        "key": row["idempotency_key"]})
    return results
