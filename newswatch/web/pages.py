"""The server-rendered pages: Tìm kiếm (search), Bài viết (article), Cảnh báo (alerts), Nguồn (sources), Quy tắc (rules)."""

from __future__ import annotations

import logging
import math
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from newswatch.web import data
from newswatch.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, authenticate, create_session, delete_session
from newswatch.web.context import check_csrf, ctx, current_user, require_login
from newswatch.web.params import PER_PAGE, SearchParams
from newswatch.web.throttle import LoginThrottle

log = logging.getLogger(__name__)
router = APIRouter()

NAV = (("/search", "Tìm kiếm", "Search"), ("/alerts", "Cảnh báo", "Alerts"), ("/sources", "Nguồn", "Sources"),
       ("/rules", "Quy tắc", "Rules"))
STATUS_LABELS = {"new": "Mới", "acknowledged": "Đã nhận", "resolved": "Đã xử lý"}
SEVERITY_LABELS = {"high": "Khẩn", "normal": "Thông thường", "low": "Tham khảo", "ops": "Vận hành"}


def base_context(request: Request) -> dict[str, Any]:
    return {"request": request, "user": current_user(request), "csrf": getattr(request.state, "csrf", ""),
            "nav": NAV, "path": request.url.path, "status_labels": STATUS_LABELS,
            "severity_labels": SEVERITY_LABELS}


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return ctx(request).templates.TemplateResponse(request, name, {**base_context(request), **context},
                                                   status_code=status_code)


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(ctx(request).settings.service.timezone)


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/search", status_code=303)


# -- search ------------------------------------------------------------------------------------------

def run_search(request: Request, params: SearchParams, *, limit: int = PER_PAGE) -> tuple[Any, str | None]:
    """The search result, or None and the reason the index could not answer."""
    query = params.to_query(_tz(request), limit=limit)
    try:
        return ctx(request).store.search(query), None
    except Exception as exc:
        log.exception("search failed")
        return None, f"Chỉ mục không trả lời / the index did not answer: {type(exc).__name__}: {exc}"


def month_range(month: str) -> tuple[str, str]:
    """'2026-11' -> ('2026-11-01', '2026-11-30')."""
    year, mon = (int(p) for p in month.split("-")[:2])
    first = date(year, mon, 1)
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(nxt.toordinal() - 1).isoformat()


def other_copies(hit: Any) -> list[dict[str, Any]]:
    """The other articles of a hit's story (the store may list the hit itself among its copies)."""
    return [c for c in hit.copies if c.get("id") != hit.article.id]


