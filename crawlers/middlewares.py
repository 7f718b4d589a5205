"""Downloader middlewares: conditional requests for entry points, and retries with backoff.

:class:`ConditionalRequestMiddleware`
    Feeds, sitemaps and listing pages (requests whose ``meta["nw_entry"]`` names the kind) get
    ``If-None-Match`` / ``If-Modified-Since`` from the validators the crawl state kept for them,
    unless the run is ``--full``; a ``304 Not Modified`` reaches the spider, which records the
    entry as unchanged. Article requests are never conditional: an article known to the state is
    simply not requested again.

:class:`BackoffRetryMiddleware`
    Scrapy's retry, but each new attempt waits ``base * 2**n`` seconds (jittered, capped, or the
    server's ``Retry-After``), so a struggling server gets air instead of an immediate second hit.

:func:`abort_heavy_request`
    Playwright route filter: images, fonts and media are never downloaded by the browser.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message


class ConditionalRequestMiddleware:
    """Adds the stored validators to requests for feeds, sitemaps and listings."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("nw_entry") or request.meta.get("nw_full"):
            return None
        spider = self.crawler.spider
        entry = getattr(spider, "entries", {}).get(request.meta.get("nw_entry_url", request.url))
        if entry is None:
            return None
        if entry.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = entry.etag.encode("latin-1", "replace")
        if entry.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = entry.last_modified.encode("latin-1", "replace")
        if entry.etag or entry.last_modified:
            self.crawler.stats.inc_value("newswatch/conditional_requests")  # type: ignore[union-attr]
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries 5xx/429/timeouts a bounded number of times, waiting longer before each attempt."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NEWSWATCH_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("NEWSWATCH_RETRY_BACKOFF_MAX", 30.0)

    def _delay(self, request: Request, response: Response | None = None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        delay = min(self.backoff_max, self.backoff_base * (2 ** attempt)) * random.uniform(0.75, 1.25)
        if response is not None:
            retry_after = response.headers.get(b"Retry-After")
            if retry_after and retry_after.strip().isdigit():
                delay = min(self.backoff_max, float(retry_after.strip()))
        return delay

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(self._delay(request, response))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await asyncio.sleep(self._delay(request))
        return retry


HEAVY_RESOURCES = frozenset({"image", "media", "font", "imageset"})


def abort_heavy_request(request: Any) -> bool:
    """scrapy-playwright ``PLAYWRIGHT_ABORT_REQUEST``: skip images, media and fonts when rendering."""
    return request.resource_type in HEAVY_RESOURCES
