"""Run history: every crawl run with its per-source figures, so the service and UI can show source health.

A run is started (status ``running``) before the crawler starts and finished with ``ok``,
``partial`` (some sources failed) or ``failed``. A process that dies leaves ``running`` behind;
:func:`mark_interrupted` (called by :func:`recent_runs` and :func:`source_health`, and by the
service at start-up) turns runs still ``running`` after the crawl timeout into ``interrupted``.

Per source a run records requests, responses, new/updated/unchanged articles, pages that were
not articles, entry points unchanged (304 or same content) and errors by reason.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, Table, Text, desc, select

from newswatch import localtime
from newswatch.state.db import StateDB, metadata

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed | interrupted
    Column("sources", Text, nullable=False),  # JSON list of names
    Column("full", Integer, nullable=False, default=0),
    Column("trigger", String(32)),  # cli | schedule | poll | demo | manual
    Column("pid", Integer),
    Column("host", String(128)),
    Column("duration_s", Float),
    Column("message", Text),
)

crawl_run_sources = Table(
    "crawl_run_sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("crawl_runs.id", ondelete="CASCADE"), nullable=False, index=True),
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

RUNNING_TIMEOUT = timedelta(seconds=900)
COUNTERS = ("requests", "responses", "articles_new", "articles_updated", "articles_unchanged", "not_articles",
            "entries_unchanged", "skipped_known")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass
class SourceRun:
    """What one source did in one run."""

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
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    sources: list[str]
    full: bool
    trigger: str | None
    duration_s: float | None
    message: str | None
    per_source: dict[str, SourceRun] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "trigger": self.trigger, "full": self.full,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": self.duration_s, "message": self.message, "sources": self.sources,
            "per_source": {name: s.to_dict() for name, s in self.per_source.items()},
        }


def start_run(db: StateDB, sources: list[str], *, full: bool = False, trigger: str = "cli") -> int:
    """Record a run as started (status ``running``) and return its id."""
    with db.begin() as conn:
        result = conn.execute(crawl_runs.insert().values(
            started_at=localtime.utcnow(), status="running", sources=json.dumps(sources), full=int(full), trigger=trigger,
            pid=os.getpid(), host=socket.gethostname()))
        return int(result.inserted_primary_key[0])


def record_source_run(db: StateDB, run_id: int, result: SourceRun) -> None:
    """Store (or replace) one source's figures for a run."""
    values = {k: getattr(result, k) for k in COUNTERS}
    values.update(status=result.status, started_at=result.started_at, finished_at=result.finished_at or localtime.utcnow(),
                  errors=json.dumps(result.errors, ensure_ascii=False), finish_reason=result.finish_reason)
    with db.begin() as conn:
        conn.execute(crawl_run_sources.delete().where((crawl_run_sources.c.run_id == run_id)
                                                      & (crawl_run_sources.c.source == result.source)))
        conn.execute(crawl_run_sources.insert().values(run_id=run_id, source=result.source, **values))


def finish_run(db: StateDB, run_id: int, status: str | None = None, *, message: str | None = None) -> Run:
    """Close a run; without ``status`` it is derived from its sources (ok, partial, failed)."""
    run = get_run(db, run_id)
    if run is None:
        raise KeyError(f"no crawl run {run_id}")
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
        conn.execute(crawl_runs.update().where(crawl_runs.c.id == run_id).values(
            status=status, finished_at=finished, duration_s=(finished - run.started_at).total_seconds(),
            message=message))
    return get_run(db, run_id)  # type: ignore[return-value]


def mark_interrupted(db: StateDB, older_than: timedelta = RUNNING_TIMEOUT) -> int:
    """Runs still ``running`` after ``older_than`` (or whose process on this host is gone) become ``interrupted``."""
    now = localtime.utcnow()
    changed = 0
    host = socket.gethostname()
    with db.begin() as conn:
        rows = conn.execute(select(crawl_runs.c.id, crawl_runs.c.started_at, crawl_runs.c.pid, crawl_runs.c.host)
                            .where(crawl_runs.c.status == "running")).all()
        for row in rows:
            started = _aware(row.started_at)
            dead = row.host == host and row.pid and not _pid_alive(row.pid)
            if dead or (started is not None and now - started > older_than):
                conn.execute(crawl_runs.update().where(crawl_runs.c.id == row.id).values(
                    status="interrupted", finished_at=now,
                    message="the crawl process ended without finishing the run" if dead
                    else f"still running after {int(older_than.total_seconds())} s"))
                changed += 1
    return changed


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


