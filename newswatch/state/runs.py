"""Run history: one ``runs`` table for every run, with per-source figures in ``run_sources``.

Every run is one row, whatever started it, told apart by ``kind``:

- ``crawl`` — a crawl made in a process (``newswatch crawl``, a bare ``scrapy crawl``, the demo), with
  one ``run_sources`` row per source: requests, responses, new/updated/unchanged articles, pages that
  were not articles, entry points unchanged (304 or same content), known URLs skipped, errors by reason.
  Status ``running``, then ``ok``, ``partial`` (some sources failed) or ``failed``;
- ``poll`` — a change-detection poll of one source by the scheduler: ``changed``, ``unchanged``, ``error``;
- ``child`` — a crawl child process as its supervisor saw it (the service, trigger ``schedule``/``manual``/
  ``full``/``changed``, or a queue worker, trigger ``queue``): ``running``, then ``ok``, ``failed``,
  ``timeout`` or ``interrupted``, with the exit code and the child's JSON summary. A child killed on
  timeout or at shutdown cannot write its own crawl run, so this is where that outcome survives.

Times are timezone-aware UTC datetimes like everywhere else in the state database. A process that
dies leaves ``running`` behind: :func:`mark_interrupted` (called by :func:`recent_runs` and
:func:`source_health`) closes crawl runs whose process is gone or that outlived the crawl timeout;
:func:`interrupt_running` closes the children a dead service or worker left.

Over 400 lines on purpose: this module is the only one that touches the two tables, so every
writer and reader of the history (crawler, service, queue workers, web pages, metrics) goes through
the functions below and none of them builds its own query.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    desc,
    func,
    select,
    update,
)

from newswatch import localtime
from newswatch.state.db import StateDB, metadata

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, index=True),  # crawl | poll | child
    Column("trigger", String(32)),  # cli | scrapy | demo | schedule | manual | full | changed | queue
    Column("source", String(64), index=True),  # the source when the run covers one (every poll and child)
    Column("sources", Text, nullable=False),  # JSON list of names
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("full", Integer, nullable=False, default=0),
    Column("pid", Integer),
    Column("host", String(128)),
    Column("duration_s", Float),
    Column("exit_code", Integer),
    Column("reason", Text),
    Column("summary", Text),  # a child's JSON summary, as it printed it
    Column("parent_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),  # a crawl's child row
)

run_sources = Table(
    "run_sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("source", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),  # ok | partial | failed
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("requests", Integer, nullable=False, default=0),
    Column("responses", Integer, nullable=False, default=0),
    Column("articles_new", Integer, nullable=False, default=0),
    Column("articles_updated", Integer, nullable=False, default=0),
    Column("articles_unchanged", Integer, nullable=False, default=0),
    Column("not_articles", Integer, nullable=False, default=0),
    Column("entries_unchanged", Integer, nullable=False, default=0),
    Column("skipped_known", Integer, nullable=False, default=0),
    Column("errors", Text, nullable=False, default="{}"),  # JSON {reason: count}
    Column("finish_reason", String(64)),
)

KINDS = ("crawl", "poll", "child")
PARENT_ENV = "NEWSWATCH_PARENT_RUN_ID"  # set by a supervisor for its crawl child: the child row's id
CHILD_STATUSES = ("running", "ok", "failed", "timeout", "interrupted")
RUNNING_TIMEOUT = timedelta(seconds=900)
COUNTERS = ("requests", "responses", "articles_new", "articles_updated", "articles_unchanged", "not_articles",
            "entries_unchanged", "skipped_known")


@dataclass
class SourceRun:
    """What one source did in one crawl run."""

    source: str
    status: str = "ok"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    requests: int = 0
    responses: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    not_articles: int = 0
    entries_unchanged: int = 0
    skipped_known: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    finish_reason: str | None = None

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in ("source", "status", *COUNTERS, "errors", "finish_reason")}
        data["started_at"] = self.started_at.isoformat() if self.started_at else None
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        if self.started_at and self.finished_at:
            data["duration_s"] = round((self.finished_at - self.started_at).total_seconds(), 3)
        return data


@dataclass
class Run:
    """One row of the history (any kind); ``per_source`` is filled for crawl runs."""

    id: int
    kind: str
    trigger: str | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    sources: list[str]
    full: bool = False
    duration_s: float | None = None
    reason: str | None = None
    exit_code: int | None = None
    pid: int | None = None
    summary: dict[str, Any] | None = None
    parent_id: int | None = None
    per_source: dict[str, SourceRun] = field(default_factory=dict)

    @property
    def source(self) -> str | None:
        """The source when the run covers exactly one."""
        return self.sources[0] if len(self.sources) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "status": self.status, "trigger": self.trigger, "full": self.full,
            "source": self.source, "sources": self.sources,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": self.duration_s, "reason": self.reason, "exit_code": self.exit_code,
            "summary": self.summary, "parent_id": self.parent_id, "per_source": {name: s.to_dict() for name, s in self.per_source.items()},
        }


# -- writing ---------------------------------------------------------------------------------------

def start_run(db: StateDB, sources: list[str], *, kind: str = "crawl", full: bool = False, trigger: str = "cli",
              pid: int | None = None, parent_id: int | None = None) -> int:
    """Record a run as started (status ``running``) and return its id.

    A crawl run's process is this one; a child's pid is set with :func:`set_pid` once it started.
    ``parent_id`` links a crawl run to the ``child`` row of the service or worker that started its process.
    """
    if kind not in KINDS:
        raise ValueError(f"run kind {kind!r}: expected one of {', '.join(KINDS)}")
    if pid is None and kind == "crawl":
        pid = os.getpid()
    with db.begin() as conn:
        result = conn.execute(runs.insert().values(
            kind=kind, trigger=trigger, source=sources[0] if len(sources) == 1 else None, sources=json.dumps(sources),
            started_at=localtime.utcnow(), status="running", full=int(full), pid=pid, host=socket.gethostname(),
            parent_id=parent_id))
        return int(result.inserted_primary_key[0])


def set_pid(db: StateDB, run_id: int, pid: int) -> None:
    with db.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(pid=pid))


def record_poll(db: StateDB, source: str, status: str, reason: str | None, elapsed_ms: float,
                trigger: str = "schedule") -> int:
    """Record one finished poll (``changed``, ``unchanged`` or ``error``) that took ``elapsed_ms``."""
    now = localtime.utcnow()
    with db.begin() as conn:
        result = conn.execute(runs.insert().values(
            kind="poll", trigger=trigger, source=source, sources=json.dumps([source]),
            started_at=now - timedelta(milliseconds=elapsed_ms), finished_at=now, status=status, reason=reason,
            duration_s=elapsed_ms / 1000, host=socket.gethostname()))
        return int(result.inserted_primary_key[0])


def record_source_run(db: StateDB, run_id: int, result: SourceRun) -> None:
    """Store (or replace) one source's figures for a crawl run."""
    values = {k: getattr(result, k) for k in COUNTERS}
    values.update(status=result.status, started_at=result.started_at, finished_at=result.finished_at or localtime.utcnow(),
                  errors=json.dumps(result.errors, ensure_ascii=False), finish_reason=result.finish_reason)
    with db.begin() as conn:
        conn.execute(run_sources.delete().where((run_sources.c.run_id == run_id)
                                                & (run_sources.c.source == result.source)))
        conn.execute(run_sources.insert().values(run_id=run_id, source=result.source, **values))


