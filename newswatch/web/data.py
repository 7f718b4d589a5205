"""Everything the pages and the API read or change, in one place: store, run history, schedule, monitor.

The handlers stay thin and the HTML pages and the JSON API show the same figures.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from typing import Any

from newswatch.sources import Source, load_sources
from newswatch.state import runs
from newswatch.web.context import WebContext

log = logging.getLogger(__name__)


def to_plain(value: Any) -> Any:
    """Dataclasses, pydantic models and datetimes as JSON-ready values."""
    if hasattr(value, "to_dict"):
        return to_plain(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return to_plain(asdict(value))
    if hasattr(value, "model_dump"):
        return to_plain(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# -- sources ---------------------------------------------------------------------------------------

def configured_sources(ctx: WebContext) -> list[Source]:
    """The sources the service schedules (configured plus demo ones), or the configured file's."""
    if ctx.service is not None and ctx.service.sources:
        return [e.source for e in ctx.service.sources.values()]
    try:
        return load_sources(ctx.settings.sources_file)
    except Exception as exc:  # the page still shows run history
        log.warning("cannot load sources: %s", exc)
        return []


def schedule_label(source: Source) -> str:
    schedule = source.effective_schedule
    if schedule.cron:
        return f"cron {schedule.cron}"
    if schedule.adaptive:
        return "thích ứng / adaptive"
    seconds = int(schedule.interval or 60)
    return f"mỗi {seconds // 60} phút" if seconds % 60 == 0 and seconds >= 60 else f"mỗi {seconds} giây"


def _jobs_by_source(ctx: WebContext) -> dict[str, Any]:
    from newswatch.service.scheduler import SOURCE_JOB_PREFIX

    try:
        jobs = ctx.service.jobs() if ctx.service is not None else []
        if ctx.service is None:
            from newswatch.service.scheduler import list_jobs

            jobs = list_jobs(ctx.settings)
    except Exception as exc:
        log.warning("cannot read the job store: %s", exc)
        return {}
    return {j.id.removeprefix(SOURCE_JOB_PREFIX): j for j in jobs if j.id.startswith(SOURCE_JOB_PREFIX)}


def sources_overview(ctx: WebContext) -> list[dict[str, Any]]:
    """Per source: schedule, last poll, last crawl (with articles and errors by reason), next run, silence."""
    try:
        health = runs.source_health(ctx.db)
    except Exception as exc:
        log.warning("cannot read source health: %s", exc)
        health = {}
    polls = runs.latest_per_source(ctx.db, "poll")
    crawls = runs.latest_per_source(ctx.db, "child")
    jobs = _jobs_by_source(ctx)
    try:
        latest = ctx.store.latest_by_source()
    except Exception as exc:
        log.warning("cannot read the store: %s", exc)
        latest = {}
    running = set(ctx.service.running_crawls()) if ctx.service is not None else set()
    silent = silenced_sources(ctx)
    per_day = articles_per_day(ctx)
    sources = configured_sources(ctx)
    names = [s.name for s in sources] + sorted(set(health) - {s.name for s in sources})
    by_name = {s.name: s for s in sources}
    rows = []
    for name in names:
        source = by_name.get(name)
        h = health.get(name, {})
        poll = polls.get(name)
        crawl = crawls.get(name)
        job = jobs.get(name)
        errors = dict(h.get("errors_by_reason") or {})
        problems = []
        if h.get("last_status") in ("failed", "partial", "interrupted"):
            problems.append(f"lần chạy cuối: {h['last_status']}")
        if crawl is not None and crawl.status in ("failed", "timeout", "interrupted"):
            problems.append(f"crawl {crawl.status}: {crawl.reason or ''}".strip())
        if poll is not None and poll.status == "error":
            problems.append(f"poll: {poll.reason or 'error'}")
        if h.get("consecutive_failures"):
            problems.append(f"{h['consecutive_failures']} lần lỗi liên tiếp")
        if name in silent:
            problems.append("im lặng / silent")
        if name in running or (crawl is not None and crawl.status == "running"):
            state = "running"
        elif problems or errors:
            state = "failing" if problems else "warning"
        elif h.get("last_run") or crawl is not None:
            state = "ok"
        else:
            state = "never"
        rows.append({
            "name": name,
            "title": (source.title if source else None) or name,
            "tier": source.tier if source else "?",
            "enabled": source.enabled if source else False,
            "schedule": schedule_label(source) if source else "—",
            "state": state,
            "problems": problems,
            "last_run": h.get("last_run"),
            "last_status": h.get("last_status"),
            "last_ok": h.get("last_ok"),
            "articles_new": h.get("articles_new", 0),
            "articles_new_recent": h.get("articles_new_recent", 0),
            "requests": h.get("requests", 0),
            "errors_by_reason": errors,
            "consecutive_failures": h.get("consecutive_failures", 0),
            "last_poll": poll.to_dict() if poll else None,
            "last_crawl": crawl.to_dict() if crawl else None,
            "next_run": job.next_run.isoformat() if job and job.next_run else None,
            "trigger": job.trigger if job else None,
            "latest_article": latest[name].isoformat() if name in latest else None,
            "silent": name in silent,
            "reason": readable_reason(source, state, errors, crawl, poll, h, name in silent),
            "articles_per_day": per_day.get(name, 0.0),
        })
    return rows


