"""Fault-injection helpers: a slow loopback feed, crawl and serve processes, their process trees, what was kept.

Everything talks to 127.0.0.1 only. A crawl or a service is started in its own session (as a
terminal starts a job), so "Ctrl-C" is SIGINT to its whole process group, as a terminal sends it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

TESTS = Path(__file__).resolve().parent.parent
for _helpers in ("service", "monitor", "crawl"):  # the loopback sites, the monitor's rules and free_port
    if str(TESTS / _helpers) not in sys.path:
        sys.path.insert(0, str(TESTS / _helpers))

from monitor_helpers import RULES_FOR_DELIVERY  # noqa: E402
from service_site import OfficialSite  # noqa: E402

from newswatch.settings import PROJECT_ROOT, Settings, load_settings  # noqa: E402

# A lease far shorter than the monitor tests' 60 s: a notification whose sender was killed is sent again soon.
RULES = (RULES_FOR_DELIVERY.replace("lease_seconds: 60", "lease_seconds: 4").replace("timeout_seconds: 10", "timeout_seconds: 2")
         .replace("backoff_seconds: 10", "backoff_seconds: 1"))


def feed_site(articles: int, delay: float) -> OfficialSite:
    """An official site whose feed lists ``articles`` directives, each page answering after ``delay`` s."""
    site = OfficialSite(article_delay=delay)
    for number in range(1, articles + 1):
        site.publish(number, feed=False)
    site.update_feed()
    return site


def config_dir(tmp_path: Path, site: OfficialSite, *, interval: str = "1h") -> Path:
    """A config folder: the site as source ``localgov``, rules that alert on every directive, no quiet hours."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "rules.yaml").write_text(RULES, encoding="utf-8")
    (config / "newswatch.yaml").write_text("quiet_hours: null\nschedule_jitter_seconds: 0\n"
                                           "crawl_timeout_seconds: 120\n", encoding="utf-8")
    site.sources_yaml(config / "sources.yaml", interval=interval)
    return config


def settings_for(config: Path, data: Path) -> Settings:
    return load_settings(config_dir=config, data_dir=data, env={})


def child_env(config: Path, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update(NEWSWATCH_CONFIG_DIR=str(config), NEWSWATCH_DATA_DIR=str(data), NEWSWATCH_EXTRACT_WORKERS="1",
               PYTHONUNBUFFERED="1", **extra)
    return env


def crawl_command(config: Path, data: Path) -> list[str]:
    """``newswatch crawl --json``; at most 4 requests queued, so a graceful stop ends after a handful more pages."""
    return [sys.executable, "-m", "newswatch", "--config-dir", str(config), "--data-dir", str(data), "crawl",
            "--json", "--set", "DOWNLOAD_TIMEOUT=5", "--set", "RETRY_TIMES=1", "--set", "CONCURRENT_REQUESTS=4"]


def serve_command(config: Path, data: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "newswatch", "--config-dir", str(config), "--data-dir", str(data), "serve",
            "--port", str(port), "--grace", "2"]


SPAWNED: list[subprocess.Popen[bytes]] = []  # killed with their trees when a test ends (see conftest)


def spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in a session of its own (its process group is what a terminal would signal)."""
    with log.open("ab") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                   cwd=str(PROJECT_ROOT), start_new_session=True)
    SPAWNED.append(process)
    return process


def kill_spawned() -> None:
    """Kill what a failed test left running: every spawned process still alive, with its descendants."""
    while SPAWNED:
        process = SPAWNED.pop()
        if process.poll() is None:
            wait_gone(tree(process.pid), 0)
            process.wait(10)


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants now."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.NoSuchProcess:
            continue
    return out


def wait_gone(processes: list[psutil.Process], timeout: float) -> list[str]:
    """Wait until none of ``processes`` runs; describe those still running after ``timeout`` (and kill them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(processes):
        time.sleep(0.1)
    left = alive(processes)
    described = []
    for proc in left:
        try:
            described.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
            proc.kill()  # do not leak them into the rest of the test run
        except psutil.NoSuchProcess:
            continue
    return described


def wait_until(condition: Callable[[], Any], timeout: float, what: str, process: subprocess.Popen | None = None,
               log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def article_requests(site: OfficialSite) -> int:
    return sum(1 for r in site.server.requests_for("/tin/") if r.status == 200)


def stored_urls(settings: Settings) -> Counter[str]:
    """How many stored articles each URL has (a duplicate shows as a count above 1)."""
    from newswatch.store import open_store

    with open_store(settings) as store:
        return Counter(a.url for a in store.iter_articles())


def fetched_articles(settings: Settings, source: str = "localgov") -> int:
    """How many URLs of ``source`` the crawl state records as stored articles."""
    from sqlalchemy import func, select

    from newswatch.state.crawl import crawl_urls
    from newswatch.state.db import open_state

    with open_state(settings.state_url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(crawl_urls)
                                .where(crawl_urls.c.source == source, crawl_urls.c.status == "article")).scalar())


def alert_keys(settings: Settings) -> Counter[str]:
    """How many alerts each (rule, key) has."""
    from sqlalchemy import select

    from monitor.store import alerts
    from newswatch.state.db import open_state

    with open_state(settings.state_url).connect() as conn:
        return Counter(f"{r.rule}:{r.query_key}" for r in conn.execute(select(alerts.c.rule, alerts.c.query_key)))


def interrupt_group(process: subprocess.Popen, sig: int = signal.SIGINT) -> None:
    """What Ctrl-C in a terminal does: the signal to every process of the job's group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
