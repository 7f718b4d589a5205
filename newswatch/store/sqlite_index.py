"""Feeding the embedded store's Tantivy index from SQLite: the change log, batches, commits and pruning.

:class:`SearchIndexFeed` is a part of :class:`~newswatch.store.sqlite.SQLiteStore` (a mixin: it
uses the store's connection, lock and transactions). Writers only log their changes in
``search_changes``; a search first brings the index up to date with what was logged since its
last commit (:meth:`SearchIndexFeed.refresh_search`), committing every ``_COMMIT_EVERY`` articles,
and prunes the log once the index holds it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from newswatch.search.tokens import exact_form
from newswatch.store.text_index import IndexEntry, IndexUpdate, TextIndex

if TYPE_CHECKING:
    from newswatch.store.near_index import NearIndex

log = logging.getLogger("newswatch.store.sqlite")

_INDEX_CHUNK = 2000  # articles read from the database per step of a search-index update
_PROGRESS_EVERY = 20_000  # a search-index update logs its progress every this many articles
# ... and commits every this many: a first build or a large import becomes searchable as it goes,
# and a process stopped half-way keeps what it indexed
_COMMIT_EVERY = 20_000
# search_changes keeps the newest this many changes (always at least one: its numbers never restart);
# older ones are deleted once the text index holds them, in batches of as many
CHANGES_KEPT = 100_000


class SearchIndexFeed:
    """The SQLite store's full-text index: opened on first use, brought up to date before each search."""

    path: Path
    _db: sqlite3.Connection
    _text: TextIndex | None
    _near: NearIndex


    @property
    def text_index(self) -> TextIndex:
        """The full-text index beside the file (opened on first use: processes that only write never open it)."""
        if self._text is None:
            self._text = TextIndex(self.text_index_dir)
        return self._text

    @property
    def text_index_dir(self) -> Path:
        """``articles.search/`` beside ``articles.db``."""
        return self.path.with_name(self.path.stem + ".search")

    def refresh_search(self) -> int:
        """Index the articles written since the full-text index's last commit, by any process; returns how many.

        A search does it first; the web service also calls it in the background so that a search
        after a crawl finds the work done.
        """
        text = self.text_index
        oldest, newest = self._read("SELECT min(seq), max(seq) FROM search_changes")[0]
        oldest, newest = oldest or 0, newest or 0
        if newest <= text.indexed_seq():
            text.refresh_reader()
            return 0
        started = time.perf_counter()
        with text.updating() as update:
            if update.seq < oldest - 1:  # changes it never indexed were pruned: index every article instead
                log.info("search index %s: behind the change log, indexing every article", text.directory)
                self._index_all(update, newest)
            while True:
                with self._lock:
                    entries, last = self._index_entries(update.seq)
                if last is None:
                    break
                before = update.added
                update.put(entries)
                update.seq = last
                if update.added // _COMMIT_EVERY > before // _COMMIT_EVERY:
                    update.commit()
                if update.added // _PROGRESS_EVERY > before // _PROGRESS_EVERY:  # a long (first) build
                    log.info("search index: %d articles indexed so far", update.added)
        if update.added > 1000:
            log.info("search index: %d articles indexed in %.1f s", update.added, time.perf_counter() - started)
        self._prune_changes(oldest, update.committed_seq)
        return update.added

    def _index_all(self, update: IndexUpdate, upto: int) -> None:
        """Index every article as it is now, and bring ``update`` to change ``upto`` (read before: a change
        after it is indexed again by the log, harmlessly)."""
        after = 0
        while True:
            with self._lock:
                rowids = [r[0] for r in self._db.execute(
                    "SELECT rowid FROM search_rows WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, _INDEX_CHUNK))]
                entries = self._entries(rowids)
            if not rowids:
                break
            update.put(entries)
            after = rowids[-1]
        update.seq = upto
        update.commit()

    def _prune_changes(self, oldest: int, indexed: int) -> None:
        """Delete the changes the text index holds, but the newest ``CHANGES_KEPT``, once twice that many are logged.

        The near-duplicate index of a writer that fell behind the deleted part reloads (``NearIndex.refresh``),
        as does a text index rebuilt from nothing (``_index_all``).
        """
        upto = indexed - CHANGES_KEPT
        if upto - oldest < CHANGES_KEPT:
            return
        try:
            with self._write() as db:
                deleted = db.execute("DELETE FROM search_changes WHERE seq <= ?", (upto,)).rowcount
        except sqlite3.Error as exc:  # busy with crawls' writes past the timeout: the next refresh tries again
            log.warning("search change log not pruned (%s): tried again after the next update", exc)
            return
        log.info("search change log: %d changes the text index holds deleted", deleted)

    def _index_entries(self, after: int) -> tuple[list[IndexEntry], int | None]:
        """The index entries of the articles logged after change ``after`` (a chunk), and the chunk's last change."""
        cursor = self._db.cursor()
        cursor.row_factory = None
        changes = cursor.execute("SELECT seq, article FROM search_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                                 (after, _INDEX_CHUNK)).fetchall()
        if not changes:
            return [], None
        return self._entries(list(dict.fromkeys(article for _, article in changes))), changes[-1][0]

    def _entries(self, rowids: list[int]) -> list[IndexEntry]:
        """The index entries of some articles, as they are now."""
        if not rowids:
            return []
        cursor = self._db.cursor()
        cursor.row_factory = None
        marks = ",".join("?" * len(rowids))
        docs: dict[int, dict[str, list[str]]] = {rowid: {"number": [], "type": []} for rowid in rowids}
        for article, kind, key in cursor.execute(
                f"SELECT article, kind, key FROM article_docs WHERE article IN ({marks}) AND kind IN ('number', 'type')",
                rowids):
            docs[article][kind].append(key)
        entries = []
        for rowid, data, cluster, source, month, published_ts, topics, codes in cursor.execute(
                "SELECT s.rowid, a.data, s.cluster_id, s.source, s.month, s.published_ts, s.topics, s.codes "
                f"FROM search_rows s JOIN articles a ON a.rowid = s.rowid WHERE s.rowid IN ({marks})", rowids):
            record = json.loads(data)
            entries.append(IndexEntry(
                rowid=rowid, title=exact_form(record.get("title")), lead=exact_form(record.get("lead")),
                body=exact_form(record.get("text")), published_ts=published_ts, source=source, month=month,
                cluster=cluster, topics=json.loads(topics), codes=json.loads(codes),
                doc_numbers=docs[rowid]["number"], doc_type_keys=docs[rowid]["type"]))
        return entries

