"""Several processes writing the embedded store at once (the service and crawl subprocesses)."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

from newswatch.store.base import SearchQuery
from newswatch.store.sqlite import SQLiteStore

HERE = Path(__file__).parent


def _writer(path: str, offset: int) -> None:
    sys.path.insert(0, str(HERE))
    import store_corpus as corpus
    from test_elastic_outage import story

    with SQLiteStore(path) as store:
        copies = [corpus.original, corpus.provincial_copy, corpus.agency_copy]
        for i in range(30):
            store.put(story(offset + i))
            if i % 10 == 0:
                store.put(copies[(offset // 100 + i // 10) % 3]())


def test_concurrent_writers_lose_nothing_and_agree_on_clusters(tmp_path: Path) -> None:
    path = str(tmp_path / "articles.db")
    SQLiteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, offset)) for offset in (0, 100, 200)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    with SQLiteStore(path) as store:
        assert store.count() == 90 + 3
        result = store.search(SearchQuery(text="chỉ thị chuyển đổi số"))
        assert result.total == 1 and len(result.hits[0].copies) == 3
