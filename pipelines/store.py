"""StorePipeline (400): store each article; sets ``store_outcome``, ``cluster_id`` and ``first_in_cluster``.

Under a running crawl, articles are written in small batches: ``store.put_many`` on up to
``NEWSWATCH_STORE_BATCH`` articles (16), flushed when the batch is full, ``NEWSWATCH_STORE_BATCH_WAIT``
seconds (0.05) after its first article arrived, and when the spider closes. Each article moves on to the
monitor pipeline only once its batch is committed, in the order the batch was written, so the monitor
never sees an article that a crash could still lose; an article lost in a crash was not recorded in
the crawl state either and is fetched again by the next run. One transaction per batch instead of one
per article saves CPU in the crawl's main process (and, with Elasticsearch, one bulk request and refresh
per batch). Called directly (no running event loop, or ``NEWSWATCH_STORE_BATCH`` = 1),
:meth:`StorePipeline.process_item` stores the article at once and returns it.

Counts go to the crawler stats (``newswatch/store/new``, ``.../updated``, ``.../unchanged``,
``.../spooled``, ``.../errors/<reason>``). An unchanged article is not an error. A store failure is
logged with its reason and counted, and never stops the crawl: the item goes on with
``store_outcome = None`` (the monitor ignores articles that were not stored); a failed batch is
written again one article at a time, so one bad article does not take its batch down with it. With
Elasticsearch down, articles are spooled on disk by the store and count as ``spooled``.

The store keeps its document register current as it writes (:mod:`newswatch.documents.register`); an
article stored but not recorded there is logged by the store and counted as ``newswatch/documents/errors``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newswatch.models import Article
from newswatch.store.base import ArticleStore, PutResult
from newswatch.store.factory import open_store, settings_from_scrapy

log = logging.getLogger(__name__)

DEFAULT_BATCH = 16
DEFAULT_BATCH_WAIT_S = 0.05


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class StorePipeline:
    """Write articles to the configured article store (embedded SQLite or Elasticsearch)."""

    def __init__(self, crawler: Crawler | None = None, store: ArticleStore | None = None) -> None:
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.store = store
        self._own_store = store is None
        settings = crawler.settings if crawler is not None else None
        self.batch_size = max(1, settings.getint("NEWSWATCH_STORE_BATCH", DEFAULT_BATCH)) if settings else 1
        self.batch_wait = settings.getfloat("NEWSWATCH_STORE_BATCH_WAIT", DEFAULT_BATCH_WAIT_S) if settings else 0.0
        self._batch: list[tuple[Article, asyncio.Future[Article]]] = []
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.store is None:
            settings = settings_from_scrapy(self.crawler.settings if self.crawler else None)
            self.store = open_store(settings)

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()
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
        """The stored item, or (in a running crawl) a future of it that resolves once its batch is committed."""
        if not isinstance(item, Article):
            return item
        if self.store is None:
            self.open_spider()
        item.store_outcome = None
        loop = _running_loop() if self.batch_size > 1 else None
        if loop is None:
            self._write([item])
            return item
        future: asyncio.Future[Article] = loop.create_future()
        self._batch.append((item, future))
        if len(self._batch) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.batch_wait, self.flush)
        return future

    def flush(self) -> None:
        """Write the waiting batch in one go and let its articles move on, in order."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            self._write([item for item, _ in batch])
        finally:
            for item, future in batch:
                if not future.done():
                    future.set_result(item)

    def _write(self, items: list[Article]) -> None:
        assert self.store is not None
        for item in items:  # a batch that failed half-way may have set it on the articles it got through
            item.store_outcome = None
        unrecorded = self._unrecorded()
        try:
            results = self.store.put_many(items) if len(items) > 1 else [self.store.put(items[0])]
        except Exception as exc:
            if len(items) > 1:
                log.warning("a batch of %d articles could not be stored (%s): storing them one by one",
                            len(items), _reason(exc))
                for item in items:
                    self._write([item])
                return
            reason = _reason(exc)
            log.error("could not store %s (%s): %s", items[0].url, reason, exc)
            self._inc(f"errors/{reason}")
            return
        self._inc("transactions")
        unrecorded = self._unrecorded() - unrecorded
        if unrecorded and self.stats:  # stored, but not in the document register (logged with its reason)
            self.stats.inc_value("newswatch/documents/errors", unrecorded)
        for item, result in zip(items, results, strict=True):
            self._stored(item, result)

    def _unrecorded(self) -> int:
        """Articles the store wrote but could not record in its document register, so far."""
        return sum(getattr(self.store, "documents_errors", {}).values())

    def _stored(self, item: Article, result: PutResult) -> None:
        item.cluster_id = result.cluster_id
        item.store_outcome = result.outcome.value
        item.first_in_cluster = result.is_first_in_cluster
        self._inc("spooled" if result.spooled else result.outcome.value)
        if result.outcome.value == "new" and not result.is_first_in_cluster:
            self._inc("joined_cluster")
