"""A crawl worker: takes crawl messages from Redis one at a time and runs each as a ``newswatch crawl`` child.

Each worker process runs one crawl at a time (one per ``--threads``) and fetches no message ahead
(``queue_prefetch`` equals the threads), so a queued crawl always goes to the first free worker.
A heartbeat thread keeps the worker alive in the broker's eyes while a long crawl runs (Dramatiq
sends heartbeats only when it fetches); when the process dies the heartbeats stop and the
broker returns its crawl to the queue (:mod:`newswatch.distributed.queue`).

Each run is recorded in the run history (:mod:`newswatch.state.runs`, kind ``child``, trigger
``queue``) like a scheduled crawl, so the UI shows it whichever machine ran it. A run that finds the source's
previous queued run still ``running`` records that one as interrupted: the message came back
because its worker died.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from dramatiq import Worker
from sqlalchemy import update

from newswatch.distributed import QUEUE_TRIGGER
from newswatch.distributed.queue import QUEUE, clear_pending, declare_actor, make_broker
from newswatch.service.runner import run_crawl_child
from newswatch.settings import Settings, load_settings
from newswatch.state import crawl as crawl_state
from newswatch.state import runs
from newswatch.state.db import StateDB, open_state

log = logging.getLogger(__name__)

TRIGGER = QUEUE_TRIGGER


def crawl_source(source: str, sources_file: str, trigger: str = TRIGGER) -> None:
    """The actor: one crawl of ``source`` in a child process, recorded in the state database."""
    settings = load_settings()
    db = open_state(settings.state_url)
    _recover_from_a_dead_worker(db, source)
    run_id = runs.start_run(db, [source], kind="child", trigger=TRIGGER)
    log.info("crawl %s started (%s)", source, trigger)
    outcome = run_crawl_child(settings, source, Path(sources_file), timeout=settings.service.crawl_timeout_seconds,
                        on_start=lambda pid: runs.set_pid(db, run_id, pid), run_id=run_id)
    runs.finish_run(db, run_id, outcome.status, reason=outcome.reason, exit_code=outcome.exit_code,
                    summary=outcome.summary)
    # Cleared only here: an exception above (the state database unreachable...) retries the message
    # (Dramatiq's Retries, with backoff) and the source stays marked as queued meanwhile.
    clear_pending(_broker.client, source)
    log.log(logging.INFO if outcome.ok else logging.WARNING, "crawl %s %s in %.1fs%s", source, outcome.status,
            outcome.elapsed_s, f": {outcome.reason}" if outcome.reason else "")
    if outcome.ok and settings.notify_urls:
        _deliver(settings)



def _recover_from_a_dead_worker(db: StateDB, source: str) -> None:
    """A crawl of ``source`` still 'running' from the queue means its worker died and this message came back.

    That run is recorded as interrupted, and the source's feeds, sitemaps and listings lose their
    validators (ETag, Last-Modified, body hash): the dead crawl may have saved them before it fetched
    the articles they list, and an unchanged entry point is not parsed again. Article URLs already
    recorded keep their state, so only what the dead crawl did not finish is fetched.
    """
    with db.begin() as conn:
        died = runs.interrupt_running(conn, "its worker died; the crawl was run again by another", source=source,
                                      trigger=TRIGGER)
        if died:
            entries = crawl_state.crawl_entries
            conn.execute(update(entries).where(entries.c.source == source)
                         .values(etag=None, last_modified=None, content_hash=None))
    if died:
        log.warning("crawl of %s: its previous worker died mid-run; crawling it again from its entry points", source)


def _deliver(settings: Settings) -> None:
    try:
        from monitor.delivery import deliver_pending

        deliver_pending(settings)  # the outbox claims each row: several workers never send one twice
    except Exception:
        log.exception("outbox delivery after a crawl failed; the service delivers it on its next tick")


_broker: Any = None


def run_worker(settings: Settings, *, threads: int = 1, stop: threading.Event | None = None) -> None:
    """Consume crawl messages until SIGTERM/SIGINT (or ``stop``)."""
    global _broker
    _broker = make_broker(settings)
    declare_actor(_broker, crawl_source)
    worker = Worker(_broker, queues={QUEUE}, worker_threads=threads, worker_timeout=500)
    worker.queue_prefetch = threads  # no message waits behind a running crawl while another worker is free
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    beat_every = max(0.5, settings.service.worker_heartbeat_seconds / 5)
    worker.start()
    log.warning("crawl worker %s: %d thread(s) on %s", _broker.broker_id, threads, QUEUE)
    try:
        while not stop.wait(beat_every):
            _broker.do_qsize(QUEUE)  # every broker command is a heartbeat of this worker
    finally:
        worker.stop(timeout=settings.service.crawl_timeout_seconds * 1000)
        _broker.close()
