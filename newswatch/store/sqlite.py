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
  ``document_mentions``, ``documents``  the document register (:mod:`newswatch.documents.sqlite_register`),
                    written once the articles are committed.

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
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newswatch import dedup
from newswatch.models import Article
from newswatch.store.base import ArticleStore, PutOutcome, PutResult
from newswatch.store.keys import (
    article_doc_keys,
    article_doc_type_keys,
    article_doc_types,
    article_time,
    label_key,
    month_of,
)
from newswatch.store.near_index import NearIndex
from newswatch.store.sqlite_index import SearchIndexFeed
from newswatch.store.sqlite_schema import (
    BUSY_TIMEOUT_S,
    SCHEMA,
    SCHEMA_VERSION,
    article_json,
    load_article,
)
from newswatch.store.sqlite_search import SQLiteSearch
from newswatch.store.text_index import TextIndex

if TYPE_CHECKING:
    from newswatch.documents.sqlite_register import SQLiteRegister

log = logging.getLogger(__name__)

class SQLiteStore(SQLiteSearch, SearchIndexFeed, ArticleStore):
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
            result = self._put(db, article)
        self._record_documents([article])
        return result

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
            results = [self._put(db, a) for a in batch]
        self._record_documents(batch)  # once committed: a register failure never loses an article
        return results

    def _put(self, db: sqlite3.Connection, article: Article) -> PutResult:
        now = time.time()
        row = db.execute("SELECT rowid, content_hash, cluster_id, version, data, stored_ts FROM articles WHERE id=?",
                         (article.id,)).fetchone()
        if row is not None and row["content_hash"] == article.content_hash:
            article.cluster_id, article.version = row["cluster_id"], row["version"]
            return self._result(db, PutOutcome.UNCHANGED, article, first=self._is_first(db, row["rowid"], article))
        if row is not None:
            previous = load_article(row["data"])
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
            "cluster_id": article.cluster_id, "version": article.version, "data": article_json(article),
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
            self._record_documents(batch)
            batch.clear()

        for article in articles:
            batch.append(article)
            count += 1
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
        return count

    def _open_documents(self) -> SQLiteRegister:
        from newswatch.documents.sqlite_register import SQLiteRegister

        return SQLiteRegister(self, self.documents_errors)

    # -- reading ---------------------------------------------------------------------------------

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def get(self, article_id: str) -> Article | None:
        rows = self._read("SELECT data FROM articles WHERE id=?", (article_id,))
        return load_article(rows[0]["data"]) if rows else None

    def versions(self, article_id: str) -> list[Article]:
        rows = self._read("SELECT data FROM versions WHERE id=? ORDER BY version", (article_id,))
        return [load_article(r["data"]) for r in rows]

    def cluster(self, cluster_id: str) -> list[Article]:
        rows = self._read("SELECT data FROM articles WHERE cluster_id=? ORDER BY published_ts, rowid", (cluster_id,))
        return [load_article(r["data"]) for r in rows]

    def iter_articles(self, since: datetime | None = None) -> Iterator[Article]:
        last = 0
        floor = since.timestamp() if since else float("-inf")
        while True:
            rows = self._read("SELECT rowid, data FROM articles WHERE rowid>? AND updated_ts>=? ORDER BY rowid LIMIT 500",
                              (last, floor))
            if not rows:
                return
            for row in rows:
                yield load_article(row["data"])
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
