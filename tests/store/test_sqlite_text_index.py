"""The SQLite store's full-text index (Tantivy, beside the file) follows every write: its own, another
connection's, and edits of stored articles; it survives a crash between its commit and its bookkeeping,
is rebuilt when its format changes, and stores written by earlier versions are migrated on open."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import store_corpus as corpus

from newswatch.store import sqlite_index, text_index
from newswatch.store.base import SearchQuery
from newswatch.store.sqlite import SQLiteStore
from newswatch.store.sqlite_schema import SCHEMA_VERSION
from newswatch.store.text_index import INDEX_VERSION


def urls(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.article.url for hit in result.hits}


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


def test_a_search_waits_for_another_update_then_sees_every_article(tmp_path: Path) -> None:
    """Tantivy has one writer per index: while another store (process) updates it, a search waits, then
    indexes what that update left and finds everything."""
    other, store = SQLiteStore(tmp_path / "articles.db"), SQLiteStore(tmp_path / "articles.db")
    store.put(corpus.original())
    holding, release = threading.Event(), threading.Event()

    def hold_the_writer() -> None:
        with other.text_index.updating():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_writer)
    holder.start()
    holding.wait(10)
    threading.Timer(0.5, release.set).start()
    store.put(corpus.storm())
    assert urls(store.search(SearchQuery())) == {corpus.original().url, corpus.storm().url}
    holder.join()
    assert urls(other.search(SearchQuery(text='"bao so 3"'))) == {corpus.storm().url}
    other.close()
    store.close()


def test_replaying_changes_after_a_crash_adds_no_duplicate(tmp_path: Path) -> None:
    """A process killed after the index's commit but before it recorded the change sequence replays them."""
    store = SQLiteStore(tmp_path / "articles.db")
    for article in (corpus.original(), corpus.storm(), corpus.press()):
        store.put(article)
    assert store.search(SearchQuery(collapse_clusters=False)).total == 3
    (store.text_index.directory / "newswatch-index.json").unlink()  # the sequence was never written
    store.close()

    store = SQLiteStore(tmp_path / "articles.db")
    assert store.refresh_search() == 3  # replayed
    result = store.search(SearchQuery(collapse_clusters=False))
    assert result.total == 3
    assert result.facets["source"] == {"vnexpress": 2, "baochinhphu": 1}
    store.close()


def test_an_index_of_another_version_is_rebuilt_from_the_database(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "articles.db")
    store.put(corpus.original())
    state = store.text_index.directory / "newswatch-index.json"
    store.search(SearchQuery())
    store.close()
    state.write_text(json.dumps({"version": INDEX_VERSION + 1, "seq": 1}))

    store = SQLiteStore(tmp_path / "articles.db")
    assert urls(store.search(SearchQuery(text="chuyen doi so"))) == {corpus.original().url}
    assert json.loads(state.read_text())["version"] == INDEX_VERSION
    store.close()


def test_a_store_with_fts5_text_is_migrated_to_the_text_index(tmp_path: Path) -> None:
    path = tmp_path / "articles.db"
    store = SQLiteStore(path)
    store.put(corpus.original())
    store.close()
    with sqlite3.connect(path) as db:  # as version 2 wrote it: full text in FTS5, no Tantivy index
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, content='')")
        db.execute("PRAGMA user_version=2")
    shutil.rmtree(tmp_path / "articles.search", ignore_errors=True)

    store = SQLiteStore(path)
    assert urls(store.search(SearchQuery(text="Chỉ thị"))) == {corpus.original().url}
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name='fts'").fetchone()[0] == 0


def test_story_totals_are_exact_on_small_sets(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "articles.db")
    for article in (corpus.original(), corpus.provincial_copy(), corpus.agency_copy(), corpus.storm()):
        store.put(article)
    result = store.search(SearchQuery(limit=1))  # the first page holds one story of two
    assert (result.total, result.total_exact) == (2, True)
    copies = store.search(SearchQuery(text="chuyen doi so")).hits[0].copies
    assert [c["source"] for c in copies] == ["baochinhphu", "vietnamplus", "thanhhoatv"]  # first publisher first
    store.close()


