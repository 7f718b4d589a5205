"""Brute-force protection of the login form: failures counted per user name and per client address.

Kept in the state database (tables ``login_failures`` and ``login_counts``), so every process and thread
serving the UI — and every machine sharing a PostgreSQL state database — sees the same counts, and a
restart forgets nothing. (The ``limits`` package keeps its counters in memory, Redis, Memcached or
MongoDB, none of which the service has; and it gives fixed windows, not doubling lockouts.)

The rule, per user name and per address (``config/newswatch.yaml``, ``login:``):

* the ``account_failures``-th failure in a row of one user name (5), or the ``address_failures``-th from
  one address (20), locks it for ``lockout_seconds`` (30 s); every further failure after a lockout
  doubles it (60 s, 120 s …) up to ``max_lockout_seconds`` (15 min);
* while locked, attempts are refused without checking the password: HTTP 429 with ``Retry-After`` and a
  message saying until when; they do not extend the lockout (so an attacker cannot keep a user out
  for longer than the longest lockout by hammering);
* a successful login clears its user name's failures; failures are forgotten after
  ``forget_after_seconds`` (1 h) without one.

An attempt is counted as a failure *before* the password is checked (and given back if it was right),
so many attempts sent at once cannot all get past the check while the first are still being verified.
Unknown user names are counted like real ones: the answer never tells whether a name exists.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from newswatch.settings import LoginLimits
from newswatch.state.accounts import login_counts, login_failures
from newswatch.state.db import StateDB

log = logging.getLogger(__name__)

ACCOUNT, ADDRESS = "account", "address"


@dataclass
class Attempt:
    """A login attempt let through to the password check (or refused: ``retry_after`` > 0)."""

    user: str
    address: str
    retry_after: float = 0.0  # > 0: refused, locked for this many more seconds
    locked_scope: str = ""  # "account" or "address" when refused
    account_failures: int = 0  # failures in a row of the user name, this attempt included
    address_failures: int = 0

    @property
    def refused(self) -> bool:
        return self.retry_after > 0


def _key(scope: str, value: str) -> str:
    return f"{scope}:{value[:180]}"


class LoginThrottle:
    """Counts login failures in the state DB and decides who must wait."""

    def __init__(self, db: StateDB, limits: LoginLimits) -> None:
        self.db = db
        self.limits = limits

    def limit(self, scope: str) -> int:
        return self.limits.account_failures if scope == ACCOUNT else self.limits.address_failures

    def lockout(self, scope: str, failures: int) -> float:
        """Seconds locked after ``failures`` failures in a row (0 below the limit); doubles with each one over."""
        over = failures - self.limit(scope)
        if over < 0:
            return 0.0
        return float(min(self.limits.max_lockout_seconds, self.limits.lockout_seconds * 2 ** min(over, 30)))

    # -- one attempt --------------------------------------------------------------------------------

    def begin(self, user: str, address: str, now: float | None = None) -> Attempt:
        """Reserve an attempt: refused while the name or the address is locked, else counted as a failure
        until :meth:`succeeded` gives it back."""
        now = time.time() if now is None else now
        keys = {ACCOUNT: _key(ACCOUNT, user), ADDRESS: _key(ADDRESS, address)}
        attempt = Attempt(user=user, address=address)
        with self.db.begin() as conn:
            self._ensure_rows(conn, list(keys.values()))  # a write first: the transaction holds the lock from here
            found = conn.execute(select(login_failures).where(login_failures.c.key.in_(keys.values())).with_for_update())
            rows = {r["key"]: r for r in found.mappings()}
            state = {}
            for scope, key in keys.items():
                row = rows[key]
                failures, until = int(row["failures"]), float(row["locked_until"])
                if until <= now and now - float(row["last_failure"]) > self.limits.forget_after_seconds:
                    failures = 0
                state[scope] = (key, failures, until)
            locked = {scope: until - now for scope, (_, _, until) in state.items() if until > now}
            if locked:
                attempt.locked_scope = max(locked, key=lambda s: locked[s])
                attempt.retry_after = locked[attempt.locked_scope]
                attempt.account_failures, attempt.address_failures = state[ACCOUNT][1], state[ADDRESS][1]
                self._count(conn, "refused")
            else:
                for scope, (key, failures, until) in state.items():
                    failures += 1
                    pause = self.lockout(scope, failures)
                    conn.execute(update(login_failures).where(login_failures.c.key == key).values(
                        failures=failures, last_failure=now, locked_until=now + pause if pause else until))
                    if scope == ACCOUNT:
                        attempt.account_failures = failures
                    else:
                        attempt.address_failures = failures
            # forget what nobody needs any more (failures long past, no lockout running)
            conn.execute(delete(login_failures).where(login_failures.c.locked_until <= now,
                                                      login_failures.c.last_failure < now - self.limits.forget_after_seconds))
        if attempt.refused:
            log.warning("login refused for %r from %s: %s locked for %d s more", user, address,
                        "user name" if attempt.locked_scope == ACCOUNT else "address", math.ceil(attempt.retry_after))
        return attempt

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the user name's failures are cleared, the address gets its attempt back."""
        account, address = _key(ACCOUNT, attempt.user), _key(ADDRESS, attempt.address)
        with self.db.begin() as conn:
            conn.execute(update(login_failures).where(login_failures.c.key == account)
                         .values(failures=0, locked_until=0.0))
            previous = conn.execute(select(login_failures.c.failures).where(login_failures.c.key == address)).scalar()
            if previous is not None:
                failures = max(0, int(previous) - 1)
                values: dict[str, Any] = {"failures": failures}
                if failures < self.limits.address_failures:
                    values["locked_until"] = 0.0
                conn.execute(update(login_failures).where(login_failures.c.key == address).values(**values))
            self._count(conn, "ok")

    def failed(self, attempt: Attempt) -> float:
        """The password was wrong (already counted by :meth:`begin`): logs it; returns the lockout it started."""
        with self.db.begin() as conn:
            self._count(conn, "failed")
        pauses = {scope: self.lockout(scope, n) for scope, n in ((ACCOUNT, attempt.account_failures),
                                                                 (ADDRESS, attempt.address_failures))}
        log.warning("failed login for %r from %s (%d in a row for the user name, %d from the address)",
                    attempt.user, attempt.address, attempt.account_failures, attempt.address_failures)
        for scope, pause in pauses.items():
            if pause:
                log.warning("login locked: %s %r for %d s after %d failures", "user name" if scope == ACCOUNT else
                            "address", attempt.user if scope == ACCOUNT else attempt.address, pause,
                            attempt.account_failures if scope == ACCOUNT else attempt.address_failures)
        return max(pauses.values())

    def remaining(self, attempt: Attempt) -> int:
        """Failures the user name may still have before it is locked."""
        return max(0, self.limits.account_failures - attempt.account_failures)

    # -- administration and metrics -------------------------------------------------------------------

    def unlock(self, user: str | None = None, address: str | None = None) -> int:
        """Clear the failures of a user name and/or an address; returns how many rows were cleared."""
        keys = [_key(ACCOUNT, user)] if user else []
        keys += [_key(ADDRESS, address)] if address else []
        with self.db.begin() as conn:
            return int(conn.execute(delete(login_failures).where(login_failures.c.key.in_(keys))).rowcount or 0)

    def counts(self) -> dict[str, int]:
        """Login attempts by outcome (``ok``, ``failed``, ``refused``) since the state DB was created."""
        with self.db.connect() as conn:
            rows = conn.execute(select(login_counts.c.outcome, login_counts.c["count"]))
            return {outcome: int(count) for outcome, count in rows}

    def locked(self, now: float | None = None) -> dict[str, int]:
        """How many user names and addresses are locked right now."""
        now = time.time() if now is None else now
        out = {ACCOUNT: 0, ADDRESS: 0}
        with self.db.connect() as conn:
            for key in conn.execute(select(login_failures.c.key).where(login_failures.c.locked_until > now)).scalars():
                scope = key.split(":", 1)[0]
                if scope in out:
                    out[scope] += 1
        return out

    # -- helpers --------------------------------------------------------------------------------------

    def _ensure_rows(self, conn: Connection, keys: list[str]) -> None:
        values = [{"key": k, "failures": 0, "last_failure": 0.0, "locked_until": 0.0} for k in keys]
        insert = _upsert_insert(conn)
        if insert is not None:
            conn.execute(insert(login_failures).on_conflict_do_nothing(index_elements=["key"]), values)
            return
        present = set(conn.execute(select(login_failures.c.key).where(login_failures.c.key.in_(keys))).scalars())
        missing = [v for v in values if v["key"] not in present]
        if missing:
            conn.execute(login_failures.insert(), missing)

    @staticmethod
    def _count(conn: Connection, outcome: str) -> None:
        if conn.execute(update(login_counts).where(login_counts.c.outcome == outcome)
                        .values(count=login_counts.c["count"] + 1)).rowcount:
            return
        insert = _upsert_insert(conn)
        if insert is None:
            conn.execute(login_counts.insert().values(outcome=outcome, count=1))
        else:  # two first attempts at once: the second adds to the first's row
            conn.execute(insert(login_counts).values(outcome=outcome, count=1).on_conflict_do_update(
                index_elements=["outcome"], set_={"count": login_counts.c["count"] + 1}))


def _upsert_insert(conn: Connection) -> Any:
    """The dialect's ``insert`` with ``ON CONFLICT`` support (SQLite, PostgreSQL), else None."""
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert

        return insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    return None
