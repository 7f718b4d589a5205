"""DedupePipeline (200): the content fingerprint and the 64-bit simhash the store clusters copies with.

The extraction worker already computed the simhash of the body (off the busy main process); the
normalise pipeline drops it when it changes the body, so a simhash present here is the current body's.

The decision itself (same URL unchanged/updated, near-duplicate of a stored story from another
outlet) is taken by the store inside its write transaction, so that it holds across runs and
between crawl processes; see :mod:`newswatch.dedup`.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newswatch import dedup
from newswatch.models import Article


class DedupePipeline:
    """Set ``content_hash`` (always recomputed) and ``simhash`` (when the worker's is missing or was dropped)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article):
            return item
        item.content_hash = dedup.content_hash(item)
        if item.simhash is None:
            item.simhash = dedup.simhash(item.text)
        if item.simhash is None and self.stats:
            self.stats.inc_value("newswatch/dedup/too_short_for_simhash")
        return item
