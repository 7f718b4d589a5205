"""The operational-state database: SQLAlchemy Core on SQLite (default) or any SQL server.

Articles live in the article store (embedded SQLite + Tantivy or Elasticsearch); everything that
coordinates work lives here: crawl state, run history, alerts and the outbox, users, and the
scheduler's job store. SQLite in WAL mode serves one machine; ``NEWSWATCH_STATE_URL`` pointing
at PostgreSQL (``postgresql+psycopg://user@host/db``) serves several service instances and crawl
workers (see docs/deployment.md).

Each owner declares its tables on the shared :data:`metadata` in its own module; the modules
are listed in :data:`TABLE_MODULES`. The schema is created and changed by Alembic migrations
(:mod:`newswatch.state.migrate`): opening a database upgrades it to the current revision, and a
database from before the migrations is stamped as the baseline first, never recreated.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, create_engine, event

metadata = MetaData()

TABLE_MODULES = (
    "newswatch.state.crawl",
    "newswatch.state.runs",
    "monitor.store",
    "newswatch.state.accounts",
    "newswatch.state.leases",
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def import_table_modules() -> None:
    """Import every module that declares tables, so :data:`metadata` holds the whole schema."""
    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the module
                raise


def create_state_engine(url: str) -> Engine:
    """An engine on ``url``: SQLite with WAL and a busy timeout, or a server (``postgresql://`` uses psycopg 3)."""
    if url.startswith("postgresql://"):  # the driver this project installs
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


_import_table_modules = import_table_modules  # the name before the migrations (tests/crawl uses it)


class StateDB:
    """A handle on the state database, upgraded to the newest schema revision: an engine plus transaction helpers."""

    def __init__(self, url: str) -> None:
        from newswatch.state.migrate import upgrade

        self.url = url
        self.engine: Engine = create_state_engine(url)
        self.revision_before, self.revision = upgrade(self.engine)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed on success and rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


_open: dict[str, StateDB] = {}


def open_state(url: str) -> StateDB:
    """The StateDB for ``url``, created once per process."""
    if url not in _open:
        _open[url] = StateDB(url)
    return _open[url]
