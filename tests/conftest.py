"""Fixtures shared by every test: an isolated data directory and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import PostgresServer, RedisServer, missing

from newswatch.settings import PROJECT_ROOT, Settings, load_settings


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings on a fresh data directory and the repository's config, embedded store."""
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NEWSWATCH_DATA_DIR", str(data_dir))
    return load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data_dir)


# -- real database servers (tests/servers.py) ------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session (Debian's; skipped only when its binaries are absent)."""
    reason = missing("postgresql")
    if reason:
        pytest.skip(reason)
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the session (Debian's; skipped only when the binary is absent)."""
    reason = missing("redis")
    if reason:
        pytest.skip(reason)
    server = RedisServer.start()
    yield server
    server.stop()


STATE_BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=STATE_BACKENDS)
def state_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The state database a test runs on: None for SQLite (the data directory's state.db), else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    yield url
    from newswatch.state import db as state_db

    for key in [k for k in state_db._open if k == url]:
        state_db._open.pop(key).dispose()
    server.drop_database(url)
