"""Leases on SQLite and PostgreSQL: one holder at a time, taken over once expired, released on shutdown."""

from __future__ import annotations

import threading
import time

from newswatch.state import leases
from newswatch.state.db import StateDB


def test_one_holder_at_a_time_and_a_takeover_after_expiry(db_url: str) -> None:
    db = StateDB(db_url)
    try:
        now = time.time()
        first = leases.acquire(db, "scheduler", "host-a:1", ttl=10, now=now)
        assert first is not None and first.epoch == 1
        assert leases.acquire(db, "scheduler", "host-b:2", ttl=10, now=now + 5) is None  # still valid
        renewed = leases.acquire(db, "scheduler", "host-a:1", ttl=10, now=now + 8)
        assert renewed is not None and renewed.epoch == 1 and renewed.expires_at == now + 18
        assert leases.acquire(db, "scheduler", "host-b:2", ttl=10, now=now + 17) is None
        taken = leases.acquire(db, "scheduler", "host-b:2", ttl=10, now=now + 18.5)  # a stopped renewing
        assert taken is not None and taken.holder == "host-b:2" and taken.epoch == 2
        assert leases.acquire(db, "scheduler", "host-a:1", ttl=10, now=now + 19) is None  # the old holder lost it
        assert leases.release(db, "scheduler", "host-b:2")
        assert leases.acquire(db, "scheduler", "host-a:1", ttl=10).epoch == 3  # type: ignore[union-attr]
    finally:
        db.dispose()


def test_racing_processes_never_both_get_the_lease(db_url: str) -> None:
    db = StateDB(db_url)
    winners: list[str] = []
    start = threading.Barrier(8)

    def contend(name: str) -> None:
        start.wait()
        if leases.acquire(db, "scheduler", name, ttl=30) is not None:
            winners.append(name)

    try:
        threads = [threading.Thread(target=contend, args=(f"host-{i}",)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(winners) == 1
        assert leases.get(db, "scheduler").holder == winners[0]  # type: ignore[union-attr]
    finally:
        db.dispose()
