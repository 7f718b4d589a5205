"""Crawls killed (SIGKILL) or interrupted (Ctrl-C) at random points: nothing lost, nothing twice, no process left.

The feed never changes between runs, so every article must come from the runs that follow an
interruption: before the fix, the feed's body hash was saved before its articles were fetched and
every later run answered "0 new, entries unchanged" for ever.
"""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faults import (
    alert_keys,
    article_requests,
    child_env,
    config_dir,
    crawl_command,
    feed_site,
    fetched_articles,
    interrupt_group,
    settings_for,
    spawn,
    stored_urls,
    tree,
    wait_gone,
    wait_until,
)

from newswatch.crawl.poll import poll_source
from newswatch.settings import PROJECT_ROOT, find_chromium
from newswatch.sources import load_sources
from newswatch.state import open_state
from newswatch.state.crawl import load_entries

PROCESS_EXIT_S = 10.0  # a killed crawl's helpers (forkserver, resource tracker, extraction worker) end within this


def _crawl(config: Path, data: Path) -> dict:
    proc = subprocess.run(crawl_command(config, data), capture_output=True, text=True, timeout=120,
                          env=child_env(config, data))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON summary; rc={proc.returncode}\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1])["sources"]["localgov"]


def _poll(config: Path, data: Path):  # type: ignore[no-untyped-def]
    settings = settings_for(config, data)
    source = load_sources(settings.sources_file)[0]
    return poll_source(source, open_state(settings.state_url))


def test_a_killed_crawl_leaves_the_rest_of_the_feed_to_the_next_run(tmp_path: Path) -> None:
    site = feed_site(40, delay=0.1)
    try:
        config, data = config_dir(tmp_path, site), tmp_path / "data"
        log = tmp_path / "crawl.log"
        crawl = spawn(crawl_command(config, data), child_env(config, data), log)
        wait_until(lambda: article_requests(site) >= 8, 60, "the crawl to fetch a few articles", crawl, log)
        # killed once something is stored (a loaded machine may fetch 8 before its first write)
        wait_until(lambda: fetched_articles(settings_for(config, data)) > 0, 60, "a first stored article", crawl, log)
        processes = tree(crawl.pid)
        assert len(processes) >= 3, "the crawl runs its extraction worker in a helper process"
        crawl.kill()
        crawl.wait(10)
        assert wait_gone(processes, PROCESS_EXIT_S) == [], "processes outlived the killed crawl"
        kept = len(stored_urls(settings_for(config, data)))
        assert 0 < kept < 40

        # the poller's cheap path sees that the feed still holds articles the crawl never fetched
        poll = _poll(config, data)
        assert poll.changed and len(poll.new_urls) >= 40 - kept - 8, poll

        resumed = _crawl(config, data)
        assert resumed["articles_new"] == 40 - kept and resumed["entries_unchanged"] == 0, resumed
        assert sum(stored_urls(settings_for(config, data)).values()) == 40
        assert not _poll(config, data).changed  # the feed is finished with (the next test crawls it once more)
    finally:
        site.stop()


def test_crawls_killed_and_interrupted_at_random_points_lose_and_repeat_nothing(tmp_path: Path) -> None:
    articles = 80
    rng = random.Random(1414)
    site = feed_site(articles, delay=0.1)
    try:
        config, data = config_dir(tmp_path, site), tmp_path / "data"
        env = child_env(config, data)
        rounds = ["kill"] * 5 + ["ctrl-c"] * 5
        rng.shuffle(rounds)
        for number, how in enumerate(rounds):
            log = tmp_path / f"round-{number}-{how}.log"
            before = article_requests(site)
            crawl = spawn(crawl_command(config, data), env, log)
            more = rng.randint(0, 6)  # 0: during start-up, else after that many more articles were fetched
            if more:
                wait_until(lambda goal=before + more: article_requests(site) >= goal, 60, "articles fetched", crawl, log)
            else:
                time.sleep(rng.uniform(0.3, 1.5))
            assert crawl.poll() is None, f"round {number}: the crawl ended before the {how}: grow the feed"
            processes = tree(crawl.pid)
            if how == "kill":
                crawl.send_signal(signal.SIGKILL)
            else:
                interrupt_group(crawl)
            crawl.wait(30)
            assert wait_gone(processes, PROCESS_EXIT_S) == [], f"round {number} ({how}): processes left"
        kept = stored_urls(settings_for(config, data))
        assert len(kept) < articles, "the interrupted runs fetched everything: nothing left to prove"

        final = _crawl(config, data)
        assert final["status"] == "ok" and final["articles_new"] == articles - len(kept), final
        settings = settings_for(config, data)
        urls = stored_urls(settings)
        assert len(urls) == articles, f"{articles - len(urls)} articles lost"
        assert max(urls.values()) == 1, "an article stored twice"
        alerts = alert_keys(settings)
        assert len(alerts) == articles and max(alerts.values()) == 1, "one alert per directive, none twice"
        # the feed is finished with: its body hash is saved, so the next crawl and the poller find it unchanged
        feed = load_entries(open_state(settings.state_url), "localgov")[site.server.url("/rss.xml")]
        assert feed.content_hash == hashlib.sha1(site.server.pages["/rss.xml"].body).hexdigest()
        assert not _poll(config, data).changed
    finally:
        site.stop()


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine")
def test_a_killed_crawl_of_a_javascript_source_leaves_no_browser(tmp_path: Path) -> None:
    """The Playwright driver and its Chromium (≈ 200 MB each time) end with a crawl killed while rendering."""
    from crawl_sites import rss, write_sources
    from test_js_render import js_article

    from newswatch.demo.server import Reply, SiteServer

    with SiteServer() as site:
        items = []
        for number in range(10):
            path = f"/tin/bai-viet-chi-hien-thi-bang-javascript-{3000 + number}.htm"
            body = js_article(f"Bài viết hiển thị bằng JavaScript số {number}").encode()
            site.route(path, lambda _headers, body=body: Reply(body, delay=0.3))
            items.append((path, "JS", datetime.now(UTC)))
        site.add("/rss.xml", rss(site.base_url, items), "application/rss+xml")
        sources = write_sources(tmp_path / "sources.yaml", [{
            "name": "jsnews", "feeds": [site.url("/rss.xml")], "render_js": True, "article_pattern": r"-\d{4}\.htm$"}])
        data, log = tmp_path / "data", tmp_path / "crawl.log"
        crawl = spawn([*crawl_command(PROJECT_ROOT / "config", data), "--sources", str(sources)],
                      child_env(PROJECT_ROOT / "config", data), log)
        wait_until(lambda: len(site.requests_for("/tin/")) >= 2, 90, "Chromium to load pages", crawl, log)
        processes = tree(crawl.pid)
        assert any("chrom" in proc.name() for proc in processes), [proc.name() for proc in processes]
        crawl.kill()
        crawl.wait(10)
        assert wait_gone(processes, PROCESS_EXIT_S) == [], "processes outlived the killed crawl"
