"""MonitorPipeline (500): evaluate the alert rules on each article the store pipeline just stored.

Only articles stored as ``new`` or ``updated`` are evaluated (an unchanged re-crawl or an article
that could not be stored is not). Alerts and their notifications are committed to the state DB
here; sending is the outbox worker's job (``newswatch crawl`` runs it at the end of a run, the
service runs it in a loop), so a slow mail server never slows a crawl. A rule failure or a
malformed rule file is logged and counted (``newswatch/monitor/...`` stats) and never drops the item.

When the source's previous run was interrupted (killed by a timeout, a shutdown or a crash), the
articles it stored are evaluated again when the spider opens (:meth:`monitor.engine.Monitor.catch_up`):
one killed between the store's commit and this pipeline still gets its alert, exactly once.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newswatch.models import Article
from newswatch.store.factory import settings_from_scrapy

log = logging.getLogger(__name__)
EVALUATED = ("new", "updated")


class MonitorPipeline:
    """Feed stored articles to :class:`monitor.engine.Monitor`."""

    def __init__(self, crawler: Crawler | None = None, monitor: Any = None) -> None:
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.monitor = monitor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MonitorPipeline:
        return cls(crawler)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats:
            self.stats.inc_value(f"newswatch/monitor/{key}", count)

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.monitor is None:
            self.monitor = self._start_monitor()
            if self.monitor is None:
                return
        source = getattr(getattr(spider, "source", None), "name", None)
        if source:
            self._catch_up(source)

    def _start_monitor(self) -> Any:
        try:
            from monitor.engine import Monitor

            monitor = Monitor(settings_from_scrapy(self.crawler.settings if self.crawler else None))
        except Exception as exc:
            log.error("the monitor could not start (%s): no alerts in this run", exc)
            self._inc("errors/start")
            return None
        if monitor.rules_error is not None:
            self._inc("errors/rules")
        return monitor

    def _catch_up(self, source: str) -> None:
        try:
            count = self.monitor.catch_up(source)
        except Exception as exc:
            log.error("could not re-evaluate the articles of %s's interrupted run (%s)", source, exc)
            self._inc("errors/catch_up")
            return
        if count:
            self._inc("caught_up", count)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.monitor is not None:
            self.monitor.close()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article) or item.store_outcome not in EVALUATED:
            return item
        if self.monitor is None:
            self.open_spider()
            if self.monitor is None:
                return item
        try:
            alerts = self.monitor.on_article(item)
        except Exception as exc:
            log.exception("monitor failed on %s: %s", item.url, exc)
            self._inc("errors/evaluate")
            return item
        self._inc("evaluated")
        if alerts:
            self._inc("alerts", len(alerts))
            for alert in alerts:
                log.info("alert %d [%s/%s] %s (%s)", alert.id, alert.rule, alert.severity, alert.headline, item.url)
        return item
