"""The embedded store's SQLite schema, its version, and how an article is written to and read from a row.

Tables are described in :mod:`newswatch.store.sqlite`; the migrations from older versions run in
:meth:`newswatch.store.sqlite.SQLiteStore._migrate`.
"""

from __future__ import annotations

import json
from dataclasses import fields as dataclass_fields
from typing import Any

from newswatch import dedup
from newswatch.models import Article

SCHEMA_VERSION = 3  # PRAGMA user_version; 1: search_rows filled; 2: search_changes filled; 3: FTS5 table dropped

BUSY_TIMEOUT_S = 30.0
# simhash band columns and their indexes, written by versions before the in-memory NearIndex (left NULL)
_OLD_BAND_COLUMNS = [f"b{i}" for i in range(dedup.BAND_COUNT)]
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
CREATE TABLE IF NOT EXISTS document_mentions (  -- the document register: one row per article and document
    article_id TEXT NOT NULL,
    key TEXT NOT NULL,          -- DocNumber.key: canonical number (+ @year when it has none)
    canonical TEXT NOT NULL,    -- the canonical number: the mentions of one number are merged together
    published_ts REAL NOT NULL,
    data TEXT NOT NULL,         -- newswatch.documents.derive.Derived as JSON
    PRIMARY KEY (article_id, key)
);
CREATE INDEX IF NOT EXISTS document_mentions_canonical ON document_mentions(canonical, published_ts);
CREATE TABLE IF NOT EXISTS documents (  -- the register's records, merged from document_mentions
    key TEXT PRIMARY KEY,
    canonical TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    type_keys TEXT NOT NULL,    -- '|qd|quyet-dinh|': the type filter's keys
    issuer TEXT NOT NULL,
    issuer_keys TEXT NOT NULL,  -- '|ttg|thu-tuong-chinh-phu|'
    status TEXT NOT NULL,
    month TEXT NOT NULL,
    first_seen_ts REAL NOT NULL,
    search TEXT NOT NULL,       -- folded number, type, issuer, trích yếu and signer
    data TEXT NOT NULL          -- DocumentRecord as JSON
);
CREATE INDEX IF NOT EXISTS documents_canonical ON documents(canonical);
CREATE INDEX IF NOT EXISTS documents_first_seen ON documents(first_seen_ts);
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


def article_json(article: Article) -> str:
    return json.dumps(article_record(article), ensure_ascii=False, default=str)


def load_article(data: str) -> Article:
    return Article.from_dict(json.loads(data))
