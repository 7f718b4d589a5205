"""Distributed crawl benchmark: the same politeness-bound crawl of many loopback sites with 1, 2 and 4 workers.

    .venv/bin/python bench/distributed_crawl.py [--sites 12] [--articles 24] [--delay 0.5] [--workers 1,2,4]

Each of ``--sites`` loopback sites (one :class:`~newswatch.demo.server.SiteServer` each, in this
process) serves an RSS feed of ``--articles`` distinct synthetic Vietnamese articles; each source
crawls politely (``download_delay`` = ``--delay`` s, one request at a time per site), so one crawl
is bound by its site's politeness, not by CPU. For every worker count a fresh redis-server (Debian's,
on a free port) and data directory are used, the workers (``newswatch queue worker``, one crawl at a
time each) are started, then every source is queued (``newswatch queue crawl --all``) and the clock
runs until every crawl has finished. Figures per worker count: ``seconds``, ``articles`` stored,
``articles_per_s``, ``per_worker_share`` (the share of the articles each worker crawled, from the
worker logs) and the ``speedup`` over one worker. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from crawl import make_story, write_sources  # noqa: E402  (bench/crawl.py)
from servers import RedisServer, missing  # noqa: E402  (tests/servers.py)

from newswatch.demo.server import SiteServer  # noqa: E402
from newswatch.demo.sites import VN, _render_article, slugify  # noqa: E402


def build_site(server: SiteServer, site: int, n: int, now: datetime) -> None:
    """``n`` distinct articles and an RSS feed listing them all."""
    items = []
    for i in range(n):
        story = make_story(site * 100_000 + i, (now - timedelta(minutes=9 * i)).astimezone(VN))
        path = f"/tin/{slugify(story.title)[:50].strip('-')}-{site:02d}{i:04d}.htm"
        server.add(path, _render_article(story.site, story, server.url(path), []), modified=story.published)
        items.append(f"<item><title>{story.title}</title><link>{server.url(path)}</link>"
                     f"<pubDate>{format_datetime(story.published.astimezone(UTC), usegmt=True)}</pubDate></item>")
    server.add("/rss.xml", f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench {site}'
               f"</title><link>{server.base_url}/</link>{''.join(items)}</channel></rss>",
               "application/rss+xml; charset=utf-8")


def run(workers: int, sources_file: Path, config: Path, workdir: Path, n_sources: int, timeout: float) -> dict[str, Any]:
    redis = RedisServer.start()
    data = workdir / f"data-{workers}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update(NEWSWATCH_CONFIG_DIR=str(config), NEWSWATCH_DATA_DIR=str(data), NEWSWATCH_REDIS_URL=redis.url,
               PYTHONPATH=str(ROOT))
    logs = [workdir / f"worker-{workers}-{i}.log" for i in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-m", "newswatch", "queue", "worker"], env=env, cwd=ROOT,
                              stdout=log.open("w"), stderr=subprocess.STDOUT) for log in logs]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all("crawl worker" in log.read_text() for log in logs):
            time.sleep(0.2)  # every worker is listening before the clock starts
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "newswatch", "queue", "crawl", "--all"], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=60)
        done: list[tuple[str, str]] = []
        while time.perf_counter() - started < timeout:
            done = [(m.group(1), m.group(2)) for log in logs
                    for m in re.finditer(r"crawl (\S+) (ok|failed|timeout|interrupted) in", log.read_text())]
            if len(done) >= n_sources:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
        redis.stop()
    from newswatch.settings import load_settings
    from newswatch.store import open_store

    with open_store(load_settings(config_dir=config, data_dir=data, env={})) as store:
        per_source: dict[str, int] = {}
        for article in store.iter_articles():
            per_source[article.source] = per_source.get(article.source, 0) + 1
    stored = sum(per_source.values())
    shares = []
    for log in logs:
        crawled = set(re.findall(r"crawl (\S+) ok in", log.read_text()))
        shares.append(round(sum(per_source.get(s, 0) for s in crawled) / max(stored, 1), 3))
    return {"workers": workers, "seconds": round(seconds, 2), "crawls": len(done),
            "crawls_ok": sum(1 for _, status in done if status == "ok"), "articles": stored,
            "articles_per_s": round(stored / seconds, 2), "per_worker_share": shares}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--articles", type=int, default=24, help="articles per site")
    parser.add_argument("--delay", type=float, default=0.5, help="download delay per site (s)")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    if missing("redis"):
        raise SystemExit(missing("redis"))
    now = datetime.now(UTC)
    servers = [SiteServer().start() for _ in range(args.sites)]
    with tempfile.TemporaryDirectory(prefix="nw-bench-dist-") as tmp:
        workdir = Path(tmp)
        config = workdir / "config"
        config.mkdir()
        (config / "rules.yaml").write_text("rules: []\n", encoding="utf-8")
        (config / "newswatch.yaml").write_text("crawl_timeout_seconds: 900\n", encoding="utf-8")
        for number, server in enumerate(servers):
            build_site(server, number, args.articles, now)
        sources = [{"name": f"site{number:02d}", "tier": "ministry", "feeds": [server.url("/rss.xml")],
                    "article_pattern": r"/tin/[a-z0-9-]+-\d{6}\.htm$",
                    "politeness": {"download_delay": args.delay, "concurrency": 1}}
                   for number, server in enumerate(servers)]
        sources_file = write_sources(config / "sources.yaml", sources)
        load = os.getloadavg()[0]
        runs = [run(int(w), sources_file, config, workdir, args.sites, args.timeout) for w in args.workers.split(",")]
    for server in servers:
        server.stop()
    base = runs[0]["articles_per_s"] or 1
    for entry in runs:
        entry["speedup"] = round(entry["articles_per_s"] / base, 2)
    print(json.dumps({"sites": args.sites, "articles_per_site": args.articles, "delay_s": args.delay,
                      "politeness_floor_s_per_site": round(args.articles * args.delay, 1), "runs": runs,
                      "load_avg_start": load, "load_avg_end": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
