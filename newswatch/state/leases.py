"""Named leases and scheduled-run claims in the state database: who leads the schedule, and which run ran.

One row per lease: its holder, an epoch that grows at every change of holder (a fencing token: work
started under an older epoch can tell it lost the role), and an expiry time from the holder's
clock (machines sharing a lease keep their clocks in sync with NTP; a skew adds to the take-over time). A holder renews well before expiry; a process that dies
stops renewing and another takes the lease once it expired. All changes are single conditional
UPDATE/INSERT statements, so two processes never both hold a lease, on SQLite or PostgreSQL.

``service_job_claims`` holds one row per (job, scheduled time) that was started: the scheduler of
the leader inserts it before running the job, and an insert that finds the row already there
means another instance started that run (a leader that lost its lease without noticing, or a
restart that replays a due run), so the run is skipped. Rows older than :data:`CLAIM_KEEP_SECONDS`
are pruned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Float, Integer, String, Table, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from newswatch.state.db import StateDB, metadata

leases = Table(
    "service_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("epoch", Integer, nullable=False, default=1),
    Column("acquired_at", Float, nullable=False),
    Column("renewed_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)


job_claims = Table(
    "service_job_claims",
    metadata,
    Column("job_id", String(191), primary_key=True),
    Column("scheduled_at", String(40), primary_key=True),  # the run's scheduled time, ISO 8601 in UTC
    Column("holder", String(200), nullable=False),
    Column("epoch", Integer, nullable=False),
    Column("claimed_at", Float, nullable=False, index=True),
)

CLAIM_KEEP_SECONDS = 2 * 86400
_claims_since_prune = 0


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    epoch: int
    acquired_at: float
    renewed_at: float
    expires_at: float

    def valid(self, now: float | None = None) -> bool:
        return self.expires_at > (time.time() if now is None else now)


def get(db: StateDB, name: str) -> Lease | None:
    with db.connect() as conn:
        row = conn.execute(select(leases).where(leases.c.name == name)).first()
    return Lease(**row._mapping) if row is not None else None


def acquire(db: StateDB, name: str, holder: str, ttl: float, *, now: float | None = None) -> Lease | None:
    """Take or renew ``name`` for ``ttl`` seconds; the lease, or None while another holder's is valid."""
    now = time.time() if now is None else now
    c = leases.c
    with db.begin() as conn:
        renewed = conn.execute(update(leases).where(c.name == name, c.holder == holder, c.expires_at > now)
                               .values(renewed_at=now, expires_at=now + ttl))
        if renewed.rowcount != 1:
            taken = conn.execute(update(leases).where(c.name == name, or_(c.expires_at <= now, c.holder == holder))
                                 .values(holder=holder, epoch=c.epoch + 1, acquired_at=now, renewed_at=now,
                                         expires_at=now + ttl))
            if taken.rowcount != 1:
                exists = conn.execute(select(c.name).where(c.name == name)).first()
                if exists is not None:
                    return None
    if renewed.rowcount != 1 and taken.rowcount != 1:
        try:
            with db.begin() as conn:
                conn.execute(insert(leases).values(name=name, holder=holder, epoch=1, acquired_at=now,
                                                   renewed_at=now, expires_at=now + ttl))
        except IntegrityError:  # another process created it first
            return None
    lease = get(db, name)
    return lease if lease is not None and lease.holder == holder else None


def release(db: StateDB, name: str, holder: str) -> bool:
    """Give the lease up at once (a clean shutdown): another process can take it without waiting."""
    with db.begin() as conn:
        result = conn.execute(update(leases).where(leases.c.name == name, leases.c.holder == holder)
                              .values(expires_at=0.0))
    return result.rowcount == 1


def claim_run(db: StateDB, job_id: str, scheduled_at: datetime, holder: str, epoch: int) -> bool:
    """Record that ``holder`` starts the run of ``job_id`` scheduled at ``scheduled_at``; False if already started."""
    global _claims_since_prune
    now = time.time()
    key = scheduled_at.astimezone(UTC).isoformat(timespec="microseconds")
    try:
        with db.begin() as conn:
            conn.execute(insert(job_claims).values(job_id=job_id, scheduled_at=key, holder=holder, epoch=epoch,
                                                   claimed_at=now))
    except IntegrityError:
        return False
    _claims_since_prune += 1
    if _claims_since_prune >= 500:
        _claims_since_prune = 0
        with db.begin() as conn:
            conn.execute(delete(job_claims).where(job_claims.c.claimed_at < now - CLAIM_KEEP_SECONDS))
    return True
