"""Zalo Official Account notifier: the OA message API with an access token that renews itself.

Zalo, the messenger Vietnamese offices use most, has no apprise plugin, so this module sends one
notification through the OA API itself. A target is written like an apprise URL and goes in
``NEWSWATCH_NOTIFY_URLS`` or a rule's ``notify`` list::

    zalo://APP_ID:SECRET_KEY@USER_ID?refresh_token=R[&access_token=A]

One URL per recipient (the user id that follows the OA): the outbox then tracks each recipient's
delivery on its own row, so a retry never repeats a message to a recipient who already has it.

* **Send**: ``POST {api}/v3.0/oa/message/cs`` with header ``access_token`` and the JSON body
  ``{"recipient": {"user_id": ...}, "message": {"text": ...}}``. Zalo answers
  ``{"error": 0, "message": "Success", "data": {"message_id": ..., "user_id": ...}}``; any other
  ``error`` is a failure (``-216``/``-124``: the access token is invalid or expired).
* **Refresh**: ``POST {oauth}/v4/oa/access_token`` with header ``secret_key`` and the form
  ``refresh_token, app_id, grant_type=refresh_token``. Zalo answers ``{"access_token", "refresh_token",
  "expires_in"}`` (seconds, as a string). A refresh token works **once**: the new pair is kept in
  the state DB (``monitor_state``, key ``zalo:token:<app_id>``), so a restart or another worker
  uses the new one rather than the spent one from the URL.

The outbox guarantees are those of every channel (:mod:`monitor.delivery`): the row is claimed
before the send and marked after it, and the text carries the idempotency key ("Mã thông báo").
``api_url`` and ``oauth_url`` query parameters point the notifier elsewhere (a proxy, or the
loopback server of the tests).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from monitor import store
from newswatch import localtime
from newswatch.state.db import StateDB

log = logging.getLogger(__name__)

API_URL = "https://openapi.zalo.me"
OAUTH_URL = "https://oauth.zaloapp.com"
TEXT_LIMIT = 2000  # characters of one OA text message
TOKEN_ERRORS = {-216, -124, -220}  # access token invalid / expired / revoked: refresh and retry once


class ZaloConfigError(ValueError):
    """The zalo:// URL cannot work as written."""


@dataclass(frozen=True)
class ZaloTarget:
    app_id: str
    secret_key: str
    user_ids: tuple[str, ...]
    refresh_token: str
    access_token: str
    api_url: str
    oauth_url: str

    @property
    def state_key(self) -> str:
        return f"zalo:token:{self.app_id}"


def is_zalo(url: str) -> bool:
    return url.strip().lower().startswith("zalo://")


def parse(url: str) -> ZaloTarget:
    """The parts of a ``zalo://APP_ID:SECRET@USER_ID?refresh_token=...`` URL, or ZaloConfigError saying what is missing."""
    parts = urlsplit(url.strip())
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    app_id, secret = unquote(parts.username or ""), unquote(parts.password or "")
    users = tuple(u for u in [unquote(parts.hostname or "") if parts.hostname else ""]
                  + [unquote(p) for p in parts.path.split("/")] if u)
    missing = [name for name, value in (("APP_ID", app_id), ("SECRET_KEY", secret), ("USER_ID", users)) if not value]
    if not (query.get("refresh_token") or query.get("access_token")):
        missing.append("refresh_token (or access_token)")
    if len(users) > 1:
        raise ZaloConfigError("a zalo URL names one recipient; write one zalo://APP_ID:SECRET_KEY@USER_ID URL each")
    if missing:
        raise ZaloConfigError("zalo URL lacks " + ", ".join(missing)
                              + "; write zalo://APP_ID:SECRET_KEY@USER_ID?refresh_token=...")
    return ZaloTarget(app_id=app_id, secret_key=secret, user_ids=users, refresh_token=query.get("refresh_token", ""),
                      access_token=query.get("access_token", ""),
                      api_url=query.get("api_url", API_URL).rstrip("/"),
                      oauth_url=query.get("oauth_url", OAUTH_URL).rstrip("/"))


def mask(url: str) -> str:
    """The URL for display: app id and recipients, never a secret or token."""
    try:
        target = parse(url)
    except ZaloConfigError:
        return "zalo://…"
    return f"zalo://{target.app_id}:****@{'/'.join(target.user_ids)}"


def fit(text: str, key: str) -> str:
    """The text cut to Zalo's limit, keeping the idempotency-key line at its end."""
    if len(text) <= TEXT_LIMIT:
        return text
    tail = f"\n…\nMã thông báo: {key}"
    return text[: TEXT_LIMIT - len(tail)].rstrip() + tail


# -- tokens ------------------------------------------------------------------------------------------

