"""Who may do what: users, sessions, the signing key, CSRF tokens and the reading networks.

Reading is open to clients on ``settings.service.allowed_networks`` (the client address as
:mod:`newswatch.web.proxies` gives it); acknowledging or resolving alerts, running crawls, dry-running
rules and editing need a logged-in user; failed logins are limited by :mod:`newswatch.web.throttle`. Users come from ``NEWSWATCH_USERS``
(``name:argon2hash``) or are added with ``newswatch users add NAME`` (stored hashed in the
``users`` table). A login creates a row in ``sessions``; the browser holds only the session id,
signed with itsdangerous. The signing key is ``NEWSWATCH_SECRET_KEY`` or, when that is unset, a
random key generated once and kept in ``<data>/secret_key`` so sessions survive restarts.

CSRF: every visitor gets a random token in a signed cookie; every form (and every JSON POST, as
the ``X-CSRF-Token`` header) must carry the same token.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select

from newswatch.settings import Settings
from newswatch.state.accounts import sessions, users
from newswatch.state.db import StateDB

SESSION_COOKIE = "nw_session"
CSRF_COOKIE = "nw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE = 14 * 24 * 3600

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(db: StateDB, name: str, password: str) -> str:
    """Store (or replace) a user with an argon2 hash of ``password``; returns the hash."""
    hashed = hash_password(password)
    with db.begin() as conn:
        conn.execute(delete(users).where(users.c.name == name))
        conn.execute(users.insert().values(name=name, password_hash=hashed, created=time.time()))
    return hashed


def remove_user(db: StateDB, name: str) -> bool:
    with db.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.user == name))
        return bool(conn.execute(delete(users).where(users.c.name == name)).rowcount)


def list_users(db: StateDB, settings: Settings) -> dict[str, str]:
    """``{name: "config" | "database"}``: everyone allowed to log in."""
    found = {name: "config" for name in settings.users}
    with db.connect() as conn:
        for row in conn.execute(select(users.c.name)):
            found.setdefault(row.name, "database")
    return found


def authenticate(db: StateDB, settings: Settings, name: str, password: str) -> bool:
    """True if ``name`` exists (configuration first, then the database) and ``password`` matches its hash."""
    hashed = settings.users.get(name)
    if hashed is None:
        with db.connect() as conn:
            hashed = conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar()
    if hashed is None:
        _verify(_dummy_hash(), password)  # same work for unknown users: no timing oracle on names
        return False
    return _verify(hashed, password)


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users (made on first use: every process imports this module)."""
    return _hasher.hash(secrets.token_hex(8))


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def create_session(db: StateDB, user: str) -> str:
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    with db.begin() as conn:
        conn.execute(sessions.insert().values(id_hash=_id_hash(session_id), user=user, created=now, last_seen=now))
    return session_id


def session_user(db: StateDB, session_id: str) -> str | None:
    """The user of a live session (sessions older than two weeks are expired)."""
    with db.connect() as conn:
        row = conn.execute(select(sessions).where(sessions.c.id_hash == _id_hash(session_id))).first()
    if row is None or time.time() - row.created > SESSION_MAX_AGE:
        return None
    return str(row.user)


def delete_session(db: StateDB, session_id: str) -> None:
    with db.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.id_hash == _id_hash(session_id)))


def secret_key(settings: Settings) -> str:
    """``NEWSWATCH_SECRET_KEY``, else a key generated once and kept (mode 0600) in the data directory."""
    explicit = os.environ.get("NEWSWATCH_SECRET_KEY")
    if explicit:
        return explicit
    path: Path = settings.ensure_data_dir() / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


@dataclass
class Signer:
    """Signs and checks the session and CSRF cookies."""

    key: str

    def __post_init__(self) -> None:
        self._session = URLSafeTimedSerializer(self.key, salt="newswatch-session")
        self._csrf = URLSafeTimedSerializer(self.key, salt="newswatch-csrf")

    def sign_session(self, session_id: str) -> str:
        return self._session.dumps(session_id)

    def unsign_session(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return str(self._session.loads(value, max_age=SESSION_MAX_AGE))
        except BadSignature:
            return None

    def new_csrf(self) -> tuple[str, str]:
        """A fresh token and its signed cookie value."""
        token = secrets.token_urlsafe(24)
        return token, self._csrf.dumps(token)

    def csrf_from_cookie(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return str(self._csrf.loads(value))
        except BadSignature:
            return None


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))


def parse_networks(networks: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in networks]


def in_networks(host: str | None, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """Whether a client address is inside one of the reading networks (unparseable addresses are not)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in networks if net.version == address.version)
