"""Crawl state: every URL seen and every entry point (feed, sitemap, listing) with its validators.

Two tables on the shared state metadata:

``crawl_urls``
    one row per discovered URL (normalised, tracking parameters stripped) of a source: the canonical
    URL the page declared, a fingerprint of its content, the last status (``article``, ``other``,
    ``error``, ``gone``), the reason of a failure, when it was last fetched and the freshest
    modification date a feed or sitemap announced for it. A URL with a row is not fetched again
    unless a feed/sitemap announces a newer date, its last fetch failed for a transient reason, or
    the crawl is ``--full``.

``crawl_entries``
    one row per feed, sitemap and listing URL: ETag, Last-Modified and a hash of the body the
    crawler last parsed (so the next request is conditional and an unchanged body is not parsed
    again), the same three validators for the cheap poller (:mod:`newswatch.crawl.poll`) kept
    apart so a poll never hides a change from the crawl that follows it, plus item counts the
    adaptive interval uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    case,
    func,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from newswatch import localtime
from newswatch.state.db import StateDB, metadata

crawl_urls = Table(
    "crawl_urls",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("canonical_url", String(2048), index=True),
    Column("fingerprint", String(64)),
    Column("status", String(16), nullable=False),  # article | other | error | gone
    Column("reason", String(200)),
    Column("http_status", Integer),
    Column("attempts", Integer, nullable=False, default=0),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_fetched", DateTime(timezone=True)),
    Column("announced_modified", DateTime(timezone=True)),  # newest feed/sitemap date seen for it
)

crawl_entries = Table(
    "crawl_entries",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # feed | sitemap | listing
    Column("parent", String(2048)),  # the sitemap index (or robots.txt) that listed this sitemap
    Column("etag", String(512)),
    Column("last_modified", String(64)),
    Column("content_hash", String(64)),
    Column("last_status", Integer),
    Column("last_reason", String(200)),
    Column("last_fetched", DateTime(timezone=True)),
    Column("items", Integer),  # links found at the last parse
    Column("new_items", Integer),  # of which not seen before
    Column("poll_etag", String(512)),
    Column("poll_last_modified", String(64)),
    Column("poll_hash", String(64)),
    Column("poll_pending", Text),  # JSON list: new URLs the last poll found
    Column("poll_interval", Float),  # current adaptive interval (seconds)
    Column("last_polled", DateTime(timezone=True)),
)
Index("ix_crawl_entries_source", crawl_entries.c.source)

# Failures that may go away by themselves; every other reason is permanent (the URL is not fetched again
# unless a feed or sitemap announces a newer version). docs/crawling.md lists them all.
TRANSIENT_REASONS = frozenset({"timeout", "connection", "dns", "truncated", "http_429", "render_failed",
                               "pipeline_error", "store_failed", "worker_lost",
                               "missing_from_store"})  # set by `newswatch reindex --verify` (store.reconcile)


def is_transient(reason: str | None) -> bool:
    """Whether a failure may go away by itself (a server error, a timeout...): the URL is tried again later."""
    return bool(reason) and (reason in TRANSIENT_REASONS or reason.startswith("http_5"))  # type: ignore[union-attr]
MAX_ATTEMPTS = 3


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything here is stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass
class UrlState:
    url: str
    source: str
    canonical_url: str | None
    fingerprint: str | None
    status: str
    reason: str | None
    attempts: int
    last_fetched: datetime | None
    announced_modified: datetime | None

    def needs_fetch(self, announced: datetime | None) -> bool:
        """Whether this URL should be fetched again: changed upstream, or a transient failure to retry."""
        if self.status == "error":
            return is_transient(self.reason) and self.attempts < MAX_ATTEMPTS
        if announced is not None and self.last_fetched is not None:
            return announced > self.last_fetched
        return False


@dataclass
class EntryState:
    url: str
    source: str
    kind: str
    parent: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    last_status: int | None = None
    last_fetched: datetime | None = None
    items: int | None = None
    new_items: int | None = None
    poll_etag: str | None = None
    poll_last_modified: str | None = None
    poll_hash: str | None = None
    poll_pending: list[str] = field(default_factory=list)
    poll_interval: float | None = None
    last_polled: datetime | None = None


def _url_state(row) -> UrlState:  # type: ignore[no-untyped-def]
    return UrlState(url=row.url, source=row.source, canonical_url=row.canonical_url, fingerprint=row.fingerprint,
                    status=row.status, reason=row.reason, attempts=row.attempts or 0,
                    last_fetched=_aware(row.last_fetched), announced_modified=_aware(row.announced_modified))


def load_urls(db: StateDB, source: str) -> dict[str, UrlState]:
    """Every URL known for ``source``, keyed by URL and (where different) by canonical URL."""
    out: dict[str, UrlState] = {}
    with db.connect() as conn:
        for row in conn.execute(select(crawl_urls).where(crawl_urls.c.source == source)):
            state = _url_state(row)
            out[state.url] = state
            if state.canonical_url and state.canonical_url not in out:
                out[state.canonical_url] = state
    return out


def url_states(db: StateDB, urls: Iterable[str]) -> dict[str, UrlState]:
    """The stored state of each of ``urls`` found (matched as discovered or canonical URL)."""
    wanted = list(dict.fromkeys(urls))
    out: dict[str, UrlState] = {}
    with db.connect() as conn:
        for start in range(0, len(wanted), 400):
            chunk = wanted[start:start + 400]
            rows = conn.execute(select(crawl_urls)
                                .where(crawl_urls.c.url.in_(chunk) | crawl_urls.c.canonical_url.in_(chunk)))
            for row in rows:
                state = _url_state(row)
                out.setdefault(state.url, state)
                if state.canonical_url:
                    out.setdefault(state.canonical_url, state)
    wanted_set = set(wanted)
    return {k: v for k, v in out.items() if k in wanted_set}


def record_url(
    db: StateDB,
    *,
    source: str,
    url: str,
    status: str,
    canonical_url: str | None = None,
    fingerprint: str | None = None,
    reason: str | None = None,
    http_status: int | None = None,
    announced_modified: datetime | None = None,
    fetched_at: datetime | None = None,
) -> None:
    """Insert or update what the crawler learnt about ``url`` (a fetch, or a failure with its reason)."""
    record_urls(db, [dict(source=source, url=url, status=status, canonical_url=canonical_url,
                          fingerprint=fingerprint, reason=reason, http_status=http_status,
                          announced_modified=announced_modified, fetched_at=fetched_at)])


def record_urls(db: StateDB, records: list[dict]) -> None:
    """Batch form of :func:`record_url` (one transaction)."""
    if not records:
        return
    now = localtime.utcnow()
    rows = [{
        "url": rec["url"], "source": rec["source"], "status": rec["status"],
        "canonical_url": rec.get("canonical_url"), "fingerprint": rec.get("fingerprint"),
        "reason": rec.get("reason"), "http_status": rec.get("http_status"),
        "announced_modified": rec.get("announced_modified"),
        "last_fetched": rec.get("fetched_at") or now, "first_seen": now,
        "attempts": 1 if rec["status"] == "error" else 0,
    } for rec in records]
    with db.begin() as conn:
        if db.engine.dialect.name == "sqlite":  # one upsert statement for the whole batch
            stmt = sqlite_insert(crawl_urls)
            update: dict[str, Any] = {k: stmt.excluded[k] for k in ("source", "status", "reason", "http_status",
                                                                     "last_fetched")}
            for key in ("canonical_url", "fingerprint", "announced_modified"):  # a missing value keeps the old one
                update[key] = func.coalesce(stmt.excluded[key], crawl_urls.c[key])
            update["attempts"] = case((stmt.excluded.status == "error", crawl_urls.c.attempts + 1), else_=0)
            conn.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=update), rows)
            return
        for values in rows:  # portable path for other databases
            existing = conn.execute(select(crawl_urls.c.attempts).where(crawl_urls.c.url == values["url"])).first()
            if existing is None:
                conn.execute(crawl_urls.insert().values(**values))
            else:
                values.pop("first_seen")
                values = {k: v for k, v in values.items() if v is not None or k in ("reason",)}
                values["attempts"] = (existing.attempts or 0) + 1 if values["status"] == "error" else 0
                conn.execute(crawl_urls.update().where(crawl_urls.c.url == values["url"]).values(**values))


def _entry_state(row) -> EntryState:  # type: ignore[no-untyped-def]
    pending = json.loads(row.poll_pending) if row.poll_pending else []
    return EntryState(url=row.url, source=row.source, kind=row.kind, parent=row.parent, etag=row.etag, last_modified=row.last_modified,
                      content_hash=row.content_hash, last_status=row.last_status,
                      last_fetched=_aware(row.last_fetched), items=row.items, new_items=row.new_items,
                      poll_etag=row.poll_etag, poll_last_modified=row.poll_last_modified, poll_hash=row.poll_hash,
                      poll_pending=pending, poll_interval=row.poll_interval, last_polled=_aware(row.last_polled))


def load_entries(db: StateDB, source: str | None = None) -> dict[str, EntryState]:
    """Stored feeds/sitemaps/listings (of one source, or all), keyed by URL."""
    query = select(crawl_entries)
    if source is not None:
        query = query.where(crawl_entries.c.source == source)
    with db.connect() as conn:
        return {row.url: _entry_state(row) for row in conn.execute(query)}


def save_entry(db: StateDB, *, url: str, source: str, kind: str, **values) -> None:  # type: ignore[no-untyped-def]
    """Insert or update an entry point's row with the given columns (``poll_pending`` as a list)."""
    if "poll_pending" in values and values["poll_pending"] is not None:
        values["poll_pending"] = json.dumps(values["poll_pending"], ensure_ascii=False)
    unknown = set(values) - set(crawl_entries.c.keys())
    if unknown:
        raise ValueError(f"unknown crawl_entries columns: {sorted(unknown)}")
    with db.begin() as conn:
        exists = conn.execute(select(crawl_entries.c.url).where(crawl_entries.c.url == url)).first()
        if exists is None:
            conn.execute(crawl_entries.insert().values(url=url, source=source, kind=kind, **values))
        else:
            conn.execute(crawl_entries.update().where(crawl_entries.c.url == url)
                         .values(source=source, kind=kind, **values))


