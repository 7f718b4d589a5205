"""The one generic spider: a :class:`newswatch.sources.Source` says where to look, the spider does the rest.

``scrapy crawl source -a source=NAME [-a sources_file=PATH] [-a full=1]`` crawls one source;
``newswatch crawl`` runs one instance per source in a single process.

What it does, in order:

1. requests the source's feeds, sitemaps (a ``robots.txt`` URL means "its ``Sitemap:`` lines") and
   listing pages, conditionally (the validators come from the crawl state; see
   :mod:`crawlers.middlewares`); a 304 or a body identical to the last one ends there;
2. reads article links from them (RSS/Atom, sitemap indexes, Google News sitemaps, listing pages and
   their pagination up to ``listing_depth``), keeps the ones matching ``article_pattern`` (or all
   same-site links that could be articles) and requests only the ones the state does not know, or
   whose feed/sitemap date is newer than their last fetch, or whose last fetch failed for a transient
   reason (timeouts, 5xx) — unless ``full``; the listing pages of a source of ``kind: official_listing``
   are read row by row instead, one document per row (:mod:`crawlers.spiders.official`);
3. decides article or not (URL pattern, else page evidence), extracts in the process pool
   (:mod:`newswatch.crawl.pages`) and yields an :class:`~newswatch.models.Article` to the pipelines;
4. records every URL's outcome in the crawl state once the pipelines are done with it, and every
   failure with its reason (stats ``newswatch/errors/<reason>``, kept in the run history);
5. saves an entry's validators (ETag, Last-Modified, body hash) only once every article it listed has
   its outcome committed and every entry it led to is finished (:mod:`crawlers.progress`): a crawl
   that ends early leaves the rest of an entry to the next run instead of hiding it behind a ``304``.

Why one module of about 550 lines: Scrapy's convention is one spider class per source kind, whose
callbacks (entry points, articles, errors) share its per-run state (requested URLs, entry progress,
stats); the reading of entry points and the URL filter are :mod:`crawlers.discovery`'s, the
bookkeeping of finished entries :mod:`crawlers.progress`'s, extraction :mod:`newswatch.crawl.pages`'s.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import task
from twisted.python.failure import Failure

from crawlers import discovery
from crawlers.discovery import Link
from crawlers.progress import EntryProgress, OpenEntry
from crawlers.spiders.official import OfficialListingMixin
from newswatch.crawl.pages import extraction_workers, submit_page, warm_pool
from newswatch.models import Article
from newswatch.settings import load_settings
from newswatch.sources import Source, load_sources, select_sources
from newswatch.state import open_state
from newswatch.state.crawl import EntryState, UrlState, load_entries, load_urls, record_urls, save_entry

logger = logging.getLogger(__name__)

PLAYWRIGHT_HANDLER = "crawlers.handlers.SharedPlaywrightHandler"  # one driver for http and https
STORE_PIPELINE = "pipelines.store.StorePipeline"
GONE_REASONS = frozenset({"http_404", "http_410", "robots_disallowed", "offsite"})


def playwright_meta() -> dict[str, Any]:
    """Request meta of a page rendered by Chromium (the handler picks its browser context when it is downloaded)."""
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "load"}}


def _validators(response: Response) -> dict[str, str | None]:
    """The ETag and Last-Modified a response carries (saved once its entry is finished)."""
    return {"etag": (response.headers.get(b"ETag") or b"").decode("latin-1") or None,
            "last_modified": (response.headers.get(b"Last-Modified") or b"").decode("latin-1") or None}


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on") if not isinstance(value, bool) else value


def failure_reason(failure: Failure) -> str:
    """A short, stable reason code for a failed request (the key of "errors by reason")."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "download_maxsize" in text or "max size" in text:  # a body that decompressed past DOWNLOAD_MAXSIZE
            return "too_large"
        if "robots.txt" in text:
            return "robots_disallowed"
        if "redirection" in text:
            return "redirect_loop"
        if "offsite" in text:
            return "offsite"
        return "ignored"
    name = type(exc).__name__
    text = str(exc).lower()
    if "DataLoss" in name or "dataloss" in text.replace(" ", "") or "truncat" in text:
        return "truncated"
    if "Timeout" in name or "timed out" in text or "timeout" in text:
        return "timeout"
    if "Cancelled" in name or "maxsize" in text or "max size" in text:
        return "too_large"
    if "DNS" in name or "Resolve" in name:
        return "dns"
    if "Refused" in name or "Connect" in name or "DownloadFailed" in name:
        return "connection"
    if "playwright" in type(exc).__module__.lower() or "Target" in str(exc)[:40]:
        return "render_failed"
    return f"failed_{name}"


