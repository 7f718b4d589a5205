"""One schedule for several service instances: a lease-holding leader runs it, the others stand by.

Every ``newswatch serve`` sharing a state database serves the UI and API; only the holder of the
``scheduler`` lease (:mod:`newswatch.state.leases`) runs the APScheduler jobs. A
:class:`Leadership` thread tries to take or renew the lease every ``ttl / 3`` seconds:

* elected: the service starts (or resumes) its scheduler;
* the lease lost or not renewed in time (the database unreachable): the scheduler is paused at
  once, a safety margin before the lease can expire for the others;
* stopped cleanly: the lease is released, so another instance takes over at its next attempt.

A leader killed outright stops renewing; another instance takes the lease once it expired, so the
schedule moves within ``ttl + ttl / 3`` seconds (:func:`takeover_bound`), plus the time to start
its scheduler. Each run is also claimed in the database before it starts
(:class:`ClaimingThreadPoolExecutor`): a run already claimed (by a leader that lost its lease
without noticing yet) is skipped, so no scheduled run happens twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor

from newswatch.state import leases
from newswatch.state.db import StateDB

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


def takeover_bound(ttl: float) -> float:
    """Seconds from a leader's death to another instance holding the lease (its scheduler starts after)."""
    return ttl + ttl / 3


def instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leadership:
    """Takes and renews the scheduler lease in a background thread; calls back on election and demotion."""

    def __init__(self, db: StateDB, ttl: float, *, on_elected: Callable[[], None],
                 on_demoted: Callable[[], None], holder: str | None = None) -> None:
        self.db = db
        self.ttl = float(ttl)
        self.interval = self.ttl / 3
        self.margin = min(2.0, self.ttl / 6)  # stop leading this long before the lease could pass on
        self.holder = holder or instance_id()
        self.on_elected = on_elected
        self.on_demoted = on_demoted
        self.epoch: int | None = None
        self._valid_until = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.RLock()

    def is_leader(self) -> bool:
        return self.epoch is not None and time.time() < self._valid_until

    @property
    def role(self) -> str:
        return "leader" if self.is_leader() else "standby"

    def start(self) -> None:
        self.tick()  # a single instance leads from its first second
        self._thread = threading.Thread(target=self._run, name="leader-lease", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def tick(self) -> None:
        with self._lock:
            try:
                lease = leases.acquire(self.db, LEASE_NAME, self.holder, self.ttl)
            except Exception as exc:  # the database is unreachable: lead only while the lease surely holds
                log.warning("scheduler lease not renewed: %s", exc)
                if self.epoch is not None and time.time() >= self._valid_until:
                    self._demote("lease expired while the state database was unreachable")
                return
            if lease is None:
                if self.epoch is not None:
                    self._demote("another instance holds the lease")
                return
            self._valid_until = lease.expires_at - self.margin
            if self.epoch != lease.epoch:
                self.epoch = lease.epoch
                log.warning("elected scheduler leader (%s, epoch %d)", self.holder, lease.epoch)
                self.on_elected()

    def _demote(self, why: str) -> None:
        log.warning("no longer the scheduler leader: %s", why)
        self.epoch = None
        self.on_demoted()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.interval + 5)
        with self._lock:
            if self.epoch is not None:
                self.epoch = None
                try:
                    leases.release(self.db, LEASE_NAME, self.holder)
                except Exception:
                    log.exception("could not release the scheduler lease; it expires in %.0fs", self.ttl)

    def admit(self, job_id: str, run_times: list[datetime]) -> list[datetime]:
        """The run times of ``job_id`` this instance may start: none unless leading, each claimed once."""
        epoch = self.epoch
        if epoch is None or not self.is_leader():
            log.info("run of %s not started: this instance is not the scheduler leader", job_id)
            return []
        admitted = [t for t in run_times if leases.claim_run(self.db, job_id, t, self.holder, epoch)]
        if len(admitted) < len(run_times):
            log.warning("run of %s at %s already started by another instance: skipped", job_id,
                        ", ".join(t.isoformat() for t in run_times if t not in admitted))
        return admitted


class ClaimingThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool that starts a job's runs only as :meth:`Leadership.admit` allows."""

    def __init__(self, max_workers: int, admit: Callable[[str, list[datetime]], list[datetime]] | None) -> None:
        super().__init__(max_workers)
        self._admit = admit

    def submit_job(self, job: Any, run_times: list[datetime]) -> None:
        if self._admit is not None:
            run_times = self._admit(job.id, run_times)
            if not run_times:
                return
        super().submit_job(job, run_times)