PER_DAY_WINDOW = 7


def articles_per_day(ctx: WebContext, days: int = PER_DAY_WINDOW) -> dict[str, float]:
    """Articles published per day over the last ``days`` days, by source (one facet query)."""
    from datetime import timedelta

    from newswatch.store.base import SearchQuery

    try:
        result = ctx.store.search(SearchQuery(since=now() - timedelta(days=days), limit=1, collapse_clusters=False,
                                              facets=True, sort="newest"))
    except Exception as exc:
        log.warning("cannot count articles per day: %s", exc)
        return {}
    return {name: round(count / days, 1) for name, count in (result.facets.get("source") or {}).items()}


CRAWL_ENDINGS = {"timeout": "Lần thu thập quá thời gian cho phép và đã bị dừng",
                 "interrupted": "Lần thu thập bị ngắt giữa chừng (dịch vụ dừng hoặc tiến trình bị tắt)",
                 "failed": "Tiến trình thu thập kết thúc với lỗi"}


def readable_reason(source: Source | None, state: str, errors: dict[str, int], crawl: Any, poll: Any,
                    health: dict[str, Any], silent: bool) -> str:
    """One sentence in Vietnamese saying why a source is not healthy ("" when it is)."""
    from newswatch.web.health import describe, failure_reason, source_host

    if state not in ("failing", "warning"):
        return ""
    if errors:
        return failure_reason(errors, source)
    if poll is not None and poll.status == "error" and poll.reason:
        # the poll records "URL: reason-code; URL: reason-code"
        codes: dict[str, list[str]] = {}
        for part in str(poll.reason).split("; "):
            url, _, code = part.rpartition(": ")
            codes.setdefault(code.strip() or "error", []).append(url)
        code, urls = max(codes.items(), key=lambda kv: len(kv[1]))
        from urllib.parse import urlsplit

        host = urlsplit(urls[0]).hostname or source_host(source)
        return f"{describe(code, host.removeprefix('www.'))} — {len(urls)} URL"
    if crawl is not None and crawl.status in CRAWL_ENDINGS:
        return CRAWL_ENDINGS[crawl.status]
    if health.get("last_status") in CRAWL_ENDINGS:
        return CRAWL_ENDINGS[health["last_status"]]
    if silent:
        return "Nguồn im lặng: lâu không có bài mới so với nhịp đăng thường ngày"
    if health.get("consecutive_failures"):
        return f"{health['consecutive_failures']} lần thu thập lỗi liên tiếp"
    return ""


def run_history(ctx: WebContext, source: str | None = None, limit: int = 30) -> dict[str, Any]:
    """A source's (or every) crawl runs, and apart the scheduler's polls and crawl children."""
    crawls = [r.to_dict() for r in runs.recent_runs(ctx.db, source=source, limit=limit)]
    scheduled = [r.to_dict() for r in runs.recent_runs(ctx.db, source=source, limit=limit, kind=("poll", "child"))]
    return {"crawl_runs": crawls, "service_runs": scheduled}


# -- alerts (monitor.store) ----------------------------------------------------------------------------

def list_alerts(ctx: WebContext, *, status: str | None = None, rule: str | None = None,
                severity: str | None = None, rule_type: str | None = None, limit: int = 50,
                offset: int = 0) -> list[dict[str, Any]]:
    """Newest first, each with its first article and delivery summary."""
    from monitor import store as alert_store

    rows = alert_store.list_alerts(ctx.db, status=status or None, rule=rule or None, severity=severity or None,
                                   limit=limit, offset=offset)
    if rule_type:
        rows = [a for a in rows if a.get("rule_type") == rule_type]
    return rows


def get_alert(ctx: WebContext, alert_id: int) -> dict[str, Any] | None:
    """One alert with all its articles (first publisher first) and its deliveries."""
    from monitor import store as alert_store

    return alert_store.get_alert(ctx.db, alert_id)


class TransitionError(ValueError):
    """The alert's status does not allow that step."""


def set_alert_status(ctx: WebContext, alert_id: int, action: str, user: str, note: str = "") -> dict[str, Any]:
    """Acknowledge or resolve, recording who and when (and an optional note)."""
    from monitor import store as alert_store

    try:
        if action == "ack":
            return alert_store.acknowledge(ctx.db, alert_id, user, note=note)
        if action == "resolve":
            return alert_store.resolve(ctx.db, alert_id, user, note=note)
    except alert_store.InvalidTransition as exc:
        raise TransitionError(str(exc)) from None
    raise ValueError(action)