class SourceSpider(OfficialListingMixin, scrapy.Spider):
    """Crawls one configured source: discovery, incremental selection, extraction."""

    name = "source"

    def __init__(self, source: Source | str | None = None, sources_file: str | None = None, full: Any = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if source is None:
            raise ValueError("give the source to crawl: scrapy crawl source -a source=NAME [-a sources_file=PATH]")
        self._source_arg = source
        self._sources_file = sources_file
        self.full = _truthy(full)
        self.source: Source
        self.entries: dict[str, EntryState] = {}
        self.urls: dict[str, UrlState] = {}
        self.article_requests = 0
        self.requested: set[str] = set()
        self._pending_state: list[dict[str, Any]] = []
        self.progress = EntryProgress()
        self._settled: set[str] = set()  # article URLs whose outcome is committed to the crawl state in this run
        self._finished_entries: list[OpenEntry] = []  # finished entries whose validators are not saved yet
        self._entries_requested: set[str] = set()
        self._stores = False  # whether the store pipeline runs (an item it could not store is retried)

    # --- set-up -----------------------------------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler)
        return spider

    def _configure(self, crawler: Crawler) -> None:
        self.nw_settings = load_settings()
        if isinstance(self._source_arg, Source):
            self.source = self._source_arg
        else:
            file = Path(self._sources_file) if self._sources_file else self.nw_settings.sources_file
            self.source = select_sources(load_sources(file), [str(self._source_arg)], file)[0]
        source = self.source
        self.allowed_domains = list(source.allowed_domains)
        self.full = self.full or crawler.settings.getbool("NEWSWATCH_FULL")
        s = crawler.settings
        prio = "spider"
        if (s.getpriority("USER_AGENT") or 0) < 40:  # -s USER_AGENT=... on the command line still wins
            s.set("USER_AGENT", self.nw_settings.user_agent, priority=prio)
        pol = source.politeness
        if pol.download_delay is not None:
            s.set("DOWNLOAD_DELAY", pol.download_delay, priority=prio)
        if pol.concurrency is not None:
            s.set("CONCURRENT_REQUESTS_PER_DOMAIN", pol.concurrency, priority=prio)
        if pol.autothrottle_target is not None:
            s.set("AUTOTHROTTLE_TARGET_CONCURRENCY", pol.autothrottle_target, priority=prio)
        if pol.obey_robots is not None:
            s.set("ROBOTSTXT_OBEY", pol.obey_robots, priority=prio)
        if source.headers:
            headers = dict(s.getdict("DEFAULT_REQUEST_HEADERS"))
            headers.update({k: v for k, v in source.headers.items() if k.lower() != "user-agent"})
            s.set("DEFAULT_REQUEST_HEADERS", headers, priority=prio)
            ua = next((v for k, v in source.headers.items() if k.lower() == "user-agent"), None)
            if ua:
                s.set("USER_AGENT", ua, priority=prio)
        self._check_pipelines(s)
        if source.render_js:
            s.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, priority=prio)
        self.max_articles = s.getint("NEWSWATCH_MAX_ARTICLES", 5000)
        self.workers = extraction_workers(s.get("NEWSWATCH_EXTRACT_WORKERS"))
        self.article_filter = discovery.ArticleFilter(source)
        self.article_re = self.article_filter.pattern
        self.db = open_state(self.nw_settings.state_url)
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)
        crawler.signals.connect(self._item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._item_error, signal=signals.item_error)
        crawler.signals.connect(self._spider_error, signal=signals.spider_error)

    def _check_pipelines(self, s: Any) -> None:
        """Leave out item pipelines that cannot be imported, loudly, instead of failing the whole crawl."""
        from scrapy.utils.misc import load_object

        configured = dict(s.get("ITEM_PIPELINES") or {})
        usable = {}
        for path, order in configured.items():
            try:
                load_object(path)
            except (ImportError, NameError, AttributeError) as exc:
                logger.error("item pipeline %s cannot be loaded (%s): articles are not %s", path, exc,
                             "stored" if "store" in path else "processed by it")
                continue
            usable[path] = order
        if usable != configured:
            s.set("ITEM_PIPELINES", usable, priority="spider")
        self._stores = STORE_PIPELINE in usable

    def _opened(self, spider: scrapy.Spider) -> None:
        self.entries = load_entries(self.db, self.source.name)
        self.urls = {} if self.full else load_urls(self.db, self.source.name)  # --full: refetch everything
        warm_pool(self.workers)
        self._flusher = task.LoopingCall(self.flush_state)
        self._flusher.start(2.0, now=False)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if getattr(self, "_flusher", None) is not None and self._flusher.running:
            self._flusher.stop()
        self.flush_state()
        unfinished = self.progress.unfinished()
        if unfinished:
            self._stat("entries/unfinished", len(unfinished))
            logger.info("%s: %d entr%s left for the next run (%s): %s", self.source.name, len(unfinished),
                        "y" if len(unfinished) == 1 else "ies", reason, ", ".join(unfinished[:5]))

    def flush_state(self) -> None:
        """Write buffered URL outcomes to the state DB (every 2 s and at close), then the entries they finished."""
        pending, self._pending_state = self._pending_state, []
        if pending:
            try:
                record_urls(self.db, pending)
            except Exception:  # a locked or broken state DB must not lose the crawl: retry next flush
                logger.exception("could not write crawl state; will retry")
                self._pending_state[:0] = pending
                return
            urls = {record["url"] for record in pending}
            self._settled.update(urls)
            self._finished_entries.extend(self.progress.settle(urls))
        self._save_finished()

    def _save_finished(self) -> None:
        """Save the validators of finished entries (after the outcomes of their articles were committed)."""
        while self._finished_entries:
            entry = self._finished_entries[0]
            try:
                save_entry(self.db, url=entry.url, source=self.source.name, kind=entry.kind, **entry.values)
            except Exception:
                logger.exception("could not save the validators of %s; will retry", entry.url)
                return
            self._finished_entries.pop(0)

    def _entry_finished(self, finished: list[OpenEntry]) -> None:
        # an entry finishes only once the outcomes of all its articles are committed (settled), so its
        # validators can be saved at once
        if finished:
            self._finished_entries.extend(finished)
            self._save_finished()

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"newswatch/{key}", count)  # type: ignore[union-attr]

    # --- start ------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.feeds:
            yield self.entry_request(url, "feed")
        for url in self.source.sitemaps:
            kind = "robots" if url.rstrip("/").endswith("/robots.txt") else "sitemap"
            yield self.entry_request(url, kind)
        for url in self.source.listings:
            yield self.entry_request(url, "listing", depth=0)
        if not self.full and not self.is_official:  # last run's transient failures get another chance
            for state in list(self.urls.values()):
                if state.url in self.urls and state.status == "error" and state.needs_fetch(None):
                    request = self.article_request(Link(state.url), via="retry")
                    if request is not None:
                        yield request

    def entry_request(self, url: str, kind: str, depth: int = 0, parent: str | None = None) -> Request:
        self._entries_requested.add(url)
        meta: dict[str, Any] = {"nw_entry": kind, "nw_entry_url": url, "nw_depth": depth, "nw_full": self.full,
                                "nw_parent": parent, "handle_httpstatus_list": [304]}
        if kind == "listing" and self.source.render_js:
            meta.update(playwright_meta())
            meta["nw_full"] = True  # a browser navigation is not a conditional request
        callback = self.parse_robots if kind == "robots" else self.parse_entry
        return Request(url, callback=callback, errback=self.on_error, meta=meta, dont_filter=True, priority=10)

    # --- entry points -----------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Any:
        """A robots.txt given as a sitemap: its ``Sitemap:`` lines are the source's sitemaps."""
        url = response.meta["nw_entry_url"]
        if response.status == 304:
            self._stat("entries/unchanged")
            save_entry(self.db, url=url, source=self.source.name, kind="robots", last_status=304,
                       last_fetched=datetime.now(UTC))
            self._entry_finished(self.progress.child_done(url))
            yield from self._known_children(url)
            return
        self._stat("entries/fetched")
        sitemaps = discovery.robots_sitemaps(response.body, response.url)
        row = {"last_status": response.status, "last_fetched": datetime.now(UTC), "items": len(sitemaps)}
        validators = {**_validators(response), "content_hash": hashlib.sha1(response.body).hexdigest()}
        yield from self._open_entry(url, "robots", row, validators, [], sitemaps, [], 0)

    async def parse_entry(self, response: Response) -> AsyncIterator[Any]:
        kind = response.meta["nw_entry"]
        url = response.meta["nw_entry_url"]
        entry = self.entries.get(url)
        parent = response.meta.get("nw_parent")
        now = datetime.now(UTC)
        if response.status == 304:
            self._stat("entries/unchanged")
            save_entry(self.db, url=url, source=self.source.name, kind=kind, last_status=304, last_fetched=now,
                       last_reason=None, parent=parent)
            self._entry_finished(self.progress.child_done(url))
            for child in self._known_children(url):
                yield child
            return
        self._stat("entries/fetched")
        body_hash = hashlib.sha1(response.body).hexdigest()
        validators = _validators(response)
        if not self.full and entry is not None and entry.content_hash == body_hash:
            self._stat("entries/unchanged")
            save_entry(self.db, url=url, source=self.source.name, kind=kind, last_status=response.status,
                       last_fetched=now, last_reason=None, parent=parent, **validators)
            self._entry_finished(self.progress.child_done(url))
            for child in self._known_children(url):
                yield child
            return
        if self.is_official and kind == "listing":  # rows of official documents (crawlers.spiders.official)
            async for out in self.read_official_listing(response, url, {**validators, "content_hash": body_hash}, now,
                                                        parent):
                yield out
            return
        links, children, pages = self._links_of(kind, response)
        depth = response.meta.get("nw_depth", 0)
        if kind != "listing" or depth >= self.source.listing_depth:
            pages = []
        row = {"last_status": response.status, "last_fetched": now, "last_reason": None, "items": len(links),
               "parent": parent}
        for request in self._open_entry(url, kind, row, {**validators, "content_hash": body_hash}, links, children,
                                        pages, depth):
            yield request

    def _open_entry(self, url: str, kind: str, row: dict[str, Any], validators: dict[str, Any], links: list[Link],
                    children: list[str], pages: list[str], depth: int) -> list[Request]:
        """The requests an entry's body leads to.

        ``row`` (status, counts) is saved now; ``validators`` (ETag, Last-Modified, body hash) once the
        entry is finished: every article it listed done and every entry it led to finished.
        """
        requests: list[Request] = []
        waiting: set[str] = set()
        blocked = False
        for link in links:
            decision, article_url = self._decide(link)
            if decision == "fetch":
                requests.append(self._article_request(article_url, link, via=kind))
                waiting.add(article_url)
            elif decision == "requested" and article_url not in self._settled:
                waiting.add(article_url)  # found by another route in this run, not done yet
            elif decision == "limit":
                blocked = True
        save_entry(self.db, url=url, source=self.source.name, kind=kind, new_items=len(requests), **row)
        child_requests: list[Request] = []
        child_urls: list[str] = []
        for child in children:
            if child in self._entries_requested:
                continue  # already asked for in this run (the same sitemap listed twice)
            # recorded now, so that an unchanged parent still asks for it if this run ends before it is read
            save_entry(self.db, url=child, source=self.source.name, kind="sitemap", parent=url)
            child_requests.append(self.entry_request(child, "sitemap", parent=url))
            child_urls.append(child)
        for page in pages:
            if page in self._entries_requested:
                continue  # a listing page linked from two pages is read once
            child_requests.append(self.entry_request(page, "listing", depth=depth + 1))
            child_urls.append(page)
        self._entry_finished(self.progress.open(url, kind, validators, waiting_urls=waiting, children=child_urls,
                                                blocked=blocked))
        return child_requests + requests

    def _known_children(self, url: str) -> list[Request]:
        """An unchanged sitemap index still has children that may have changed: ask each of them, conditionally.

        (An unchanged first listing page ends there: it is saved as unchanged only once the pages it
        led to were finished, and new articles appear on page 1 before any later page.)
        """
        return [self.entry_request(child.url, "sitemap", parent=url)
                for child in self.entries.values()
                if child.parent == url and child.kind == "sitemap" and child.url not in self._entries_requested]

    def _links_of(self, kind: str, response: Response) -> tuple[list[Link], list[str], list[str]]:
        """(article links, child sitemaps, pagination pages) of an entry point, whatever it turns out to be."""
        text = response.text if isinstance(response, TextResponse) else None
        found = discovery.entry_links(kind, response.body, response.url, self.source, text)
        if not found.readable or (text is None and not (found.articles or found.sitemaps)):
            self._stat("errors/unreadable_entry")
            return [], [], []
        return found.articles, found.sitemaps, found.pages

    def article_request(self, link: Link, *, via: str) -> Request | None:
        decision, url = self._decide(link)
        return self._article_request(url, link, via=via) if decision == "fetch" else None

    def _decide(self, link: Link, *, check_filter: bool = True) -> tuple[str, str]:
        """(decision, normalised URL): ``fetch``, ``requested`` (earlier in this run), ``known``, ``skipped``, ``limit``.

        ``check_filter=False`` for an official entry's key, which may be an attachment on another host.
        """
        url = discovery.normalize_url(link.url)
        rejected = self.article_filter.rejects(url) if check_filter else None
        if rejected:
            self._stat(f"skipped_{rejected}")
            return "skipped", url
        if url in self.requested:  # found by two routes (feed and sitemap) in this run
            return "requested", url
        known = self.urls.get(url)
        if known is not None and not self.full and not known.needs_fetch(link.modified):
            self._stat("skipped_known")
            return "known", url
        if self.article_requests >= self.max_articles:
            self._stat("skipped_limit")
            return "limit", url
        return "fetch", url

    def _article_request(self, url: str, link: Link, *, via: str) -> Request:
        self.article_requests += 1
        self.requested.add(url)
        meta: dict[str, Any] = {"nw_url": url, "nw_announced": link.modified, "nw_via": via,
                                "nw_decide": self.article_re is None}
        if self.source.render_js:
            meta.update(playwright_meta())
        # dont_filter: the spider deduplicates itself, so that a redirect loop reaches REDIRECT_MAX_TIMES and is
        # recorded as "redirect_loop" instead of vanishing in the duplicate filter
        return Request(url, callback=self.parse_article, errback=self.on_error, meta=meta, dont_filter=True)

    # --- articles ---------------------------------------------------------------------------------

    async def parse_article(self, response: Response) -> AsyncIterator[Article]:
        meta = response.meta
        url: str = meta["nw_url"]
        announced: datetime | None = meta.get("nw_announced")
        if not isinstance(response, TextResponse):
            self._stat("not_articles")
            self._remember(url, "other", reason="not_html", http_status=response.status, announced=announced)
            return
        html = response.text
        canonical = discovery.canonical_url(html, response.url, self.source)
        if canonical != url and not self.full:
            known = self.urls.get(canonical)
            if known is not None and known.status == "article" and not known.needs_fetch(announced):
                self._stat("skipped_known")
                self._remember(url, "article", canonical=canonical, fingerprint=known.fingerprint,
                               http_status=response.status, announced=announced)
                return
        fetched_at = datetime.now(UTC)
        result = await submit_page(
            self.workers, html, canonical, self.source, decide=bool(meta.get("nw_decide")),
            declared_encoding=response.encoding, hint_published=announced, fetched_at=fetched_at,
            fetched_url=response.url)
        if result.kind == "article" and result.article is not None:
            self._stat("articles/extracted")
            if self.source.reads_attachments:
                await self._attach(result.article, html, response.url)
            yield result.article
        elif result.kind == "other":
            self._stat("not_articles")
            self._remember(url, "other", canonical=canonical, reason=result.reason[:200], http_status=response.status,
                           announced=announced)
        else:
            code = result.reason.split(":", 1)[0]
            self._stat(f"errors/{code}")
            logger.warning("%s: %s: %s", self.source.name, response.url, result.reason)
            self._remember(url, "error", canonical=canonical, reason=code, http_status=response.status,
                           announced=announced)

    async def _attach(self, article: Article, html: str, page_url: str) -> None:
        """Download and read the page's attachments (PDF, DOC, DOCX) and add their text to the article."""
        from crawlers.attachments import fetch_attachments
        from newswatch.documents.attachments import AttachmentLimits, attach_to_article, attachment_links
        from newswatch.text.docnumbers import find_doc_numbers

        links = attachment_links(html, page_url)
        if not links:
            return
        limits = AttachmentLimits.from_settings(self.nw_settings)
        numbers = find_doc_numbers(article.title)  # "Quyết định 1234/QĐ-TTg …": checked against the official text
        attachments = await fetch_attachments(
            self.crawler, links[:limits.max_files], limits=limits, number=numbers[0].canonical if numbers else None,
            issue_date=numbers[0].issue_date if numbers else None)
        attach_to_article(article, attachments, max_chars=limits.max_chars)

    def _remember(self, url: str, status: str, *, canonical: str | None = None, fingerprint: str | None = None,
                  reason: str | None = None, http_status: int | None = None,
                  announced: datetime | None = None) -> None:
        if status == "error":
            self.official_failed(url, reason)
        record = {"source": self.source.name, "url": url, "status": status, "canonical_url": canonical,
                  "fingerprint": fingerprint, "reason": reason, "http_status": http_status,
                  "announced_modified": announced, "fetched_at": datetime.now(UTC)}
        self._pending_state.append(record)
        state = UrlState(url=url, source=self.source.name, canonical_url=canonical, fingerprint=fingerprint,
                         status=status, reason=reason, attempts=1 if status == "error" else 0,
                         last_fetched=record["fetched_at"], announced_modified=announced)
        self.urls[url] = state
        if canonical:
            self.urls.setdefault(canonical, state)

    # --- pipeline outcomes -> crawl state ------------------------------------------------------------

    def _article_done(self, item: Any, response: Response | None, status: str, reason: str | None = None) -> None:
        url = (response.meta.get("nw_url") or self.official_item_url(item)) if response is not None else None
        if not isinstance(item, Article) or response is None or url is None:
            return
        from newswatch.crawl.pages import fingerprint_text

        self._remember(url, status, canonical=item.url, fingerprint=fingerprint_text(item.text),
                       reason=reason, http_status=response.status, announced=response.meta.get("nw_announced"))

    def _item_scraped(self, item: Any, response: Response | None, spider: scrapy.Spider) -> None:
        if spider is not self:
            return
        if self._stores and isinstance(item, Article) and item.store_outcome is None:
            # the store pipeline logged why; the URL is tried again next run instead of counting as done
            self._stat("errors/store_failed")
            self._article_done(item, response, "error", reason="store_failed")
            return
        self._article_done(item, response, "article")

    def _item_dropped(self, item: Any, response: Response | None, exception: BaseException,
                      spider: scrapy.Spider) -> None:
        if spider is self:  # a duplicate or filtered item was still seen: do not fetch it again
            self._article_done(item, response, "article", reason=f"dropped: {exception}"[:200])

    def _spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """A callback crashed on a page (a bug, not the page's fault): record it instead of leaving it open."""
        if spider is not self or response is None:
            return
        meta = response.meta
        self._stat("errors/parse_failed")
        if meta.get("nw_entry"):
            self._entry_failed(meta, "parse_failed")
        elif "nw_url" in meta:
            self._remember(meta["nw_url"], "error", reason="parse_failed", http_status=response.status,
                           announced=meta.get("nw_announced"))

    def _item_error(self, item: Any, response: Response | None, spider: scrapy.Spider, failure: Failure) -> None:
        if spider is self:  # a pipeline crashed (store unavailable, ...): retry the URL next run
            self._stat("errors/pipeline_error")
            logger.error("%s: pipeline failed on %s: %s", self.source.name, getattr(item, "url", "?"), failure.value)
            self._article_done(item, response, "error", reason="pipeline_error")

    # --- failures ------------------------------------------------------------------------------------

    def _entry_failed(self, meta: dict[str, Any], reason: str) -> None:
        """An entry that could not be read: what it means for the entry that led to it.

        A listing page that failed (not gone) keeps its first page unfinished: an unchanged first page
        leads to no later page, so the next run must read it again. A failed sitemap does not hold its
        index back: an index, changed or not, asks for every sitemap it listed again on each run, and
        the failed one, with no validators saved, is then read in full.
        """
        url = meta["nw_entry_url"]
        if meta["nw_entry"] == "listing" and reason not in GONE_REASONS:
            self.progress.child_failed(url)
        else:
            self._entry_finished(self.progress.child_done(url))

    def on_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        reason = failure_reason(failure)
        self._stat(f"errors/{reason}")
        http_status = failure.value.response.status if isinstance(failure.value, HttpError) else None
        if meta.get("nw_entry"):
            self._stat("entries/failed")
            logger.warning("%s: %s %s failed: %s", self.source.name, meta["nw_entry"], request.url, reason)
            save_entry(self.db, url=meta["nw_entry_url"], source=self.source.name, kind=meta["nw_entry"],
                       last_status=http_status, last_reason=reason, last_fetched=datetime.now(UTC))
            self._entry_failed(meta, reason)
            return
        url = meta.get("nw_url", request.url)
        logger.info("%s: %s failed: %s", self.source.name, request.url, reason)
        status = "gone" if reason in GONE_REASONS else "error"
        self._remember(url, status, reason=reason, http_status=http_status, announced=meta.get("nw_announced"))
