"""Benchmark: the store reconciliation (``newswatch reindex --verify``) over N stored articles; one JSON line.

    .venv/bin/python bench/reconcile.py --n 100000
    .venv/bin/python bench/reconcile.py --n 20000 --backend elasticsearch --es-url http://127.0.0.1:9200

N small articles are copied into a fresh store (not timed) and recorded in a fresh crawl state as the
spider records them; ``--lose`` of them (default 1 %) are then deleted from the store. Timed:
``check_s`` — a check-only reconciliation (the crawl state read, the store asked which ids it lacks),
and ``repair_s`` — a reconciliation with repair (the same check, then the lost articles handed back
to the crawler). ``found`` must equal ``lost``. For Elasticsearch on noida-db the figures measure noida.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from newswatch.models import Article
from newswatch.settings import PROJECT_ROOT, load_settings
from newswatch.state.crawl import record_urls
from newswatch.state.db import open_state
from newswatch.store.reconcile import reconcile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--lose", type=float, default=0.01, help="share of the articles deleted from the store")
    parser.add_argument("--backend", choices=["sqlite", "elasticsearch"], default="sqlite")
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nw-reconcile-") as tmp:
        data_dir = Path(tmp)
        env = {"NEWSWATCH_DATA_DIR": str(data_dir)}
        if args.backend == "elasticsearch":
            env |= {"NEWSWATCH_ES_URL": args.es_url, "NEWSWATCH_ES_INDEX": f"bench{int(time.time())}"}
        settings = load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data_dir, env=env)
        db = open_state(settings.state_url)
        now = datetime.now(UTC)
        articles = [Article(url=f"https://bao.example.vn/tin/{i}.htm", title=f"Tin số {i}", source=f"nguon{i % 9}",
                            text=f"Bài số {i}: Bộ Khoa học và Công nghệ triển khai chuyển đổi số.", published=now)
                    for i in range(args.n)]
        if args.backend == "elasticsearch":
            from newswatch.store.elastic import ElasticStore

            store = ElasticStore(args.es_url, prefix=settings.es_index, spool_dir=settings.spool_dir)
        else:
            from newswatch.store.sqlite import SQLiteStore

            store = SQLiteStore(settings.articles_db)
        try:
            store.import_articles(articles)
            record_urls(db, [dict(source=a.source, url=a.url, status="article", canonical_url=a.url, fetched_at=now)
                             for a in articles])
            lost = articles[:: max(1, round(1 / args.lose))] if args.lose > 0 else []
            for article in lost:
                _delete(store, article.id)
            started = time.perf_counter()
            check = reconcile(settings, db, store, repair=False)
            check_s = time.perf_counter() - started
            started = time.perf_counter()
            repair = reconcile(settings, db, store, repair=True)
            repair_s = time.perf_counter() - started
        finally:
            store.close()
    print(json.dumps({"bench": "reconcile", "backend": args.backend, "n": args.n, "lost": len(lost),
                      "found": check.missing, "handed_back": repair.refetch, "check_s": round(check_s, 3),
                      "repair_s": round(repair_s, 3),
                      "ids_per_s": round(args.n / check_s) if check_s else None}))
    sys.exit(0 if check.missing == len(lost) == repair.refetch else 1)


def _delete(store: object, article_id: str) -> None:
    from newswatch.store.elastic import ElasticStore

    if isinstance(store, ElasticStore):
        store.es.delete(index=store.alias, id=article_id, refresh="true")
        return
    with store._lock:  # type: ignore[attr-defined]
        store._db.execute("DELETE FROM articles WHERE id=?", (article_id,))  # type: ignore[attr-defined]
        store._db.commit()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
