"""Download handler of ``render_js`` sources: scrapy-playwright's, one instance for http and https, rotating contexts.

Scrapy builds a download handler per URL scheme, and scrapy-playwright's handler is not lazy (it
is an HTTP/1.1 handler), so ``DOWNLOAD_HANDLERS = {"http": H, "https": H}`` built two instances per
crawler, and each started its own Playwright driver (a Node.js process of ~95 MB PSS) when the
engine started, although only one of them ever launched a browser. :class:`SharedPlaywrightHandler`
hands the same instance to both schemes of a crawler and closes it once.

It also bounds the browser's memory on long runs: pages are rendered in one browser context at a
time (``PLAYWRIGHT_MAX_CONTEXTS = 1``), and after ``NEWSWATCH_CONTEXT_PAGES`` pages the next page
opens a new context, which scrapy-playwright creates once the retired one, its last page done, is
closed. The context is chosen when a page is downloaded, not when its request is created: a request
scheduled early but downloaded late must not wait for a context that only closes after it.

The driver is started with ``NEWSWATCH_DRIVER_NODE_OPTIONS`` added to ``NODE_OPTIONS`` (it inherits
this process's environment): by default V8 without its JIT compilers and with a 1 MB young generation.
The driver only relays DevTools messages, so the interpreter costs it ≈ 7 ms CPU a page, and it holds
≈ 20 MB less (PSS ≈ 120 → 100 MB in the benchmark with the JS source).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

_ATTR = "_nw_playwright_handler"


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """One scrapy-playwright handler (one driver, one browser) per crawler, whatever the scheme."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.context_pages = max(1, crawler.settings.getint("NEWSWATCH_CONTEXT_PAGES", 50))
        self._generation = 0  # the context new pages open in: "nw-<generation>"
        self._assigned = 0  # pages given to the current generation
        self._in_flight: dict[int, int] = {}
        self._closing: set[asyncio.Future[Any]] = set()
        self.node_options = crawler.settings.get("NEWSWATCH_DRIVER_NODE_OPTIONS") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        handler = getattr(crawler, _ATTR, None)
        if handler is None:
            handler = cls(crawler)
            setattr(crawler, _ATTR, handler)
        return handler

    async def _launch(self) -> None:
        add_node_options(self.node_options)
        await super()._launch()

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        generation = self._enter_context(request)
        try:
            return await super()._download_request(request, spider)
        finally:
            self._leave_context(generation)

    def _enter_context(self, request: Request) -> int:
        """Give the page the current context (a retry gets a new place: it is downloaded again)."""
        if self._assigned >= self.context_pages:
            self._generation, self._assigned = self._generation + 1, 0
        generation = self._generation
        self._assigned += 1
        self._in_flight[generation] = self._in_flight.get(generation, 0) + 1
        request.meta["playwright_context"] = f"nw-{generation}"
        return generation

    def _leave_context(self, generation: int) -> None:
        """A retired context is closed when its last page is done; the next one can then be created."""
        self._in_flight[generation] -= 1
        if generation == self._generation or self._in_flight[generation] > 0:
            return
        del self._in_flight[generation]
        wrapper = self.context_wrappers.get(f"nw-{generation}")
        if wrapper is not None:
            closing = asyncio.ensure_future(wrapper.context.close())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
            self.stats.inc_value("newswatch/browser_contexts_closed")

    async def close(self) -> None:
        """Scrapy closes each scheme's handler: the shared instance closes once, later calls wait for it."""
        closing: asyncio.Future[None] | None = getattr(self, "_nw_closing", None)
        if closing is not None:
            await asyncio.shield(closing)
            return
        self._nw_closing = asyncio.ensure_future(super().close())
        await asyncio.shield(self._nw_closing)


def add_node_options(options: str) -> None:
    """Add ``options`` to ``NODE_OPTIONS`` for the Node.js processes started from now on; the user's own win.

    An option whose name (the part before ``=``) is already in ``NODE_OPTIONS`` is left as the user set it.
    """
    current = os.environ.get("NODE_OPTIONS", "").split()
    names = {option.split("=", 1)[0] for option in current}
    missing = [option for option in options.split() if option.split("=", 1)[0] not in names]
    if missing:
        os.environ["NODE_OPTIONS"] = " ".join([*current, *missing])
