"""The server-rendered pages: Tìm kiếm (search), Bài viết (article), Cảnh báo (alerts), Nguồn (sources), Quy tắc (rules).

The Văn bản (document register) pages are in :mod:`newswatch.web.documents`."""

from __future__ import annotations

import logging
import math
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from monitor.rules.base import SEVERITY_LABELS
from newswatch.web import data
from newswatch.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, authenticate, create_session, delete_session
from newswatch.web.context import check_csrf, ctx, current_user, require_login
from newswatch.web.params import PER_PAGE, SearchParams
from newswatch.web.reading import article_with_copies, local_path, other_copies, run_search, timezone_of
from newswatch.web.throttle import LoginThrottle

log = logging.getLogger(__name__)
router = APIRouter()

NAV = (("/search", "Tìm kiếm", "Search"), ("/documents", "Văn bản", "Documents"), ("/alerts", "Cảnh báo", "Alerts"), ("/briefing", "Bản tin", "Briefing"),
       ("/sources", "Nguồn", "Sources"), ("/rules", "Quy tắc", "Rules"))
STATUS_LABELS = {"new": "Mới", "acknowledged": "Đã nhận", "resolved": "Đã xử lý"}


def base_context(request: Request) -> dict[str, Any]:
    return {"request": request, "user": current_user(request), "csrf": getattr(request.state, "csrf", ""),
            "nav": NAV, "path": request.url.path, "status_labels": STATUS_LABELS,
            "severity_labels": SEVERITY_LABELS}


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return ctx(request).templates.TemplateResponse(request, name, {**base_context(request), **context},
                                                   status_code=status_code)


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/search", status_code=303)


# -- search ------------------------------------------------------------------------------------------

def month_range(month: str) -> tuple[str, str]:
    """'2026-11' -> ('2026-11-01', '2026-11-30')."""
    year, mon = (int(p) for p in month.split("-")[:2])
    first = date(year, mon, 1)
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(nxt.toordinal() - 1).isoformat()


def doc_number_hint(request: Request, partial: str) -> list[str]:
    """Full document numbers in the archive that contain a partial one (``07/CT`` -> ``07/CT-TTg``)."""
    from newswatch.store.base import SearchQuery
    from newswatch.text.normalize import fold

    wanted = fold(partial).lower().replace(" ", "")
    if not wanted:
        return []
    try:
        result = ctx(request).store.search(SearchQuery(text=partial, limit=50, facets=False, collapse_clusters=False))
    except Exception:
        return []
    found: dict[str, int] = {}
    for hit in result.hits:
        for number in hit.article.canonical_doc_numbers:
            if wanted in fold(number).lower().replace(" ", ""):
                found[number] = found.get(number, 0) + 1
    return sorted(found, key=lambda n: (-found[n], n))[:8]


