"""``scrapy crawl source -a source=NAME`` works from the project root, as Scrapy users expect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crawl_sites import build_news_site, write_sources

from newswatch.settings import PROJECT_ROOT
from newswatch.state import open_state
from newswatch.state.runs import recent_runs


def test_scrapy_crawl_source_from_project_root(site, tmp_path: Path) -> None:
    paths = build_news_site(site)
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "laodongthudo", "listings": [f"{site.base_url}/thoi-su"], "listing_depth": 0,
        "article_pattern": r"/tin/.+-\d+\.htm$"}])
    data = tmp_path / "data"
    out = tmp_path / "items.jsonl"
    env = {**os.environ, "NEWSWATCH_DATA_DIR": str(data), "NEWSWATCH_EXTRACT_WORKERS": "1"}
    env.pop("NEWSWATCH_STATE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "source", "-a", "source=laodongthudo",
                           "-a", f"sources_file={sources}", "-O", f"{out}:jsonlines", "-s", "LOG_LEVEL=WARNING"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {i["url"] for i in items} == {site.base_url + paths["list_a"], site.base_url + paths["list_b"]}
    run = recent_runs(open_state(f"sqlite:///{data / 'state.db'}"), limit=1)[0]
    assert run.status == "ok" and run.trigger == "scrapy"
    assert run.per_source["laodongthudo"].requests >= 3