def channel_status(ctx: WebContext) -> list[dict[str, Any]]:
    """The notification channels (targets masked, never the URL) with their last delivery result."""
    from monitor.channels import status

    rows = status(ctx.settings, ctx.db)
    for row in rows:
        row.pop("url", None)
    return rows


def alert_counts(ctx: WebContext) -> dict[str, int]:
    from monitor import store as alert_store

    try:
        return alert_store.alert_counts(ctx.db)
    except Exception:
        return {}


def alerts_marker(ctx: WebContext) -> str:
    """Changes whenever an alert is added or changes status (the live page reloads on a change)."""
    from sqlalchemy import func, select

    from monitor import store as alert_store

    table = alert_store.alerts
    try:
        with ctx.db.connect() as conn:
            count, newest = conn.execute(select(func.count(), func.max(table.c.updated_at))).one()
    except Exception:
        return ""
    return f"{count}:{newest}"


def silenced_sources(ctx: WebContext) -> set[str]:
    """Sources with an open source-silence alert (its query key is the source name)."""
    from sqlalchemy import select

    from monitor import store as alert_store

    table = alert_store.alerts
    try:
        with ctx.db.connect() as conn:
            rows = conn.execute(select(table.c.query_key, table.c.details).where(
                table.c.rule_type == "source_silence", table.c.status != "resolved")).all()
    except Exception:
        return set()
    names = set()
    for key, details in rows:
        try:
            source = json.loads(details or "{}").get("source")
        except ValueError:
            source = None
        names.add(str(source or key.split(":")[0]))
    return names


# -- rules ----------------------------------------------------------------------------------------------

def monitor(ctx: WebContext) -> Any:
    """The monitor (rules reloaded when the file changes; the last good rules if it is malformed)."""
    if ctx.monitor is None:
        from monitor.engine import Monitor

        ctx.monitor = Monitor(ctx.settings, article_store=ctx.store)
    return ctx.monitor


def rules_overview(ctx: WebContext) -> tuple[list[dict[str, Any]], str | None]:
    """The rules in force (with their recent matches), and the error if the file on disk was rejected."""
    mon = monitor(ctx)
    ruleset = mon.rules
    error = str(mon.rules_error) if mon.rules_error else None
    rows = []
    for rule in ruleset.rules:
        data = to_plain(rule)
        try:
            data["recent"] = list_alerts(ctx, rule=rule.name, limit=5)
        except Exception:
            data["recent"] = []
        rows.append(data)
    return rows, error


def dry_run(ctx: WebContext, rule_name: str, since: datetime | None) -> list[dict[str, Any]]:
    """What ``rule_name`` would fire over the archive since ``since`` (nothing is stored or sent)."""
    mon = monitor(ctx)
    if mon.rules.get(rule_name) is None:
        raise KeyError(rule_name)
    return [to_plain(hit) for hit in mon.dry_run(rule_name, since)]


def explain_article(ctx: WebContext, article: Any) -> list[dict[str, Any]]:
    """Per ``new_directive`` rule, each document number of the article with its verdict and reason."""
    from monitor.rules.new_directive import NewDirectiveRule

    mon = monitor(ctx)
    enriched = mon.enriched(article)
    out = []
    for rule in mon.rules.article_rules:
        if isinstance(rule, NewDirectiveRule):
            verdicts = [{"doc_number": f.doc_number, "fires": f.details.get("fires", False),
                         "reason": f.details.get("reason", ""), "evidence": f.evidence}
                        for f in rule.explain(enriched, mon.ctx)]
            out.append({"rule": rule.name, "numbers": verdicts})
    return out


def dry_run_counts(hits: list[dict[str, Any]]) -> dict[str, int]:
    """New alerts and attached articles of a dry run, counted as the CLI counts them."""
    from monitor.archive import summarize

    return summarize(hit.get("action", "") for hit in hits)


def now() -> datetime:
    return datetime.now(UTC)


# -- the document register (newswatch.documents) --------------------------------------------------------


def list_documents(ctx: WebContext, query: Any) -> Any:
    """One page of the register (a ``DocumentPage``); ValueError for a filter it cannot read."""
    return ctx.store.documents.list(query)


def get_document(ctx: WebContext, number: str) -> Any:
    """The record of a number in any spelling, with the uid of the alert it raised (None when unknown)."""
    from newswatch.documents.present import alert_for_document

    record = ctx.store.documents.get(number)
    if record is not None:
        try:
            record.alert_uid = alert_for_document(ctx.db, record)
        except Exception as exc:  # the register still answers while the alert history cannot be read
            log.warning("cannot read the alert of %s: %s", record.key, exc)
    return record
