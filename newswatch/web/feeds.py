"""Feeds and exports: CSV of a search, the Atom feed of alerts, and the live alert stream (server-sent events)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from newswatch import localtime
from newswatch.web import data
from newswatch.web.context import ctx
from newswatch.web.params import SearchParams
from newswatch.web.reading import other_copies, run_search

router = APIRouter()

CSV_PAGE = 200
CSV_MAX_ROWS = 10_000
CSV_COLUMNS = ("cluster_id", "published", "source", "title", "url", "doc_numbers", "topics", "copies",
               "copy_sources", "copy_urls", "score")
SSE_POLL_SECONDS = 2.0


def _csv_rows(request: Request, params: SearchParams) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    buffer.write("\ufeff")  # Excel opens UTF-8 Vietnamese correctly with a BOM
    writer.writerow(CSV_COLUMNS)
    yield flush()
    written = 0
    page = 1
    tz = localtime.zone_of(ctx(request).settings)
    while written < CSV_MAX_ROWS:
        params.page = page
        result, error = run_search(request, params, limit=CSV_PAGE)
        if result is None:
            writer.writerow([f"# error: {error}"])
            yield flush()
            return
        for hit in result.hits:
            article = hit.article
            copies = other_copies(hit)
            writer.writerow([article.cluster_id or "", localtime.iso(article.published, tz) or "",
                             article.source, _csv_safe(article.title), article.url,
                             " ".join(article.canonical_doc_numbers), " ".join(article.topics),
                             1 + len(copies), " ".join(str(c.get("source", "")) for c in copies),
                             " ".join(str(c.get("url", "")) for c in copies), f"{hit.score:.3f}"])
            written += 1
        yield flush()
        if len(result.hits) < CSV_PAGE or page * CSV_PAGE >= result.total:
            return
        page += 1


def _csv_safe(value: str) -> str:
    """Scraped text must not become a spreadsheet formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@router.get("/search.csv", include_in_schema=False)
def search_csv(request: Request) -> Response:
    params = SearchParams.from_query(request.query_params)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(_csv_rows(request, params), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="newswatch-{stamp}.csv"'})


@router.get("/alerts.atom", include_in_schema=False)
def alerts_atom(request: Request, rule: str = "", severity: str = "", status: str = "") -> Response:
    context = ctx(request)
    alerts = data.list_alerts(context, rule=rule, severity=severity, status=status, limit=50)
    base = str(request.base_url).rstrip("/")
    # the feed changed when its newest entry changed (an acknowledgement counts, not only a new alert)
    changes = [localtime.as_datetime(a.get("updated_at") or a.get("created_at")) for a in alerts]
    newest = max((c for c in changes if c is not None), default=None) or datetime.now(UTC)
    tz = localtime.zone_of(context.settings)
    body = context.templates.get_template("alerts.atom.xml").render(alerts=alerts, base=base,
                                                                    updated=localtime.iso(newest, tz))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


async def _alert_events(request: Request) -> AsyncIterator[str]:
    context = ctx(request)
    last = await run_in_threadpool(data.alerts_marker, context)
    yield f"event: hello\ndata: {last}\n\n"
    ticks = 0
    while not await request.is_disconnected():
        await asyncio.sleep(SSE_POLL_SECONDS)
        marker = await run_in_threadpool(data.alerts_marker, context)
        if marker != last:
            last = marker
            yield f"event: alerts\ndata: {marker}\n\n"
        ticks += 1
        if ticks % 10 == 0:
            yield ": keep-alive\n\n"


@router.get("/alerts/stream", include_in_schema=False)
def alerts_stream(request: Request) -> Response:
    return StreamingResponse(_alert_events(request), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
