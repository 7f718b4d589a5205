"""One run history: a database with both old run tables is upgraded with its rows and right times, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Float, Integer, String, Text, column, inspect, table

from newswatch.state import runs
from newswatch.state.db import StateDB, create_state_engine
from newswatch.state.migrate import alembic_config, head_revision, upgrade

BEFORE = "0003"  # the last revision with crawl_runs, crawl_run_sources and service_runs
OLD_TABLES = {"crawl_runs", "crawl_run_sources", "service_runs"}

# The three tables as the previous release wrote them.
crawl_runs = table("crawl_runs", column("id", Integer), column("started_at", DateTime(timezone=True)),
                   column("finished_at", DateTime(timezone=True)), column("status", String), column("sources", Text),
                   column("full", Integer), column("trigger", String), column("pid", Integer),
                   column("host", String), column("duration_s", Float), column("message", Text))
crawl_run_sources = table("crawl_run_sources", column("run_id", Integer), column("source", String),
                          column("status", String), column("started_at", DateTime(timezone=True)),
                          column("finished_at", DateTime(timezone=True)),
                          *(column(k, Integer) for k in runs.COUNTERS), column("errors", Text))
service_runs = table("service_runs", column("id", Integer), column("source", String), column("kind", String),
                     column("trigger", String), column("started", Float), column("finished", Float),
                     column("status", String), column("reason", Text), column("elapsed_ms", Float),
                     column("exit_code", Integer), column("pid", Integer), column("summary", Text))

CRAWL_START = datetime(2026, 11, 30, 1, 2, 3, 456000, tzinfo=UTC)
POLL_START = 1_764_900_000.25  # 2025-12-05 02:00:00.25 UTC, as time.time() wrote it
CHILD_START = POLL_START + 60


def _seed_old_database(url: str) -> None:
    """At revision 0003: two crawl runs (one with per-source figures), a poll and two crawl children."""
    engine = create_state_engine(url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        conn.execute(crawl_runs.insert(), [
            {"id": 1, "started_at": CRAWL_START, "finished_at": CRAWL_START + timedelta(seconds=42), "status": "partial",
             "sources": json.dumps(["moh", "mic"]), "full": 1, "trigger": "cli", "pid": 4242, "host": "old-host",
             "duration_s": 42.0, "message": None},
            {"id": 2, "started_at": CRAWL_START + timedelta(hours=1), "finished_at": None, "status": "interrupted",
             "sources": json.dumps(["moh"]), "full": 0, "trigger": "schedule", "pid": None, "host": None,
             "duration_s": None, "message": "still running after 900 s"}])
        counts = dict.fromkeys(runs.COUNTERS, 0)
        conn.execute(crawl_run_sources.insert(), [
            {**counts, "run_id": 1, "source": "moh", "status": "ok", "started_at": CRAWL_START,
             "finished_at": CRAWL_START + timedelta(seconds=40), "requests": 17, "articles_new": 5, "errors": "{}"},
            {**counts, "run_id": 1, "source": "mic", "status": "failed", "started_at": CRAWL_START,
             "finished_at": CRAWL_START + timedelta(seconds=41), "requests": 3, "errors": '{"timeout": 3}'}])
        blank = {"reason": None, "exit_code": None, "pid": None, "summary": None}
        conn.execute(service_runs.insert(), [{**blank, **row} for row in [
            {"id": 1, "source": "moh", "kind": "poll", "trigger": "schedule", "started": POLL_START,
             "finished": POLL_START + 0.35, "status": "changed", "reason": None, "elapsed_ms": 350.0},
            {"id": 2, "source": "moh", "kind": "crawl", "trigger": "changed", "started": CHILD_START,
             "finished": CHILD_START + 95.5, "status": "ok", "elapsed_ms": 95500.0, "exit_code": 0, "pid": 777,
             "summary": json.dumps({"run_id": 2, "status": "ok"})},
            {"id": 3, "source": "mic", "kind": "crawl", "trigger": "queue", "started": CHILD_START + 1,
             "finished": CHILD_START + 301, "status": "timeout", "reason": "ran longer than 300 s",
             "elapsed_ms": 300000.0, "exit_code": -15, "pid": 778}]])
    engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_state_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_an_old_database_with_rows_in_both_run_tables_is_upgraded_into_one_history(db_url: str) -> None:
    _seed_old_database(db_url)
    db = StateDB(db_url)
    try:
        assert (db.revision_before, db.revision) == (BEFORE, head_revision())
        tables = _tables(db_url)
        assert {"runs", "run_sources"} <= tables and not (OLD_TABLES & tables), "the old tables are dropped"

        crawls = runs.recent_runs(db, limit=10)  # crawl runs keep their ids, times and per-source figures
        assert [(r.id, r.kind, r.status) for r in crawls] == [(2, "crawl", "interrupted"), (1, "crawl", "partial")]
        first = crawls[1]
        assert first.started_at == CRAWL_START and first.started_at.tzinfo is not None
        assert first.finished_at == CRAWL_START + timedelta(seconds=42)
        assert (first.sources, first.full, first.trigger, first.duration_s) == (["moh", "mic"], True, "cli", 42.0)
        assert first.per_source["moh"].articles_new == 5 and first.per_source["moh"].requests == 17
        assert first.per_source["mic"].errors == {"timeout": 3}
        assert crawls[0].reason == "still running after 900 s"
        health = runs.source_health(db)
        assert health["mic"]["last_status"] == "failed" and health["mic"]["consecutive_failures"] == 1

        scheduled = runs.recent_runs(db, kind=("poll", "child"), limit=10)  # after the crawl runs, in their order
        assert [(r.id, r.kind, r.source, r.status) for r in scheduled] == [
            (5, "child", "mic", "timeout"), (4, "child", "moh", "ok"), (3, "poll", "moh", "changed")]
        timeout, child, poll = scheduled
        assert poll.started_at == datetime.fromtimestamp(POLL_START, UTC) == datetime(2025, 12, 5, 2, 0, 0, 250000,
                                                                                       tzinfo=UTC)
        assert poll.finished_at == datetime.fromtimestamp(POLL_START + 0.35, UTC)
        assert poll.duration_s == 0.35 and poll.trigger == "schedule"
        assert child.started_at == datetime.fromtimestamp(CHILD_START, UTC) and child.duration_s == 95.5
        assert (child.exit_code, child.pid, child.summary) == (0, 777, {"run_id": 2, "status": "ok"})
        assert (timeout.trigger, timeout.reason, timeout.exit_code) == ("queue", "ran longer than 300 s", -15)

        assert runs.last_started(db, "moh") == datetime.fromtimestamp(CHILD_START, UTC)
        assert runs.counts_by_status(db, "child") == {("moh", "ok"): 1, ("mic", "timeout"): 1}
        assert runs.counts_by_status(db, "poll") == {("moh", "changed"): 1}
        assert set(runs.latest_per_source(db, "child")) == {"moh", "mic"}

        new = runs.start_run(db, ["moh"])  # ids continue after the copied ones (PostgreSQL's sequence too)
        assert new == 6
        runs.record_source_run(db, new, runs.SourceRun(source="moh", requests=1))
        assert runs.finish_run(db, new).status == "ok"
    finally:
        db.dispose()


def test_a_fresh_database_gets_one_run_table_with_timezone_aware_times(db_url: str) -> None:
    db = StateDB(db_url)
    try:
        tables = _tables(db_url)
        assert {"runs", "run_sources"} <= tables and not (OLD_TABLES & tables)
        engine = create_state_engine(db_url)
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("runs")}
        engine.dispose()
        assert isinstance(columns["started_at"], DateTime) and isinstance(columns["finished_at"], DateTime)
        if db_url.startswith("postgresql"):
            assert columns["started_at"].timezone, "timestamptz on PostgreSQL"
        poll = runs.record_poll(db, "moh", "unchanged", None, 120.0)
        child = runs.start_run(db, ["moh"], kind="child", trigger="schedule")
        runs.finish_run(db, child, "ok", exit_code=0, summary={"status": "ok"})
        listed = runs.recent_runs(db, source="moh", kind=None)
        assert [(r.id, r.kind) for r in listed] == [(child, "child"), (poll, "poll")]
        assert all(r.started_at.tzinfo is not None and r.finished_at is not None for r in listed)
        assert listed[1].finished_at - listed[1].started_at == timedelta(milliseconds=120)
    finally:
        db.dispose()


def test_the_downgrade_puts_the_rows_back_in_the_old_tables(db_url: str) -> None:
    from alembic import command

    _seed_old_database(db_url)
    StateDB(db_url).dispose()
    engine = create_state_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), BEFORE)
    with engine.connect() as conn:
        assert [(r.id, r.status) for r in conn.execute(crawl_runs.select().order_by(crawl_runs.c.id))] == [
            (1, "partial"), (2, "interrupted")]
        rows = conn.execute(service_runs.select().order_by(service_runs.c.id)).all()
    engine.dispose()
    assert [(r.kind, r.status) for r in rows] == [("poll", "changed"), ("crawl", "ok"), ("crawl", "timeout")]
    assert abs(rows[0].started - POLL_START) < 1e-6 and rows[0].elapsed_ms == 350.0
    assert not ({"runs", "run_sources"} & _tables(db_url))
