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

When Chromium dies mid-run, scrapy-playwright forgets the dead browser's contexts and launches a new
browser for the next page; a request that meets "target closed" is retried there. Two kinds of
request were left waiting for ever, and the crawl with them (about one run in four when the browser
was killed mid-crawl): one whose ``new_page()`` call was in flight when the browser died (the driver
never answers it), and one waiting for a page slot of a forgotten context (closing pages release the
slots of the context that *now* has that name). :meth:`SharedPlaywrightHandler._create_page` stops
waiting when the browser it started with disconnects and raises "target closed" (the page, should
one still come, is closed), and the forgotten contexts' waiting requests are woken.

The driver is started with ``NEWSWATCH_DRIVER_NODE_OPTIONS`` added to ``NODE_OPTIONS`` (it inherits
this process's environment): by default V8 without its JIT compilers and with a 1 MB young generation.
The driver only relays DevTools messages, so the interpreter costs it ≈ 7 ms CPU a page, and it holds
≈ 20 MB less (PSS ≈ 120 → 100 MB in the benchmark with the JS source).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from playwright._impl._errors import TargetClosedError  # as scrapy-playwright, which retries on it
from playwright.async_api import BrowserContext, Page
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler

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
        self._browser_gone: asyncio.Future[None] | None = None  # resolved when the current browser disconnects

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
            self._close_later(wrapper.context)
            self.stats.inc_value("newswatch/browser_contexts_closed")

    async def _create_page(self, request: Request, spider: Spider) -> Page:
        """scrapy-playwright's, but given up (as "target closed", which it retries) if the browser disconnects."""
        if self._browser_gone is None or self._browser_gone.done():
            self._browser_gone = asyncio.get_running_loop().create_future()
        gone = self._browser_gone
        creating = asyncio.ensure_future(super()._create_page(request, spider))
        try:
            await asyncio.wait({creating, gone}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the download itself was cancelled
            creating.cancel()
            raise
        if creating.done():
            return creating.result()
        creating.add_done_callback(self._close_late_page)
        self.stats.inc_value("newswatch/page_abandoned_browser_gone")
        raise TargetClosedError("the browser disconnected while a page was being opened")

    def _close_late_page(self, creating: asyncio.Future[Page]) -> None:
        """A page opened after its request gave up on it (the browser was gone): close it, if it exists."""
        if creating.cancelled() or creating.exception() is not None:
            return
        self._close_later(creating.result())

    def _close_later(self, closable: BrowserContext | Page) -> None:
        """Close a context or page in the background (the task is kept until it is done)."""
        closing = asyncio.ensure_future(closable.close())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    def _make_close_browser_context_callback(self, name: str, persistent: bool, remote: bool,
                                             spider: Spider | None = None) -> Callable[[], None]:
        forget_context = super()._make_close_browser_context_callback(name, persistent, remote, spider)

        def closed() -> None:
            wrapper = self.context_wrappers.get(name)
            forget_context()
            if wrapper is not None:
                self._forget(wrapper)

        return closed

    async def _browser_disconnected_callback(self) -> None:
        forgotten = list(self.context_wrappers.values())
        if self._browser_gone is not None and not self._browser_gone.done():
            self._browser_gone.set_result(None)
        await super()._browser_disconnected_callback()
        for wrapper in forgotten:
            self._forget(wrapper)
        self.stats.inc_value("newswatch/browser_disconnected")

    def _forget(self, wrapper: BrowserContextWrapper) -> None:
        """Wake the requests waiting for a page slot of a context scrapy-playwright no longer knows."""
        waiting_at_most = sum(self._in_flight.values()) + self.config.max_pages_per_context
        for _ in range(waiting_at_most):  # a plain asyncio.Semaphore: releasing past its start is allowed
            wrapper.semaphore.release()

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
