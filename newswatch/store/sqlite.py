"""The embedded article store: one SQLite file in the data directory (WAL mode) and a Tantivy full-text index.

Tables
  ``articles``      one row per canonical URL (current version): metadata, simhash, cluster and the
                    article as JSON.
  ``article_docs``  document-number keys and type keys of each article (near-duplicate checks and
                    the text index's filter fields).
  ``versions``      previous versions of edited articles (JSON), one row per replaced version.
  ``search_rows``   a narrow copy of what search needs per article (cluster, source, month, time, topic
                    and doc-type facet keys as JSON lists): the text index's facet fields, and hits
                    mapped to their clusters without reading the wide ``articles`` rows.

Stores written before schema 3 also hold ``article_topics``, ``article_docs`` rows of kind
``code`` and the ``articles.topics``/``doc_types`` columns; nothing writes them any more, and only
the migration that fills ``search_rows`` from a pre-schema-1 store reads them.
  ``search_changes``  a numbered log of writes to ``search_rows``: the full-text index follows it.

Full text lives beside the file, in a Tantivy index derived from these tables
(:mod:`newswatch.store.text_index`): writers only write SQLite; a search first indexes the
articles logged since the index's last commit.

Several processes (the web service, crawl subprocesses) read and write the same file: every write
runs in ``BEGIN IMMEDIATE`` with a busy timeout, and the cluster decision is taken inside that
transaction, so two processes storing two copies of one story at once still agree on its cluster.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newswatch import dedup
from newswatch.models import Article
from newswatch.search import highlight, parse_query
from newswatch.search.tokens import exact_form
from newswatch.store.base import ArticleStore, PutOutcome, PutResult, SearchHit, SearchQuery, SearchResult
from newswatch.store.keys import (
    article_doc_keys,
    article_doc_type_keys,
    article_doc_types,
    article_time,
    doc_key,
    label_key,
    month_of,
)
from newswatch.store.near_index import NearIndex
from newswatch.store.text_index import IndexBusy, IndexEntry, IndexUpdate, TextIndex

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # PRAGMA user_version; 1: search_rows filled; 2: search_changes filled; 3: FTS5 table dropped

BUSY_TIMEOUT_S = 30.0
# simhash band columns and their indexes, written by versions before the in-memory NearIndex (left NULL)
_OLD_BAND_COLUMNS = [f"b{i}" for i in range(dedup.BAND_COUNT)]
_INDEX_CHUNK = 2000  # articles read from the database per step of a search-index update
_PROGRESS_EVERY = 20_000  # a search-index update logs its progress every this many articles
# ... and commits every this many: a first build or a large import becomes searchable as it goes,
# and a process stopped half-way keeps what it indexed
_COMMIT_EVERY = 20_000
# search_changes keeps the newest this many changes (always at least one: its numbers never restart);
# older ones are deleted once the text index holds them, in batches of as many
CHANGES_KEPT = 100_000
_COPIES_LIMIT = 10_000  # matching copies read for a page of stories
# the stories of up to this many matches are counted exactly (one aggregation bucket each, ~2 ms a
# thousand); of more, estimated (HyperLogLog)
EXACT_STORY_COUNT = 5_000
_NOT_STORED = ("store_outcome", "first_in_cluster")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    published_ts REAL NOT NULL,
    month TEXT NOT NULL,
    stored_ts REAL NOT NULL,
    updated_ts REAL NOT NULL,
    content_hash TEXT NOT NULL,
    simhash INTEGER,
    cluster_id TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    topics TEXT NOT NULL DEFAULT '',     -- unused since schema 3 (see the module docstring)
    doc_types TEXT NOT NULL DEFAULT '',  -- unused since schema 3
    data TEXT NOT NULL
);
{"".join(f"DROP INDEX IF EXISTS articles_{c}; DROP INDEX IF EXISTS articles_{c}_simhash;" for c in _OLD_BAND_COLUMNS)}
CREATE INDEX IF NOT EXISTS articles_content_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles(cluster_id, published_ts, rowid);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source, stored_ts);
DROP INDEX IF EXISTS articles_published;
CREATE INDEX IF NOT EXISTS articles_updated ON articles(updated_ts);
CREATE TABLE IF NOT EXISTS article_docs (
    article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    kind TEXT NOT NULL,   -- 'number' or 'type'
    key TEXT NOT NULL
);
DROP INDEX IF EXISTS article_docs_key;  -- the filters it served run in the text index
CREATE INDEX IF NOT EXISTS article_docs_article ON article_docs(article);
CREATE TABLE IF NOT EXISTS article_topics (  -- read only by the schema 1 migration
    article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    topic TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_topics_topic ON article_topics(topic, article);
CREATE INDEX IF NOT EXISTS article_topics_article ON article_topics(article);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    replaced_ts REAL NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE TABLE IF NOT EXISTS search_rows (
    rowid INTEGER PRIMARY KEY,  -- articles.rowid
    cluster_id TEXT NOT NULL,
    source TEXT NOT NULL,
    month TEXT NOT NULL,
    published_ts REAL NOT NULL,
    topics TEXT NOT NULL,       -- JSON list: the article's topic keys
    codes TEXT NOT NULL         -- JSON list: the article's document type codes as written (NĐ, CT)
);
CREATE TABLE IF NOT EXISTS search_changes (
    seq INTEGER PRIMARY KEY,    -- change sequence: one row, with the next number, per write of a search_rows row
    article INTEGER NOT NULL    -- search_rows.rowid
);
"""


