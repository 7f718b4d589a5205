"""Searching the embedded store: filters, ranking, one hit per story with its copies, facets and snippets.

:class:`SQLiteSearch` is a part of :class:`~newswatch.store.sqlite.SQLiteStore` (a mixin: it uses
the store's connection, its text index and its reads). A search ranks in Tantivy and counts its
matches, facets and stories in a second thread (Tantivy releases the GIL, so both cores work).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newswatch.search import highlight, parse_query
from newswatch.store.base import SearchHit, SearchQuery, SearchResult
from newswatch.store.keys import doc_key, label_key
from newswatch.store.sqlite_schema import load_article
from newswatch.store.text_index import IndexBusy, TextIndex

if TYPE_CHECKING:
    import sqlite3
    import threading

log = logging.getLogger("newswatch.store.sqlite")

_COPIES_LIMIT = 10_000  # matching copies read for a page of stories
# the stories of up to this many matches are counted exactly (one aggregation bucket each, ~2 ms a
# thousand); of more, estimated (HyperLogLog)
EXACT_STORY_COUNT = 5_000


class SQLiteSearch:
    """Search over the SQLite store's text index and its ``search_rows``."""

    _db: sqlite3.Connection
    _lock: threading.RLock
    _counting: ThreadPoolExecutor | None
    text_index: TextIndex

    if TYPE_CHECKING:  # provided by SearchIndexFeed and SQLiteStore
        def refresh_search(self) -> int: ...

        def _read(self, sql: str, params: Any = ()) -> list[Any]: ...

    def _filters(self, query: SearchQuery) -> list[Any]:
        text = self.text_index
        filters = []
        if query.since or query.until:
            filters.append(text.published_between(query.since.timestamp() if query.since else None,
                                                  query.until.timestamp() if query.until else None))
        if query.sources:
            filters.append(text.any_of("source", list(query.sources)))
        if query.topics:
            filters.append(text.any_of("topics", [label_key(t) for t in query.topics]))
        if query.doc_types:
            filters.append(text.any_of("doc_type_keys", [label_key(t) for t in query.doc_types]))
        for number in query.doc_numbers:  # every number asked for must be cited
            filters.append(text.any_of("doc_numbers", [doc_key(number)]))
        return filters

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        parsed = parse_query(query.text)
        try:
            self.refresh_search()
        except (IndexBusy, OSError, ValueError) as exc:  # a stale answer beats none; the next search retries
            log.warning("search index not brought up to date (%s): searching the articles it holds", exc)
        text = self.text_index
        searcher = text.searcher()  # one view of the index for every step below
        filters = self._filters(query)
        matcher = text.restrict(text.compiler.compile(parsed.root), filters)
        counted = text.restrict(text.compiler.compile(parsed.root, ranked=False), filters)  # same matches
        newest = query.sort == "newest" or parsed.is_empty
        # the counts (matches, facets, story estimate) in another thread while this one ranks: Tantivy
        # releases the GIL, so the two passes over the matches run on two cores (20 -> 12-16 ms for the
        # heaviest queries at 100,000 articles)
        counting = self._counting_pool().submit(text.counts, searcher, counted, query.facets, query.collapse_clusters)
        if query.collapse_clusters:
            total, exact, page = self._collapsed_page(searcher, matcher, counted, query, newest, counting.result)
        else:
            page = text.top(searcher, matcher, query.offset + query.limit, newest)[query.offset:]
            total, exact, page = counting.result()[0], True, [(rowid, score) for score, rowid in page]
        _, _, facets = counting.result()
        if parsed.is_empty:
            page = [(rowid, 0.0) for rowid, _ in page]
        elif newest and page:  # ordered by time: the scores shown are BM25's
            scores = self._scores(searcher, matcher, [rowid for rowid, _ in page])
            page = [(rowid, scores.get(rowid, 0.0)) for rowid, _ in page]
        hits = self._hits(page, query, parsed)
        return SearchResult(total=total, hits=hits, facets=facets if query.facets else {}, total_exact=exact,
                            took_ms=round((time.perf_counter() - started) * 1000, 2))

    def _scores(self, searcher: Any, matcher: Any, rowids: list[int]) -> dict[int, float]:
        """BM25 of some matching articles."""
        text = self.text_index
        scored = text.top(searcher, text.restrict(matcher, [text.any_of("rowid", rowids)]), len(rowids), newest=False)
        return {rowid: score for score, rowid in scored}

    def _search_rows(self, rowids: list[int]) -> dict[int, tuple[str, float]]:
        """(cluster id, publication time) of some articles."""
        if not rowids:
            return {}
        cursor = self._db.cursor()
        cursor.row_factory = None
        with self._lock:
            return {rowid: (cluster, published) for rowid, cluster, published in cursor.execute(
                f"SELECT rowid, cluster_id, published_ts FROM search_rows WHERE rowid IN ({','.join('?' * len(rowids))})",
                rowids)}

    def _counting_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._counting is None:
                self._counting = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nw-search-counts")
            return self._counting

    def _collapsed_page(self, searcher: Any, matcher: Any, counted: Any, query: SearchQuery, newest: bool,
                        counts: Callable[[], tuple[int, int | None, Any]]) -> tuple[int, bool, list[tuple[int, float]]]:
        """(number of stories, whether it is exact, page of (rowid, score)): one hit per cluster, ranked by its
        best match (``newest``: its latest), showing its first publisher among the matches with the score of the
        cluster's best match. Up to ``EXACT_STORY_COUNT`` matches, stories are counted exactly; of more, estimated.
        ``counted`` is ``matcher`` without its ranking-only clauses (same matches, cheaper to evaluate);
        ``counts`` gives :meth:`TextIndex.counts` of them (computed meanwhile in another thread)."""
        text = self.text_index
        start, stop = query.offset, query.offset + query.limit
        limit = max(4 * stop, 64)
        while True:  # the best matches until they hold ``stop`` clusters (or every match was read)
            top = text.top(searcher, matcher, limit, newest)
            exhausted = len(top) < limit
            rows = self._search_rows([rowid for _, rowid in top])
            top = [(score, rowid) for score, rowid in top if rowid in rows]
            top.sort(key=lambda hit: (-hit[0], -rows[hit[1]][1], hit[1]))
            best: dict[str, float] = {}
            for score, rowid in top:
                best.setdefault(rows[rowid][0], score)
            if len(best) >= stop or exhausted:
                break
            limit *= 4
        matches, estimate, _ = counts()
        if exhausted:
            total, exact = len(best), True
        elif matches <= EXACT_STORY_COUNT:
            total, exact = text.distinct_clusters(searcher, counted), True
        else:
            total, exact = max(estimate or 0, len(best)), False
        clusters = list(best)[start:stop]
        if not clusters:
            return total, exact, []
        copies = text.top(searcher, text.restrict(counted, [text.any_of("cluster", clusters)]), _COPIES_LIMIT, newest=False)
        first: dict[str, tuple[float, int]] = {}
        for rowid, (cluster, published) in self._search_rows([rowid for _, rowid in copies]).items():
            if cluster not in first or (published, rowid) < first[cluster]:
                first[cluster] = (published, rowid)
        return total, exact, [(first[c][1], best[c]) for c in clusters if c in first]

    def _hits(self, page: list[tuple[int, float]], query: SearchQuery, parsed: Any) -> list[SearchHit]:
        if not page:
            return []
        marks = ",".join("?" * len(page))
        rows = {r["rowid"]: r for r in self._read(f"SELECT rowid, cluster_id, data FROM articles WHERE rowid IN ({marks})",
                                                  [rowid for rowid, _ in page])}
        copies: dict[str, list[dict[str, Any]]] = {}
        if query.collapse_clusters:
            clusters = sorted({r["cluster_id"] for r in rows.values()})
            members = self._read(
                "SELECT id, url, source, title, published_ts, cluster_id FROM articles "
                f"WHERE cluster_id IN ({','.join('?' * len(clusters))}) ORDER BY published_ts, rowid", clusters)
            for m in members:
                group = copies.setdefault(m["cluster_id"], [])
                group.append({"id": m["id"], "url": m["url"], "source": m["source"], "title": m["title"],
                              "published": datetime.fromtimestamp(m["published_ts"], UTC).isoformat(),
                              "first": not group})
        terms = parsed.terms()
        hits = []
        for rowid, score in page:
            row = rows.get(rowid)
            if row is None:
                continue
            article = load_article(row["data"])
            group = copies.get(row["cluster_id"], [])
            hits.append(SearchHit(article=article, score=round(score, 4),
                                  snippet=highlight(article.text or article.lead or "", terms),
                                  copies=group if len(group) > 1 else []))
        return hits