@router.get("/search", include_in_schema=False)
def search_page(request: Request) -> Response:
    params = SearchParams.from_query(request.query_params)
    result, error = run_search(request, params)
    pages = 0
    hint: list[str] | None = None
    if result is not None:
        pages = max(1, -(-result.total // PER_PAGE))
        if params.doc_number and result.total == 0:
            hint = doc_number_hint(request, params.doc_number)
    articles = sum((result.facets.get("month") or {}).values()) if result is not None else 0
    return render(request, "search.html", params=params, result=result, error=error, pages=pages,
                  per_page=PER_PAGE, month_range=month_range, errors=params.errors, doc_hint=hint,
                  article_total=articles,
                  sources=[s.name for s in data.configured_sources(ctx(request))], other_copies=other_copies)


@router.get("/articles/{article_id}", include_in_schema=False)
def article_page(request: Request, article_id: str) -> Response:
    article, copies = article_with_copies(request, article_id)
    paragraphs = [p.strip() for p in (article.text or "").split("\n\n") if p.strip()]
    # why each document number did or did not alert: for logged-in users (it evaluates the rules)
    explained = data.explain_article(ctx(request), article) if current_user(request) else None
    from newswatch.web.documents import document_links  # (it renders through this module)

    return render(request, "article.html", article=article, copies=copies, paragraphs=paragraphs,
                  explained=explained, doc_links=document_links(request, article.doc_numbers))


# -- alerts ------------------------------------------------------------------------------------------

ALERT_PAGE = 50


def channels_context(request: Request, tested: str = "") -> dict[str, Any]:
    """The notification channels with their last results, for the banner and panel of every alerts page."""
    from monitor.channels import SETUP_HINT

    context = ctx(request)
    try:
        rows = data.channel_status(context)
    except Exception as exc:
        log.warning("cannot read the notification channels: %s", exc)
        rows = []
    return {"channels": rows, "setup_hint": SETUP_HINT, "tested": tested,
            "channels_failing": sum(1 for r in rows if r.get("last") and not r["last"]["ok"])}


@router.get("/alerts", include_in_schema=False)
def alerts_page(request: Request, status: str = "", rule: str = "", severity: str = "", page: int = 1,
                tested: str = "") -> Response:
    page = max(1, page)
    error = None
    try:
        alerts = data.list_alerts(ctx(request), status=status, rule=rule, severity=severity,
                                  limit=ALERT_PAGE + 1, offset=(page - 1) * ALERT_PAGE)
    except Exception as exc:
        log.exception("cannot list alerts")
        alerts, error = [], f"{type(exc).__name__}: {exc}"
    rules, _ = _rule_names(request)
    counts = data.alert_counts(ctx(request))
    return render(request, "alerts.html", alerts=alerts[:ALERT_PAGE], more=len(alerts) > ALERT_PAGE, page=page,
                  counts=counts, total_alerts=sum(counts.values()),
                  filters={"status": status, "rule": rule, "severity": severity}, rules=rules, error=error,
                  marker=data.alerts_marker(ctx(request)), **channels_context(request, tested))


@router.get("/alerts/{alert_id:int}", include_in_schema=False)
def alert_page(request: Request, alert_id: int, tested: str = "") -> Response:
    alert = data.get_alert(ctx(request), alert_id)
    if alert is None:
        raise HTTPException(status_code=404, detail="Không có cảnh báo này / no such alert")
    return render(request, "alert.html", alert=alert, **channels_context(request, tested))


@router.post("/notify/test", include_in_schema=False, dependencies=[Depends(check_csrf)])
def notify_test(request: Request, user: str = Depends(require_login)) -> Response:
    from urllib.parse import urlencode, urlsplit

    from monitor.channels import send_test
    results = send_test(ctx(request).settings, user=user)
    summary = f"{sum(r['ok'] for r in results)}/{len(results)} kênh thành công"
    back = local_path(request.headers.get("referer")) or "/alerts"
    path = urlsplit(back).path if urlsplit(back).path.startswith("/alerts") else "/alerts"
    return RedirectResponse(f"{path}?{urlencode({'tested': summary})}#channels", status_code=303)


@router.get("/briefing", include_in_schema=False)
def briefing_page(request: Request, day: str = "") -> Response:
    """The daily briefing as sent (default: the newest); the next day's shows what it holds so far."""
    from datetime import timedelta

    from monitor import briefing

    settings = ctx(request).settings
    latest = briefing.latest_day(settings)
    try:
        chosen = date.fromisoformat(day) if day else latest
    except ValueError:
        raise HTTPException(status_code=400, detail="day: YYYY-MM-DD") from None
    if chosen > latest + timedelta(days=1):
        raise HTTPException(status_code=404, detail="Bản tin này chưa có / not yet")
    start, end = briefing.window(settings, chosen)
    upcoming = chosen > latest
    report = briefing.build(settings, start, min(end, data.now()) if upcoming else end,
                            article_store=ctx(request).store)
    return render(request, "briefing.html", briefing=report, day=chosen, previous=chosen - timedelta(days=1),
                  following=chosen + timedelta(days=1) if chosen <= latest else None, upcoming=upcoming,
                  send_time=settings.service.briefing.time if settings.service.briefing else None)


def _rule_names(request: Request) -> tuple[list[str], str | None]:
    try:
        rules, error = data.rules_overview(ctx(request))
    except Exception as exc:
        return [], str(exc)
    return [r["name"] for r in rules], error


@router.post("/alerts/{alert_id:int}/{action}", include_in_schema=False, dependencies=[Depends(check_csrf)])
def alert_action(request: Request, alert_id: int, action: str, user: str = Depends(require_login),
                 note: str = Form("")) -> Response:
    if action not in ("ack", "resolve"):
        raise HTTPException(status_code=404, detail="unknown action")
    if data.get_alert(ctx(request), alert_id) is None:
        raise HTTPException(status_code=404, detail="Không có cảnh báo này / no such alert")
    try:
        data.set_alert_status(ctx(request), alert_id, action, user, note=note)
    except data.TransitionError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    log.info("%s: alert %s %s", user, alert_id, action)
    back = request.headers.get("referer") or "/alerts"
    return RedirectResponse(local_path(back) or "/alerts", status_code=303)


# -- sources -----------------------------------------------------------------------------------------

@router.get("/sources", include_in_schema=False)
def sources_page(request: Request, started: str = "") -> Response:
    context = ctx(request)
    rank = {"failing": 0, "warning": 1, "running": 2}  # what needs a look first; the rest in configured order
    rows = sorted(data.sources_overview(context), key=lambda s: rank.get(s["state"], 3))
    return render(request, "sources.html", sources=rows, started=started,
                  scheduler_running=context.service is not None and context.service.scheduler is not None)


@router.get("/sources/{name}", include_in_schema=False)
def source_page(request: Request, name: str) -> Response:
    context = ctx(request)
    rows = [s for s in data.sources_overview(context) if s["name"] == name]
    if not rows:
        raise HTTPException(status_code=404, detail="Không có nguồn này / no such source")
    return render(request, "source.html", source=rows[0], history=data.run_history(context, name, limit=30))


LOG_TAIL_BYTES = 256 * 1024


@router.get("/sources/{name}/log", include_in_schema=False)
def source_log(request: Request, name: str) -> Response:
    """The source's crawl log as the crawl children wrote it (the newest 256 KB), as plain text."""
    context = ctx(request)
    if name not in {s["name"] for s in data.sources_overview(context)}:
        raise HTTPException(status_code=404, detail="Không có nguồn này / no such source")
    path = context.settings.data_dir / "logs" / f"crawl-{name}.log"
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - LOG_TAIL_BYTES))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        text = f"Chưa có nhật ký cho nguồn {name}. / No crawl log for {name} yet.\n"
    return Response(text, media_type="text/plain; charset=utf-8")


