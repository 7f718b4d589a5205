"""Schema migrations of the state database with Alembic, on SQLite and PostgreSQL alike.

:func:`upgrade` brings a database to the newest revision and is called whenever a process opens
the state (so ``newswatch serve`` upgrades an old database on start); ``newswatch db upgrade`` runs
it explicitly. A database created before the migrations existed (tables, no ``alembic_version``)
is stamped as the baseline revision and then upgraded: its rows are kept, nothing is recreated.
Concurrent starts take a lock first (a PostgreSQL advisory lock; a lock file beside a SQLite
database), so two processes never run the same migration.

A table declared in the code that no migration creates yet (a new module merged without its
revision) is created from the model with a warning naming the fix, so a service still starts;
``newswatch db check`` and the test suite report such gaps.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from newswatch.state.db import import_table_modules, metadata

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema as ``create_all`` made it before the migrations
HEAD = "0005"  # the newest revision; a database already there is opened without loading Alembic (tests check it)
ADVISORY_LOCK_KEY = 0x6E657773  # "news": the key of the PostgreSQL advisory lock held while migrating
BASELINE_TABLES = ("crawl_urls", "crawl_runs", "monitor_outbox", "users", "service_runs")


UNMANAGED_TABLES = frozenset({"apscheduler_jobs"})  # APScheduler's job store creates its own table


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic's filter: every table but those another library manages."""
    return not (type_ == "table" and name in UNMANAGED_TABLES)


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """Beside a SQLite database, an exclusive lock file held until the migration committed."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _advisory_lock(conn: Connection) -> None:
    """On PostgreSQL, a lock held until this transaction ends: concurrent starts migrate one after the other."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``revision``; returns (revision before, revision after)."""
    import_table_modules()
    if revision == "head":
        current = _stamped_revision(engine)
        if current == HEAD:  # the common case (every crawl child opens the state): no Alembic, no lock
            with engine.begin() as conn:
                _create_unmigrated_tables(conn)
            return current, current
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with _file_lock(engine), engine.begin() as conn:  # the file lock is released after the commit
        _advisory_lock(conn)
        before = MigrationContext.configure(conn).get_current_revision()
        cfg = alembic_config(conn)
        if before is None and any(inspect(conn).has_table(t) for t in BASELINE_TABLES):
            log.warning("state database without migration history: stamped as baseline %s, then upgraded", BASELINE)
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_revision()
        if revision == "head":  # "heads" (what ``newswatch db check`` uses) runs the migrations alone
            _create_unmigrated_tables(conn)
    if before != after:
        log.info("state database upgraded from %s to %s", before or "empty", after)
    return before, after


def _stamped_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no alembic_version table yet
        return None


def _create_unmigrated_tables(conn: Connection) -> None:
    existing = set(inspect(conn).get_table_names())
    import_table_modules()
    missing = [t for t in metadata.sorted_tables if t.name not in existing]
    for table in missing:
        log.warning("state table %s has no migration yet: created from the model. Fix: "
                    "`newswatch db revision -m 'add %s'` and commit the file it writes", table.name, table.name)
        table.create(conn)


@contextmanager
def _scratch() -> Iterator[Engine]:
    """An empty SQLite database upgraded by the migrations alone (no tables created from the models)."""
    import tempfile

    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory(prefix="newswatch-migrations-") as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        try:
            upgrade(engine, "heads")
            yield engine
        finally:
            engine.dispose()


def pending_changes() -> list[str]:
    """What the code's tables have that the migrations do not create (empty when they are in step)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import_table_modules()
    with _scratch() as engine, engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": False})
        return [str(diff) for diff in compare_metadata(ctx, metadata)]


def revision(message: str) -> str:
    """Write a new migration file for what the code changed (Alembic autogenerate); returns its path."""
    from alembic import command
    from alembic.script import ScriptDirectory

    number = len(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())) + 1
    with _scratch() as engine, engine.begin() as conn:
        script = command.revision(alembic_config(conn), message=message, autogenerate=True, rev_id=f"{number:04d}")
    return str(script.path) if script is not None and not isinstance(script, list) else ""
