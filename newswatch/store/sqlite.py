"""The embedded article store: one SQLite file in the data directory, WAL mode, FTS5 full text.

Tables
  ``articles``      one row per canonical URL (current version): metadata, simhash bands, cluster,
                    facet fields and the article as JSON.
  ``article_docs``  document-number keys and type keys of each article (tolerant doc-number filter).
  ``article_topics``  topic slugs of each article.
  ``versions``      previous versions of edited articles (JSON), one row per replaced version.
  ``search_rows``   a narrow copy of what search needs per article (cluster, source, month, time, topic
                    and doc-type facet keys as JSON lists), so that a query matching tens of thousands
                    of articles never reads the wide ``articles`` rows (their JSON); only the page of
                    hits shown is loaded from ``articles``.
  ``search_changes``  a numbered log of writes to ``search_rows``: each process keeps ``search_rows``
                    in memory (:mod:`newswatch.store.columns`) and reads only the changes since.
  ``fts``           contentless FTS5 table: exact columns (``title lead body``, tone-normalised,
                    diacritics kept) and folded columns (``title_f lead_f body_f``, accents and đ removed).

Several processes (the web service, crawl subprocesses) read and write the same file: every write
runs in ``BEGIN IMMEDIATE`` with a busy timeout, and the cluster decision is taken inside that
transaction, so two processes storing two copies of one story at once still agree on its cluster.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from newswatch import dedup
from newswatch.models import Article
from newswatch.search import highlight, parse_query
from newswatch.search.tokens import exact_form, folded_text
from newswatch.store.base import ArticleStore, PutOutcome, PutResult, SearchHit, SearchQuery, SearchResult
from newswatch.store.columns import SearchColumns
from newswatch.store.keys import (
    article_doc_keys,
    article_doc_type_keys,
    article_doc_types,
    article_time,
    doc_key,
    label_key,
    month_of,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # PRAGMA user_version; 1: search_rows filled; 2: search_changes filled

BUSY_TIMEOUT_S = 30.0
_BM25_WEIGHTS = "5.0, 2.0, 1.0, 5.0, 2.0, 1.0"
_BAND_COLUMNS = [f"b{i}" for i in range(dedup.BAND_COUNT)]
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
    {", ".join(f"{c} INTEGER" for c in _BAND_COLUMNS)},
    cluster_id TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    topics TEXT NOT NULL DEFAULT '',
    doc_types TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL
);
{"".join(f"DROP INDEX IF EXISTS articles_{c};" for c in _BAND_COLUMNS)}
{"".join(f"CREATE INDEX IF NOT EXISTS articles_{c}_simhash ON articles({c}, simhash);" for c in _BAND_COLUMNS)}
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
CREATE INDEX IF NOT EXISTS article_docs_key ON article_docs(kind, key, article);
CREATE INDEX IF NOT EXISTS article_docs_article ON article_docs(article);
CREATE TABLE IF NOT EXISTS article_topics (
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
    topics TEXT NOT NULL,       -- JSON list: the article_topics keys of the article
    codes TEXT NOT NULL         -- JSON list: the article_docs 'code' keys of the article
);
CREATE TABLE IF NOT EXISTS search_changes (
    seq INTEGER PRIMARY KEY,    -- change sequence: one row, with the next number, per write of a search_rows row
    article INTEGER NOT NULL    -- search_rows.rowid
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, lead, body, title_f, lead_f, body_f,
    content='', tokenize='unicode61 remove_diacritics 0'
);
"""


def _fts_values(article: Article) -> tuple[str, ...]:
    fields = (article.title or "", article.lead or "", article.text or "")
    return tuple(exact_form(f) for f in fields) + tuple(folded_text(f) for f in fields)


def article_record(article: Article) -> dict[str, Any]:
    """``Article.to_dict()`` without the fields only the pipelines use (a fast shallow version)."""
    data = {f.name: getattr(article, f.name) for f in dataclass_fields(article) if f.name not in _NOT_STORED}
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


def _bar(values: Iterable[str]) -> str:
    values = [v for v in values if v]
    return "|" + "|".join(values) + "|" if values else ""