def _stored(db: StateDB, target: ZaloTarget) -> dict[str, Any]:
    with db.connect() as conn:
        raw = store.get_state(conn, target.state_key)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def _save(db: StateDB, target: ZaloTarget, tokens: dict[str, Any]) -> None:
    with db.begin() as conn:
        store.set_state(conn, target.state_key, json.dumps(tokens))


def refresh(db: StateDB, target: ZaloTarget, *, timeout: float = 20.0) -> str:
    """Exchange the newest refresh token for a new pair, keep it, and return the new access token."""
    known = _stored(db, target)
    refresh_token = known.get("refresh_token") or target.refresh_token
    if not refresh_token:
        raise RuntimeError("no refresh token to renew the Zalo access token; add refresh_token=... to the URL")
    response = requests.post(f"{target.oauth_url}/v4/oa/access_token", timeout=timeout,
                             headers={"secret_key": target.secret_key},
                             data={"refresh_token": refresh_token, "app_id": target.app_id,
                                   "grant_type": "refresh_token"})
    try:
        body = response.json()
    except ValueError:
        body = {}
    token = body.get("access_token") if isinstance(body, dict) else None
    if response.status_code != 200 or not token:
        reason = (body.get("error_description") or body.get("error_name") or body.get("message")
                  if isinstance(body, dict) else None) or f"HTTP {response.status_code}"
        raise RuntimeError(f"Zalo token refresh failed: {reason} (error {body.get('error', '?')})"
                           if isinstance(body, dict) else f"Zalo token refresh failed: {reason}")
    try:
        lifetime = int(body.get("expires_in") or 3600)
    except (TypeError, ValueError):
        lifetime = 3600
    expires = localtime.utcnow() + timedelta(seconds=max(60, lifetime - 60))
    _save(db, target, {"access_token": token, "refresh_token": body.get("refresh_token") or refresh_token,
                       "expires_at": expires.isoformat()})
    log.info("Zalo access token of app %s renewed (valid until %s)", target.app_id, expires.isoformat())
    return str(token)


def access_token(db: StateDB, target: ZaloTarget, *, timeout: float = 20.0) -> str:
    """A usable access token: the stored one while valid, the URL's when nothing is stored, else a refreshed one."""
    known = _stored(db, target)
    if known.get("access_token"):
        try:
            expires = datetime.fromisoformat(known.get("expires_at") or "")
        except ValueError:
            expires = None
        if expires is None or expires > localtime.utcnow():
            return str(known["access_token"])
    elif target.access_token:
        return target.access_token
    return refresh(db, target, timeout=timeout)


# -- sending ----------------------------------------------------------------------------------------

def _post_message(target: ZaloTarget, token: str, user_id: str, text: str, timeout: float) -> tuple[int, str]:
    """One OA text message; returns (Zalo error code, message). 0 is success."""
    response = requests.post(f"{target.api_url}/v3.0/oa/message/cs", timeout=timeout,
                             headers={"access_token": token, "Content-Type": "application/json"},
                             data=json.dumps({"recipient": {"user_id": user_id}, "message": {"text": text}},
                                             ensure_ascii=False).encode("utf-8"))
    try:
        body = response.json()
    except ValueError:
        return -1, f"HTTP {response.status_code}: not JSON"
    if not isinstance(body, dict):
        return -1, f"HTTP {response.status_code}: unexpected answer"
    code = int(body.get("error", -1) if body.get("error") is not None else -1)
    message = str(body.get("message") or "")
    if response.status_code != 200:
        return (code or -1), f"HTTP {response.status_code}: {message}"
    return code, message


def send(db: StateDB, url: str, subject: str, text: str, idempotency_key: str, *,
         timeout: float = 20.0) -> tuple[bool, str]:
    """Send the notification to every recipient of ``url``; returns (delivered, error text).

    Raises ZaloConfigError for a URL that can never work (the outbox marks the row dead at once).
    """
    target = parse(url)
    body = fit(f"{subject}\n\n{text}".strip(), idempotency_key)
    errors = []
    try:
        token = access_token(db, target, timeout=timeout)
        for user_id in target.user_ids:
            code, message = _post_message(target, token, user_id, body, timeout)
            if code in TOKEN_ERRORS:
                token = refresh(db, target, timeout=timeout)
                code, message = _post_message(target, token, user_id, body, timeout)
            if code != 0:
                errors.append(f"Zalo error {code} for user {user_id}: {message}")
    except requests.RequestException as exc:
        return False, f"Zalo API unreachable: {type(exc).__name__}: {exc}"[:1000]
    except RuntimeError as exc:
        return False, str(exc)[:1000]
    return (not errors), "; ".join(errors)[:1000]
