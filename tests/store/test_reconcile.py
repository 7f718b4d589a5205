"""Reconciliation of the crawl state with the store (``newswatch reindex --verify``), on the noida-db
Elasticsearch stand-in over HTTP and on the embedded store; and the index vanishing under a running writer."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from noida_server import Noida
from test_elastic_outage import story

from newswatch.cli import cli
from newswatch.settings import PROJECT_ROOT, Settings, load_settings
from newswatch.state.crawl import load_urls, record_urls
from newswatch.state.db import open_state
from newswatch.store.elastic import ElasticStore
from newswatch.store.sqlite import SQLiteStore

N = 30


def _settings(data_dir: Path, es_url: str | None = None, prefix: str = "newswatch") -> Settings:
    env = {"NEWSWATCH_DATA_DIR": str(data_dir)}
    if es_url:
        env |= {"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_ES_INDEX": prefix}
    return load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data_dir, env=env)


def _crawled(settings: Settings, count: int = N) -> list:  # type: ignore[type-arg]
    """Articles recorded in the crawl state as the spider records them (discovered URL, canonical = article URL),
    plus one dropped item that was never meant to be stored."""
    articles = [story(i) for i in range(count)]
    now = datetime.now(UTC)
    rows = [dict(source=a.source, url=a.url, status="article", canonical_url=a.url, fetched_at=now) for a in articles]
    rows.append(dict(source="nguon0", url="https://tin.example.vn/rong", status="article",
                     canonical_url="https://tin.example.vn/rong", reason="dropped: empty article", fetched_at=now))
    record_urls(open_state(settings.state_url), rows)
    return articles


def _verify(settings: Settings, *args: str) -> tuple[Result, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "reindex", "--verify", "--json", *args],
                                env={"NEWSWATCH_ES_URL": settings.es_url or "", "NEWSWATCH_ES_INDEX": settings.es_index,
                                     "NEWSWATCH_STORE": settings.store}, catch_exceptions=False)
    return result, json.loads(result.output.strip().splitlines()[-1])


@pytest.mark.elasticsearch
def test_an_article_deleted_from_the_index_is_found_and_handed_back_to_the_crawler(noida: Noida, tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data", noida.url, f"r{uuid.uuid4().hex[:8]}")
    articles = _crawled(settings)
    with ElasticStore(settings.es_url or "", prefix=settings.es_index, spool_dir=settings.spool_dir) as store:
        store.put_many(articles)
        gone = [articles[3], articles[17]]
        for article in gone:
            store.es.delete(index=store.alias, id=article.id, refresh="true")
        assert store.count() == N - 2

    result, report = _verify(settings, "--no-repair")
    assert result.exit_code == 1, "a gap found by a check-only run is a failure status for cron/monitoring"
    assert report["expected"] == N and report["missing"] == 2
    assert sorted(report["examples"]) == sorted(a.url for a in gone)
    assert report["missing_by_source"] == {"nguon0": 1, "nguon2": 1}

    result, report = _verify(settings)
    assert result.exit_code == 0
    assert report["missing"] == 2 and report["restored"] == 0 and report["refetch"] == 2
    urls = load_urls(open_state(settings.state_url), "nguon0")
    assert urls[gone[0].url].status == "error" and urls[gone[0].url].reason == "missing_from_store"
    assert urls[gone[0].url].needs_fetch(None), "the next crawl of the source fetches it again"
    assert urls[articles[0].url].status == "article", "nothing else is touched"


@pytest.mark.elasticsearch
def test_missing_articles_are_restored_from_the_embedded_store_as_they_were(noida: Noida, tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data", noida.url, f"r{uuid.uuid4().hex[:8]}")
    articles = _crawled(settings, 12)
    with SQLiteStore(settings.articles_db) as embedded:
        embedded.put_many(articles)
        kept = {a.id: embedded.get(a.id) for a in articles}
    with ElasticStore(settings.es_url or "", prefix=settings.es_index, spool_dir=settings.spool_dir) as store:
        store.import_articles(list(kept.values()))
        for article in articles[:5]:
            store.es.delete(index=store.alias, id=article.id, refresh="true")
        _, report = _verify(settings)
        assert (report["missing"], report["restored"], report["refetch"], report["still_missing"]) == (5, 5, 0, 0)
        assert store.count() == 12
        for article in articles[:5]:
            back = store.get(article.id)
            assert back is not None and back.text == article.text
            assert back.cluster_id == kept[article.id].cluster_id  # restored as it was, not re-clustered
    _, again = _verify(settings, "--no-repair")
    assert again["missing"] == 0


@pytest.mark.elasticsearch
def test_spooled_articles_are_replayed_before_the_check_and_are_no_gap(tmp_path: Path) -> None:
    server = Noida(tmp_path / "noida")
    server.start()
    try:
        settings = _settings(tmp_path / "data", server.url, "spooled")
        articles = _crawled(settings, 10)
        store = ElasticStore(server.url, prefix="spooled", spool_dir=settings.spool_dir, request_timeout=3,
                             max_retries=0)
        store.retry_after_s = 0
        store.put_many(articles[:6])
        server.stop()
        assert all(r.spooled for r in store.put_many(articles[6:]))
        store.close()
        result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "reindex", "--verify"],
                                    env={"NEWSWATCH_ES_URL": server.url, "NEWSWATCH_ES_INDEX": "spooled"})
        assert result.exit_code != 0 and "Nothing was checked" in result.output, "no verdict while the index is down"
        server.start()
        _, report = _verify(settings)
        assert (report["replayed"], report["missing"], report["refetch"]) == (4, 0, 0)
    finally:
        server.stop()


def test_the_embedded_store_is_reconciled_too(settings: Settings) -> None:
    articles = _crawled(settings, 8)
    with SQLiteStore(settings.articles_db) as store:
        store.put_many(articles)
        with store._lock:  # an article lost by the store (a restored backup older than the crawl state)
            store._db.execute("DELETE FROM articles WHERE id=?", (articles[2].id,))
            store._db.commit()
        assert store.missing([a.id for a in articles]) == {articles[2].id}
    _, report = _verify(settings)
    assert (report["store"], report["missing"], report["refetch"]) == ("SQLiteStore", 1, 1)


@pytest.mark.elasticsearch
def test_an_index_gone_under_a_running_writer_is_created_again_and_nothing_is_dropped(noida: Noida,
                                                                                   tmp_path: Path) -> None:
    """A server restarted empty answers 404 index_not_found: that is the server's loss, not a refused document;
    the writer creates the index again and stores the batch instead of raising (which dropped it)."""
    store = ElasticStore(noida.url, prefix=f"g{uuid.uuid4().hex[:8]}", spool_dir=tmp_path / "spool")
    try:
        store.put_many([story(i) for i in range(3)])
        store.es.indices.delete(index=f"{store.alias}-000001")
        results = store.put_many([story(i) for i in range(3, 6)])
        assert not any(r.spooled for r in results)
        assert {a.id for a in store.iter_articles()} == {story(i).id for i in range(3, 6)}
        assert store.es.indices.exists_alias(name=store.alias), "written through the alias, with the template"
        assert store.missing([story(i).id for i in range(6)]) == {story(i).id for i in range(3)}
    finally:
        store.close()


def test_the_services_hourly_job_repairs_gaps(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    from newswatch.service import jobs, runtime
    from newswatch.service.scheduler import SYSTEM_JOBS

    assert SYSTEM_JOBS["system:reconcile"][0] == "newswatch.service.jobs:reconcile_store"
    articles = _crawled(settings, 6)
    with SQLiteStore(settings.articles_db) as store:
        store.put_many(articles)
        with store._lock:
            store._db.execute("DELETE FROM articles WHERE id=?", (articles[4].id,))
            store._db.commit()
    monkeypatch.setattr(runtime, "_current", runtime.Service(settings, start_scheduler=False))
    with caplog.at_level("WARNING"):
        jobs.reconcile_store()
    assert "store reconciliation: 1 of 6 missing, 0 restored, 1 handed back to the crawler" in caplog.text
    assert load_urls(open_state(settings.state_url), articles[4].source)[articles[4].url].reason == "missing_from_store"


@pytest.mark.elasticsearch
def test_a_spooled_article_the_cluster_refuses_is_set_aside_and_does_not_block_the_spool(noida: Noida,
                                                                                       tmp_path: Path) -> None:
    from newswatch import dedup

    store = ElasticStore(noida.url, prefix=f"j{uuid.uuid4().hex[:8]}", spool_dir=tmp_path / "spool")
    try:
        articles = [dedup.fingerprint(story(i)) for i in range(3)]
        articles[1].simhash = 2**70  # out of range for a long: a mapping error, refused at every replay
        store.spool.append(articles)
        assert store.replay_spool() == 2
        assert not store.spool.pending(), "the refused article no longer blocks the spool"
        assert {a.id for a in store.iter_articles()} == {articles[0].id, articles[2].id}
        rejected = [json.loads(line) for line in store.spool.rejected.read_text(encoding="utf-8").splitlines()]
        assert [r["article"]["url"] for r in rejected] == [articles[1].url]
        assert "document_parsing_exception" in rejected[0]["reason"]
        assert not any(r.spooled for r in store.put_many([story(5)])), "later writes go through"
    finally:
        store.close()