class SQLiteStore(ArticleStore):
    """Articles in an SQLite file with FTS5; safe to share between processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._columns = SearchColumns()
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA cache_size=-65536")
        self._db.execute("PRAGMA temp_store=MEMORY")
        # checkpoint every ~40 MB of WAL instead of 4 MB: a batch of 500 articles writes several MB, and
        # pages rewritten by consecutive batches (FTS segments, index pages) are copied back once
        self._db.execute("PRAGMA wal_autocheckpoint=10000")
        self._db.execute("PRAGMA journal_size_limit=67108864")  # the WAL file is truncated back to 64 MB
        with self._lock:
            self._db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a store written by an earlier version up to date (fill ``search_rows`` and ``search_changes``)."""
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
            db.execute("INSERT INTO search_changes(article) SELECT rowid FROM search_rows ORDER BY rowid")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- transactions ----------------------------------------------------------------------------

    class _Tx:
        def __init__(self, store: SQLiteStore) -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            try:
                self.store._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.store._lock.release()
                raise
            return self.store._db

        def __exit__(self, exc_type: object, *_: object) -> None:
            try:
                self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()

    def _write(self) -> _Tx:
        return SQLiteStore._Tx(self)

    # -- writing ---------------------------------------------------------------------------------

    def put(self, article: Article) -> PutResult:
        dedup.fingerprint(article)
        with self._write() as db:
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
        with self._write() as db:
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
            db.execute("INSERT INTO fts(fts, rowid, title, lead, body, title_f, lead_f, body_f) "
                       "VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)", (row["rowid"], *_fts_values(previous)))
            article.cluster_id = row["cluster_id"]
            article.version = row["version"] + 1
            if article.published is None:
                article.published = previous.published
            self._write_row(db, article, row["rowid"], stored_ts=row["stored_ts"], now=now)
            return self._result(db, PutOutcome.UPDATED, article, first=self._is_first(db, row["rowid"], article))
        cluster = self._find_cluster(db, article)
        article.cluster_id = cluster or article.cluster_id or f"c{article.id}"
        article.version = max(article.version, 1)
        rowid = self._write_row(db, article, None, stored_ts=now, now=now)
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
        band_values = dedup.bands(article.simhash)
        where = " OR ".join(f"{c}=?" for c in _BAND_COLUMNS)
        # Hundreds of rows share a band at 100,000 articles: filter them as plain tuples with one
        # popcount each ((a ^ b) & mask has the bits of the unsigned XOR), then read the few near ones.
        simhash, mask, limit = article.simhash, (1 << 64) - 1, dedup.NEAR_DISTANCE
        cursor = db.cursor()  # covered by the (band, simhash) indexes: no table row is read
        cursor.row_factory = None
        near = [rowid for rowid, other in cursor.execute(f"SELECT rowid, simhash FROM articles WHERE {where}", band_values)
                if ((simhash ^ other) & mask).bit_count() <= limit]
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
        bands = dedup.bands(article.simhash) if article.simhash is not None else [None] * dedup.BAND_COUNT
        values = {
            "id": article.id, "url": article.url, "source": article.source or "", "title": article.title or "",
            "published_ts": moment.timestamp(), "month": month_of(moment), "stored_ts": stored_ts,
            "updated_ts": now, "content_hash": article.content_hash, "simhash": article.simhash,
            **dict(zip(_BAND_COLUMNS, bands, strict=True)), "cluster_id": article.cluster_id,
            "version": article.version, "topics": _bar(article.topics),
            "doc_types": _bar(article_doc_types(article)), "data": _article_json(article),
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
            db.execute("DELETE FROM article_topics WHERE article=?", (rowid,))
        db.execute("INSERT INTO fts(rowid, title, lead, body, title_f, lead_f, body_f) VALUES (?,?,?,?,?,?,?)",
                   (rowid, *_fts_values(article)))
        codes = article_doc_types(article)
        db.executemany("INSERT INTO article_docs(article, kind, key) VALUES (?,?,?)",
                       [(rowid, "number", k) for k in article_doc_keys(article)]
                       + [(rowid, "type", k) for k in article_doc_type_keys(article)]
                       + [(rowid, "code", k) for k in codes])
        topics = [label_key(t) for t in dict.fromkeys(article.topics)]
        db.executemany("INSERT INTO article_topics(article, topic) VALUES (?,?)", [(rowid, t) for t in topics])
        db.execute("INSERT OR REPLACE INTO search_rows(rowid, cluster_id, source, month, published_ts, topics, codes) "
                   "VALUES (?,?,?,?,?,?,?)", (rowid, values["cluster_id"], values["source"], values["month"],
                                              values["published_ts"], json.dumps(topics), json.dumps(codes)))
        db.execute("INSERT INTO search_changes(article) VALUES (?)", (rowid,))
        return rowid

    def import_articles(self, articles: Iterable[Article]) -> int:
        """Copy articles as they are (cluster, version kept): for ``newswatch reindex``. Returns how many were written."""
        count = 0
        batch: list[Article] = []

        def flush() -> None:
            with self._write() as db:
                for article in batch:
                    dedup.fingerprint(article)
                    row = db.execute("SELECT rowid, data, stored_ts FROM articles WHERE id=?", (article.id,)).fetchone()
                    if row is not None:
                        db.execute("INSERT INTO fts(fts, rowid, title, lead, body, title_f, lead_f, body_f) "
                                   "VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)", (row["rowid"], *_fts_values(_load(row["data"]))))
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

    def latest_by_source(self) -> dict[str, datetime]:
        rows = self._read("SELECT source, max(stored_ts) AS ts FROM articles GROUP BY source")
        return {r["source"]: datetime.fromtimestamp(r["ts"], UTC) for r in rows}

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- search ----------------------------------------------------------------------------------

    def _filters(self, query: SearchQuery) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.since:
            clauses.append("a.published_ts >= ?")
            params.append(query.since.timestamp())
        if query.until:
            clauses.append("a.published_ts <= ?")
            params.append(query.until.timestamp())
        if query.sources:
            clauses.append(f"a.source IN ({','.join('?' * len(query.sources))})")
            params += query.sources
        if query.topics:
            keys = [label_key(t) for t in query.topics]
            clauses.append(f"a.rowid IN (SELECT article FROM article_topics WHERE topic IN ({','.join('?' * len(keys))}))")
            params += keys
        if query.doc_types:
            keys = [label_key(t) for t in query.doc_types]
            clauses.append("a.rowid IN (SELECT article FROM article_docs WHERE kind='type' "
                           f"AND key IN ({','.join('?' * len(keys))}))")
            params += keys
        for number in query.doc_numbers:  # every number asked for must be cited
            clauses.append("a.rowid IN (SELECT article FROM article_docs WHERE kind='number' AND key=?)")
            params.append(doc_key(number))
        return clauses, params

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        parsed = parse_query(query.text)
        try:
            with self._lock:
                total, page, facets = self._search_rows(query, *parsed.to_fts())
        except sqlite3.OperationalError as exc:  # an expression FTS5 refuses: search the words alone
            words = " ".join(" ".join(t.tokens) for t in parsed.terms())
            log.warning("search %r: FTS5 refused the expression (%s); searching %r", query.text, exc, words)
            if words == query.text:
                raise
            return self.search(SearchQuery(**{**query.__dict__, "text": words}))
        hits = self._hits(page, query, parsed)
        return SearchResult(total=total, hits=hits, facets=facets,
                            took_ms=round((time.perf_counter() - started) * 1000, 2))

    def _search_rows(self, query: SearchQuery, positive: str | None,
                     excluded: str | None) -> tuple[int, list[tuple[int, float]], dict[str, dict[str, int]]]:
        """(total, page of (rowid, score), facets); facets and totals are exact, over every match.

        The full-text expression is evaluated once, for (rowid, BM25) pairs; ranking, collapsing and
        facets work on them with the in-memory columns of ``search_rows`` (:mod:`newswatch.store.columns`).
        Newest first, BM25 only shows on the page: the matches are read without it, and the page's
        rows (for a story, its matching copies: its score is the best of theirs) are scored alone.
        """
        db = self._db
        newest = query.sort == "newest" or positive is None
        score_page = positive if newest else None
        db.execute("BEGIN")  # one snapshot for the columns' refresh, the match set and the page's scores
        try:
            self._columns.refresh(db)
            rowids, scores = self._matches(query, positive, excluded, scored=score_page is None)
            facets = self._columns.facets(rowids) if query.facets else {}
            total, page = self._page(query, rowids, scores, newest, score_page)
        finally:
            db.execute("COMMIT")
        return total, page, facets

    def _page(self, query: SearchQuery, rowids: np.ndarray, scores: np.ndarray, newest: bool,
              score_page: str | None) -> tuple[int, list[tuple[int, float]]]:
        """(total, page of (rowid, score)); ``score_page``: the expression to score the page's rows with."""
        columns = self._columns
        start, stop = query.offset, query.offset + query.limit
        if not query.collapse_clusters:
            ranked = columns.ranked(rowids, scores, newest, start, stop)
            if score_page is not None:
                bm25 = self._bm25(score_page, [rowid for rowid, _ in ranked])
                ranked = [(rowid, bm25[rowid]) for rowid, _ in ranked]
            return len(rowids), [(rowid, -score) for rowid, score in ranked]
        # one hit per cluster, at the rank of its best copy, showing its first publisher among the matches
        collapsed = columns.collapse(rowids, scores, newest, start, stop)
        clusters = [c for c, _, _ in collapsed.page]
        firsts = columns.first_matches(rowids, clusters)
        best = {c: b for c, b, _ in collapsed.page}
        if score_page is not None and clusters:
            copies = columns.in_clusters(rowids, clusters).tolist()
            bm25 = self._bm25(score_page, copies)
            best = {}
            for rowid in copies:
                cluster = columns.cluster_of(rowid)
                best[cluster] = min(best.get(cluster, bm25[rowid]), bm25[rowid])
        return collapsed.total, [(firsts[c], -best[c]) for c in clusters]

    def _bm25(self, positive: str, rowids: list[int]) -> dict[int, float]:
        """BM25 of some matching rows (the same value as when every match is scored).

        ``+rowid``: one scan of the matches, filtered here; a plain ``rowid IN`` is handed to FTS5,
        which then evaluates the expression (and BM25's per-query statistics) once per listed row.
        """
        cursor = self._db.cursor()
        cursor.row_factory = None
        return dict(cursor.execute(f"SELECT rowid, bm25(fts, {_BM25_WEIGHTS}) FROM fts WHERE fts MATCH ? "
                                   f"AND +rowid IN ({','.join('?' * len(rowids))})", [positive, *rowids]))

    def _matches(self, query: SearchQuery, positive: str | None, excluded: str | None,
                 scored: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The matching rowids and their scores (FTS5 ``bm25``: lower ranks first; 0 without text or ``scored``)."""
        clauses, params = self._filters(query)
        if excluded:
            clauses.append("a.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            params.append(excluded)
        if positive is None and not clauses:
            rowids = self._columns.all_rows()
            return rowids, np.zeros(len(rowids))
        where = "".join(f" AND {c}" for c in clauses)
        score = f"bm25(fts, {_BM25_WEIGHTS})" if scored else "0.0"
        if positive is None:
            sql, params = f"SELECT a.rowid, 0.0 FROM search_rows a WHERE 1{where}", params
        elif clauses:
            sql = f"SELECT a.rowid, {score} FROM fts JOIN search_rows a ON a.rowid = fts.rowid WHERE fts MATCH ?{where}"
            params = [positive, *params]
        else:
            sql, params = f"SELECT rowid, {score} FROM fts WHERE fts MATCH ?", [positive]
        cursor = self._db.cursor()
        cursor.row_factory = None
        pairs = np.fromiter(itertools.chain.from_iterable(cursor.execute(sql, params)), dtype=np.float64).reshape(-1, 2)
        rowids = pairs[:, 0].astype(np.int64)
        known = rowids < len(self._columns.present)  # written by a process older than search_changes: not logged
        known[known] = self._columns.present[rowids[known]]
        return rowids[known], pairs[known, 1]

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
