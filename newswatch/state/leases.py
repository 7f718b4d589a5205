"""Named leases in the state database: which process holds a role (the scheduler's leader) until when.

One row per lease: its holder, an epoch that grows at every change of holder (a fencing token: work
started under an older epoch can tell it lost the role), and an expiry time from the holder's
clock (machines sharing a lease keep their clocks in sync with NTP; a skew adds to the take-over time). A holder renews well before expiry; a process that dies
stops renewing and another takes the lease once it expired. All changes are single conditional
UPDATE/INSERT statements, so two processes never both hold a lease, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, String, Table, insert, or_, select, update
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