def finish_run(db: StateDB, run_id: int, status: str | None = None, *, reason: str | None = None,
               exit_code: int | None = None, summary: dict[str, Any] | None = None) -> Run:
    """Close a run; without ``status`` it is derived from its sources (ok, partial, failed)."""
    run = get_run(db, run_id)
    if run is None:
        raise KeyError(f"no run {run_id}")
    if status is None:
        statuses = [s.status for s in run.per_source.values()]
        if not statuses:
            status = "failed"
        elif all(s == "ok" for s in statuses):
            status = "ok"
        elif all(s == "failed" for s in statuses):
            status = "failed"
        else:
            status = "partial"
    finished = localtime.utcnow()
    with db.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            status=status, finished_at=finished, duration_s=(finished - run.started_at).total_seconds(),
            reason=reason, exit_code=exit_code,
            summary=json.dumps(summary, ensure_ascii=False, default=str) if summary is not None else None))
    return get_run(db, run_id)  # type: ignore[return-value]


def mark_interrupted(db: StateDB, older_than: timedelta = RUNNING_TIMEOUT) -> int:
    """Crawl runs still ``running`` after ``older_than`` (or whose process on this host is gone) become ``interrupted``."""
    now = localtime.utcnow()
    changed = 0
    host = socket.gethostname()
    with db.begin() as conn:
        rows = conn.execute(select(runs.c.id, runs.c.started_at, runs.c.pid, runs.c.host)
                            .where(runs.c.kind == "crawl", runs.c.status == "running")).all()
        for row in rows:
            started = localtime.utc(row.started_at)
            dead = row.host == host and row.pid and not _pid_alive(row.pid)
            if dead or (started is not None and now - started > older_than):
                conn.execute(update(runs).where(runs.c.id == row.id).values(
                    status="interrupted", finished_at=now,
                    reason="the crawl process ended without finishing the run" if dead
                    else f"still running after {int(older_than.total_seconds())} s"))
                changed += 1
    return changed


