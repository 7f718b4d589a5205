"""Web fixtures: a real SQLite store and state DB in a tmp dir, seeded through the real store and monitor APIs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_seed import PASSWORD, USER, Seeded, free_port, make_client, record_failing_source, seed

from newswatch.settings import Settings
from newswatch.web.app import create_app
from newswatch.web.auth import hash_password


@pytest.fixture
def web_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("NEWSWATCH_SECRET_KEY", "test-secret-key-not-for-production")
    settings.users[USER] = hash_password(PASSWORD)
    return settings


@pytest.fixture
def seeded(web_settings: Settings) -> Seeded:
    result = seed(web_settings)
    record_failing_source(web_settings)
    return result


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with make_client(seeded.settings) as test_client:
        yield test_client


@pytest.fixture
def live_server(seeded: Seeded) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(seeded.settings), host="127.0.0.1", port=port,
                                           log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
