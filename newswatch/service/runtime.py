"""The running service: sources, the scheduler, crawl children, and what one scheduled run does.

One process runs the web app (uvicorn) and a BackgroundScheduler; every crawl runs in a child
process. Several processes (on one or several machines) may share one state database: each
serves the UI and API, and only the holder of the scheduler lease runs the schedule
(:mod:`newswatch.service.leader`); the others start theirs when they are elected. A source's
scheduled job first *polls* (one conditional request per entry point, milliseconds, no Scrapy)
and starts a crawl child only when something changed, when the source has not had a successful
crawl for ``adaptive_max_seconds`` (the periodic full schedule), or when an operator pressed
"run now". Adaptive sources then get their next interval from
``newswatch.crawl.poll.next_interval``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

from newswatch import localtime
from newswatch.service.leader import Leadership
from newswatch.service.runner import ChildRegistry, CrawlOutcome, run_crawl_child
from newswatch.service.scheduler import (
    add_system_jobs,
    build_scheduler,
    list_jobs,
    reschedule_adaptive,
    sync_source_jobs,
)
from newswatch.settings import Settings
from newswatch.sources import Source, load_sources
from newswatch.state import runs
from newswatch.state.db import StateDB, open_state

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10.0
MAX_PARALLEL_CRAWLS = 2  # official/ministry crawl children at once (press sources get one more slot)

_current: Service | None = None


def current() -> Service | None:
    """The service running in this process (the scheduler's job functions find it here)."""
    return _current


@dataclass
class SourceEntry:
    """A source and the file it was loaded from (the crawl child is given the same file)."""

    source: Source
    file: Path


@dataclass
class RunReport:
    source: str
    polled: str | None = None  # changed | unchanged | error | unavailable
    crawled: bool = False
    outcome: CrawlOutcome | None = None
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "polled": self.polled, "crawled": self.crawled,
                                "skipped": self.skipped}
        if self.outcome is not None:
            data["crawl"] = {"status": self.outcome.status, "reason": self.outcome.reason,
                             "elapsed_s": round(self.outcome.elapsed_s, 2), "summary": self.outcome.summary}
        return data


