"""``newswatch serve`` killed (SIGKILL) in the middle of its scheduled crawl, again and again, then restarted.

The service polls the feed, starts a crawl child, and its delivery worker sends the alerts to a
loopback webhook. Killing the service must take its crawl child and that child's helpers with it;
the restarted service must find what the killed crawls left (through the poller's cheap path),
store every article once and deliver every alert once.
"""

from __future__ import annotations

import random
import signal
from pathlib import Path

from faults import (
    alert_keys,
    article_requests,
    child_env,
    config_dir,
    feed_site,
    fetched_articles,
    interrupt_group,
    serve_command,
    settings_for,
    spawn,
    stored_urls,
    tree,
    wait_gone,
    wait_until,
)
from monitor_helpers import free_port

from monitor.store import outbox_status
from newswatch.state import open_state

SERVICE_EXIT_S = 15.0  # the crawl child stops as on SIGTERM (a graceful Scrapy close), then its helpers end
# The service's crawl runs with the crawler's own settings: a clean stop still downloads the requests already
# queued in Scrapy's downloader (up to CONCURRENT_REQUESTS, 32), so each killed round takes about 40 articles.
ARTICLES = 240


def _crawl_child(processes) -> bool:  # type: ignore[no-untyped-def]
    return any("crawl" in proc.cmdline() for proc in processes if proc.is_running())


def test_serve_killed_mid_crawl_loses_nothing_and_alerts_once(tmp_path: Path, webhook) -> None:  # type: ignore[no-untyped-def]
    articles = ARTICLES
    rng = random.Random(1415)
    site = feed_site(articles, delay=0.03)
    try:
        config, data = config_dir(tmp_path, site, interval="2s"), tmp_path / "data"
        env = child_env(config, data, NEWSWATCH_NOTIFY_URLS=webhook.url)
        settings = settings_for(config, data)
        for number in range(5):
            log = tmp_path / f"serve-{number}.log"
            before = article_requests(site)
            serve = spawn(serve_command(config, data, free_port()), env, log)
            more = rng.randint(1, 5)
            wait_until(lambda goal=before + more: article_requests(site) >= goal, 90,  # type: ignore[misc]
                       "the scheduled crawl to fetch articles", serve, log)
            processes = tree(serve.pid)
            assert _crawl_child(processes), "the crawl runs in a child of the service"
            serve.send_signal(signal.SIGKILL)
            serve.wait(10)
            assert wait_gone(processes, SERVICE_EXIT_S) == [], f"round {number}: processes outlived the service"
        db = open_state(settings.state_url)
        done = fetched_articles(settings)
        assert done < articles, "the killed services fetched everything: nothing left to prove"

        log = tmp_path / "serve-final.log"
        serve = spawn(serve_command(config, data, free_port()), env, log)
        wait_until(lambda: fetched_articles(settings) == articles, 120,
                   "every article fetched", serve, log)
        wait_until(lambda: len({r.key for r in webhook.accepted()}) >= articles, 60, "every alert delivered", serve,
                   log)
        processes = tree(serve.pid)
        interrupt_group(serve)  # Ctrl-C: a clean stop
        serve.wait(30)
        assert wait_gone(processes, SERVICE_EXIT_S) == []

        urls = stored_urls(settings)
        assert len(urls) == articles and max(urls.values()) == 1, "every article stored, once"
        alerts = alert_keys(settings)
        assert len(alerts) == articles and max(alerts.values()) == 1, "one alert per directive"
        keys = {row["idempotency_key"] for row in outbox_status(db)}
        assert len(keys) == articles and {row["status"] for row in outbox_status(db)} == {"sent"}
        accepted = [r.key for r in webhook.accepted()]
        assert set(accepted) == keys, "every alert delivered, each under its own key"
        # A notification whose sender was killed after the webhook took it is sent again under the same key
        # (at-least-once, the receiver deduplicates); a second, different notification of one alert is never sent.
        assert len(accepted) - len(keys) <= 5, "at most one repeat per kill"
    finally:
        site.stop()