def _run_from_row(row, per_source: dict[str, SourceRun]) -> Run:  # type: ignore[no-untyped-def]
    return Run(id=row.id, started_at=_aware(row.started_at), finished_at=_aware(row.finished_at),  # type: ignore[arg-type]
               status=row.status, sources=json.loads(row.sources), full=bool(row.full), trigger=row.trigger,
               duration_s=row.duration_s, message=row.message, per_source=per_source)


def _source_run(row) -> SourceRun:  # type: ignore[no-untyped-def]
    return SourceRun(source=row.source, status=row.status, started_at=_aware(row.started_at),
                     finished_at=_aware(row.finished_at), errors=json.loads(row.errors or "{}"),
                     finish_reason=row.finish_reason, **{k: getattr(row, k) or 0 for k in COUNTERS})


def get_run(db: StateDB, run_id: int) -> Run | None:
    with db.connect() as conn:
        row = conn.execute(select(crawl_runs).where(crawl_runs.c.id == run_id)).first()
        if row is None:
            return None
        srcs = conn.execute(select(crawl_run_sources).where(crawl_run_sources.c.run_id == run_id)).all()
    return _run_from_row(row, {s.source: _source_run(s) for s in srcs})


def recent_runs(db: StateDB, source: str | None = None, limit: int = 20) -> list[Run]:
    """The newest runs first; with ``source``, only runs that crawled it."""
    mark_interrupted(db)
    with db.connect() as conn:
        query = select(crawl_runs).order_by(desc(crawl_runs.c.id))
        if source is not None:
            ids = select(crawl_run_sources.c.run_id).where(crawl_run_sources.c.source == source)
            query = query.where(crawl_runs.c.id.in_(ids) | crawl_runs.c.sources.like(f'%"{source}"%'))
        rows = conn.execute(query.limit(limit)).all()
        ids = [r.id for r in rows]
        srcs = conn.execute(select(crawl_run_sources).where(crawl_run_sources.c.run_id.in_(ids))).all() if ids else []
    per_run: dict[int, dict[str, SourceRun]] = {}
    for s in srcs:
        per_run.setdefault(s.run_id, {})[s.source] = _source_run(s)
    return [_run_from_row(r, per_run.get(r.id, {})) for r in rows]


def interrupted_since(db: StateDB, source: str, *, limit: int = 20) -> datetime | None:
    """When the series of runs of ``source`` since its last ``ok`` run began; None if the last run was ``ok``.

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


def source_health(db: StateDB, *, history: int = 20) -> dict[str, dict[str, Any]]:
    """Per source: last run, last successful run, articles found, errors by reason, consecutive failures.

    ``last_run``/``last_ok`` are ISO timestamps; ``articles_new`` and ``errors_by_reason`` are from the last
    run; ``consecutive_failures`` counts the newest runs in a row whose status for the source was ``failed``
    (or whose whole run was interrupted).
    """
    mark_interrupted(db)
    with db.connect() as conn:
        rows = conn.execute(
            select(crawl_run_sources, crawl_runs.c.status.label("run_status"))
            .join(crawl_runs, crawl_runs.c.id == crawl_run_sources.c.run_id)
            .order_by(desc(crawl_run_sources.c.run_id))).all()
        running = conn.execute(select(crawl_runs.c.id, crawl_runs.c.sources, crawl_runs.c.status,
                                      crawl_runs.c.started_at)
                               .where(crawl_runs.c.status.in_(("running", "interrupted")))
                               .order_by(desc(crawl_runs.c.id)).limit(200)).all()
    health: dict[str, dict[str, Any]] = {}
    seen_runs: dict[str, int] = {}
    for row in rows:
        h = health.setdefault(row.source, {
            "source": row.source, "last_run": None, "last_status": None, "last_ok": None, "articles_new": 0,
            "articles_updated": 0, "requests": 0, "errors_by_reason": {}, "consecutive_failures": 0,
            "articles_new_recent": 0, "runs": 0, "_streak_open": True})
        seen_runs[row.source] = seen_runs.get(row.source, 0) + 1
        if seen_runs[row.source] > history:
            continue
        finished = _aware(row.finished_at)
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
            h = health.setdefault(name, {
                "source": name, "last_run": None, "last_status": None, "last_ok": None, "articles_new": 0,
                "articles_updated": 0, "requests": 0, "errors_by_reason": {}, "consecutive_failures": 0,
                "articles_new_recent": 0, "runs": 0, "_streak_open": True})
            if row.status == "running":
                h["running_since"] = _aware(row.started_at).isoformat()  # type: ignore[union-attr]
            elif h.get("last_run_id") is None or row.id > h["last_run_id"]:
                h["last_status"] = h["last_status"] or "interrupted"
    for h in health.values():
        h.pop("_streak_open", None)
    return health
