"""Download handler of ``render_js`` sources: scrapy-playwright's, with one instance for http and https.

Scrapy builds a download handler per URL scheme, and scrapy-playwright's handler is not lazy (it
is an HTTP/1.1 handler), so ``DOWNLOAD_HANDLERS = {"http": H, "https": H}`` built two instances per
crawler, and each started its own Playwright driver (a Node.js process of ~95 MB PSS) when the
engine started, although only one of them ever launched a browser. :class:`SharedPlaywrightHandler`
hands the same instance to both schemes of a crawler and closes it once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

_ATTR = "_nw_playwright_handler"


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """One scrapy-playwright handler (one driver, one browser) per crawler, whatever the scheme."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        handler = getattr(crawler, _ATTR, None)
        if handler is None:
            handler = cls(crawler)
            setattr(crawler, _ATTR, handler)
        return handler

    async def close(self) -> None:
        """Scrapy closes each scheme's handler: the shared instance closes once, later calls wait for it."""
        closing: asyncio.Future[None] | None = getattr(self, "_nw_closing", None)
        if closing is not None:
            await asyncio.shield(closing)
            return
        self._nw_closing = asyncio.ensure_future(super().close())
        await asyncio.shield(self._nw_closing)