_STORED_FIELDS = tuple(f.name for f in dataclass_fields(Article) if f.name not in _NOT_STORED)


def article_record(article: Article) -> dict[str, Any]:
    """``Article.to_dict()`` without the fields only the pipelines use (a fast shallow version)."""
    data = {name: getattr(article, name) for name in _STORED_FIELDS}
    data["id"] = article.id
    data["doc_numbers"] = article.canonical_doc_numbers
    data["documents"] = [n.to_dict() for n in article.doc_numbers]
    for key in ("published", "fetched_at"):
        value = data[key]
        data[key] = value.isoformat() if value else None
    if article.simhash is not None:
        data["simhash"] = str(article.simhash)
    return data


def _article_json(article: Article) -> str:
    return json.dumps(article_record(article), ensure_ascii=False, default=str)


def _load(data: str) -> Article:
    return Article.from_dict(json.loads(data))


class SQLiteStore(ArticleStore):
    """Articles in an SQLite file, full text in a Tantivy index beside it; safe to share between processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._text: TextIndex | None = None
        self._near = NearIndex()
        self._counting: ThreadPoolExecutor | None = None  # counts a search's matches beside its ranking
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA cache_size=-65536")
        self._db.execute("PRAGMA temp_store=MEMORY")
        # checkpoint every ~40 MB of WAL instead of 4 MB: a batch of 500 articles writes several MB, and
        # pages rewritten by consecutive batches (index pages) are copied back once
        self._db.execute("PRAGMA wal_autocheckpoint=10000")
        self._db.execute("PRAGMA journal_size_limit=67108864")  # the WAL file is truncated back to 64 MB
        with self._lock:
            self._db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a store written by an earlier version up to date (fill ``search_rows`` and ``search_changes``,
        drop the FTS5 table); the full-text index is then built from ``search_changes`` by the first search."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return  # another process did it
            if version < 1:
                db.execute("DELETE FROM search_rows")
                db.execute(
                    "INSERT INTO search_rows(rowid, cluster_id, source, month, published_ts, topics, codes) "
                    "SELECT a.rowid, a.cluster_id, a.source, a.month, a.published_ts, "
                    "(SELECT json_group_array(t.topic) FROM article_topics t WHERE t.article = a.rowid), "
                    "(SELECT json_group_array(d.key) FROM article_docs d WHERE d.article = a.rowid AND +d.kind = 'code') "
                    "FROM articles a")
            if version < 2:
                db.execute("INSERT INTO search_changes(article) SELECT rowid FROM search_rows ORDER BY rowid")
            db.execute("DROP TABLE IF EXISTS fts")  # full text moved to the Tantivy index, built from search_changes
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- transactions ----------------------------------------------------------------------------

    class _Tx:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error); ``articles``: the transaction writes
        articles, so the near-duplicate index is brought up to date first and reloaded if the write fails."""

        def __init__(self, store: SQLiteStore, articles: bool) -> None:
            self.store = store
            self.articles = articles

        def __enter__(self) -> sqlite3.Connection:
            store = self.store
            store._lock.acquire()
            try:
                store._db.execute("BEGIN IMMEDIATE")
                if self.articles:
                    try:
                        store._near.refresh(store._db)
                    except BaseException:
                        store._db.execute("ROLLBACK")
                        raise
            except BaseException:
                store._near.reset()
                store._lock.release()
                raise
            return store._db

        def __exit__(self, exc_type: object, *_: object) -> None:
            store = self.store
            try:
                store._db.execute("ROLLBACK" if exc_type else "COMMIT")
            except BaseException:
                store._near.reset()
                raise
            finally:
                if exc_type:
                    store._near.reset()
                store._lock.release()

    def _write(self, articles: bool = False) -> _Tx:
        return SQLiteStore._Tx(self, articles)

    # -- writing ---------------------------------------------------------------------------------

    def put(self, article: Article) -> PutResult:
        dedup.fingerprint(article)
        with self._write(articles=True) as db:
            return self._put(db, article)

    def put_many(self, articles: Iterable[Article]) -> list[PutResult]:
        """Store many articles, in transactions of a few hundred (much faster than one put each)."""
        results: list[PutResult] = []
        batch: list[Article] = []
        for article in articles:
            batch.append(dedup.fingerprint(article))
            if len(batch) >= 500:
                results += self._put_batch(batch)
                batch = []
        if batch:
            results += self._put_batch(batch)
        return results

    def _put_batch(self, batch: list[Article]) -> list[PutResult]:
        with self._write(articles=True) as db:
            return [self._put(db, a) for a in batch]

    def _put(self, db: sqlite3.Connection, article: Article) -> PutResult:
        now = time.time()
        row = db.execute("SELECT rowid, content_hash, cluster_id, version, data, stored_ts FROM articles WHERE id=?",
                         (article.id,)).fetchone()
        if row is not None and row["content_hash"] == article.content_hash:
            article.cluster_id, article.version = row["cluster_id"], row["version"]
            return self._result(db, PutOutcome.UNCHANGED, article, first=self._is_first(db, row["rowid"], article))
        if row is not None:
            previous = _load(row["data"])
            db.execute("INSERT OR REPLACE INTO versions(id, version, replaced_ts, data) VALUES (?,?,?,?)",
                       (article.id, row["version"], now, row["data"]))
            article.cluster_id = row["cluster_id"]
            article.version = row["version"] + 1
            if article.published is None:
                article.published = previous.published
            self._write_row(db, article, row["rowid"], stored_ts=row["stored_ts"], now=now)
            return self._result(db, PutOutcome.UPDATED, article, first=self._is_first(db, row["rowid"], article))
        cluster = self._find_cluster(db, article)
        alone = cluster is None and not article.cluster_id  # a cluster of its own, new: nothing to look up
        article.cluster_id = cluster or article.cluster_id or f"c{article.id}"
        article.version = max(article.version, 1)
        rowid = self._write_row(db, article, None, stored_ts=now, now=now)
        if alone:
            article.store_outcome, article.first_in_cluster = PutOutcome.NEW.value, True
            return PutResult(PutOutcome.NEW, article.id, article.cluster_id, 1, True)
        joined = db.execute("SELECT 1 FROM articles WHERE cluster_id=? AND rowid<>? LIMIT 1",
                            (article.cluster_id, rowid)).fetchone()
        return self._result(db, PutOutcome.NEW, article, first=joined is None)

    def _is_first(self, db: sqlite3.Connection, rowid: int, article: Article) -> bool:
        first = db.execute("SELECT rowid FROM articles WHERE cluster_id=? ORDER BY published_ts, rowid LIMIT 1",
                           (article.cluster_id,)).fetchone()
        return first is None or first["rowid"] == rowid

    def _result(self, db: sqlite3.Connection, outcome: PutOutcome, article: Article, first: bool) -> PutResult:
        size = db.execute("SELECT count(*) FROM articles WHERE cluster_id=?", (article.cluster_id,)).fetchone()[0]
        article.store_outcome = outcome.value
        article.first_in_cluster = first
        return PutResult(outcome, article.id, article.cluster_id or "", size, first)

    def _find_cluster(self, db: sqlite3.Connection, article: Article) -> str | None:
        """The cluster of the nearest stored copy of this story, if any."""
        same = db.execute("SELECT cluster_id FROM articles WHERE content_hash=? LIMIT 1",
                          (article.content_hash,)).fetchone()
        if same:
            return same["cluster_id"]
        if article.simhash is None:
            return None
        near = self._near.near(article.simhash)
        if not near:
            return None
        rows = db.execute(f"SELECT simhash, cluster_id, published_ts, rowid FROM articles WHERE rowid IN "
                          f"({','.join('?' * len(near))})", near).fetchall()
        docs: dict[int, set[str]] = {r["rowid"]: set() for r in rows}
        marks = ",".join("?" * len(docs))
        for article_rowid, key in db.execute(  # +kind: look up by article, not walk every 'number' row
                f"SELECT article, key FROM article_docs WHERE +kind='number' AND article IN ({marks})", list(docs)):
            docs[article_rowid].add(key)
        candidates = (dedup.Candidate(r["cluster_id"], r["simhash"], None, frozenset(docs[r["rowid"]]),
                                      (r["published_ts"], r["rowid"])) for r in rows)
        return dedup.nearest_cluster(article, article_doc_keys(article), candidates)

    def _write_row(self, db: sqlite3.Connection, article: Article, rowid: int | None, *,
                   stored_ts: float, now: float) -> int:
        moment = article_time(article, datetime.fromtimestamp(stored_ts, UTC))
        values = {
            "id": article.id, "url": article.url, "source": article.source or "", "title": article.title or "",
            "published_ts": moment.timestamp(), "month": month_of(moment), "stored_ts": stored_ts,
            "updated_ts": now, "content_hash": article.content_hash, "simhash": article.simhash,
            "cluster_id": article.cluster_id, "version": article.version, "data": _article_json(article),
        }
        if rowid is None:
            columns = ", ".join(values)
            cursor = db.execute(f"INSERT INTO articles({columns}) VALUES ({', '.join('?' * len(values))})",
                                tuple(values.values()))
            rowid = int(cursor.lastrowid or 0)
        else:
            assignments = ", ".join(f"{k}=?" for k in values)
            db.execute(f"UPDATE articles SET {assignments} WHERE rowid=?", (*values.values(), rowid))
            db.execute("DELETE FROM article_docs WHERE article=?", (rowid,))
        codes = article_doc_types(article)
        db.executemany("INSERT INTO article_docs(article, kind, key) VALUES (?,?,?)",
                       [(rowid, "number", k) for k in article_doc_keys(article)]
                       + [(rowid, "type", k) for k in article_doc_type_keys(article)])
        topics = [label_key(t) for t in dict.fromkeys(article.topics)]
        db.execute("INSERT OR REPLACE INTO search_rows(rowid, cluster_id, source, month, published_ts, topics, codes) "
                   "VALUES (?,?,?,?,?,?,?)", (rowid, values["cluster_id"], values["source"], values["month"],
                                              values["published_ts"], json.dumps(topics), json.dumps(codes)))
        change = db.execute("INSERT INTO search_changes(article) VALUES (?)", (rowid,)).lastrowid
        if article.simhash is not None:
            self._near.add(rowid, article.simhash)
        self._near.seq = int(change or 0)  # refreshed at the transaction's start: every earlier change is known
        return rowid

    def import_articles(self, articles: Iterable[Article]) -> int:
        """Copy articles as they are (cluster, version kept): for ``newswatch reindex``. Returns how many were written."""
        count = 0
        batch: list[Article] = []

        def flush() -> None:
            with self._write(articles=True) as db:
                for article in batch:
                    dedup.fingerprint(article)
                    row = db.execute("SELECT rowid, stored_ts FROM articles WHERE id=?", (article.id,)).fetchone()
                    article.cluster_id = article.cluster_id or f"c{article.id}"
                    self._write_row(db, article, row["rowid"] if row else None,
                                    stored_ts=row["stored_ts"] if row else time.time(), now=time.time())
            batch.clear()

        for article in articles:
            batch.append(article)
            count += 1
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
        return count

    # -- reading ---------------------------------------------------------------------------------

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def get(self, article_id: str) -> Article | None:
        rows = self._read("SELECT data FROM articles WHERE id=?", (article_id,))
        return _load(rows[0]["data"]) if rows else None

    def versions(self, article_id: str) -> list[Article]:
        rows = self._read("SELECT data FROM versions WHERE id=? ORDER BY version", (article_id,))
        return [_load(r["data"]) for r in rows]

    def cluster(self, cluster_id: str) -> list[Article]:
        rows = self._read("SELECT data FROM articles WHERE cluster_id=? ORDER BY published_ts, rowid", (cluster_id,))
        return [_load(r["data"]) for r in rows]

    def iter_articles(self, since: datetime | None = None) -> Iterator[Article]:
        last = 0
        floor = since.timestamp() if since else float("-inf")
        while True:
            rows = self._read("SELECT rowid, data FROM articles WHERE rowid>? AND updated_ts>=? ORDER BY rowid LIMIT 500",
                              (last, floor))
            if not rows:
                return
            for row in rows:
                yield _load(row["data"])
            last = rows[-1]["rowid"]

    def count(self) -> int:
        return int(self._read("SELECT count(*) FROM articles")[0][0])

    def missing(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self._read(f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update(r["id"] for r in rows)
        return set(wanted) - found

    def latest_by_source(self) -> dict[str, datetime]:
        rows = self._read("SELECT source, max(stored_ts) AS ts FROM articles GROUP BY source")
        return {r["source"]: datetime.fromtimestamp(r["ts"], UTC) for r in rows}

    def size_bytes(self) -> int:
        """The database file, its WAL and the full-text index."""
        files = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return files + sum(p.stat().st_size for p in self.text_index_dir.rglob("*") if p.is_file())

    def close(self) -> None:
        if self._counting is not None:
            self._counting.shutdown()
        with self._lock:
            self._db.close()

    # -- search ----------------------------------------------------------------------------------

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
            article = _load(row["data"])
            group = copies.get(row["cluster_id"], [])
            hits.append(SearchHit(article=article, score=round(score, 4),
                                  snippet=highlight(article.text or article.lead or "", terms),
                                  copies=group if len(group) > 1 else []))
        return hits
