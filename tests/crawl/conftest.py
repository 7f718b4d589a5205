"""Fixtures of the crawl tests: a loopback site server, and ``newswatch crawl`` run in a subprocess.

Crawls run in a child process because a Twisted reactor cannot be restarted within one process.
The site server (:class:`newswatch.demo.server.SiteServer`) logs every request, so the tests count
what the crawler actually fetched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newswatch.demo.server import SiteServer
from newswatch.settings import PROJECT_ROOT


@dataclass
class CrawlResult:
    summary: dict[str, Any]
    items: list[dict[str, Any]]
    returncode: int
    stderr: str


@pytest.fixture
def run_crawl(tmp_path: Path) -> Callable[..., CrawlResult]:
    """Run ``newswatch crawl --json`` in a subprocess against a data dir; returns summary and exported items."""
    counter = {"n": 0}

    def _run(sources_file: Path, data_dir: Path, *args: str, settings: dict[str, Any] | None = None,
             timeout: float = 120) -> CrawlResult:
        counter["n"] += 1
        items_file = tmp_path / f"items-{counter['n']}.jsonl"
        overrides = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "NEWSWATCH_RETRY_BACKOFF_BASE": 0.2, "AUTOTHROTTLE_START_DELAY": 0.0,
                     "FEEDS": {str(items_file): {"format": "jsonlines", "encoding": "utf-8"}}, **(settings or {})}
        cmd = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources_file), "--data-dir",
               str(data_dir), "--json", *args]
        for key, value in overrides.items():
            cmd += ["--set", f"{key}={json.dumps(value)}"]
        env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config"), "NEWSWATCH_EXTRACT_WORKERS": "1"}
        env.pop("NEWSWATCH_STATE_URL", None)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(tmp_path))
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        assert lines, f"no JSON summary; rc={proc.returncode}\nstdout={proc.stdout}\nstderr={proc.stderr[-4000:]}"
        items = []
        if items_file.exists():
            items = [json.loads(line) for line in items_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        return CrawlResult(json.loads(lines[-1]), items, proc.returncode, proc.stderr)

    return _run


@pytest.fixture
def site() -> Iterator[SiteServer]:
    server = SiteServer().start()
    yield server
    server.stop()


