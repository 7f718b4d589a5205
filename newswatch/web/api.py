"""The JSON API under ``/api``: the same data as the pages (search, article, documents, alerts, sources, runs, rules).

Reading follows the same network rule as the pages. Changing anything (acknowledge, resolve,
run a crawl, send a test notification) needs a logged-in session and the ``X-CSRF-Token`` header
(the token is returned by ``GET /api/session``); so does a rule's dry run, which reads the whole
archive. Times are ISO 8601 in the configured time zone, with its offset (``2026-12-05T05:30:00+07:00``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request

from newswatch import localtime
from newswatch.web import data
from newswatch.web.context import check_csrf, ctx, current_user, require_login
from newswatch.web.params import PER_PAGE, SearchParams
from newswatch.web.reading import article_with_copies, run_search

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["api"])


def _local(request: Request, value: Any) -> Any:
    """``value`` with every time in the configured zone, offset included."""
    return localtime.localize(data.to_plain(value), localtime.zone_of(ctx(request).settings))


@router.get("/session")
def session(request: Request) -> dict[str, Any]:
    """Who is logged in, and the CSRF token to send with changes."""
    return {"user": current_user(request), "csrf_token": request.state.csrf,
            "trusted_network": request.state.trusted_network}


@router.get("/search")
def search(request: Request, limit: int = PER_PAGE) -> dict[str, Any]:
    """Search with the page's parameters: q, since, until, source, topic, doc_type, doc_number, page, sort."""
    params = SearchParams.from_query(request.query_params)
    result, error = run_search(request, params, limit=max(1, min(limit, 200)))
    if params.errors:
        raise HTTPException(status_code=400, detail="; ".join(params.errors))
    if result is None:
        raise HTTPException(status_code=503, detail=error)
    return _local(request, {
        "total": result.total, "total_exact": result.total_exact, "page": params.page, "took_ms": result.took_ms, "facets": result.facets,
        "hits": [{"article": _article_summary(h.article), "score": h.score, "snippet": h.snippet,
                  "copies": data.to_plain(h.copies)} for h in result.hits],
    })


def _article_summary(article: Any) -> dict[str, Any]:
    return {"id": article.id, "url": article.url, "title": article.title, "source": article.source,
            "published": article.published.isoformat() if article.published else None,
            "doc_numbers": article.canonical_doc_numbers, "topics": article.topics,
            "cluster_id": article.cluster_id}


@router.get("/articles/{article_id}")
def article(request: Request, article_id: str) -> dict[str, Any]:
    found, copies = article_with_copies(request, article_id)
    return _local(request, {"article": found.to_dict(), "copies": [_article_summary(c) for c in copies]})


