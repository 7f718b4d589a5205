"""Download an article's or an official entry's attachments through the running Scrapy engine, then read them.

:func:`fetch_attachments` is awaited from a spider callback (Scrapy's inline-download pattern): each
file goes through the engine's downloader (its middlewares, politeness, per-domain concurrency and
robots rules) with ``download_maxsize`` and ``download_timeout`` from :class:`AttachmentLimits`, so a
30 MB file is cut off by Scrapy at the bound and never held whole in memory. Its text is then read
by :func:`newswatch.documents.attachments.read_attachment` in a bounded child process, waited for on
one of two reader threads (never the reactor's thread pool, which also resolves host names; two
readers at once per crawl process, as many as the machine has cores), and checked against the
document's number and date.

Every outcome is counted in the crawl stats (``newswatch/attachments/<status>``); every one that is
not OK is logged with its reason. Nothing here raises: a broken file is a record, not a crash.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newswatch.documents.attachments import AttachmentLimits, confirm_attachment, filename_of, read_attachment
from newswatch.documents.model import Attachment, AttachmentStatus

logger = logging.getLogger(__name__)
READERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nw-attachment")  # each waits on a child process


async def _read(body: bytes, **kwargs: Any) -> Attachment:
    """:func:`read_attachment` on a reader thread, awaited from the asyncio reactor (a Twisted thread otherwise)."""
    call = functools.partial(read_attachment, body, **kwargs)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a non-asyncio reactor
        return await maybe_deferred_to_future(deferToThread(call))
    return await loop.run_in_executor(READERS, call)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _failed(url: str, status: AttachmentStatus, reason: str) -> Attachment:
    return Attachment(url=url, filename=filename_of(url), status=status, reason=reason)


def download_failure(url: str, exc: BaseException, limits: AttachmentLimits) -> Attachment:
    """The record of a download that raised: cut off at the size bound, timed out, refused …"""
    name = type(exc).__name__
    text = str(exc)
    lowered = text.lower()
    # Scrapy cancels a download past download_maxsize (DownloadCancelledError, with no message when the body
    # grew past the bound while streaming; with "expected size … larger than download max size" when announced)
    if "Cancelled" in name or "maxsize" in lowered or "max size" in lowered:
        return _failed(url, AttachmentStatus.TOO_LARGE,
                       f"larger than the bound of {limits.max_bytes} bytes ({limits.max_bytes / 1048576:g} MB); "
                       "the download was cut off")
    if "Timeout" in name or "timed out" in lowered or "took longer than" in lowered:
        return _failed(url, AttachmentStatus.TIMEOUT, f"the download took longer than {limits.timeout:g} s")
    if isinstance(exc, IgnoreRequest):
        return _failed(url, AttachmentStatus.FAILED, f"not downloaded: {text or name}"[:300])
    return _failed(url, AttachmentStatus.FAILED, f"download failed: {name}: {text}"[:300])


async def _download(crawler: Crawler, request: Request) -> Response:
    engine: Any = crawler.engine
    if hasattr(engine, "download_async"):  # Scrapy >= 2.14
        return await engine.download_async(request)
    return await maybe_deferred_to_future(engine.download(request))


async def fetch_one(crawler: Crawler, url: str, *, limits: AttachmentLimits, number: str | None = None,
                    issue_date: date | None = None) -> Attachment:
    """Download, read and check one attachment; never raises."""
    # files are often on another host than the page (datafiles.chinhphu.vn for chinhphu.vn): allow_offsite
    request = Request(url, dont_filter=True, priority=5,
                      meta={"download_maxsize": limits.max_bytes, "download_warnsize": 0,
                            "download_timeout": limits.timeout, "allow_offsite": True, "nw_attachment": True})
    try:
        response = await _download(crawler, request)
    except Exception as exc:
        return download_failure(url, exc, limits)
    if response.status >= 400:
        return _failed(url, AttachmentStatus.FAILED, f"HTTP {response.status}")
    filename = filename_of(response.url, _header(response, b"Content-Disposition"))
    try:
        attachment = await _read(response.body, url=url, content_type=_header(response, b"Content-Type"),
                                 limits=limits, filename=filename)
    except Exception as exc:  # read_attachment does not raise; a thread pool that is shutting down might
        return _failed(url, AttachmentStatus.FAILED, f"could not read it: {type(exc).__name__}: {exc}"[:300])
    return confirm_attachment(attachment, number, issue_date)


async def fetch_attachments(crawler: Crawler, urls: list[str], *, limits: AttachmentLimits,
                            number: str | None = None, issue_date: date | None = None) -> list[Attachment]:
    """Each URL's :class:`Attachment`, in order: downloaded, read and checked within ``limits``; never raises."""
    stats = crawler.stats
    results: list[Attachment] = []
    for url in urls:
        try:
            attachment = await fetch_one(crawler, url, limits=limits, number=number, issue_date=issue_date)
        except Exception as exc:  # a bug here must not lose the article
            logger.exception("attachment %s could not be processed", url)
            attachment = _failed(url, AttachmentStatus.FAILED, f"{type(exc).__name__}: {exc}"[:300])
        if stats is not None:
            stats.inc_value(f"newswatch/attachments/{attachment.status.value}")
        if attachment.status is not AttachmentStatus.OK:
            logger.warning("attachment %s: %s: %s", url, attachment.status.value, attachment.reason)
        results.append(attachment)
    return results
