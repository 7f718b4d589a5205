"""APScheduler 3.11 set-up: one persisted job per source plus the service's housekeeping jobs.

Jobs live in the state database (``SQLAlchemyJobStore`` on the same engine, table
``apscheduler_jobs``) so they and their next run times survive restarts. Every job is an
importable function from :mod:`newswatch.service.jobs` with picklable arguments (a source
name), stored with ``replace_existing=True``, ``max_instances=1`` (no overlapping runs of one
source), ``coalesce=True`` (one catch-up run after downtime, not a burst) and a misfire grace
time. New jobs get a random start offset so sources don't all fire at once.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from newswatch.service.leader import ClaimingThreadPoolExecutor
from newswatch.settings import Settings
from newswatch.sources import Source
from newswatch.state import runs
from newswatch.state.db import open_state

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
Admit = Callable[[str, list[datetime]], list[datetime]]
SOURCE_JOB_PREFIX = "source:"
OUTBOX_SECONDS = 3
SILENCE_SECONDS = 300
RECONCILE_SECONDS = 3600  # crawl state against the store (newswatch.store.reconcile), gaps repaired
WORKERS = 8
# Executors: official and ministry sources ("default"), press sources ("press") and the housekeeping
# jobs ("system") each have their own threads, so press crawls waiting for their slot never delay an
# official poll, and the outbox is delivered every few seconds whatever the crawls are doing.
PRESS_EXECUTOR = "press"
SYSTEM_EXECUTOR = "system"
FIRST_RUN_DELAY = 2.0

SYSTEM_JOBS: dict[str, tuple[str, int, str]] = {
    # id: (function, interval seconds, description)
    "system:outbox": ("newswatch.service.jobs:deliver_outbox", OUTBOX_SECONDS, "gửi thông báo / deliver outbox"),
    "system:silence": ("newswatch.service.jobs:check_silence", SILENCE_SECONDS, "nguồn im lặng / source silence"),
    "system:reconcile": ("newswatch.service.jobs:reconcile_store", RECONCILE_SECONDS,
                         "đối chiếu kho bài / store reconciliation"),
}


def job_id(source_name: str) -> str:
    return f"{SOURCE_JOB_PREFIX}{source_name}"


class ServiceScheduler(BackgroundScheduler):
    """BackgroundScheduler that submits nothing once shut down.

    APScheduler 3.11's main loop runs one more ``_process_jobs`` after ``shutdown()`` wakes it; with a
    job due (the outbox job is due every few seconds) that logs "cannot schedule new futures after
    shutdown". A stopped scheduler has nothing to process.
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()  # type: ignore[no-any-return]


def build_scheduler(settings: Settings, admit: Admit | None = None) -> BackgroundScheduler:
    """A BackgroundScheduler whose jobs persist in the state database (not started).

    ``admit`` (several instances: :meth:`newswatch.service.leader.Leadership.admit`) decides which
    due runs this instance starts: none unless it leads, and each scheduled run once.
    """
    db = open_state(settings.state_url)
    return ServiceScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE)},
        executors={"default": ClaimingThreadPoolExecutor(WORKERS, admit),
                   PRESS_EXECUTOR: ClaimingThreadPoolExecutor(WORKERS, admit),
                   SYSTEM_EXECUTOR: ClaimingThreadPoolExecutor(2, admit)},
        job_defaults={"max_instances": 1, "coalesce": True,
                      "misfire_grace_time": settings.service.misfire_grace_seconds},
        timezone=settings.service.timezone,
    )


def source_trigger(source: Source, settings: Settings, *, start_in: float = 0.0,
                   interval: float | None = None) -> BaseTrigger:
    """The trigger a source's schedule asks for: cron, fixed interval, or adaptive (an interval changed after each run)."""
    schedule = source.effective_schedule
    tz = settings.service.timezone
    start = datetime.now(UTC) + timedelta(seconds=start_in)
    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone=tz)
    if schedule.adaptive:
        seconds = interval or schedule.min_interval or settings.service.adaptive_min_seconds
        return IntervalTrigger(seconds=max(1, int(seconds)), start_date=start, timezone=tz)
    seconds = schedule.interval or settings.service.official_poll_seconds
    if source.schedule is None and source.tier in ("official", "ministry"):
        seconds = settings.service.official_poll_seconds
    return IntervalTrigger(seconds=max(1, int(seconds)), start_date=start, timezone=tz)


def _trigger_signature(trigger: BaseTrigger) -> str:
    if isinstance(trigger, IntervalTrigger):
        return f"interval:{trigger.interval.total_seconds():.0f}"
    return str(trigger)


def sync_source_jobs(scheduler: BackgroundScheduler, sources: list[Source], settings: Settings) -> dict[str, str]:
    """Make the job store hold exactly one job per enabled source; keep unchanged jobs (and their next run).

    Returns ``{source: "kept" | "added" | "replaced" | "removed"}``.
    """
    changes: dict[str, str] = {}
    wanted = {s.name: s for s in sources if s.enabled}
    existing = {j.id: j for j in scheduler.get_jobs() if j.id.startswith(SOURCE_JOB_PREFIX)}
    jitter = settings.service.schedule_jitter_seconds
    for name, source in wanted.items():
        jid = job_id(name)
        # A new job's first run comes within seconds (plus jitter): IntervalTrigger would otherwise
        # wait a whole interval, and a start date already past is skipped to the next interval.
        trigger = source_trigger(source, settings, start_in=FIRST_RUN_DELAY + random.uniform(0, jitter))
        if source.effective_schedule.cron and jitter:
            trigger = CronTrigger.from_crontab(source.effective_schedule.cron, timezone=settings.service.timezone)
            trigger.jitter = jitter
        executor = PRESS_EXECUTOR if source.tier == "press" else "default"
        old = existing.get(jid)
        if old is not None and old.executor == executor and ((source.effective_schedule.adaptive and isinstance(old.trigger, IntervalTrigger))
                                or _trigger_signature(old.trigger) == _trigger_signature(trigger)):
            changes[name] = "kept"
            continue
        scheduler.add_job("newswatch.service.jobs:poll_and_crawl", trigger=trigger, args=[name], id=jid,
                          name=f"{name} ({source.tier})", executor=executor, replace_existing=True)
        changes[name] = "replaced" if old is not None else "added"
    for jid in set(existing) - {job_id(n) for n in wanted}:
        scheduler.remove_job(jid)
        changes[jid.removeprefix(SOURCE_JOB_PREFIX)] = "removed"
    return changes


