"""What every request handler shares: settings, state DB, the article store, the service, templates, who is asking."""

from __future__ import annotations

import html
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from newswatch import localtime
from newswatch.settings import Settings
from newswatch.state.db import StateDB
from newswatch.web.auth import CSRF_FIELD, CSRF_HEADER, Signer, csrf_matches

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SEARCH_REFRESH_SECONDS = 5.0  # how often the web service indexes newly stored articles for search


@dataclass
class WebContext:
    settings: Settings
    db: StateDB
    signer: Signer
    networks: list[Any]
    service: Any = None  # newswatch.service.runtime.Service when the scheduler runs in this process
    templates: Jinja2Templates = field(init=False)
    monitor: Any = None  # monitor.engine.Monitor, created on first use
    _store: Any = field(default=None, init=False)
    _store_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _refresher: tuple[threading.Event, threading.Thread] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        env = self.templates.env
        env.autoescape = True  # every template, whatever its extension: scraped text is never trusted
        tz = ZoneInfo(self.settings.service.timezone)
        env.filters["vn_time"] = lambda value: format_time(value, tz)
        env.filters["iso_local"] = lambda value: localtime.iso(value, tz) or ""
        env.filters["ago"] = lambda value: time_ago(value)
        env.filters["topic_name"] = topic_name
        env.filters["doc_type_name"] = doc_type_name
        env.filters["doc_url"] = document_url
        env.globals["tz_name"] = self.settings.service.timezone
        env.globals["facet_label"] = facet_label
        env.filters["snippet"] = safe_snippet
        env.filters["highlight"] = highlight
        env.globals["csrf_field"] = CSRF_FIELD

    @property
    def store(self) -> Any:
        """The article store, opened on first use (so the UI starts even while the index is down)."""
        with self._store_lock:
            if self._store is None:
                from newswatch.store import open_store

                self._store = open_store(self.settings)
            return self._store

    def keep_search_current(self, interval_s: float = SEARCH_REFRESH_SECONDS) -> None:
        """Index newly crawled articles in the background (the embedded store's ``refresh_search``), so that a
        search after a crawl does not pay for it; stopped by :meth:`close`."""
        if self._refresher is not None:
            return
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval_s):
                try:
                    refresh = getattr(self.store, "refresh_search", None)
                    if refresh is not None:
                        refresh()
                except Exception as exc:  # the next search brings the index up to date itself
                    log.warning("background search-index update failed: %s", exc)

        thread = threading.Thread(target=run, name="search-index", daemon=True)
        self._refresher = (stop, thread)
        thread.start()

    def close(self) -> None:
        if self._refresher is not None:
            stop, thread = self._refresher
            stop.set()
            thread.join(timeout=30)
            self._refresher = None
        with self._store_lock:
            if self._store is not None:
                try:
                    self._store.close()
                finally:
                    self._store = None


def ctx(request: Request) -> WebContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def current_user(request: Request) -> str | None:
    return getattr(request.state, "user", None)


_as_datetime = localtime.as_datetime


def format_time(value: Any, tz: ZoneInfo) -> str:
    """``23/11/2026 16:05`` in the configured zone (how the press office reads dates)."""
    return localtime.human(value, tz)


def topic_name(topic: str | None) -> str:
    """``chuyen-doi-so`` -> ``Chuyển đổi số`` (the slug itself when unknown)."""
    from newswatch.text.topics import TOPICS

    return TOPICS.get(topic or "", topic or "")


def facet_label(facet: str, value: str) -> str:
    """What a facet value reads as: topics and document types by their Vietnamese names."""
    if facet == "topic":
        return topic_name(value)
    if facet == "doc_type":
        name = doc_type_name(value)
        return f"{name} ({value})" if name != value else value
    return value


def document_url(key: str | None) -> str:
    """The Văn bản page of a record key or a number: ``/documents/15/CT-TTg`` (its "/" kept, the rest quoted)."""
    return "/documents/" + quote(key or "", safe="/@")


def doc_type_name(code: str | None) -> str:
    """``CT`` -> ``Chỉ thị`` (the code itself when unknown)."""
    from newswatch.text.docnumbers import DOC_TYPES

    found = DOC_TYPES.get(code or "")
    return found.name if found is not None else (code or "")


def time_ago(value: Any) -> str:
    moment = _as_datetime(value)
    if moment is None:
        return ""
    seconds = (datetime.now(UTC) - moment).total_seconds()
    if seconds < 0:
        seconds = -seconds
        prefix, suffix = "sau ", ""
    else:
        prefix, suffix = "", " trước"
    if seconds < 90:
        return f"{prefix}{int(seconds)} giây{suffix}"
    if seconds < 5400:
        return f"{prefix}{int(seconds // 60)} phút{suffix}"
    if seconds < 48 * 3600:
        return f"{prefix}{int(seconds // 3600)} giờ{suffix}"
    return f"{prefix}{int(seconds // 86400)} ngày{suffix}"


def safe_snippet(snippet: str | None) -> Markup:
    """Trust nothing but ``<mark>``: unescape the store's escaping, then escape every piece again."""
    parts = _MARK_RE.split(snippet or "")
    return Markup("".join(p if p in ("<mark>", "</mark>") else str(escape(html.unescape(p))) for p in parts))


_MARK_RE = re.compile(r"(</?mark>)")


def highlight(text: str | None, term: str | None) -> Markup:
    """``text`` escaped, with each occurrence of ``term`` (case-insensitive) wrapped in ``<mark>``."""
    text = text or ""
    if not term:
        return Markup(escape(text))
    pieces = re.split(f"({re.escape(term)})", text, flags=re.IGNORECASE)
    return Markup("".join(f"<mark>{escape(p)}</mark>" if i % 2 else str(escape(p)) for i, p in enumerate(pieces)))


def require_login(request: Request) -> str:
    """The logged-in user, or 401 (the pages turn that into a redirect to the login form)."""
    user = current_user(request)
    if not user:
        raise HTTPException(status_code=401, detail="đăng nhập để làm việc này / log in to do this")
    return user


async def check_csrf(request: Request) -> None:
    """A form field or X-CSRF-Token header equal to the visitor's CSRF cookie, or 403."""
    expected = getattr(request.state, "csrf", None)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if "form" in content_type:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not csrf_matches(expected, given):
        raise HTTPException(status_code=403, detail="mã CSRF không hợp lệ / invalid CSRF token; reload the page")
