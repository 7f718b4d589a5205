"""The FastAPI application: access middleware, routers, static files, error pages.

``create_app(settings, service=None)`` builds the app; ``newswatch serve`` runs it with uvicorn
next to the scheduler (:class:`newswatch.service.runtime.Service`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from newswatch.settings import Settings
from newswatch.state.db import open_state
from newswatch.web import api, apidocs, documents, feeds, ops, pages
from newswatch.web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Signer,
    in_networks,
    parse_networks,
    secret_key,
    session_user,
)
from newswatch.web.context import HERE, WebContext
from newswatch.web.proxies import TrustedProxies
from newswatch.web.reading import local_path

log = logging.getLogger(__name__)

# Reachable from anywhere: the login form (and its CSRF token for API clients), the stylesheet, the health check.
PUBLIC_PREFIXES = ("/login", "/static/", "/healthz", "/api/session")


def create_app(settings: Settings, *, service: Any = None) -> FastAPI:
    """The web UI and JSON API over ``settings``' store and state DB (``service``: the scheduler, if running here)."""
    db = open_state(settings.state_url)
    context = WebContext(settings=settings, db=db, signer=Signer(secret_key(settings)),
                         networks=parse_networks(settings.service.allowed_networks), service=service)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if service is not None:
            await run_in_threadpool(service.start)
        context.keep_search_current()
        try:
            yield
        finally:
            if service is not None:  # graceful: running crawls get the grace period, then are recorded interrupted
                await run_in_threadpool(service.stop)
            context.close()

    # docs_url=None: FastAPI's Swagger page needs a CDN and an inline script, which the CSP below blocks;
    # newswatch.web.apidocs serves /api/docs as a plain page instead.
    app = FastAPI(title="newswatch", version="0.1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.ctx = context
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(documents.router)
    app.include_router(feeds.router)
    app.include_router(api.router)
    app.include_router(ops.router)
    app.include_router(apidocs.router)

    @app.middleware("http")
    async def access(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        signer = context.signer
        session_id = signer.unsign_session(request.cookies.get(SESSION_COOKIE))
        request.state.user = session_user(db, session_id) if session_id else None
        request.state.session_id = session_id if request.state.user else None
        csrf = signer.csrf_from_cookie(request.cookies.get(CSRF_COOKIE))
        new_csrf_cookie = None
        if csrf is None:
            csrf, new_csrf_cookie = signer.new_csrf()
        request.state.csrf = csrf
        path = request.url.path
        client = request.client.host if request.client else None
        request.state.trusted_network = in_networks(client, context.networks)
        if not (request.state.user or request.state.trusted_network or path.startswith(PUBLIC_PREFIXES)):
            if path.startswith("/api/") or path in ("/metrics", "/alerts.atom"):
                response: Response = JSONResponse({"detail": "login required outside the reading networks"},
                                                  status_code=401)
            else:
                response = RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        else:
            response = await call_next(request)
        if new_csrf_cookie is not None:
            response.set_cookie(CSRF_COOKIE, new_csrf_cookie, httponly=True, samesite="lax", path="/")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        log.debug("%s %s %s %.1fms", request.method, path, response.status_code,
                  (time.perf_counter() - started) * 1000)
        return response

    # outermost: the client address every check above sees (forwarded headers from trusted proxies only)
    app.add_middleware(TrustedProxies, proxies=parse_networks(settings.service.trusted_proxies))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            return RedirectResponse(f"/login?next={quote(local_path(request.headers.get('referer')) or request.url.path)}",
                                    status_code=303)
        return context.templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "detail": exc.detail, **pages.base_context(request)},
            status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return await http_error(request, HTTPException(status_code=400, detail=detail or "bad request"))

    return app