@router.get("/search", include_in_schema=False)
def search_page(request: Request) -> Response:
    params = SearchParams.from_query(request.query_params)
    result, error = run_search(request, params)
    pages = 0
    if result is not None:
        pages = max(1, -(-result.total // PER_PAGE))
    return render(request, "search.html", params=params, result=result, error=error, pages=pages,
                  per_page=PER_PAGE, month_range=month_range, errors=params.errors,
                  sources=[s.name for s in data.configured_sources(ctx(request))], other_copies=other_copies)


@router.get("/articles/{article_id}", include_in_schema=False)
def article_page(request: Request, article_id: str) -> Response:
    article, copies = article_with_copies(request, article_id)
    paragraphs = [p.strip() for p in (article.text or "").split("\n\n") if p.strip()]
    return render(request, "article.html", article=article, copies=copies, paragraphs=paragraphs)


def article_with_copies(request: Request, article_id: str) -> tuple[Any, list[Any]]:
    store = ctx(request).store
    article = store.get(article_id)
    if article is None:
        raise HTTPException(status_code=404, detail="Không có bài viết này / no such article")
    copies = store.cluster(article.cluster_id) if article.cluster_id else [article]
    return article, copies or [article]


# -- alerts ------------------------------------------------------------------------------------------

ALERT_PAGE = 50


@router.get("/alerts", include_in_schema=False)
def alerts_page(request: Request, status: str = "", rule: str = "", severity: str = "", page: int = 1) -> Response:
    page = max(1, page)
    error = None
    try:
        alerts = data.list_alerts(ctx(request), status=status, rule=rule, severity=severity,
                                  limit=ALERT_PAGE + 1, offset=(page - 1) * ALERT_PAGE)
    except Exception as exc:
        log.exception("cannot list alerts")
        alerts, error = [], f"{type(exc).__name__}: {exc}"
    rules, _ = _rule_names(request)
    return render(request, "alerts.html", alerts=alerts[:ALERT_PAGE], more=len(alerts) > ALERT_PAGE, page=page,
                  counts=data.alert_counts(ctx(request)),
                  filters={"status": status, "rule": rule, "severity": severity}, rules=rules, error=error,
                  marker=data.alerts_marker(ctx(request)))


@router.get("/alerts/{alert_id:int}", include_in_schema=False)
def alert_page(request: Request, alert_id: int) -> Response:
    alert = data.get_alert(ctx(request), alert_id)
    if alert is None:
        raise HTTPException(status_code=404, detail="Không có cảnh báo này / no such alert")
    return render(request, "alert.html", alert=alert)


def _rule_names(request: Request) -> tuple[list[str], str | None]:
    try:
        rules, error = data.rules_overview(ctx(request))
    except Exception as exc:
        return [], str(exc)
    return [r["name"] for r in rules], error


@router.post("/alerts/{alert_id:int}/{action}", include_in_schema=False, dependencies=[Depends(check_csrf)])
def alert_action(request: Request, alert_id: int, action: str, user: str = Depends(require_login)) -> Response:
    if action not in ("ack", "resolve"):
        raise HTTPException(status_code=404, detail="unknown action")
    if data.get_alert(ctx(request), alert_id) is None:
        raise HTTPException(status_code=404, detail="Không có cảnh báo này / no such alert")
    try:
        data.set_alert_status(ctx(request), alert_id, action, user)
    except data.TransitionError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    log.info("%s: alert %s %s", user, alert_id, action)
    back = request.headers.get("referer") or "/alerts"
    from newswatch.web.app import _local_path

    return RedirectResponse(_local_path(back) or "/alerts", status_code=303)


# -- sources -----------------------------------------------------------------------------------------

@router.get("/sources", include_in_schema=False)
def sources_page(request: Request, started: str = "") -> Response:
    context = ctx(request)
    return render(request, "sources.html", sources=data.sources_overview(context), started=started,
                  scheduler_running=context.service is not None and context.service.scheduler is not None)


@router.get("/sources/{name}", include_in_schema=False)
def source_page(request: Request, name: str) -> Response:
    context = ctx(request)
    rows = [s for s in data.sources_overview(context) if s["name"] == name]
    if not rows:
        raise HTTPException(status_code=404, detail="Không có nguồn này / no such source")
    return render(request, "source.html", source=rows[0], history=data.run_history(context, name, limit=30))


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
    if dry and not current_user(request):  # a dry run reads the whole archive: only for logged-in users
        return RedirectResponse(f"/login?next={quote(request.url.path + '?' + request.url.query)}", status_code=303)
    if dry:
        log.info("%s dry-runs rule %s since %s", current_user(request), dry, since or "the beginning")
        try:
            since_dt = datetime.combine(date.fromisoformat(since), time.min, tzinfo=_tz(request)) if since else None
            dry_results = data.dry_run(context, dry, since_dt)
        except KeyError:
            dry_error = f"Không có quy tắc '{dry}'"
        except ValueError as exc:
            dry_error = f"Ngày không hợp lệ / bad date: {exc}"
        except Exception as exc:
            log.exception("dry run failed")
            dry_error = f"{type(exc).__name__}: {exc}"
    return render(request, "rules.html", rules=rules, error=error, dry=dry, since=since,
                  dry_results=dry_results, dry_error=dry_error)


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
    until = datetime.now(_tz(request)) + timedelta(seconds=wait)
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
