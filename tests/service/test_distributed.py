"""Distributed crawling on a real redis-server: two ``newswatch queue worker`` processes share the crawl queue.

Three loopback sites, each crawled politely (a download delay per site), are queued; while a
worker is in the middle of a crawl, it and its crawl child are killed (SIGKILL: its machine went
away). The broker hands that crawl to the other worker once the dead one's heartbeats stopped:
every article of every site ends up stored exactly once, none lost, and the history shows the
interrupted run and the run that finished the work.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_site import wait_for

from newswatch.demo.server import SiteServer
from newswatch.settings import PROJECT_ROOT, load_settings
from newswatch.state import runs
from newswatch.state.db import open_state
from newswatch.store import open_store

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "crawl"))
from crawl_sites import article_html, rss, write_sources

ARTICLES = 6
DELAY = 0.6




def build_site(name: str) -> tuple[SiteServer, list[str]]:
    site = SiteServer().start()
    now = datetime.now(UTC).replace(microsecond=0)
    items = []
    for i in range(ARTICLES):
        path = f"/tin/{name}-bai-{i}.htm"
        title = f"{name.upper()}: Bộ triển khai nhiệm vụ chuyển đổi số số {i} năm 2026"
        published = now - timedelta(hours=i + 1)
        site.add(path, article_html(title, published=published))
        items.append((path, title, published))
    site.add("/rss.xml", rss(site.base_url, items), content_type="application/rss+xml; charset=utf-8")
    return site, [site.url(p) for p, _, _ in items]


def crawl_rows(db) -> list:  # type: ignore[no-untyped-def]
    """Crawl children (the queue workers' runs) with their pid, oldest first."""
    return list(reversed(runs.recent_runs(db, kind="child", limit=1000)))


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_worker_killed_mid_crawl_loses_nothing_and_nothing_is_stored_twice(
        tmp_path: Path, redis_server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()
    sites = {name: build_site(name) for name in ("bo-a", "bo-b", "bo-c")}
    config = tmp_path / "config"
    config.mkdir()
    (config / "rules.yaml").write_text("rules: []\n", encoding="utf-8")
    (config / "newswatch.yaml").write_text("worker_heartbeat_seconds: 2\ncrawl_timeout_seconds: 120\n", encoding="utf-8")
    write_sources(config / "sources.yaml", [
        {"name": name, "title": name, "tier": "ministry", "feeds": [site.url("/rss.xml")],
         "article_pattern": r"/tin/[^/]+\.htm$", "politeness": {"download_delay": DELAY, "concurrency": 1}}
        for name, (site, _) in sites.items()])
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update(NEWSWATCH_CONFIG_DIR=str(config), NEWSWATCH_DATA_DIR=str(tmp_path / "data"),
               NEWSWATCH_REDIS_URL=redis_server.url, PYTHONPATH=str(PROJECT_ROOT))
    for key, value in env.items():
        if key.startswith("NEWSWATCH_"):
            monkeypatch.setenv(key, value)
    settings = load_settings()
    workers = [subprocess.Popen([sys.executable, "-m", "newswatch", "queue", "worker"], env=env, cwd=PROJECT_ROOT,
                                stdout=(tmp_path / f"w{i}.log").open("w"), stderr=subprocess.STDOUT)
               for i in range(2)]
    try:
        queued = subprocess.run([sys.executable, "-m", "newswatch", "queue", "crawl", "--all", "--json"], env=env,
                                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
        assert queued.returncode == 0, queued.stderr
        assert sorted(json.loads(queued.stdout)["queued"]) == ["bo-a", "bo-b", "bo-c"]
        again = subprocess.run([sys.executable, "-m", "newswatch", "queue", "crawl", "bo-a", "--json"], env=env,
                               cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
        assert json.loads(again.stdout)["skipped"] == ["bo-a"]  # one crawl of a source at a time

        db = open_state(settings.state_url)

        def a_crawl_under_way():  # type: ignore[no-untyped-def]
            for row in crawl_rows(db):
                if row.status == "running" and row.pid:
                    site = sites[row.source][0]
                    if len(site.requests_for("/tin/")) >= 2:  # it fetched articles and has more to fetch
                        return row
            return None

        victim_run = wait_for(a_crawl_under_way, what="a crawl in the middle of its site")
        victim = next(w for w in workers if victim_run.pid in children(w.pid))
        crawl_child = victim_run.pid
        victim.kill()  # the worker and its crawl go away together, as with the loss of a machine
        os.killpg(crawl_child, signal.SIGKILL)
        victim.wait(30)
        killed_at = time.time()
        fetched_before = len(sites[victim_run.source][0].requests_for("/tin/"))
        assert fetched_before < ARTICLES, "the crawl finished before it was killed: nothing to take over"

        def all_done() -> bool:
            return {r.source for r in crawl_rows(db) if r.status == "ok"} == set(sites)

        wait_for(all_done, timeout=180, what="the other worker to finish every crawl")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(60)
                except subprocess.TimeoutExpired:
                    worker.kill()
        for site, _ in sites.values():
            site.stop()
    logs = "\n".join((tmp_path / f"w{i}.log").read_text() for i in range(2))

    with open_store(settings) as store:
        stored = [a.url for a in store.iter_articles()]
    expected = sorted(url for _, urls in sites.values() for url in urls)
    assert sorted(stored) == expected, logs  # every article once: none lost, none twice
    rows = crawl_rows(db)
    victim_rows = [r for r in rows if r.source == victim_run.source]
    assert {r.status for r in victim_rows} == {"interrupted", "ok"}, victim_rows
    redone = next(r for r in victim_rows if r.status == "ok")
    assert redone.started_at.timestamp() >= killed_at and redone.pid != crawl_child
    assert [r.status for r in rows if r.source != victim_run.source] == ["ok"] * 2


def test_the_service_queues_crawls_when_redis_is_configured(service_settings, redis_server,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    from newswatch.distributed.queue import queue_status
    from newswatch.service.runtime import Service

    redis.Redis.from_url(redis_server.url).flushdb()
    settings = service_settings.model_copy(update={"redis_url": redis_server.url})
    service = Service(settings, start_scheduler=False)
    service.start()
    try:
        first = service.run_source("localgov", force=True)
        second = service.run_source("localgov", force=True)
    finally:
        service.stop()
    assert first.outcome is not None and first.outcome.status == "queued"
    assert second.outcome is not None and second.outcome.status == "skipped"  # one crawl of a source at a time
    status = queue_status(settings)
    assert status["waiting"] == 1 and status["pending_sources"] == ["localgov"]
    assert runs.recent_runs(open_state(settings.state_url), kind="child") == []  # no local crawl child ran
