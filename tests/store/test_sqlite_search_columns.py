"""The SQLite store's in-memory search columns follow every write: its own, another connection's, and
edits of stored articles; a store written before ``search_changes`` existed is migrated on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import store_corpus as corpus

from newswatch.store.base import SearchQuery
from newswatch.store.sqlite import SCHEMA_VERSION, SQLiteStore


def test_a_search_sees_what_another_connection_wrote_and_edited(tmp_path: Path) -> None:
    reader, writer = SQLiteStore(tmp_path / "articles.db"), SQLiteStore(tmp_path / "articles.db")
    reader.put(corpus.original())
    assert reader.search(SearchQuery()).facets["topic"] == {"chuyen-doi-so": 1}

    writer.put(corpus.storm())
    result = reader.search(SearchQuery())
    assert result.total == 2
    assert result.facets["topic"] == {"chuyen-doi-so": 1, "thien-tai": 1}

    edited = corpus.storm()
    edited.text += "\n\nCập nhật: bão đã suy yếu thành áp thấp nhiệt đới."
    edited.topics = ["thien-tai", "kinh-te"]
    writer.put(edited)
    assert reader.search(SearchQuery()).facets["topic"] == {"chuyen-doi-so": 1, "kinh-te": 1, "thien-tai": 1}
    assert reader.search(SearchQuery(text="ap thap")).total == 1
    reader.close()
    writer.close()


def test_a_store_without_the_change_sequence_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "articles.db"
    store = SQLiteStore(path)
    store.put(corpus.original())
    store.put(corpus.storm())
    store.close()
    with sqlite3.connect(path) as db:  # as an earlier version wrote it: no change log, user_version 1
        db.execute("DROP TABLE search_changes")
        db.execute("PRAGMA user_version=1")

    store = SQLiteStore(path)
    assert store.search(SearchQuery()).total == 2
    store.put(corpus.press())
    assert store.search(SearchQuery()).facets["topic"] == {"bao-chi": 1, "chuyen-doi-so": 1, "thien-tai": 1}
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
