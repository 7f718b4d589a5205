"""The spider's callbacks for sources of ``kind: official_listing`` (a mixin of :class:`SourceSpider`).

A listing page is read row by row (:mod:`crawlers.official`); each row is an entry whose key (its
page, else its first attachment) goes through the same incremental decision as an article URL: a
key the crawl state knows is not fetched again. A row that lacks a field its detail page gives
(signer, type, issuer, attachments) leads to that page; otherwise the row alone becomes the
article. Either way the entry becomes one :class:`~newswatch.models.Article` that goes through the
normal pipelines; its attachments (PDF, DOC, DOCX) are downloaded and read within bounds
(:mod:`crawlers.attachments`) and their text appended to its body, so a search finds words of the
official text. Rows whose number cannot be read are logged and counted
(``newswatch/official/<reason>`` and ``newswatch/errors/official_<reason>``); the page goes on.

A transient failure of an entry (its page timed out, a 5xx, the store was down) keeps the listing
page that led to it unfinished, so its validators are not saved and the next run reads the page
again and retries the entry (news sources retry such URLs from the crawl state instead; an entry
cannot be rebuilt from its URL alone).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawlers import official
from crawlers.attachments import fetch_attachments
from crawlers.discovery import Link
from newswatch.documents.attachments import AttachmentLimits, attach_to_article
from newswatch.documents.model import OFFICIAL_METHOD, OfficialEntry
from newswatch.models import Article
from newswatch.state.crawl import is_transient, save_entry
from newswatch.text.enrich import enrich_article

logger = logging.getLogger(__name__)
DIRECT_BATCH = 4  # entries of one listing page built concurrently (CONCURRENT_REQUESTS_PER_DOMAIN)


class OfficialListingMixin:
    """Reading official listings and their entries; needs the state and helpers of :class:`SourceSpider`."""

    source: Any
    progress: Any
    db: Any
    requested: set[str]
    article_requests: int
    _settled: set[str]
    _entries_requested: set[str]

    @property
    def is_official(self) -> bool:
        return self.source.kind == "official_listing"

    async def read_official_listing(self, response: Response, url: str, validators: dict[str, Any],
                                    now: datetime, parent: str | None) -> AsyncIterator[Any]:
        """A listing page of an official source: its entries (requests or articles) and its next pages."""
        depth = response.meta.get("nw_depth", 0)
        tz = ZoneInfo(self.source.timezone)
        if not isinstance(response, TextResponse):
            self._stat("errors/unreadable_entry")  # type: ignore[attr-defined]
            page = official.ListingPage()
        else:
            page = official.parse_listing(response.text, response.url, self.source.official, self.source.name, tz)
        for problem in page.problems:
            self._stat(f"official/{problem.reason}")  # type: ignore[attr-defined]
            self._stat(f"errors/official_{problem.reason}")  # type: ignore[attr-defined]
            logger.warning("%s: %s: row skipped (%s): %s", self.source.name, problem.listing_url, problem.reason,
                           problem.text[:120])
        self._stat("official/rows", len(page.entries))  # type: ignore[attr-defined]
        waiting: set[str] = set()
        blocked = False
        details: list[Request] = []
        direct: list[tuple[str, OfficialEntry]] = []
        for entry in page.entries:
            decision, key = self._decide(Link(official.entry_key(entry)), check_filter=False)  # type: ignore[attr-defined]
            if decision == "fetch":
                waiting.add(key)
                self.article_requests += 1
                self.requested.add(key)
                if official.needs_detail(entry, self.source.official):
                    details.append(self._detail_request(entry, key))
                else:
                    direct.append((key, entry))
            elif decision == "requested" and key not in self._settled:
                waiting.add(key)
            elif decision == "limit":
                blocked = True
        pages = page.next_pages if depth < self.source.listing_depth else []
        save_entry(self.db, url=url, source=self.source.name, kind="listing", new_items=len(waiting),
                   last_status=response.status, last_fetched=now, last_reason=None, items=len(page.entries),
                   parent=parent)
        children: list[str] = []
        for next_url in pages:
            if next_url in self._entries_requested:
                continue
            children.append(next_url)
            yield self.entry_request(next_url, "listing", depth=depth + 1)  # type: ignore[attr-defined]
        self._entry_finished(self.progress.open(url, "listing", validators, waiting_urls=waiting,  # type: ignore[attr-defined]
                                                children=children, blocked=blocked))
        for request in details:
            yield request
        for start in range(0, len(direct), DIRECT_BATCH):  # a few at a time: their attachments download meanwhile
            batch = direct[start:start + DIRECT_BATCH]
            built = await asyncio.gather(*(self._official_article(e, k, response) for k, e in batch),
                                         return_exceptions=True)
            for (key, _entry), article in zip(batch, built, strict=True):
                if isinstance(article, BaseException):  # a bug on one entry must not lose the others
                    logger.error("%s: entry %s could not be built: %r", self.source.name, key, article)
                    self._stat("errors/official_build_failed")  # type: ignore[attr-defined]
                    self._remember(key, "error", reason="official_build_failed")  # type: ignore[attr-defined]
                else:
                    yield article

    def _detail_request(self, entry: OfficialEntry, key: str) -> Request:
        meta = {"nw_url": key, "nw_via": "official", "nw_official": entry.to_dict(), "nw_announced": None}
        return Request(entry.detail_url or key, callback=self.parse_official_detail,
                       errback=self.on_error, meta=meta, dont_filter=True)  # type: ignore[attr-defined]

    async def parse_official_detail(self, response: Response) -> AsyncIterator[Article]:
        """An entry's own page: what the row left out, then the entry's article."""
        entry = OfficialEntry.from_dict(response.meta["nw_official"])
        if isinstance(response, TextResponse):
            official.merge_detail(entry, response.text, response.url, self.source.official,
                                  ZoneInfo(self.source.timezone))
        else:
            self._stat("official/detail_not_html")  # type: ignore[attr-defined]
        yield await self._official_article(entry, response.meta["nw_url"], response)

    async def _official_article(self, entry: OfficialEntry, key: str, response: Response) -> Article:
        """The entry's article: its attachments read (their text appended), then enriched the one way articles are."""
        official.complete_entry(entry, self.source.official)
        article = official.entry_article(entry, key, tz=ZoneInfo(self.source.timezone), fetched_url=response.url,
                                         fetched_at=datetime.now(UTC))
        if entry.attachment_urls and self.source.reads_attachments:
            limits = AttachmentLimits.from_settings(self.nw_settings)  # type: ignore[attr-defined]
            attachments = await fetch_attachments(
                self.crawler, entry.attachment_urls[:limits.max_files], limits=limits,  # type: ignore[attr-defined]
                number=entry.canonical or entry.number, issue_date=entry.issue_date)
            attach_to_article(article, attachments, max_chars=limits.max_chars)
        enrich_article(article, force=True)
        self._stat("articles/extracted")  # type: ignore[attr-defined]
        return article

    # --- hooks the spider calls ------------------------------------------------------------------------

    @staticmethod
    def official_item_url(item: Any) -> str | None:
        """The crawl-state URL of an official entry's article (its key), for articles read from a listing page."""
        if isinstance(item, Article) and item.extraction.get("method") == OFFICIAL_METHOD:
            return item.url
        return None

    def official_failed(self, url: str, reason: str | None) -> None:
        """A transient failure of an entry keeps the listing pages waiting for it unfinished (read again next run)."""
        if self.is_official and is_transient(reason):
            self.progress.fail_url(url)
