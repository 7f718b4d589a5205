"""Cheap change detection: has a source published anything since the last look? No Scrapy, no browser.

The scheduler calls :func:`poll_source` every minute for official sources and starts a crawl child
process (``newswatch crawl --source NAME --json``) only when it reports a change. A poll sends one
conditional GET per entry point (feed, sitemap, first listing page) with the validators it stored
the last time (falling back to the crawl's), so an unchanged site answers ``304`` in a few
milliseconds; a body with the same hash as before is also "unchanged". When the body did change, the
links are parsed exactly as the spider parses them (:mod:`crawlers.discovery`) and compared with the
URLs the crawl state already knows; only unknown URLs, or known ones whose feed/sitemap date is newer
than their last fetch, count as a change.

The poller keeps its own validators (``poll_*`` columns), never the crawl's: otherwise the crawl
that follows a detected change would itself get a 304 and miss the new items. URLs a poll found
stay "pending" until the crawl has fetched them, so a failed or interrupted crawl is retried on the
next poll. The crawl saves an entry's body hash only once it has finished with everything the body
listed (:mod:`crawlers.progress`), so a body that differs from it is parsed again and its unfetched
URLs found; a sitemap index (or robots.txt) whose sitemaps the crawl has not finished reads as
changed, even when the poll's own validators say it is not.

:func:`next_interval` adapts a press source's polling interval to how often it publishes, as Media
Cloud's rss-fetcher does: many unseen items → poll sooner, nothing new → back off.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
from protego import Protego

from crawlers import discovery
from crawlers.settings import ROBOTSTXT_OBEY
from newswatch.settings import DEFAULT_USER_AGENT
from newswatch.sources import Source
from newswatch.state.crawl import EntryState, load_entries, save_entry, url_states
from newswatch.state.db import StateDB

MAX_BODY = 8 * 1024 * 1024


@dataclass
class PollResult:
    """What one poll of a source found."""

    changed: bool
    new_urls: list[str] = field(default_factory=list)
    status: str = "unchanged"  # unchanged | changed | error | partial
    reason: str = ""
    elapsed_ms: float = 0.0
    requests: int = 0
    not_modified: int = 0  # entry points answered 304 or with an identical body
    errors: dict[str, str] = field(default_factory=dict)  # entry URL -> reason


@dataclass
class _Fetched:
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    url: str = ""
    content_type: str = ""


class TooLarge(Exception):
    """An entry body over MAX_BODY (after decompression)."""


def _fetch(client: httpx.Client, url: str, headers: dict[str, str]) -> _Fetched:
    """One GET (redirects followed, gzip/deflate/br decoded by httpx), its body bounded by MAX_BODY."""
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            return _Fetched(304, url=url)
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_BODY:
                raise TooLarge(f"{url}: more than {MAX_BODY} bytes")
        return _Fetched(response.status_code, bytes(body), response.headers.get("ETag"),
                        response.headers.get("Last-Modified"), str(response.url),
                        response.headers.get("Content-Type") or "")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"http_{exc.response.status_code}"
    if isinstance(exc, TooLarge):
        return "too_large"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    text = str(exc).lower()
    if "name or service" in text or "resolve" in text or "nodename" in text or "getaddrinfo" in text:
        return "dns"
    if isinstance(exc, httpx.TransportError):
        return "connection"
    return f"failed_{type(exc).__name__}"


class RobotsRules:
    """robots.txt of each host, read with Protego (Scrapy's own parser) and kept an hour per process.

    The poller honours robots.txt exactly as the spider does (``ROBOTSTXT_OBEY``, or the source's
    ``politeness.obey_robots``): an entry point it disallows is not polled. A robots.txt that is
    missing or cannot be fetched allows everything, as in Scrapy's RobotsTxtMiddleware.
    """

    TTL_SECONDS = 3600.0
    _cache: ClassVar[dict[str, tuple[float, Protego | None]]] = {}

    @classmethod
    def allowed(cls, client: httpx.Client, url: str, user_agent: str) -> bool:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        cached = cls._cache.get(key)
        if cached is None or time.monotonic() - cached[0] > cls.TTL_SECONDS:
            cached = (time.monotonic(), cls._read(client, key))
            cls._cache[key] = cached
        rules = cached[1]
        return rules is None or rules.can_fetch(url, user_agent)

    @staticmethod
    def _read(client: httpx.Client, origin: str) -> Protego | None:
        try:
            response = client.get(f"{origin}/robots.txt")
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        return Protego.parse(response.text[:500_000])


def _links(kind: str, fetched: _Fetched, source: Source) -> tuple[list[discovery.Link], bool]:
    """Article links of an entry body, and whether it was a sitemap index (its children are not read here)."""
    if source.kind == "official_listing":  # an official listing's rows: their keys, as the spider reads them
        from w3lib.encoding import html_to_unicode

        from crawlers.official import listing_keys

        text = html_to_unicode(None, fetched.body)[1]  # the page's declared (or detected) encoding, as Scrapy decodes
        return [discovery.Link(key) for key in listing_keys(text, fetched.url, source.official, source.name)], False
    found = discovery.entry_links(kind, fetched.body, fetched.url, source)
    return found.articles, bool(found.sitemaps)


def _selected(links: list[discovery.Link], source: Source) -> dict[str, datetime | None]:
    """Normalised URL -> announced date, for the links the crawl would consider articles (the spider's filter)."""
    article_filter = discovery.ArticleFilter(source)
    out: dict[str, datetime | None] = {}
    for link in links:
        url = discovery.normalize_url(link.url)
        if source.kind == "official_listing" or article_filter.rejects(url) is None:  # entry keys may be off-site
            out[url] = max(filter(None, (out.get(url), link.modified)), default=None)
    return out


def _unfetched(db: StateDB, candidates: dict[str, datetime | None]) -> list[str]:
    states = url_states(db, candidates)
    return [url for url, announced in candidates.items()
            if url not in states or states[url].needs_fetch(announced)]


def _crawl_finished(entry: EntryState, body_hash: str | None) -> bool:
    """Whether the crawl finished with this body of the entry (its validators are saved only then)."""
    if entry.content_hash is None:
        # a robots.txt row written before the crawl kept body hashes: its ETag/Last-Modified mean finished
        return entry.kind == "robots" and bool(entry.etag or entry.last_modified)
    return body_hash == entry.content_hash


def _index_unfinished(result: PollResult) -> None:
    result.changed = True
    result.reason = result.reason or "sitemap index not finished by the last crawl"


def poll_source(source: Source, db: StateDB, *, timeout: float = 10.0, user_agent: str = DEFAULT_USER_AGENT) -> PollResult:
    """One conditional GET per feed/sitemap/listing of ``source``; report URLs the crawl has not fetched yet."""
    started = time.perf_counter()
    entries = load_entries(db, source.name)
    result = PollResult(changed=False)
    new_urls: dict[str, None] = {}
    kinds = [(u, "feed") for u in source.feeds] + [(u, "sitemap") for u in source.sitemaps] + \
        [(u, "listing") for u in source.listings]
    parents = {e.parent for e in entries.values() if e.parent}
    obey_robots = ROBOTSTXT_OBEY if source.politeness.obey_robots is None else source.politeness.obey_robots
    with httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}) as client:
        for url, kind in kinds:
            _poll_entry(client, url, kind, source, db, entries, parents, result, new_urls,
                        user_agent if obey_robots else None)
    result.new_urls = list(new_urls)
    result.changed = result.changed or bool(result.new_urls)
    if result.errors and len(result.errors) == len(kinds):
        result.status = "error"
        result.reason = "; ".join(f"{u}: {r}" for u, r in result.errors.items())
    elif result.changed:
        result.status = "changed" if not result.errors else "partial"
        result.reason = result.reason or f"{len(result.new_urls)} new or changed article URL(s)"
    else:
        result.status = "unchanged" if not result.errors else "partial"
        result.reason = "nothing new" if not result.errors else "nothing new where reachable"
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def _poll_entry(client: httpx.Client, url: str, kind: str, source: Source, db: StateDB,
                entries: dict[str, EntryState], parents: set[str], result: PollResult, new_urls: dict[str, None],
                robots_agent: str | None) -> None:
    """Poll one entry point: its conditional GET, its new article URLs, its saved validators."""
    entry = entries.get(url) or EntryState(url=url, source=source.name, kind=kind)
    if robots_agent is not None and not RobotsRules.allowed(client, url, robots_agent):
        result.errors[url] = "robots"  # the spider would not fetch it either
        return
    headers = dict(source.headers)
    etag = entry.poll_etag or entry.etag
    last_modified = entry.poll_last_modified or entry.last_modified
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    now = datetime.now(UTC)
    result.requests += 1
    try:
        fetched = _fetch(client, url, headers)
    except Exception as exc:  # a dead site is a poll result, not an exception for the scheduler
        result.errors[url] = _reason(exc)
        save_entry(db, url=url, source=source.name, kind=kind, last_polled=now)
        return
    pending = _unfetched(db, dict.fromkeys(entry.poll_pending)) if entry.poll_pending else []
    is_parent = url in parents  # a sitemap index or robots.txt whose sitemaps the crawl knows
    if fetched.status == 304:
        result.not_modified += 1
        new_urls.update(dict.fromkeys(pending))
        # answered to the poll's own validators when it has some: the body is the one it hashed last
        body = entry.poll_hash if (entry.poll_etag or entry.poll_last_modified) else entry.content_hash
        if is_parent and not _crawl_finished(entry, body):
            _index_unfinished(result)
        save_entry(db, url=url, source=source.name, kind=kind, last_polled=now, poll_pending=pending,
                   new_items=len(pending))
        return
    body_hash = hashlib.sha1(fetched.body).hexdigest()
    validators = {"poll_etag": fetched.etag, "poll_last_modified": fetched.last_modified, "poll_hash": body_hash}
    if body_hash in (entry.poll_hash, entry.content_hash):
        result.not_modified += 1
        new_urls.update(dict.fromkeys(pending))
        if is_parent and not _crawl_finished(entry, body_hash):
            _index_unfinished(result)
        save_entry(db, url=url, source=source.name, kind=kind, last_polled=now, poll_pending=pending,
                   new_items=len(pending), **validators)
        return
    links, is_index = _links(kind, fetched, source)
    candidates = _selected(links, source)
    found = _unfetched(db, candidates)
    if (is_index or is_parent) and not _crawl_finished(entry, body_hash):
        result.changed = True
        result.reason = "sitemap index changed"
    new_urls.update(dict.fromkeys(found))
    save_entry(db, url=url, source=source.name, kind=kind, last_polled=now, poll_pending=found,
               items=len(candidates), new_items=len(found), **validators)


def next_interval(source: Source, db: StateDB, min_s: float, max_s: float) -> float:
    """The next polling interval of ``source`` (call once per poll), adapted to its publishing rate.

    Media Cloud rss-fetcher's rule on the last parse of each entry point: when more than two thirds of
    the items were unseen the source publishes faster than it is polled (halve the interval); when
    none were new, back off (×1.5); in between keep the interval. Bounded by ``min_s`` and ``max_s``.
    """
    entries = load_entries(db, source.name)
    items = sum(e.items or 0 for e in entries.values())
    new = sum(e.new_items or 0 for e in entries.values())
    current = max((e.poll_interval for e in entries.values() if e.poll_interval), default=None)
    if current is None:
        interval = min_s
    elif items == 0 or new == 0:
        interval = current * 1.5
    elif new / items > 2 / 3:
        interval = current / 2
    else:
        interval = current
    interval = max(float(min_s), min(float(max_s), interval))
    for entry in entries.values():
        save_entry(db, url=entry.url, source=source.name, kind=entry.kind, poll_interval=interval)
    return interval
