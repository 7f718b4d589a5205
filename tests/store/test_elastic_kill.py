"""The index server SIGKILLed and restarted in the middle of a real crawl (``newswatch crawl`` in a child
process, a loopback news site, noida-db over HTTP): after the spool's replay and ``newswatch reindex
--verify``, the next crawl brings back what the server lost, and every article is in the index once.

noida-db, like a server with a lazy fsync, loses writes it acknowledged shortly before a SIGKILL (the
loss issue 14 saw: 199 of 200 in the index, crawl state 200, spool empty). The crawl state knows they
were stored; the reconciliation finds them and hands them back to the crawler.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml
from noida_server import Noida
from test_elastic_outage import story

from newswatch.demo.server import Reply, SiteServer
from newswatch.settings import PROJECT_ROOT
from newswatch.store.elastic import ElasticStore

pytestmark = pytest.mark.elasticsearch

N = 60


def _page(i: int) -> str:
    article = story(i)
    body = "".join(f"<p>{p}</p>" for p in article.text.split("\n\n"))
    published = (datetime(2026, 11, 20, 8, tzinfo=UTC) + timedelta(minutes=i)).isoformat()
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{article.title}</title>'
            f'<meta property="og:type" content="article"><meta property="article:published_time" content="{published}">'
            f"</head><body><main><article><h1>{article.title} về chuyển đổi số</h1>{body}</article></main></body></html>")


def _site() -> SiteServer:
    site = SiteServer().start()
    now = datetime.now(UTC)
    items = []
    for i in range(N):
        path = f"/tin/bai-{i}.htm"
        html = _page(i).encode()
        site.route(path, lambda _h, html=html: Reply(html, delay=0.05))  # a crawl that lasts a few seconds
        items.append(f"<item><title>Tin {i}</title><link>{site.base_url}{path}</link>"
                     f"<pubDate>{format_datetime(now - timedelta(minutes=i), usegmt=True)}</pubDate></item>")
    site.add("/rss.xml", f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin</title>'
                         f'{"".join(items)}</channel></rss>', "application/rss+xml; charset=utf-8")
    return site


def _crawl(sources: Path, data_dir: Path, es_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config"), "NEWSWATCH_EXTRACT_WORKERS": "1",
           "NEWSWATCH_ES_URL": es_url, "NEWSWATCH_ES_INDEX": "killed"}
    env.pop("NEWSWATCH_STATE_URL", None)
    cmd = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources), "--data-dir", str(data_dir), "--json",
           "--set", "DOWNLOAD_TIMEOUT=5", "--set", "AUTOTHROTTLE_START_DELAY=0.0"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=str(data_dir.parent))


def _verify(data_dir: Path, es_url: str) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config"), "NEWSWATCH_ES_URL": es_url,
           "NEWSWATCH_ES_INDEX": "killed"}
    env.pop("NEWSWATCH_STATE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "newswatch", "--data-dir", str(data_dir), "reindex", "--verify",
                           "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sigkill_and_restart(server: Noida) -> None:
    assert server.proc is not None
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)
    server.proc = None
    time.sleep(0.5)
    server.start()


@pytest.mark.parametrize("kill_after", [N // 3, 2 * N // 3])
def test_index_server_killed_mid_crawl_loses_nothing_after_replay_and_reconciliation(tmp_path: Path,
                                                                                    kill_after: int) -> None:
    server = Noida(tmp_path / "noida")
    server.start()
    site = _site()
    data_dir = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [{"name": "tin", "feeds": [f"{site.base_url}/rss.xml"]}]}),
                       encoding="utf-8")
    try:
        crawl = _crawl(sources, data_dir, server.url)
        deadline = time.monotonic() + 60
        while len(site.requests_for("/tin/")) < kill_after:
            assert time.monotonic() < deadline and crawl.poll() is None, "the crawl ended before the kill"
            time.sleep(0.02)
        _sigkill_and_restart(server)
        out, err = crawl.communicate(timeout=120)
        summary = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
        assert summary["sources"]["tin"]["articles_new"] == N, err[-3000:]

        first = _verify(data_dir, server.url)
        assert first["expected"] == N
        assert first["still_missing"] == first["refetch"], "whatever is missing is handed back to the crawler"
        if first["refetch"]:  # the next crawl (feed unchanged) fetches exactly those again
            site.clear_log()
            again = _crawl(sources, data_dir, server.url)
            again.communicate(timeout=120)
            assert len(site.requests_for("/tin/")) == first["refetch"]
        final = _verify(data_dir, server.url)
        assert (final["expected"], final["missing"]) == (N, 0)
        with ElasticStore(server.url, prefix="killed", spool_dir=data_dir / "spool") as store:
            assert store.count() == N, "every article once: nothing lost, nothing duplicated"
            assert {a.url for a in store.iter_articles()} == {f"{site.base_url}/tin/bai-{i}.htm" for i in range(N)}
    finally:
        site.stop()
        server.stop()