@router.post("/sources/{name}/run", include_in_schema=False, dependencies=[Depends(check_csrf)])
def run_source(request: Request, name: str, user: str = Depends(require_login)) -> Response:
    service = ctx(request).service
    if service is None:
        raise HTTPException(status_code=503, detail="Bộ lập lịch không chạy / the scheduler is not running here")
    if not service.run_now(name):
        raise HTTPException(status_code=404, detail="Không có nguồn này / no such source")
    log.info("%s started a crawl of %s", user, name)
    return RedirectResponse(f"/sources?started={name}", status_code=303)


# -- rules -------------------------------------------------------------------------------------------

@router.get("/rules", include_in_schema=False)
def rules_page(request: Request, dry: str = "", since: str = "") -> Response:
    context = ctx(request)
    rules, error = data.rules_overview(context)
    dry_results, dry_error = None, None
    dry_counts = {"alerts": 0, "attached": 0}
    if dry and not current_user(request):  # a dry run reads the whole archive: only for logged-in users
        return RedirectResponse(f"/login?next={quote(request.url.path + '?' + request.url.query)}", status_code=303)
    if dry:
        log.info("%s dry-runs rule %s since %s", current_user(request), dry, since or "the beginning")
        try:
            since_dt = datetime.combine(date.fromisoformat(since), time.min, tzinfo=timezone_of(request)) if since else None
            dry_results = data.dry_run(context, dry, since_dt)
            dry_counts = data.dry_run_counts(dry_results)
        except KeyError:
            dry_error = f"Không có quy tắc '{dry}'"
        except ValueError as exc:
            dry_error = f"Ngày không hợp lệ / bad date: {exc}"
        except Exception as exc:
            log.exception("dry run failed")
            dry_error = f"{type(exc).__name__}: {exc}"
    return render(request, "rules.html", rules=rules, error=error, dry=dry, since=since,
                  dry_results=dry_results, dry_error=dry_error, dry_counts=dry_counts)


# -- login -------------------------------------------------------------------------------------------

def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/alerts"


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "") -> Response:
    return render(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login", include_in_schema=False, dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(...), password: str = Form(...), next: str = Form("")) -> Response:
    context = ctx(request)
    username = username.strip()
    throttle = LoginThrottle(context.db, context.settings.service.login)
    attempt = throttle.begin(username, request.client.host if request.client else "unknown")
    if attempt.refused:
        return _locked_out(request, attempt.retry_after, next, username)
    if not authenticate(context.db, context.settings, username, password):
        lockout = throttle.failed(attempt)
        if lockout:
            return _locked_out(request, lockout, next, username)
        return render(request, "login.html", status_code=401, next=_safe_next(next), failed=True, username=username,
                      remaining=throttle.remaining(attempt))
    throttle.succeeded(attempt)
    session_id = create_session(context.db, username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, context.signer.sign_session(session_id), max_age=SESSION_MAX_AGE,
                        httponly=True, samesite="lax", path="/", secure=request.url.scheme == "https")
    log.info("%s logged in from %s", username, attempt.address)
    return response


def _locked_out(request: Request, seconds: float, next: str, username: str) -> Response:
    """429 with Retry-After, and the login page saying in Vietnamese how long to wait and until when."""
    wait = max(1, math.ceil(seconds))
    until = datetime.now(timezone_of(request)) + timedelta(seconds=wait)
    response = render(request, "login.html", status_code=429, next=_safe_next(next), failed=False, username=username,
                      locked_wait=f"{wait} giây" if wait < 90 else f"{math.ceil(wait / 60)} phút",
                      locked_until=until.strftime("%H:%M:%S"))
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    session_id = getattr(request.state, "session_id", None)
    if session_id:
        delete_session(ctx(request).db, session_id)
    response = RedirectResponse("/search", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
