"""Schema migrations on SQLite and PostgreSQL: an old database is upgraded with its rows, never recreated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, Text, column, inspect, select, table, text

from newswatch.settings import PROJECT_ROOT
from newswatch.state import crawl, leases, runs
from newswatch.state.db import StateDB, create_state_engine
from newswatch.state.migrate import BASELINE, HEAD, current_revision, head_revision, pending_changes, upgrade

# The baseline's crawl-run table (revision 0004 moved its rows into ``runs``), as the previous release wrote it.
crawl_runs = table("crawl_runs", column("id", Integer), column("started_at", DateTime(timezone=True)),
                   column("status", String), column("sources", Text), column("full", Integer))


def _seed_previous_schema(url: str) -> None:
    """A database as the previous release left it: the baseline schema with rows in it."""
    engine = create_state_engine(url)
    upgrade(engine, BASELINE)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(crawl.crawl_urls.insert().values(url="https://chinhphu.vn/a-1.htm", source="chinhphu",
                                                       status="article", first_seen=now, last_fetched=now, attempts=0))
        conn.execute(crawl_runs.insert().values(started_at=now, status="ok", sources=json.dumps(["chinhphu"]), full=0))
    assert current_revision(engine) == BASELINE
    assert not inspect(engine).has_table("service_leases")
    engine.dispose()


def test_a_database_at_the_previous_revision_is_upgraded_on_open_and_keeps_its_rows(db_url: str) -> None:
    _seed_previous_schema(db_url)
    db = StateDB(db_url)
    try:
        assert (db.revision_before, db.revision) == (BASELINE, head_revision())
        assert set(crawl.url_states(db, ["https://chinhphu.vn/a-1.htm"])) == {"https://chinhphu.vn/a-1.htm"}
        assert [r.sources for r in runs.recent_runs(db)] == [["chinhphu"]]
        assert leases.acquire(db, "scheduler", "a", 10) is not None  # the new table works
    finally:
        db.dispose()


def test_a_database_from_before_migrations_is_stamped_then_upgraded_not_recreated(db_url: str) -> None:
    _seed_previous_schema(db_url)
    engine = create_state_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # create_all made it: no migration history
    engine.dispose()
    db = StateDB(db_url)
    try:
        assert db.revision_before is None and db.revision == head_revision()
        assert set(crawl.url_states(db, ["https://chinhphu.vn/a-1.htm"])) == {"https://chinhphu.vn/a-1.htm"}
    finally:
        db.dispose()


def test_db_upgrade_command_upgrades_and_reports(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _seed_previous_schema(db_url)
    env = dict(os.environ, NEWSWATCH_STATE_URL=db_url, NEWSWATCH_DATA_DIR=str(tmp_path / "data"))

    def run(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "newswatch", "db", *args, "--json"], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert run("current") == {"current": BASELINE, "head": head_revision(), "up_to_date": False}
    assert run("upgrade") == {"before": BASELINE, "after": head_revision(), "changed": True}
    assert run("upgrade")["changed"] is False
    engine = create_state_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(crawl.crawl_urls.c.url)).scalars().all() == ["https://chinhphu.vn/a-1.htm"]
    engine.dispose()


def test_the_migrations_create_every_table_the_code_declares() -> None:
    assert pending_changes() == [], "a model changed without a migration: run `newswatch db revision -m ...`"
    assert head_revision() == HEAD, "set newswatch.state.migrate.HEAD to the newest revision"


def test_opening_an_up_to_date_database_does_not_load_alembic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'state.db'}"
    StateDB(url).dispose()
    code = (f"import sys; from newswatch.state.db import StateDB; db = StateDB({url!r}); "
            "print(db.revision, 'alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == [HEAD, "False"], done.stderr


def test_upserts_and_counts_behave_the_same_on_both_databases(db_url: str) -> None:
    db = StateDB(db_url)
    try:
        url = "https://moh.gov.vn/tin/1"
        crawl.record_url(db, source="moh", url=url, status="error", reason="timeout")
        crawl.record_url(db, source="moh", url=url, status="error", reason="timeout")
        assert crawl.url_states(db, [url])[url].attempts == 2
        assert crawl.url_states(db, [url])[url].needs_fetch(None)  # transient, under the attempt limit
        crawl.record_url(db, source="moh", url=url, status="article", canonical_url=url + "?c", fingerprint="f1")
        state = crawl.url_states(db, [url])[url]
        assert (state.status, state.attempts, state.fingerprint) == ("article", 0, "f1")
        crawl.save_entry(db, url="https://moh.gov.vn/rss", source="moh", kind="feed", etag='"e1"', poll_pending=[url])
        assert crawl.load_entries(db, "moh")["https://moh.gov.vn/rss"].poll_pending == [url]
        assert {st.url: st.status for st in crawl.load_urls(db, "moh").values()} == {url: "article"}  # one row
    finally:
        db.dispose()


def test_db_copy_moves_a_sqlite_state_to_postgresql_with_every_row(tmp_path, postgres_server) -> None:  # type: ignore[no-untyped-def]
    from monitor import store as monitor_store
    from newswatch.state.db import open_state

    old_url = f"sqlite:///{tmp_path / 'old' / 'state.db'}"
    old = open_state(old_url)
    crawl.record_url(old, source="moh", url="https://moh.gov.vn/tin/1", status="article")
    first = runs.start_run(old, ["moh"], kind="child", trigger="schedule")
    runs.finish_run(old, first, "ok")
    target = postgres_server.new_database()
    env = dict(os.environ, NEWSWATCH_STATE_URL=target, NEWSWATCH_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "newswatch", "db", "copy", old_url, "--json"], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    copied = json.loads(done.stdout)["copied"]
    assert copied["crawl_urls"] == 1 and copied["runs"] == 1
    new = open_state(target)
    assert set(crawl.url_states(new, ["https://moh.gov.vn/tin/1"])) == {"https://moh.gov.vn/tin/1"}
    second = runs.start_run(new, ["moh"], kind="child", trigger="schedule")  # ids continue after the copied ones
    assert second == first + 1
    assert monitor_store.outbox_status(new) == []
    again = subprocess.run([sys.executable, "-m", "newswatch", "db", "copy", old_url], env=env, cwd=PROJECT_ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "already holds rows" in again.stderr  # never mixed into a used database


def test_processes_opening_a_new_database_at_once_migrate_it_once(db_url: str) -> None:
    """Crawl workers started together on a fresh database: one migrates, the others wait and find it done."""
    import time

    start_at = time.time() + 4  # every child imported everything by then: they open the database together
    code = ("import logging, sys, time; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
            "import alembic.command, newswatch.state.migrate; from newswatch.state.db import StateDB; "
            f"time.sleep(max(0, {start_at} - time.time())); db = StateDB({db_url!r}); print('REVISION', db.revision)")
    children = [subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True) for _ in range(6)]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0] * 6, outputs
    assert all(f"REVISION {HEAD}" in out for out in outputs), outputs
    joined = "\n".join(outputs)
    assert joined.count("Running upgrade  -> 0001") == 1, joined  # migrated once, by one of them
    assert "without migration history" not in joined, joined  # nobody mistook a half-made schema for an old one
