"""Turning one fetched page into an article, or into the reason it is not one (runs in worker processes).

Extraction is CPU-bound (~10–30 ms a page), so the spider hands pages to a process pool
(:func:`submit_page`) and the Twisted/asyncio reactor keeps downloading meanwhile. The main process
(Scrapy, spider, pipelines, store) costs about as much CPU per article as extraction, so it keeps a
core: the default is one worker per core but one, at least 1 and at most 4 (one worker on two
cores). ``NEWSWATCH_EXTRACT_WORKERS=0`` (or
the Scrapy setting of the same name) extracts inline, which is easier to debug.

:func:`process_page` is the whole job of a worker: decide article-or-not (URL pattern, else page
evidence through :func:`newswatch.extract.classify_page`), extract with
:func:`newswatch.extract.extract_article`, and compute the body's simhash (≈ 0.7 ms an article that
the crawl's main process, the busier one, no longer spends).

The workers die with the crawl process, however it ends (:mod:`newswatch.crawl.lifetime`), and ignore
Ctrl-C, which the terminal sends to the whole process group: the crawl process decides how to stop. A
page whose worker was lost is recorded as ``worker_lost``, a transient reason: it is fetched again.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newswatch.crawl.lifetime import die_with_parent, release_forkserver_alive_fd
from newswatch.dedup import simhash
from newswatch.errors import ExtractionError
from newswatch.models import Article
from newswatch.sources import Source

logger = logging.getLogger(__name__)


@dataclass
class PageResult:
    """``kind`` is ``article`` (with ``article``), ``other`` (not an article) or ``error``; ``reason`` says why."""

    kind: str
    article: Article | None = None
    reason: str = ""


def fingerprint_text(text: str) -> str:
    """The content fingerprint kept in crawl state: a hash of the clean body text."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def process_page(
    html: str,
    url: str,
    source: Source,
    *,
    decide: bool,
    declared_encoding: str | None = None,
    hint_published: datetime | None = None,
    fetched_at: datetime | None = None,
    fetched_url: str | None = None,
) -> PageResult:
    """Classify (when ``decide``) and extract one page; never raises for a bad page."""
    # imported here: the crawl's main process hands pages to the workers and never needs the
    # extractor (trafilatura, htmldate, lxml trees: ≈ 30 MB and 0.3 s of start-up it does not pay)
    from newswatch.extract import classify_page, extract_article

    try:
        if decide:
            kind, why = classify_page(html, url)
            if kind != "article":
                return PageResult("other", reason=why or "no article evidence")
        article = extract_article(
            html, url, profile=source.profile, source=source.name, declared_encoding=declared_encoding,
            hint_published=hint_published, fetched_at=fetched_at, timezone=source.timezone, canonical_url=url)
    except ExtractionError as exc:
        return PageResult("error", reason=f"extraction_failed: {exc}")
    except Exception as exc:  # a crash in extraction is a page's problem, never the crawl's
        logger.exception("extraction crashed on %s", url)
        return PageResult("error", reason=f"extraction_crashed: {type(exc).__name__}: {exc}")
    article.fetched_url = fetched_url or url
    article.source = article.source or source.name
    # CPU-heavy and a function of the body alone: computed here, off the crawl's main process; the
    # normalise pipeline drops it if it changes the body, and the dedupe pipeline then recomputes it
    article.simhash = simhash(article.text)
    return PageResult("article", article=article)


_pool: Executor | None = None
_pool_workers: int | None = None


def _init_worker(crawl_pid: int | None = None) -> None:
    """Set up an extraction worker: no Ctrl-C of its own, and an end when the crawl process ends."""
    os.environ.setdefault("NEWSWATCH_WORKER", "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    release_forkserver_alive_fd()  # the forkserver exits once the crawl process is gone ...
    die_with_parent(signal.SIGKILL)  # ... and takes its workers with it
    if crawl_pid is not None:
        try:
            os.kill(crawl_pid, 0)
        except ProcessLookupError:  # the crawl died while this worker was starting
            os._exit(1)


def extraction_workers(configured: int | str | None = None) -> int:
    """Worker processes: the configured number, else one per core but the main process's, between 1 and 4."""
    value = configured if configured not in (None, "") else os.environ.get("NEWSWATCH_EXTRACT_WORKERS")
    if value in (None, ""):
        return max(1, min(4, (os.cpu_count() or 1) - 1))
    return max(0, int(value))  # type: ignore[arg-type]


def get_pool(workers: int) -> Executor | None:
    """The process-wide extraction pool (created on first use, shared by all sources in the process)."""
    global _pool, _pool_workers
    if workers <= 0:
        return None
    if _pool is None:
        # forkserver: workers never inherit the reactor, the browser driver or open sockets
        ctx = multiprocessing.get_context("forkserver")
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                    initargs=(os.getpid(),))
        _pool_workers = workers
        atexit.register(shutdown_pool)
    return _pool


def _noop() -> None:
    return None


def warm_pool(workers: int) -> None:
    """Start the workers now (they import the extractor), so the first pages do not wait for them."""
    pool = get_pool(workers)
    if pool is None:
        return
    try:
        for _ in range(workers):
            pool.submit(_noop)
    except Exception as exc:  # e.g. Ctrl-C while the forkserver was starting: the first page tries again
        logger.warning("extraction workers could not start (%s: %s)", type(exc).__name__, exc)
        _discard_pool()


def _discard_pool() -> None:
    """Forget a broken pool; the next page starts a new one."""
    global _pool
    broken, _pool = _pool, None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)


def shutdown_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def submit_page(workers: int, html: str, url: str, source: Source, **kwargs: Any) -> PageResult:
    """Run :func:`process_page` in the pool (or inline with ``workers=0``) without blocking the reactor."""
    pool = get_pool(workers)
    if pool is None:
        return process_page(html, url, source, **kwargs)
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wrap_future(pool.submit(process_page, html, url, source, **kwargs), loop=loop)
    except Exception as exc:  # a worker died (out of memory, killed) or the pool is closing: fetch it again later
        logger.warning("extraction worker failed on %s: %s", url, exc)
        if isinstance(exc, BrokenProcessPool) and _pool is pool:
            _discard_pool()
        return PageResult("error", reason=f"worker_lost: {type(exc).__name__}")
