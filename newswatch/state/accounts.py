"""The state database's tables of the web service's accounts: users and their login sessions.

Apart from :mod:`newswatch.web.auth` (hashing, signing, the rules of who may do what) so that every
process can create the schema without loading argon2 and itsdangerous.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, String, Table

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
