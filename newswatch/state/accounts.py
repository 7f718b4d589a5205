"""The state database's tables of the web service's accounts: users and their login sessions.

Apart from :mod:`newswatch.web.auth` (hashing, signing, the rules of who may do what) so that every
process can create the schema without loading argon2 and itsdangerous.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table

from newswatch.state.db import metadata

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(256), nullable=False),
    Column("created", Float, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the session id: a stolen DB gives no cookie
    Column("user", String(64), nullable=False, index=True),
    Column("created", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)

login_failures = Table(  # brute-force protection (newswatch.web.throttle): one row per user name and per address
    "login_failures",
    metadata,
    Column("key", String(200), primary_key=True),  # "account:<name>" or "address:<ip>"
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure", Float, nullable=False, default=0.0),
    Column("locked_until", Float, nullable=False, default=0.0),
)

login_counts = Table(  # login attempts by outcome since the database was created (for /metrics)
    "login_counts",
    metadata,
    Column("outcome", String(16), primary_key=True),  # ok | failed | refused
    Column("count", Integer, nullable=False, default=0),
)
