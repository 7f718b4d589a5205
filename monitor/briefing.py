"""The daily briefing for the press office: one message a day, the same as the /briefing page.

At ``briefing.time`` (local time, ``config/newswatch.yaml``; default 07:30) the briefing covers
the 24 hours before it:

* **new directives**: the alerts of ``new_directive`` rules created in the window (number, title,
  first publisher, link);
* **most-reported stories**: story clusters with an article in the window, ranked by how many
  outlets carry them (at least two);
* **silent sources**: sources with an open ``source_silence`` alert.

Delivery goes through the outbox like every notification. The row's idempotency key is
``nw-briefing-<day>-<target hash>`` and is unique in the outbox, so however often
:func:`enqueue_due` runs (the scheduler's daily job, a restart that catches up a missed time,
several processes at once) a day's briefing is queued, and therefore sent, once per target.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from monitor import store
from monitor.channels import url_hash
from newswatch import localtime
from newswatch.settings import Settings
from newswatch.state.db import open_state

log = logging.getLogger(__name__)

JOB_ID = "briefing:daily"
CATCH_UP = timedelta(hours=12)  # a briefing missed by more than this (service down all day) is not sent late


def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def send_time(settings: Settings, day: date) -> datetime:
    """When the briefing of local ``day`` is due (aware, configured zone)."""
    cfg = settings.service.briefing
    at = _hm(cfg.time if cfg else "07:30")
    return datetime.combine(day, at, tzinfo=localtime.zone_of(settings))


def latest_day(settings: Settings, now: datetime | None = None) -> date:
    """The local day of the newest briefing time at or before ``now``."""
    tz = localtime.zone_of(settings)
    now = (now or localtime.utcnow()).astimezone(tz)
    return now.date() if now >= send_time(settings, now.date()) else now.date() - timedelta(days=1)


def window(settings: Settings, day: date) -> tuple[datetime, datetime]:
    """The 24 hours the briefing of ``day`` covers, in UTC: [send time − 24 h, send time)."""
    end = send_time(settings, day)
    return localtime.utc(end - timedelta(days=1)), localtime.utc(end)  # type: ignore[return-value]


def targets(settings: Settings) -> list[str]:
    cfg = settings.service.briefing
    urls = list(settings.notify_urls) + (list(cfg.notify) if cfg else [])
    return list(dict.fromkeys(u for u in urls if u))


# -- what the briefing says ---------------------------------------------------------------------------

def _directives(db: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    a = store.alerts.c
    with db.connect() as conn:
        ids = [r[0] for r in conn.execute(select(a.id).where(a.rule_type == "new_directive", a.created_at >= start,
                                                             a.created_at < end).order_by(a.created_at, a.id))]
    out = []
    for alert_id in ids:
        alert = store.get_alert(db, alert_id)
        if alert is None:
            continue
        first = alert.get("first_article") or {}
        out.append({"id": alert["id"], "number": alert.get("doc_number") or "", "title": alert["headline"],
                    "doc_type_name": alert.get("doc_type_name") or "", "publisher": first.get("source", ""),
                    "published": first.get("published"), "url": first.get("url", ""),
                    "article_title": first.get("title", ""), "articles": alert["article_count"]})
    return out


def _stories(settings: Settings, start: datetime, end: datetime, top: int,
             article_store: Any = None) -> list[dict[str, Any]]:
    from newswatch.store import open_store
    from newswatch.store.base import SearchQuery

    articles = article_store or open_store(settings)
    try:
        result = articles.search(SearchQuery(since=start, until=end, collapse_clusters=True, sort="newest",
                                             limit=500, facets=False))
    finally:
        if article_store is None:
            articles.close()
    stories = []
    for hit in result.hits:
        copies = hit.copies or [{"source": hit.article.source, "url": hit.article.url, "first": True}]
        outlets = sorted({str(c.get("source", "")) for c in copies if c.get("source")})
        if len(outlets) < 2:
            continue
        first = next((c for c in copies if c.get("first")), copies[0])
        stories.append({"title": hit.article.title, "outlets": outlets, "count": len(outlets),
                        "articles": len(copies), "first_source": first.get("source", hit.article.source),
                        "url": first.get("url", hit.article.url), "article_id": first.get("id", hit.article.id),
                        "published": first.get("published") or hit.article.published})
    stories.sort(key=lambda s: (-s["count"], -s["articles"], s["title"]))
    return stories[:top]


def _silent(db: Any) -> list[dict[str, Any]]:
    a = store.alerts.c
    with db.connect() as conn:
        rows = conn.execute(select(a.id, a.query_key, a.headline, a.created_at, a.details).where(
            a.rule_type == "source_silence", a.status != "resolved").order_by(a.created_at)).all()
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        source = str(row.query_key).split(":")[0]
        seen.setdefault(source, {"source": source, "headline": row.headline, "since": localtime.utc(row.created_at),
                                 "alert_id": row.id})
    return list(seen.values())


def build(settings: Settings, start: datetime, end: datetime, article_store: Any = None) -> dict[str, Any]:
    """The briefing of the window [start, end): directives, stories, silent sources (plain data).

    ``article_store``: an open store to search (the web service's); else one is opened and closed.
    """
    db = open_state(settings.state_url)
    top = settings.service.briefing.top_stories if settings.service.briefing else 5
    try:
        stories = _stories(settings, start, end, top, article_store)
        stories_error = None
    except Exception as exc:  # the archive is down: the briefing still tells about directives and sources
        log.warning("briefing: stories unavailable: %s", exc)
        stories, stories_error = [], f"{type(exc).__name__}: {exc}"
    tz = localtime.zone_of(settings)
    return {"start": start, "end": end, "day": localtime.local(end, tz).date().isoformat(),  # type: ignore[union-attr]
            "directives": _directives(db, start, end), "stories": stories, "stories_error": stories_error,
            "silent": _silent(db)}


# -- delivering it once a day ---------------------------------------------------------------------------

def enqueue_due(settings: Settings, now: datetime | None = None) -> int:
    """Queue the newest due briefing for every target unless it is queued already; returns rows added."""
    if settings.service.briefing is None:
        return 0
    urls = targets(settings)
    if not urls:
        return 0
    now = localtime.utc(now) or localtime.utcnow()
    day = latest_day(settings, now)
    start, end = window(settings, day)
    if now - end > CATCH_UP:
        return 0
    db = open_state(settings.state_url)
    added = 0
    for url in urls:
        key = f"nw-briefing-{day.strftime('%Y%m%d')}-{url_hash(url)}"
        try:
            with db.begin() as conn:
                if conn.execute(select(store.outbox.c.id).where(store.outbox.c.idempotency_key == key)).first():
                    continue
                conn.execute(store.outbox.insert().values(
                    idempotency_key=key, kind="briefing", alert_id=None, rule="briefing", severity="normal", url=url,
                    period_start=start, period_end=end, status="pending", held=None, attempts=0, not_before=now,
                    created_at=now))
                added += 1
        except IntegrityError:  # another process queued it first
            continue
    if added:
        log.info("daily briefing of %s queued for %d target(s)", day.isoformat(), added)
    return added


def scheduled_job() -> None:
    """The scheduler's daily job (importable, no arguments): queue today's briefing and deliver it."""
    from newswatch.service.runtime import current

    service = current()
    if service is None:
        return
    try:
        if enqueue_due(service.settings):
            service.deliver_now()
    except Exception:
        log.exception("daily briefing failed; the next run of the job (or a restart) catches up")
