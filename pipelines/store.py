"""StorePipeline (400): ``store.put`` each article; sets ``store_outcome``, ``cluster_id`` and ``first_in_cluster``.

Counts go to the crawler stats (``newswatch/store/new``, ``.../updated``, ``.../unchanged``,
``.../spooled``, ``.../errors/<reason>``). An unchanged article is not an error. A store failure is
logged with its reason and counted, and never stops the crawl: the item goes on with
``store_outcome = None`` (the monitor ignores articles that were not stored). With Elasticsearch
down, articles are spooled on disk by the store and count as ``spooled``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newswatch.models import Article
from newswatch.store.base import ArticleStore
from newswatch.store.factory import open_store, settings_from_scrapy

log = logging.getLogger(__name__)


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class StorePipeline:
    """Write articles to the configured article store (embedded SQLite or Elasticsearch)."""

    def __init__(self, crawler: Crawler | None = None, store: ArticleStore | None = None) -> None:
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.store = store
        self._own_store = store is None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.store is None:
            settings = settings_from_scrapy(self.crawler.settings if self.crawler else None)
            self.store = open_store(settings)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is None:
            return
        replay = getattr(self.store, "replay_spool", None)
        if replay is not None:
            try:
                replayed = replay()
                if replayed and self.stats:
                    self.stats.inc_value("newswatch/store/replayed", replayed)
            except Exception as exc:
                log.warning("spooled articles stay on disk for the next run: %s", exc)
        if self._own_store:
            self.store.close()
            self.store = None

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats:
            self.stats.inc_value(f"newswatch/store/{key}", count)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article):
            return item
        if self.store is None:
            self.open_spider()
        assert self.store is not None
        item.store_outcome = None
        try:
            result = self.store.put(item)
        except Exception as exc:
            reason = _reason(exc)
            log.error("could not store %s (%s): %s", item.url, reason, exc)
            self._inc(f"errors/{reason}")
            return item
        item.cluster_id = result.cluster_id
        item.store_outcome = result.outcome.value
        item.first_in_cluster = result.is_first_in_cluster
        self._inc("spooled" if result.spooled else result.outcome.value)
        if result.outcome.value == "new" and not result.is_first_in_cluster:
            self._inc("joined_cluster")
        return item
