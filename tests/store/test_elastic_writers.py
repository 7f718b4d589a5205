"""Several writers sharing one Elasticsearch cluster (crawl workers on several machines) through an outage.

Each machine has its own spool; while the cluster is down both spool, including an article that
both crawled; once it is back each replays its own spool. Every article is stored once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from noida_server import Noida
from test_elastic_outage import story

from newswatch.store.elastic import ElasticStore

pytestmark = pytest.mark.elasticsearch


def test_two_writers_spool_through_an_outage_and_store_each_article_once(tmp_path: Path) -> None:
    server = Noida(tmp_path / "noida")
    server.start()
    writers = [ElasticStore(server.url, prefix="shared", spool_dir=tmp_path / f"machine-{m}" / "spool",
                            request_timeout=3, max_retries=0) for m in ("a", "b")]
    for writer in writers:
        writer.retry_after_s = 0
    try:
        writers[0].put(story(0))
        writers[1].put(story(1))
        server.stop()
        spooled_a = [writers[0].put(story(i)) for i in (2, 3, 4, 10)]
        spooled_b = [writers[1].put(story(i)) for i in (5, 6, 10)]  # article 10 crawled by both machines
        assert all(r.spooled for r in spooled_a + spooled_b)
        assert (writers[0].spool.count(), writers[1].spool.count()) == (4, 3)
        server.start()
        assert writers[1].replay_spool() == 3
        writers[0].put(story(7))  # machine a's next write replays its spool first
        assert not writers[0].spool.pending() and not writers[1].spool.pending()
        stored = sorted(a.url for a in writers[1].iter_articles())
        assert stored == sorted({story(i).url for i in (0, 1, 2, 3, 4, 5, 6, 7, 10)})
        assert writers[0].count() == 9
    finally:
        for writer in writers:
            writer.close()
        server.stop()