@router.get("/documents")
def documents(request: Request, type: Annotated[list[str], Query(description="type code or name: ND, Nghị định")] = [],  # noqa: B006
              issuer: Annotated[list[str], Query(description="issuer code or name: TTg, Thủ tướng Chính phủ")] = [],  # noqa: B006
              status: Annotated[list[str], Query(description="confirmed, reported or cited")] = [],  # noqa: B006
              month: Annotated[str, Query(description="YYYY-MM of the issue date")] = "",
              since: Annotated[str, Query(description="first seen since: 7d, 12h, 2026-11-20")] = "",
              q: Annotated[str, Query(description="words in the number, type, issuer, signer or trích yếu")] = "",
              limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The document register, newest first seen first, with facets (each filter repeatable: values OR-ed)."""
    from newswatch.documents.present import make_query, page_json

    try:
        query = make_query(types=type, issuers=issuer, statuses=status, month=month, since=since, text=q,
                           limit=max(1, min(limit, 500)), offset=max(0, offset),
                           tz=localtime.zone_of(ctx(request).settings))
        page = data.list_documents(ctx(request), query)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return _local(request, page_json(page, query))


@router.get("/documents/{number:path}")
def document(request: Request, number: str) -> dict[str, Any]:
    """One document by its number in any spelling (``1234/QĐ-TTg``, ``1234/qd-ttg``, ``07/CT-TTg@2026``; the
    slash may be sent as is or as ``%2F``): every field, official link, attachments, mentions in time order,
    first publisher and the alert it raised."""
    from newswatch.documents.present import record_json

    try:
        record = data.get_document(ctx(request), number)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    if record is None:
        raise HTTPException(status_code=404, detail=f"no document {number!r} in the register")
    return _local(request, record_json(record))


@router.get("/alerts")
def alerts(request: Request, status: str = "", rule: str = "", severity: str = "", limit: int = 50,
           offset: int = 0) -> dict[str, Any]:
    rows = data.list_alerts(ctx(request), status=status, rule=rule, severity=severity,
                            limit=max(1, min(limit, 500)), offset=max(0, offset))
    return _local(request, {"alerts": rows})


@router.get("/alerts/{alert_id}")
def alert(request: Request, alert_id: int) -> dict[str, Any]:
    found = data.get_alert(ctx(request), alert_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such alert")
    return _local(request, found)


@router.post("/alerts/{alert_id}/{action}", dependencies=[Depends(check_csrf)])
def alert_action(request: Request, alert_id: int, action: str, user: str = Depends(require_login),
                 body: Annotated[dict[str, Any] | None, Body(examples=[{"note": "đã báo cáo lãnh đạo"}])] = None,
                 ) -> dict[str, Any]:
    """Acknowledge or resolve; an optional JSON body ``{"note": "..."}`` is kept with the alert."""
    if action not in ("ack", "resolve"):
        raise HTTPException(status_code=404, detail="action must be ack or resolve")
    if data.get_alert(ctx(request), alert_id) is None:
        raise HTTPException(status_code=404, detail="no such alert")
    note = str((body or {}).get("note") or "")
    try:
        changed = data.set_alert_status(ctx(request), alert_id, action, user, note=note)
        log.info("%s: alert %s %s (API)", user, alert_id, action)
        return _local(request, changed)
    except data.TransitionError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.get("/sources")
def sources(request: Request) -> dict[str, Any]:
    return _local(request, {"sources": data.sources_overview(ctx(request))})


@router.post("/sources/{name}/run", dependencies=[Depends(check_csrf)], status_code=202)
def run_source(request: Request, name: str, user: str = Depends(require_login)) -> dict[str, Any]:
    service = ctx(request).service
    if service is None:
        raise HTTPException(status_code=503, detail="the scheduler is not running in this process")
    if not service.run_now(name):
        raise HTTPException(status_code=404, detail="no such source")
    log.info("%s started a crawl of %s (API)", user, name)
    return {"source": name, "queued": True, "by": user}


@router.get("/runs")
def runs(request: Request, source: str | None = None, limit: int = 30) -> dict[str, Any]:
    return _local(request, data.run_history(ctx(request), source, limit=max(1, min(limit, 500))))


@router.get("/schedule")
def schedule(request: Request) -> dict[str, Any]:
    context = ctx(request)
    from newswatch.service.scheduler import list_jobs

    jobs = context.service.jobs() if context.service is not None else list_jobs(context.settings)
    return _local(request, {"jobs": [j.to_dict() for j in jobs]})


@router.get("/notify/channels")
def notify_channels(request: Request) -> dict[str, Any]:
    """The notification channels (targets masked) with their last delivery result; empty: none configured."""
    return _local(request, {"channels": data.channel_status(ctx(request))})


@router.post("/notify/test", dependencies=[Depends(check_csrf)])
def notify_test(request: Request, user: str = Depends(require_login)) -> dict[str, Any]:
    """Send one test notification to every channel now; the result of each."""
    from monitor.channels import send_test

    return {"results": send_test(ctx(request).settings, user=user)}


@router.get("/briefing")
def briefing(request: Request, day: str = "") -> dict[str, Any]:
    """The daily briefing (``day`` YYYY-MM-DD, default the newest): directives, stories, silent sources."""
    from monitor import briefing as daily

    settings = ctx(request).settings
    try:
        chosen = date.fromisoformat(day) if day else daily.latest_day(settings)
    except ValueError:
        raise HTTPException(status_code=400, detail="day must be YYYY-MM-DD") from None
    return _local(request, daily.build(settings, *daily.window(settings, chosen), article_store=ctx(request).store))


@router.get("/rules")
def rules(request: Request) -> dict[str, Any]:
    found, error = data.rules_overview(ctx(request))
    return {"rules": found, "error": error}


@router.get("/rules/{name}/dry-run")
def dry_run(request: Request, name: str, since: str = "", user: str = Depends(require_login)) -> dict[str, Any]:
    """What the rule would have fired on since ``since``: reads the whole archive, so it needs a login."""
    tz = ZoneInfo(ctx(request).settings.service.timezone)
    try:
        since_dt = datetime.combine(date.fromisoformat(since), time.min, tzinfo=tz) if since else None
    except ValueError:
        raise HTTPException(status_code=400, detail="since must be YYYY-MM-DD") from None
    log.info("%s dry-runs rule %s since %s (API)", user, name, since or "the beginning")
    try:
        hits = data.dry_run(ctx(request), name, since_dt)
        return {"rule": name, "since": since or None, **data.dry_run_counts(hits), "would_fire": hits}
    except KeyError:
        raise HTTPException(status_code=404, detail="no such rule") from None