class Service:
    """Scheduled crawl runs and housekeeping for one data directory."""

    def __init__(self, settings: Settings, *, extra_sources_files: list[Path] | tuple[Path, ...] = (),
                 grace_seconds: float = 30.0, start_scheduler: bool = True) -> None:
        self.settings = settings
        self.extra_sources_files = [Path(p) for p in extra_sources_files]
        self.grace_seconds = grace_seconds
        self.start_scheduler = start_scheduler
        self.db: StateDB = open_state(settings.state_url)
        self.children = ChildRegistry()
        self.sources: dict[str, SourceEntry] = {}
        self.leadership: Leadership | None = None
        self.scheduler = None
        if start_scheduler:
            self.leadership = Leadership(self.db, settings.service.leader_lease_seconds,
                                         on_elected=self._on_elected, on_demoted=self._on_demoted)
            self.scheduler = build_scheduler(settings, admit=self.leadership.admit)
        self._source_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        # Official and ministry sources have their own crawl slots, so a slow press crawl never delays a directive.
        self._official_slots = threading.BoundedSemaphore(MAX_PARALLEL_CRAWLS)
        self._press_slots = threading.BoundedSemaphore(1)
        self._deliver_lock = threading.Lock()
        self.started_at: float | None = None
        self._stopping = False
        self._broker: Any = None  # the crawl queue's broker when NEWSWATCH_REDIS_URL is set

    # -- sources ---------------------------------------------------------------------------
    def load_sources(self) -> dict[str, SourceEntry]:
        """The configured sources plus those of the extra files (e.g. the demo sites); a later file wins."""
        entries: dict[str, SourceEntry] = {}
        files = [self.settings.sources_file, *self.extra_sources_files]
        for file in files:
            if file == self.settings.sources_file and not file.exists():
                log.warning("no sources file at %s: only extra sources are scheduled", file)
                continue
            for source in load_sources(file):
                entries[source.name] = SourceEntry(source, file)
        self.sources = entries
        return entries

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        global _current
        self.settings.ensure_data_dir()
        self.load_sources()
        _current = self
        self.started_at = time.time()
        if self.leadership is None:  # no schedule: crawls only on request, by this process alone
            self._interrupt_orphans()
            return
        self.leadership.start()  # elected at once when no other instance leads: _on_elected starts the schedule

    # -- leadership (several instances on one state database) -------------------------------------
    def is_leader(self) -> bool:
        return self.leadership is not None and self.leadership.is_leader()

    @property
    def role(self) -> str:
        return self.leadership.role if self.leadership is not None else "no scheduler"

    def _on_elected(self) -> None:
        """This instance now runs the schedule: crawls the previous leader left running are interrupted."""
        if self.scheduler is None or self._stopping:
            return
        self._interrupt_orphans()
        if self.scheduler.state == STATE_STOPPED:
            self.scheduler.start(paused=True)
        changes = sync_source_jobs(self.scheduler, [e.source for e in self.sources.values()], self.settings)
        add_system_jobs(self.scheduler, self.settings)
        log.info("scheduler: %s", ", ".join(f"{k} {v}" for k, v in sorted(changes.items())) or "no sources")
        self.scheduler.resume()

    def _interrupt_orphans(self) -> None:
        from newswatch.distributed import QUEUE_TRIGGER

        orphans = runs.interrupt_running(self.db, "service stopped while the crawl ran", except_trigger=QUEUE_TRIGGER)
        if orphans:
            log.warning("%d crawl(s) of a previous run were still marked running: recorded as interrupted", orphans)

    def _on_demoted(self) -> None:
        if self.scheduler is not None and self.scheduler.state == STATE_RUNNING:
            self.scheduler.pause()

    def stop(self) -> None:
        """Stop accepting runs; let running crawls finish within the grace period, else record them interrupted."""
        global _current
        self._stopping = True  # the lease is kept (and renewed) until the crawls stopped, then released
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        stopped = self.children.stop_all(self.grace_seconds)
        if stopped:
            log.warning("interrupted crawls at shutdown: %s", ", ".join(stopped))
        if self.scheduler is not None and self.scheduler.state != STATE_STOPPED:
            self.scheduler.shutdown(wait=True)
        if self.leadership is not None:
            self.leadership.stop()  # releases the lease: another instance takes the schedule at once
        if _current is self:
            _current = None

    # -- one scheduled run -------------------------------------------------------------------
    def run_source(self, name: str, *, trigger: str = "schedule", force: bool = False) -> RunReport:
        """Poll ``name``; crawl it in a child when the poll saw a change or a full crawl is due.

        ``force`` (an operator's "run now") skips the poll and crawls.
        """
        report = RunReport(name)
        entry = self.sources.get(name)
        if entry is None:
            report.skipped = "unknown source"
            return report
        lock = self._source_locks[name]
        if not lock.acquire(blocking=False):
            report.skipped = "already running"
            return report
        try:
            if not self.children.accepting:
                report.skipped = "service is shutting down"
                return report
            changed = False if force else self._poll(entry.source, report, trigger)
            # The periodic full crawl: the first one, then one per adaptive_max_seconds whatever the polls
            # say (a poll error alone never triggers a crawl more often: the crawl would fail the same way).
            last = runs.last_started(self.db, name)
            full_due = last is None or (localtime.utcnow() - last).total_seconds() >= self.settings.service.adaptive_max_seconds
            if force or changed or full_due:
                why = "manual" if force else ("changed" if changed else "full")
                report.outcome = self._crawl(entry, why)
                report.crawled = True
                if report.outcome.ok:
                    threading.Thread(target=self.deliver_now, name="deliver-after-crawl", daemon=True).start()
            if entry.source.effective_schedule.adaptive:
                self._reschedule(entry.source)
        finally:
            lock.release()
        return report

    def _poll(self, source: Source, report: RunReport, trigger: str) -> bool:
        from newswatch.crawl.poll import (
            poll_source,  # here: the web process imports the poller only when it polls
        )

        try:
            result = poll_source(source, self.db, timeout=POLL_TIMEOUT_SECONDS, user_agent=self.settings.user_agent)
        except Exception as exc:  # a poll must never stop the schedule
            log.exception("poll of %s failed", source.name)
            runs.record_poll(self.db, source.name, "error", f"{type(exc).__name__}: {exc}", 0.0, trigger)
            report.polled = "error"
            return False
        status = "changed" if result.changed else ("error" if result.status == "error" else "unchanged")
        runs.record_poll(self.db, source.name, status, result.reason or None, float(result.elapsed_ms), trigger)
        report.polled = status
        return bool(result.changed)

    def _crawl(self, entry: SourceEntry, trigger: str) -> CrawlOutcome:
        name = entry.source.name
        if self.settings.redis_url:  # distributed: a crawl worker runs it (newswatch.distributed)
            return self._enqueue(entry, trigger)
        slots = self._press_slots if entry.source.tier == "press" else self._official_slots
        with slots:
            if not self.children.accepting:
                return CrawlOutcome("interrupted", None, "service is shutting down", 0.0)
            run_id = runs.start_run(self.db, [name], kind="child", trigger=trigger)
            log.info("crawl %s started (%s)", name, trigger)
            outcome = run_crawl_child(self.settings, name, entry.file, timeout=self.settings.service.crawl_timeout_seconds,
                                      registry=self.children, run_id=run_id,
                                      on_start=lambda pid: runs.set_pid(self.db, run_id, pid))
            runs.finish_run(self.db, run_id, outcome.status, reason=outcome.reason, exit_code=outcome.exit_code,
                            summary=outcome.summary)
        level = logging.INFO if outcome.ok else logging.WARNING
        log.log(level, "crawl %s %s in %.1fs%s", name, outcome.status, outcome.elapsed_s,
                f": {outcome.reason}" if outcome.reason else "")
        return outcome

    def _enqueue(self, entry: SourceEntry, trigger: str) -> CrawlOutcome:
        from newswatch.distributed.queue import enqueue_crawl, make_broker

        if self._broker is None:
            self._broker = make_broker(self.settings)
        try:
            queued = enqueue_crawl(self.settings, entry.source.name, entry.file, trigger, broker=self._broker)
        except Exception as exc:  # Redis down: the next scheduled run tries again
            log.warning("crawl of %s not queued: %s", entry.source.name, exc)
            return CrawlOutcome("failed", None, f"crawl queue unavailable: {exc}", 0.0)
        log.info("crawl %s %s (%s)", entry.source.name, "queued" if queued else "already queued", trigger)
        return CrawlOutcome("queued" if queued else "skipped", None, None if queued else "already queued or running", 0.0)

    def _reschedule(self, source: Source) -> None:
        if self.scheduler is None:
            return
        from newswatch.crawl.poll import next_interval

        schedule = source.effective_schedule
        low = schedule.min_interval or self.settings.service.adaptive_min_seconds
        high = schedule.max_interval or self.settings.service.adaptive_max_seconds
        try:
            seconds = next_interval(source, self.db, low, high)
        except Exception:
            log.exception("next_interval for %s failed; keeping its interval", source.name)
            return
        reschedule_adaptive(self.scheduler, source.name, seconds)

    # -- operator actions ----------------------------------------------------------------------
    def run_now(self, name: str) -> bool:
        """Queue an immediate crawl of ``name`` (returns False for an unknown source)."""
        if name not in self.sources:
            return False
        threading.Thread(target=self.run_source, args=(name,), kwargs={"trigger": "manual", "force": True},
                         name=f"run-now-{name}", daemon=True).start()
        return True

    def deliver_now(self) -> None:
        """Send pending notifications from the outbox (one delivery loop at a time)."""
        if not self._deliver_lock.acquire(blocking=False):
            return
        try:
            from monitor.delivery import deliver_pending  # loads apprise and the templates: only here

            deliver_pending(self.settings)
        except Exception:
            log.exception("outbox delivery failed; retrying on the next tick")
        finally:
            self._deliver_lock.release()

    # -- what the UI shows -----------------------------------------------------------------------
    def jobs(self) -> list[Any]:
        if self.scheduler is not None and self.scheduler.running:
            return list_jobs(self.settings, self.scheduler.get_jobs())
        return list_jobs(self.settings)

    def running_crawls(self) -> list[str]:
        return self.children.running()

