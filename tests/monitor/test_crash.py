"""A process killed between commit and send: a restarted worker delivers each notification exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from monitor_helpers import RULES_FOR_DELIVERY, make_settings

from monitor import store
from monitor.delivery import deliver_pending
from newswatch import localtime
from newswatch.settings import PROJECT_ROOT
from newswatch.state.db import open_state

CHILD = Path(__file__).parent / "crash_child.py"


def _start(tmp_path: Path, url: str, mode: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    for var in ("NEWSWATCH_NOTIFY_URLS", "NEWSWATCH_ES_URL", "NEWSWATCH_STORE"):
        env.pop(var, None)  # NEWSWATCH_STATE_URL stays: the child commits to the state database under test
    child = subprocess.Popen([sys.executable, str(CHILD), str(tmp_path), url, mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=str(PROJECT_ROOT))
    line = child.stdout.readline() if child.stdout else ""
    if not line.startswith("COMMITTED"):
        child.kill()
        pytest.fail(f"child did not commit: {line!r} {child.stderr.read() if child.stderr else ''}")
    assert line.split()[1] == "3"
    return child


def _kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL


def _keys(settings) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["idempotency_key"] for r in store.outbox_status(open_state(settings.state_url))}


def test_killed_after_commit_before_send(tmp_path: Path, webhook) -> None:
    child = _start(tmp_path, webhook.url, "before")
    _kill(child)
    assert webhook.received == []  # nothing went out before the kill
    settings = make_settings(tmp_path, RULES_FOR_DELIVERY, notify=[webhook.url])
    assert {r["status"] for r in store.outbox_status(open_state(settings.state_url))} == {"pending"}
    counts = deliver_pending(settings)  # the restarted worker
    assert counts["sent"] == 3
    accepted = [r.key for r in webhook.accepted()]
    assert sorted(accepted) == sorted(_keys(settings)) and len(set(accepted)) == 3
    assert deliver_pending(settings, now=localtime.utcnow() + timedelta(hours=1))["due"] == 0
    assert len(webhook.received) == 3


def test_killed_while_sending(tmp_path: Path, webhook) -> None:
    webhook.hold_first = 1  # the receiver holds the first request: the child dies waiting for the answer
    child = _start(tmp_path, webhook.url, "during")
    assert webhook.got_request.wait(60), "the child never started sending"
    _kill(child)
    webhook.release.set()
    settings = make_settings(tmp_path, RULES_FOR_DELIVERY, notify=[webhook.url])
    db = open_state(settings.state_url)
    statuses = sorted(r["status"] for r in store.outbox_status(db))
    assert statuses == ["pending", "pending", "sending"]
    # The restarted worker sends what was never claimed; the claimed row waits for its lease to expire ...
    assert deliver_pending(settings)["sent"] == 2
    assert sorted(r["status"] for r in store.outbox_status(db)) == ["sending", "sent", "sent"]
    # ... and is retried once it has (lease_seconds: 60).
    assert deliver_pending(settings, now=localtime.utcnow() + timedelta(seconds=61))["sent"] == 1
    keys = _keys(settings)
    accepted = [r.key for r in webhook.accepted()]
    assert sorted(accepted) == sorted(keys), "every notification accepted exactly once"
    held_key = webhook.received[0].key
    assert [r.key for r in webhook.received].count(held_key) == 2  # the repeat carries the same key
    assert {r["status"] for r in store.outbox_status(db)} == {"sent"}
    assert deliver_pending(settings, now=localtime.utcnow() + timedelta(hours=1))["due"] == 0
