"""Run one crawl as a child process: ``newswatch crawl --source NAME --json``, with a timeout.

Why a child: Twisted's reactor cannot be restarted inside one process, and a child contains a
browser's memory and any crash. The child prints one JSON summary on stdout; its log goes to
``<data>/logs/crawl-<source>.log``. A child that runs past the timeout is terminated (SIGTERM to
its process group, again to force Scrapy, then SIGKILL) and recorded as ``timeout``; a child stopped
because the service shuts down is recorded as ``interrupted``. A child whose service dies (even by
SIGKILL) gets SIGTERM from the kernel (``NEWSWATCH_PARENT_PID``, :mod:`newswatch.crawl.lifetime`)
and stops as it would at a shutdown, so no crawl outlives the service; what it had not fetched is
left to the next run.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswatch.settings import Settings
from newswatch.state.runs import PARENT_ENV

log = logging.getLogger(__name__)

TERM_GRACE_SECONDS = 5.0
FORCE_GRACE_SECONDS = 3.0


@dataclass
class CrawlOutcome:
    """How one crawl child ended."""

    status: str  # ok | failed | timeout | interrupted
    exit_code: int | None
    reason: str | None
    elapsed_s: float
    summary: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class _Child:
    source: str
    process: subprocess.Popen[str]
    started: float = field(default_factory=time.monotonic)
    interrupted: bool = False


class ChildRegistry:
    """The crawl children running now, so that shutdown can wait for them or stop them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._children: dict[int, _Child] = {}
        self.accepting = True

    def add(self, child: _Child) -> None:
        with self._lock:
            self._children[child.process.pid] = child

    def remove(self, child: _Child) -> None:
        with self._lock:
            self._children.pop(child.process.pid, None)

    def running(self) -> list[str]:
        with self._lock:
            return [c.source for c in self._children.values()]

    def stop_all(self, grace_seconds: float) -> list[str]:
        """Stop accepting; give running children ``grace_seconds`` to finish, then terminate them."""
        self.accepting = False
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline:
            with self._lock:
                if not self._children:
                    return []
            time.sleep(0.2)
        with self._lock:
            children = list(self._children.values())
        for child in children:
            child.interrupted = True
            log.warning("stopping crawl of %s (pid %s): service shutting down", child.source, child.process.pid)
            _terminate(child.process)
        return [c.source for c in children]


def _terminate(process: subprocess.Popen[str]) -> None:
    """Stop the child's process group: SIGTERM (Scrapy closes the run cleanly), a second SIGTERM (Scrapy's
    "force stop"), then SIGKILL if it is still there."""
    for sig, wait in ((signal.SIGTERM, TERM_GRACE_SECONDS), (signal.SIGTERM, FORCE_GRACE_SECONDS),
                      (signal.SIGKILL, FORCE_GRACE_SECONDS)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def crawl_command(settings: Settings, source: str, sources_file: Path) -> list[str]:
    """The command line of one crawl child (the same ``newswatch`` the service runs from)."""
    return [sys.executable, "-m", "newswatch", "--config-dir", str(settings.config_dir),
            "--data-dir", str(settings.data_dir), "crawl", "--sources", str(sources_file),
            "--source", source, "--json"]


def _last_json_line(text: str) -> dict[str, Any] | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def _tail(path: Path, lines: int = 3) -> str:
    try:
        content = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in content[-lines:])[-400:]


def run_crawl_child(settings: Settings, source: str, sources_file: Path, *, timeout: float,
                    registry: ChildRegistry | None = None, on_start: Any = None,
                    run_id: int | None = None) -> CrawlOutcome:
    """Run ``newswatch crawl --source SOURCE --json`` as a child process to completion or timeout; never raises for
    child failures. (The crawl itself, in that child, is :func:`newswatch.crawl.runner.run_crawl`.)"""
    log_dir = settings.ensure_data_dir() / "logs"
    log_dir.mkdir(exist_ok=True)
    log_path = log_dir / f"crawl-{source}.log"
    started = time.monotonic()
    env = dict(os.environ, NEWSWATCH_DATA_DIR=str(settings.data_dir), NEWSWATCH_CONFIG_DIR=str(settings.config_dir),
               NEWSWATCH_STATE_URL=settings.state_url, PYTHONUNBUFFERED="1", NEWSWATCH_PARENT_PID=str(os.getpid()))
    if settings.es_url and settings.store == "elasticsearch":
        env["NEWSWATCH_ES_URL"] = settings.es_url
    if run_id is not None:  # the child's own crawl run points back at this child's row
        env[PARENT_ENV] = str(run_id)
    with log_path.open("a", encoding="utf-8") as log_file:
        log_file.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%S%z')} crawl {source}\n")
        log_file.flush()
        try:
            process = subprocess.Popen(crawl_command(settings, source, sources_file), stdout=subprocess.PIPE,
                                       stderr=log_file, stdin=subprocess.DEVNULL, text=True, env=env,
                                       start_new_session=True)
        except OSError as exc:
            return CrawlOutcome("failed", None, f"could not start the crawl: {exc}", 0.0)
        child = _Child(source, process)
        if registry is not None:
            registry.add(child)
        if on_start is not None:
            on_start(process.pid)
        try:
            try:
                stdout, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.warning("crawl of %s ran past %ss: stopping it", source, timeout)
                _terminate(process)
                stdout, _ = process.communicate()
                return CrawlOutcome("timeout", process.returncode, f"ran longer than {timeout:.0f} s",
                                    time.monotonic() - started, _last_json_line(stdout or ""))
        finally:
            if registry is not None:
                registry.remove(child)
    elapsed = time.monotonic() - started
    summary = _last_json_line(stdout or "")
    if child.interrupted:
        return CrawlOutcome("interrupted", process.returncode, "service shut down during the crawl", elapsed, summary)
    if process.returncode != 0:
        reason = f"exit code {process.returncode}: {_tail(log_path)}".strip()
        return CrawlOutcome("failed", process.returncode, reason, elapsed, summary)
    if summary is None:
        return CrawlOutcome("failed", 0, "the crawl printed no JSON summary", elapsed, None)
    return CrawlOutcome("ok", 0, None, elapsed, summary)