def interrupt_running(db: StateDB | Connection, reason: str, *, kind: str = "child", source: str | None = None,
                      trigger: str | None = None, except_trigger: str | None = None) -> int:
    """Runs of ``kind`` still ``running`` (optionally of one source, trigger, or all but one trigger) become
    ``interrupted`` with ``reason``; returns how many. Given a connection, it runs in that transaction."""
    condition = (runs.c.kind == kind) & (runs.c.status == "running")
    if source is not None:
        condition &= runs.c.source == source
    if trigger is not None:
        condition &= runs.c.trigger == trigger
    if except_trigger is not None:
        condition &= runs.c.trigger != except_trigger
    statement = update(runs).where(condition).values(status="interrupted", finished_at=localtime.utcnow(),
                                                     reason=reason)
    if isinstance(db, Connection):
        return int(db.execute(statement).rowcount or 0)
    with db.begin() as conn:
        return int(conn.execute(statement).rowcount or 0)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child counts as dead
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


# -- reading ---------------------------------------------------------------------------------------

def _run_from_row(row: Any, per_source: dict[str, SourceRun]) -> Run:
    summary = None
    if row.summary:
        try:
            summary = json.loads(row.summary)
        except ValueError:
            summary = {"raw": row.summary[:500]}
    return Run(id=row.id, kind=row.kind, trigger=row.trigger, status=row.status,
               started_at=localtime.utc(row.started_at),  # type: ignore[arg-type]
               finished_at=localtime.utc(row.finished_at), sources=json.loads(row.sources), full=bool(row.full),
               duration_s=row.duration_s, reason=row.reason, exit_code=row.exit_code, pid=row.pid, summary=summary,
               parent_id=row.parent_id, per_source=per_source)


def _source_run(row: Any) -> SourceRun:
    return SourceRun(source=row.source, status=row.status, started_at=localtime.utc(row.started_at),
                     finished_at=localtime.utc(row.finished_at), errors=json.loads(row.errors or "{}"),
                     finish_reason=row.finish_reason, **{k: getattr(row, k) or 0 for k in COUNTERS})


def get_run(db: StateDB, run_id: int) -> Run | None:
    with db.connect() as conn:
        row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        if row is None:
            return None
        srcs = conn.execute(select(run_sources).where(run_sources.c.run_id == run_id)).all()
    return _run_from_row(row, {s.source: _source_run(s) for s in srcs})


def recent_runs(db: StateDB, source: str | None = None, limit: int = 20,
                kind: str | Sequence[str] | None = "crawl") -> list[Run]:
    """The newest runs of ``kind`` (one, several, or None for all) first; with ``source``, only runs that covered it."""
    mark_interrupted(db)
    query = select(runs).order_by(desc(runs.c.id))
    if kind is not None:
        query = query.where(runs.c.kind.in_([kind] if isinstance(kind, str) else list(kind)))
    if source is not None:
        ids = select(run_sources.c.run_id).where(run_sources.c.source == source)
        query = query.where((runs.c.source == source) | runs.c.id.in_(ids) | runs.c.sources.like(f'%"{source}"%'))
    with db.connect() as conn:
        rows = conn.execute(query.limit(limit)).all()
        ids = [r.id for r in rows if r.kind == "crawl"]
        srcs = conn.execute(select(run_sources).where(run_sources.c.run_id.in_(ids))).all() if ids else []
    per_run: dict[int, dict[str, SourceRun]] = {}
    for s in srcs:
        per_run.setdefault(s.run_id, {})[s.source] = _source_run(s)
    return [_run_from_row(r, per_run.get(r.id, {})) for r in rows]


def latest_per_source(db: StateDB, kind: str) -> dict[str, Run]:
    """The newest run of ``kind`` for each source (runs of one source only)."""
    newest = select(func.max(runs.c.id)).where(runs.c.kind == kind, runs.c.source.is_not(None)).group_by(runs.c.source)
    with db.connect() as conn:
        rows = conn.execute(select(runs).where(runs.c.id.in_(newest))).all()
    return {r.source: _run_from_row(r, {}) for r in rows}


def last_started(db: StateDB, source: str, kind: str = "child") -> datetime | None:
    """When the newest run of ``kind`` of ``source`` started, whatever its outcome."""
    with db.connect() as conn:
        return localtime.utc(conn.execute(select(func.max(runs.c.started_at)).where(
            runs.c.source == source, runs.c.kind == kind)).scalar())