def test_an_unreadable_index_is_rebuilt_from_the_database(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SQLiteStore(tmp_path / "articles.db")
    store.put(corpus.original())
    store.search(SearchQuery())
    store.close()
    (tmp_path / "articles.search" / "meta.json").write_text("{ not json")

    store = SQLiteStore(tmp_path / "articles.db")
    assert urls(store.search(SearchQuery(text="chuyen doi so"))) == {corpus.original().url}
    assert "rebuilding it from the database" in caplog.text
    store.close()


def test_a_search_answers_from_the_index_when_another_process_keeps_its_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    other, store = SQLiteStore(tmp_path / "articles.db"), SQLiteStore(tmp_path / "articles.db")
    store.put(corpus.original())
    store.search(SearchQuery())
    store.put(corpus.storm())
    monkeypatch.setattr(text_index, "WRITER_WAIT_S", 0.2)
    with other.text_index.updating():  # never let go within the wait
        result = store.search(SearchQuery())
    assert urls(result) == {corpus.original().url}  # what the index held; no error
    assert "not brought up to date" in caplog.text
    assert urls(store.search(SearchQuery())) == {corpus.original().url, corpus.storm().url}
    other.close()
    store.close()


def test_a_long_index_update_keeps_what_it_committed_on_the_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build or a large import commits as it goes: stopped half-way, the articles indexed so far stay
    searchable and the next update indexes only the rest."""
    store = SQLiteStore(tmp_path / "articles.db")
    for article in (corpus.original(), corpus.storm(), corpus.press()):
        store.put(article)
    monkeypatch.setattr(sqlite_index, "_INDEX_CHUNK", 1)
    monkeypatch.setattr(sqlite_index, "_COMMIT_EVERY", 1)
    read_chunk, chunks_read = store._index_entries, []

    def stopped_at_the_third_chunk(after: int):  # type: ignore[no-untyped-def]
        chunks_read.append(after)
        if len(chunks_read) == 3:
            raise KeyboardInterrupt  # the process is stopped
        return read_chunk(after)

    monkeypatch.setattr(store, "_index_entries", stopped_at_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        store.refresh_search()
    monkeypatch.setattr(store, "_index_entries", read_chunk)

    reader = SQLiteStore(tmp_path / "articles.db")
    assert reader.text_index.indexed_seq() == 2
    assert reader.refresh_search() == 1  # only the rest
    assert reader.search(SearchQuery(collapse_clusters=False)).total == 3
    reader.close()
    store.close()


def _log_size(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM search_changes").fetchone()[0]


def test_the_change_log_is_pruned_and_a_new_index_still_gets_every_article(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The log keeps the newest changes once the text index holds the older ones; an index built from nothing
    afterwards (deleted, or of another version) indexes every article, not only what the log still has."""
    monkeypatch.setattr(sqlite_index, "CHANGES_KEPT", 1)
    path = tmp_path / "articles.db"
    store = SQLiteStore(path)
    for article in (corpus.original(), corpus.storm(), corpus.press(), corpus.template_twin()):
        store.put(article)
        store.search(SearchQuery())  # the web service's refresh after each crawl
    assert _log_size(path) <= 2
    store.close()
    shutil.rmtree(tmp_path / "articles.search")

    store = SQLiteStore(path)
    result = store.search(SearchQuery(collapse_clusters=False))
    assert result.total == 4
    assert urls(store.search(SearchQuery(text="báo chí"))) == {corpus.press().url}
    store.put(corpus.provincial_copy())  # and it follows the log again from there
    assert store.search(SearchQuery(collapse_clusters=False)).total == 5
    store.close()


def test_a_writer_behind_the_pruned_log_still_finds_the_copies_of_other_writers_articles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crawl process's near-duplicate index follows the log; when the changes it has not read were pruned
    meanwhile (by the web service's refresh), it reloads and still files a copy with its story."""
    monkeypatch.setattr(sqlite_index, "CHANGES_KEPT", 1)
    path = tmp_path / "articles.db"
    crawl, service = SQLiteStore(path), SQLiteStore(path)
    crawl.put(corpus.storm())  # the crawl process's index is loaded, at the log's first change
    for article in (corpus.original(), corpus.press(), corpus.template_twin()):
        service.put(article)
        service.search(SearchQuery())
    assert _log_size(path) <= 2  # the change that stored the original is gone from the log

    copy = crawl.put(corpus.provincial_copy())
    assert copy.cluster_id == crawl.get(corpus.original().id).cluster_id
    assert not copy.is_first_in_cluster
    crawl.close()
    service.close()
