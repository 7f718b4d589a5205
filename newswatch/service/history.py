"""What the scheduler did: one row per poll and per crawl child, kept in the state database.

The crawl child records its own detailed run (requests, articles, errors by reason) in
``newswatch.state.runs``; this table records what the *service* saw from outside: that a poll
found a change or not, that a child was started, how it ended (ok, failed, timeout,
interrupted) and with which exit code. A crawl killed on timeout or at shutdown cannot write
its own run record, so this is where that outcome survives.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Float, Integer, String, Table, Text, func, select, update

from newswatch.state.db import StateDB, metadata

service_runs = Table(
    "service_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # poll | crawl
    Column("trigger", String(16), nullable=False, default="schedule"),  # schedule | manual | full | changed
    Column("started", Float, nullable=False, index=True),  # epoch seconds (UTC)
    Column("finished", Float),
    Column("status", String(16), nullable=False),  # poll: changed|unchanged|error ; crawl: running|ok|failed|timeout|interrupted
    Column("reason", Text),
    Column("elapsed_ms", Float),
    Column("exit_code", Integer),
    Column("pid", Integer),
    Column("summary", Text),  # the child's JSON summary, as printed
)

CRAWL_STATUSES = ("running", "ok", "failed", "timeout", "interrupted")


@dataclass
class RunRow:
    id: int
    source: str
    kind: str
    trigger: str
    started: float
    finished: float | None
    status: str
    reason: str | None
    elapsed_ms: float | None
    exit_code: int | None
    summary: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _row(r: Any) -> RunRow:
    summary = None
    if r.summary:
        try:
            summary = json.loads(r.summary)
        except ValueError:
            summary = {"raw": r.summary[:500]}
    return RunRow(r.id, r.source, r.kind, r.trigger, r.started, r.finished, r.status, r.reason,
                  r.elapsed_ms, r.exit_code, summary)


def record_poll(db: StateDB, source: str, status: str, reason: str | None, elapsed_ms: float,
                trigger: str = "schedule") -> int:
    """Record one finished poll (``changed``, ``unchanged`` or ``error``)."""
    now = time.time()
    with db.begin() as conn:
        result = conn.execute(service_runs.insert().values(
            source=source, kind="poll", trigger=trigger, started=now - elapsed_ms / 1000, finished=now,
            status=status, reason=reason, elapsed_ms=elapsed_ms))
        return int(result.inserted_primary_key[0])


def start_crawl(db: StateDB, source: str, trigger: str, pid: int | None = None) -> int:
    """Record that a crawl child was started; returns the row id to finish later."""
    with db.begin() as conn:
        result = conn.execute(service_runs.insert().values(
            source=source, kind="crawl", trigger=trigger, started=time.time(), status="running", pid=pid))
        return int(result.inserted_primary_key[0])


def set_pid(db: StateDB, run_id: int, pid: int) -> None:
    with db.begin() as conn:
        conn.execute(update(service_runs).where(service_runs.c.id == run_id).values(pid=pid))


def finish_crawl(db: StateDB, run_id: int, status: str, reason: str | None = None,
                 exit_code: int | None = None, summary: dict[str, Any] | None = None) -> None:
    """Record how a crawl child ended."""
    now = time.time()
    with db.begin() as conn:
        started = conn.execute(select(service_runs.c.started).where(service_runs.c.id == run_id)).scalar()
        conn.execute(update(service_runs).where(service_runs.c.id == run_id).values(
            finished=now, status=status, reason=reason, exit_code=exit_code,
            elapsed_ms=(now - started) * 1000 if started else None,
            summary=json.dumps(summary, ensure_ascii=False, default=str) if summary is not None else None))


def mark_orphans_interrupted(db: StateDB, except_trigger: str | None = None) -> int:
    """Crawls still 'running' from a previous process (crash, kill -9) are recorded as interrupted.

    ``except_trigger`` leaves those runs alone (``queue``: crawl workers on other machines own theirs).
    """
    condition = service_runs.c.status == "running"
    if except_trigger is not None:
        condition = condition & (service_runs.c.trigger != except_trigger)
    with db.begin() as conn:
        result = conn.execute(update(service_runs).where(condition).values(
            status="interrupted", finished=time.time(), reason="service stopped while the crawl ran"))
        return int(result.rowcount or 0)


def recent(db: StateDB, source: str | None = None, kind: str | None = None, limit: int = 50) -> list[RunRow]:
    """Newest first."""
    query = select(service_runs).order_by(service_runs.c.id.desc()).limit(limit)
    if source:
        query = query.where(service_runs.c.source == source)
    if kind:
        query = query.where(service_runs.c.kind == kind)
    with db.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def latest_per_source(db: StateDB, kind: str) -> dict[str, RunRow]:
    """The newest row of ``kind`` for each source."""
    newest = (select(func.max(service_runs.c.id)).where(service_runs.c.kind == kind)
              .group_by(service_runs.c.source))
    with db.connect() as conn:
        rows = conn.execute(select(service_runs).where(service_runs.c.id.in_(newest)))
        return {r.source: _row(r) for r in rows}


def last_crawl_started(db: StateDB, source: str) -> float | None:
    """When the newest crawl of ``source`` started, whatever its outcome (epoch seconds)."""
    with db.connect() as conn:
        return conn.execute(select(func.max(service_runs.c.started)).where(
            service_runs.c.source == source, service_runs.c.kind == "crawl")).scalar()


def counts_by_status(db: StateDB, kind: str) -> dict[tuple[str, str], int]:
    """(source, status) -> number of rows: the basis of the Prometheus run counters."""
    with db.connect() as conn:
        rows = conn.execute(select(service_runs.c.source, service_runs.c.status, func.count())
                            .where(service_runs.c.kind == kind)
                            .group_by(service_runs.c.source, service_runs.c.status))
        return {(r[0], r[1]): int(r[2]) for r in rows}
