"""Scrapy extension recording each source's crawl in the run history (:mod:`newswatch.state.runs`).

Under ``newswatch crawl`` the command starts the run (``NEWSWATCH_RUN_ID``) and this extension adds one
source's figures when its spider closes; under a bare ``scrapy crawl source -a source=NAME`` the
extension starts and finishes a run of its own, so both ways leave the same history.

The figures come from the crawler's stats: ``downloader/request_count``, the store pipeline's outcome
on each item (``Article.store_outcome``: new, updated, unchanged) and ``newswatch/errors/<reason>``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newswatch.state.runs import SourceRun, finish_run, record_source_run, start_run

logger = logging.getLogger(__name__)

ERROR_PREFIX = "newswatch/errors/"


def source_run_from_stats(source: str, stats: dict[str, Any], finish_reason: str | None,
                          started_at: datetime | None = None) -> SourceRun:
    """Turn a crawler's stats into the run-history record of one source."""
    def get(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    errors = {k[len(ERROR_PREFIX):]: int(v) for k, v in stats.items() if k.startswith(ERROR_PREFIX) and v}
    result = SourceRun(
        source=source,
        started_at=started_at or stats.get("start_time"),
        finished_at=datetime.now(UTC),
        requests=get("downloader/request_count"),
        responses=get("downloader/response_count"),
        articles_new=get("newswatch/articles/new"),
        articles_updated=get("newswatch/articles/updated"),
        articles_unchanged=get("newswatch/articles/unchanged"),
        not_articles=get("newswatch/not_articles"),
        entries_unchanged=get("newswatch/entries/unchanged"),
        skipped_known=get("newswatch/skipped_known"),
        errors=errors,
        finish_reason=finish_reason,
    )
    entries_failed = get("newswatch/entries/failed")
    entries_ok = get("newswatch/entries/fetched") + get("newswatch/entries/unchanged")
    handled = result.articles_new + result.articles_updated + result.articles_unchanged + result.not_articles
    if finish_reason not in (None, "finished") and not str(finish_reason).startswith("closespider"):
        result.status = "failed" if finish_reason != "shutdown" else "partial"
    elif entries_failed and not entries_ok:
        result.status = "failed"  # nothing of the site could be read: dead site, DNS, 5xx everywhere
    elif entries_failed or result.error_count > max(handled, 1):
        result.status = "partial"
    return result


class RunRecorder:
    """Records per-source figures of a crawl into the run history when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = crawler.settings.getint("NEWSWATCH_RUN_ID") or None
        self.own_run = False
        self.started_at: datetime | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        return cls(crawler)

    def _db(self, spider: Spider) -> Any:
        return getattr(spider, "db", None)

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = datetime.now(UTC)
        db = self._db(spider)
        if db is not None and self.run_id is None:
            self.run_id = start_run(db, [spider.source.name], full=bool(getattr(spider, "full", False)),  # type: ignore[attr-defined]
                                    trigger="scrapy")
            self.own_run = True

    def item_scraped(self, item: Any, spider: Spider) -> None:
        outcome = getattr(item, "store_outcome", None)  # set by pipelines.store.StorePipeline
        outcome = getattr(outcome, "value", outcome)
        key = f"newswatch/articles/{outcome}" if outcome else "newswatch/articles/unstored"
        self.crawler.stats.inc_value(key)  # type: ignore[union-attr]

    def item_dropped(self, item: Any, spider: Spider, exception: BaseException) -> None:
        self.crawler.stats.inc_value("newswatch/articles/dropped")  # type: ignore[union-attr]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        db = self._db(spider)
        if db is None or self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()  # type: ignore[union-attr]
        result = source_run_from_stats(spider.source.name, stats, reason, self.started_at)  # type: ignore[attr-defined]
        try:
            record_source_run(db, self.run_id, result)
            if self.own_run:
                finish_run(db, self.run_id)
        except Exception:
            logger.exception("could not record the crawl run")
