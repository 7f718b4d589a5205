"""Fixtures for the monitor tests: settings on a tmp config dir, a webhook receiver, an SMTP server.

Both servers are real and listen on 127.0.0.1; nothing is mocked between the outbox and them.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from newswatch.settings import Settings

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from monitor_helpers import RULES_FOR_DELIVERY, free_port, make_settings  # noqa: E402


@pytest.fixture(autouse=True)
def state_backend(state_url: str | None, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """Every monitor test runs on SQLite and on a real PostgreSQL (make_settings reads NEWSWATCH_STATE_URL)."""
    if state_url:
        monkeypatch.setenv("NEWSWATCH_STATE_URL", state_url)
    else:
        monkeypatch.delenv("NEWSWATCH_STATE_URL", raising=False)
    return state_url


@pytest.fixture
def make_monitor_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(rules: str | None = RULES_FOR_DELIVERY, **kwargs: Any) -> Settings:
        return make_settings(tmp_path, rules, **kwargs)

    return factory


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    payload: dict[str, Any]
    status: int

    @property
    def key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


@dataclass
class Webhook:
    """A JSON webhook receiver: can fail the first N requests, or hold the first N until released."""

    port: int
    fail_first: int = 0
    hold_first: int = 0
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    got_request: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            with hook.lock:
                index = len(hook.received)
                status = 200
                if index < hook.hold_first:
                    status = 599  # held, then abandoned: never counts as accepted
                elif index < hook.hold_first + hook.fail_first:
                    status = 500
                record = Received(self.path, dict(self.headers.items()), payload, status)
                hook.received.append(record)
            hook.got_request.set()
            if status == 599:
                hook.release.wait(60)
                status = 503
                record.status = 503
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    hook.release.set()
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    port: int
    messages: list[Any] = field(default_factory=list)

    def url(self, to: str = "press@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=newswatch@example.org&to={to}&mode=insecure"


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.original_content or envelope.content,
                                                   policy=policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()
