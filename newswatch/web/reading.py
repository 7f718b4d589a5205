"""What the pages, the JSON API and the feeds read alike: a search, an article with its copies, a hit's copies.

Kept apart from the page module so that the API and the feeds do not import the HTML pages, and the
pages do not import the application that mounts them.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request

from newswatch.web.context import ctx
from newswatch.web.params import PER_PAGE, SearchParams

log = logging.getLogger("newswatch.web.pages")


def timezone_of(request: Request) -> ZoneInfo:
    """The configured time zone, in which every time is shown."""
    return ZoneInfo(ctx(request).settings.service.timezone)


def run_search(request: Request, params: SearchParams, *, limit: int = PER_PAGE) -> tuple[Any, str | None]:
    """The search result, or None and the reason the index could not answer."""
    query = params.to_query(timezone_of(request), limit=limit)
    try:
        return ctx(request).store.search(query), None
    except Exception as exc:
        log.exception("search failed")
        return None, f"Chỉ mục không trả lời / the index did not answer: {type(exc).__name__}: {exc}"


def other_copies(hit: Any) -> list[dict[str, Any]]:
    """The other articles of a hit's story (the store may list the hit itself among its copies)."""
    return [c for c in hit.copies if c.get("id") != hit.article.id]


def article_with_copies(request: Request, article_id: str) -> tuple[Any, list[Any]]:
    store = ctx(request).store
    article = store.get(article_id)
    if article is None:
        raise HTTPException(status_code=404, detail="Không có bài viết này / no such article")
    copies = store.cluster(article.cluster_id) if article.cluster_id else [article]
    return article, copies or [article]


def local_path(url: str | None) -> str | None:
    """The path and query of a (same-site) URL such as a Referer, for the login form's ``next``."""
    if not url:
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path.startswith("/") else None