def add_system_jobs(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """Outbox delivery every few seconds (digests are outbox rows due at their window's end) and the silence check."""
    for stale in [j.id for j in scheduler.get_jobs() if j.id.startswith("system:") and j.id not in SYSTEM_JOBS]:
        scheduler.remove_job(stale)
    for jid, (func, seconds, description) in SYSTEM_JOBS.items():
        existing = scheduler.get_job(jid)
        if (existing is not None and existing.executor == SYSTEM_EXECUTOR
                and _trigger_signature(existing.trigger) == f"interval:{seconds}"):
            continue
        scheduler.add_job(func, trigger=IntervalTrigger(seconds=seconds, timezone=settings.service.timezone),
                          id=jid, name=description, executor=SYSTEM_EXECUTOR, replace_existing=True,
                          misfire_grace_time=max(seconds, 30))
    add_briefing_job(scheduler, settings)


# -- the daily briefing (monitor.briefing) ---------------------------------------------------------------

BRIEFING_JOB = "briefing:daily"


def add_briefing_job(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """One cron job at ``briefing.time`` (local). A restart within 12 h of a missed time runs it once
    (misfire grace, coalesced); the briefing's unique outbox key keeps it from being sent twice."""
    briefing = settings.service.briefing
    if briefing is None:
        if scheduler.get_job(BRIEFING_JOB) is not None:
            scheduler.remove_job(BRIEFING_JOB)
        return
    hour, minute = (int(p) for p in briefing.time.split(":"))
    trigger = CronTrigger(hour=hour, minute=minute, timezone=settings.service.timezone)
    existing = scheduler.get_job(BRIEFING_JOB)
    if existing is not None and str(existing.trigger) == str(trigger):
        return
    scheduler.add_job("monitor.briefing:scheduled_job", trigger=trigger, id=BRIEFING_JOB,
                      name="bản tin hằng ngày / daily briefing", executor=SYSTEM_EXECUTOR, replace_existing=True,
                      misfire_grace_time=12 * 3600)


def reschedule_adaptive(scheduler: BackgroundScheduler, source_name: str, seconds: float) -> None:
    """Set an adaptive source's next run ``seconds`` from now (and the interval after it)."""
    job = scheduler.get_job(job_id(source_name))
    if job is None:
        return
    seconds = max(1, int(seconds))
    if isinstance(job.trigger, IntervalTrigger) and int(job.trigger.interval.total_seconds()) == seconds:
        return
    scheduler.reschedule_job(job.id, trigger=IntervalTrigger(seconds=seconds, timezone=job.trigger.timezone
                                                             if hasattr(job.trigger, "timezone") else None))


@dataclass
class JobInfo:
    """One scheduled job as ``newswatch schedule list`` and the Sources page show it."""

    id: str
    name: str
    trigger: str
    next_run: datetime | None
    last_run: datetime | None = None
    last_status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "trigger": self.trigger,
                "next_run": self.next_run.isoformat() if self.next_run else None,
                "last_run": self.last_run.isoformat() if self.last_run else None,
                "last_status": self.last_status}


def describe_trigger(trigger: BaseTrigger) -> str:
    if isinstance(trigger, IntervalTrigger):
        seconds = int(trigger.interval.total_seconds())
        return f"every {seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else (
            f"every {seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"every {seconds}s")
    if isinstance(trigger, CronTrigger):
        return "cron " + " ".join(str(f) for f in trigger.fields[5:] + trigger.fields[3:5][::-1])  # type: ignore[operator]
    return str(trigger)


def stored_jobs(settings: Settings) -> list[Any]:
    """The jobs in the job store, read directly: works whether or not a service is running."""
    db = open_state(settings.state_url)
    store = SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE)
    store.start(BackgroundScheduler(timezone=settings.service.timezone), "default")
    return store.get_all_jobs()


def list_jobs(settings: Settings, jobs: list[Any] | None = None) -> list[JobInfo]:
    """Every job with its next run (job store) and last run (run history: its newest poll or crawl child)."""
    db = open_state(settings.state_url)
    jobs = stored_jobs(settings) if jobs is None else jobs
    polls = runs.latest_per_source(db, "poll")
    crawls = runs.latest_per_source(db, "child")
    infos = []
    for job in jobs:
        info = JobInfo(job.id, job.name, describe_trigger(job.trigger), getattr(job, "next_run_time", None))
        if job.id.startswith(SOURCE_JOB_PREFIX):
            name = job.id.removeprefix(SOURCE_JOB_PREFIX)
            last = max((r for r in (polls.get(name), crawls.get(name)) if r), key=lambda r: r.started_at, default=None)
            if last is not None:
                info.last_run = last.started_at
                info.last_status = f"{'poll' if last.kind == 'poll' else 'crawl'} {last.status}"
        infos.append(info)
    return sorted(infos, key=lambda i: (not i.id.startswith(SOURCE_JOB_PREFIX), i.id))
