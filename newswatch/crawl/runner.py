"""Running a crawl of several sources in one process, with a progress display and a run summary.

:func:`run_crawl` starts a run in the history, runs one :class:`~crawlers.spiders.source.SourceSpider`
per source in a single :class:`scrapy.crawler.CrawlerProcess` (one reactor; sources crawl in
parallel, each with its own politeness settings), shows live per-source counts on a terminal
(rich), and returns the finished :class:`~newswatch.state.runs.Run`. A Twisted reactor cannot be
restarted, so call it once per process: the scheduler runs ``newswatch crawl --source NAME --json``
as a child process, which stops (as on SIGTERM) if the service dies (:mod:`newswatch.crawl.lifetime`).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from newswatch.settings import Settings
from newswatch.sources import Source
from newswatch.state import open_state
from newswatch.state.runs import (
    PARENT_ENV,
    Run,
    SourceRun,
    finish_run,
    get_run,
    mark_interrupted,
    record_source_run,
    start_run,
)

logger = logging.getLogger(__name__)

LOG_LEVELS = {0: "WARNING", 1: "INFO", 2: "DEBUG"}


def scrapy_settings(*, log_level: str = "WARNING", run_id: int | None = None, full: bool = False,
                    overrides: dict[str, Any] | None = None) -> Any:
    """The crawler's Scrapy settings (``crawlers.settings``) plus process-level choices."""
    from scrapy.settings import Settings as ScrapySettings

    settings = ScrapySettings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")  # process level: silences start-up lines too
    settings.set("NEWSWATCH_RUN_ID", run_id, priority="cmdline")
    settings.set("NEWSWATCH_FULL", full, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(settings: Settings, sources: list[Source], *, full: bool = False, progress: bool | None = None,
              verbose: int = 0, trigger: str = "cli", overrides: dict[str, Any] | None = None) -> Run:
    """Crawl ``sources`` into the store; returns the recorded run (status ok, partial or failed)."""
    from scrapy.crawler import CrawlerProcess

    from crawlers.spiders.source import SourceSpider
    from newswatch.crawl.lifetime import die_with_service
    from newswatch.crawl.pages import shutdown_pool

    die_with_service()
    settings.ensure_data_dir()
    # the spiders and pipelines load settings from the environment: point them at the same place
    os.environ["NEWSWATCH_DATA_DIR"] = str(settings.data_dir)
    os.environ["NEWSWATCH_CONFIG_DIR"] = str(settings.config_dir)
    os.environ.setdefault("NEWSWATCH_STATE_URL", settings.state_url)
    db = open_state(settings.state_url)
    mark_interrupted(db)
    parent = os.environ.get(PARENT_ENV, "")  # the service or a worker that started this process (a child row)
    run_id = start_run(db, [s.name for s in sources], full=full, trigger=trigger,
                       parent_id=int(parent) if parent.isdigit() else None)
    level = LOG_LEVELS.get(min(verbose, 2), "WARNING")
    for handler in list(logging.root.handlers):  # Scrapy's root handler (at LOG_LEVEL) replaces the CLI's own
        logging.root.removeHandler(handler)
    process = CrawlerProcess(scrapy_settings(log_level=level, run_id=run_id, full=full, overrides=overrides))
    crawlers: dict[str, Any] = {}
    failed_to_start: dict[str, str] = {}
    for source in sources:
        crawler = process.create_crawler(SourceSpider)
        crawlers[source.name] = crawler
        deferred = process.crawl(crawler, source=source, full=full)
        deferred.addErrback(_start_failure, source.name, failed_to_start)
    display = _Progress(crawlers) if (progress if progress is not None else sys.stderr.isatty()) else None
    started = time.monotonic()
    try:
        if display is not None:
            display.start()
        process.start()
    finally:
        if display is not None:
            display.stop()
        shutdown_pool()
    for name, error in failed_to_start.items():
        record_source_run(db, run_id, SourceRun(source=name, status="failed", errors={"crawler_crashed": 1},
                                                finish_reason=error[:60]))
    run = get_run(db, run_id)
    missing = [s.name for s in sources if run is not None and s.name not in run.per_source]
    for name in missing:  # a crawler that never reported (crash before spider_closed)
        record_source_run(db, run_id, SourceRun(source=name, status="failed", errors={"no_report": 1}))
    logger.info("crawl run %s finished in %.1f s", run_id, time.monotonic() - started)
    return finish_run(db, run_id)


def _start_failure(failure: Any, name: str, failed: dict[str, str]) -> None:
    logging.getLogger(__name__).error("source %s could not be crawled: %s", name, failure.getErrorMessage())
    failed[name] = failure.getErrorMessage()


def summary(run: Run) -> dict[str, Any]:
    """The run as one JSON-ready object: per source requests, articles, errors by reason, duration."""
    sources = {}
    totals = {"requests": 0, "articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "not_articles": 0,
              "skipped_known": 0, "entries_unchanged": 0, "errors": 0}
    for name in run.sources:
        result = run.per_source.get(name)
        data = result.to_dict() if result else {"source": name, "status": "failed", "errors": {"no_report": 1}}
        sources[name] = {k: data.get(k) for k in ("status", "requests", "responses", "articles_new", "articles_updated",
                                                   "articles_unchanged", "not_articles", "skipped_known",
                                                   "entries_unchanged", "errors", "duration_s", "finish_reason")}
        for key in totals:
            if key == "errors":
                totals["errors"] += sum((data.get("errors") or {}).values())
            else:
                totals[key] += int(data.get(key) or 0)
    return {"run_id": run.id, "status": run.status, "full": run.full, "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None, "duration_s":
            round(run.duration_s or 0.0, 3), "totals": totals, "sources": sources}


class _Progress:
    """A live table of per-source counts, refreshed from the crawlers' stats by the reactor."""

    def __init__(self, crawlers: dict[str, Any]) -> None:
        from rich.console import Console
        from rich.live import Live

        self.crawlers = crawlers
        self.console = Console(stderr=True)
        self.live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
        self.loop: Any = None

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title="newswatch crawl", expand=False)
        for col in ("source", "requests", "new", "updated", "unchanged", "known", "not article", "errors", "state"):
            table.add_column(col, justify="right" if col not in ("source", "state") else "left")
        for name, crawler in self.crawlers.items():
            stats = crawler.stats.get_stats() if crawler.stats else {}
            errors = sum(v for k, v in stats.items() if k.startswith("newswatch/errors/"))
            state = "done" if stats.get("finish_reason") else ("running" if crawler.crawling else "waiting")
            table.add_row(name, str(stats.get("downloader/request_count", 0)),
                          str(stats.get("newswatch/articles/new", 0)), str(stats.get("newswatch/articles/updated", 0)),
                          str(stats.get("newswatch/articles/unchanged", 0)), str(stats.get("newswatch/skipped_known", 0)),
                          str(stats.get("newswatch/not_articles", 0)), str(errors), state)
        return table

    def _refresh(self) -> None:
        self.live.update(self._table())

    def start(self) -> None:
        from twisted.internet import task

        self.live.start()
        self.loop = task.LoopingCall(self._refresh)
        self.loop.start(0.5)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._refresh()
        self.live.stop()