def counts_by_status(db: StateDB, kind: str) -> dict[tuple[str, str], int]:
    """(source, status) -> number of runs of ``kind``: the basis of the Prometheus run counters."""
    with db.connect() as conn:
        rows = conn.execute(select(runs.c.source, runs.c.status, func.count())
                            .where(runs.c.kind == kind, runs.c.source.is_not(None))
                            .group_by(runs.c.source, runs.c.status))
        return {(r[0], r[1]): int(r[2]) for r in rows}


def source_totals(db: StateDB) -> tuple[dict[str, dict[str, int]], dict[tuple[str, str], int]]:
    """Over every crawl run: per source the sums of the counters, and errors per (source, reason)."""
    totals: dict[str, dict[str, int]] = {}
    errors: dict[tuple[str, str], int] = {}
    t = run_sources
    with db.connect() as conn:
        rows = conn.execute(select(t.c.source, *(func.sum(t.c[k]).label(k) for k in COUNTERS)).group_by(t.c.source))
        for row in rows:
            totals[row.source] = {k: int(getattr(row, k) or 0) for k in COUNTERS}
        for row in conn.execute(select(t.c.source, t.c.errors).where(t.c.errors != "{}")):
            for reason, count in json.loads(row.errors or "{}").items():
                errors[(row.source, reason)] = errors.get((row.source, reason), 0) + int(count)
    return totals, errors


def interrupted_since(db: StateDB, source: str, *, limit: int = 20) -> datetime | None:
    """When the series of crawl runs of ``source`` since its last ``ok`` one began; None if the last was ``ok``.

    Runs still ``running`` (this one, a concurrent one) are passed over. Only a run that ended ``ok``
    is known to have handed every article it stored to the monitor: a ``partial`` run may have been
    stopped before its own catch-up ran (a Ctrl-C while it started), an ``interrupted`` one was killed.
    Evaluating again is idempotent, so a wider window costs time, never a second alert.
    """
    since = None
    for run in recent_runs(db, source=source, limit=limit):
        if run.status == "running":
            continue
        if run.status == "ok":
            break
        since = run.started_at
    return since


def _blank_health(name: str) -> dict[str, Any]:
    return {"source": name, "last_run": None, "last_status": None, "last_ok": None, "articles_new": 0,
            "articles_updated": 0, "requests": 0, "errors_by_reason": {}, "consecutive_failures": 0,
            "articles_new_recent": 0, "runs": 0, "_streak_open": True}


def source_health(db: StateDB, *, history: int = 20) -> dict[str, dict[str, Any]]:
    """Per source, from its crawl runs: last run, last successful run, articles found, errors by reason,
    consecutive failures.

    ``last_run``/``last_ok`` are ISO timestamps; ``articles_new`` and ``errors_by_reason`` are from the last
    run; ``consecutive_failures`` counts the newest runs in a row whose status for the source was ``failed``
    (or whose whole run was interrupted).
    """
    mark_interrupted(db)
    with db.connect() as conn:
        rows = conn.execute(select(run_sources).order_by(desc(run_sources.c.run_id))).all()
        running = conn.execute(select(runs.c.id, runs.c.sources, runs.c.status, runs.c.started_at)
                               .where(runs.c.kind == "crawl", runs.c.status.in_(("running", "interrupted")))
                               .order_by(desc(runs.c.id)).limit(200)).all()
    health: dict[str, dict[str, Any]] = {}
    seen_runs: dict[str, int] = {}
    for row in rows:
        h = health.setdefault(row.source, _blank_health(row.source))
        seen_runs[row.source] = seen_runs.get(row.source, 0) + 1
        if seen_runs[row.source] > history:
            continue
        finished = localtime.utc(row.finished_at)
        if h["last_run"] is None:
            h.update(last_run=finished.isoformat() if finished else None, last_status=row.status,
                     articles_new=row.articles_new, articles_updated=row.articles_updated, requests=row.requests,
                     errors_by_reason=json.loads(row.errors or "{}"), last_run_id=row.run_id)
        h["runs"] += 1
        h["articles_new_recent"] += row.articles_new
        if row.status == "ok" and h["last_ok"] is None:
            h["last_ok"] = finished.isoformat() if finished else None
        if h["_streak_open"]:
            if row.status == "failed":
                h["consecutive_failures"] += 1
            else:
                h["_streak_open"] = False
    for row in running:
        for name in json.loads(row.sources):
            h = health.setdefault(name, _blank_health(name))
            if row.status == "running":
                h["running_since"] = localtime.utc(row.started_at).isoformat()  # type: ignore[union-attr]
            elif h.get("last_run_id") is None or row.id > h["last_run_id"]:
                h["last_status"] = h["last_status"] or "interrupted"
    for h in health.values():
        h.pop("_streak_open", None)
    return health
