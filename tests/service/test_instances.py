"""Two ``newswatch serve`` processes on one PostgreSQL state: one schedule, handed over when the leader dies.

Both processes are real (``python -m newswatch serve``), share a real PostgreSQL database and the
data directory, crawl a loopback official site and deliver alerts to a loopback webhook. The
leader is killed (SIGKILL on its process group, as if its machine went away) while it runs the
schedule; the other instance must take the lease within the documented bound, run every job
from then on, and no scheduled run, crawl or alert may happen twice.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from service_site import OfficialSite, wait_for
from sqlalchemy import select

from newswatch.service.leader import takeover_bound
from newswatch.settings import PROJECT_ROOT, load_settings
from newswatch.state import leases, runs
from newswatch.state.db import open_state
from newswatch.store import open_store

LEASE_SECONDS = 3
INTERVAL_SECONDS = 6
RULES = """
delivery: {max_attempts: 4, backoff_seconds: 2, lease_seconds: 30, timeout_seconds: 10}
rules:
  - name: gov-new-directives
    type: new_directive
    severity: high
    doc_types: [CT, CĐ, QĐ, NQ, NĐ, TB, CV, KH]
    issuers: [TTg, CP, VPCP]
"""




class Webhook:
    """A JSON webhook receiver recording each request's Idempotency-Key."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.keys.append(self.headers.get("Idempotency-Key") or "")
                hook.bodies.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def mentions(self, text: str) -> int:
        return sum(text in json.dumps(body, ensure_ascii=False) for body in self.bodies)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.server.shutdown()


class Instance:
    def __init__(self, name: str, env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.port = name, port
        self.log = log.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "newswatch", "serve", "--port", str(port), "--grace", "1"],
                                        env=env, cwd=PROJECT_ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def health(self) -> dict | None:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return None

    def role(self) -> str | None:
        health = self.health()
        return health.get("role") if health else None

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def test_two_instances_run_each_job_once_and_the_schedule_survives_the_leader(
        tmp_path: Path, postgres_server, webhook: Webhook, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from servers import free_port

    site = OfficialSite()
    site.publish(101)
    state_url = postgres_server.new_database()
    config = tmp_path / "config"
    config.mkdir()
    (config / "rules.yaml").write_text(RULES, encoding="utf-8")
    (config / "newswatch.yaml").write_text(f"schedule_jitter_seconds: 0\ncrawl_timeout_seconds: 120\nquiet_hours: null\n"
                                           f"leader_lease_seconds: {LEASE_SECONDS}\n", encoding="utf-8")
    site.sources_yaml(config / "sources.yaml", interval=f"{INTERVAL_SECONDS}s")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update(NEWSWATCH_STATE_URL=state_url, NEWSWATCH_CONFIG_DIR=str(config), NEWSWATCH_DATA_DIR=str(tmp_path / "data"),
               NEWSWATCH_NOTIFY_URLS=webhook.url, PYTHONPATH=str(PROJECT_ROOT))
    for key, value in env.items():
        if key.startswith("NEWSWATCH_"):
            monkeypatch.setenv(key, value)
    settings = load_settings()
    db = open_state(state_url)
    a = Instance("a", env, free_port(), tmp_path / "a.log")
    b: Instance | None = None
    try:
        wait_for(lambda: a.role() == "leader", what="the first instance to lead")
        b = Instance("b", env, free_port(), tmp_path / "b.log")
        wait_for(lambda: b.role() == "standby", what="the second instance to stand by")
        for instance in (a, b):  # every instance serves the UI and the API
            assert httpx.get(f"http://127.0.0.1:{instance.port}/sources", timeout=10).status_code == 200
            jobs = httpx.get(f"http://127.0.0.1:{instance.port}/api/schedule", timeout=10).json()
            assert "source:localgov" in json.dumps(jobs)  # the standby lists the shared job store
        wait_for(lambda: webhook.mentions("101/CT-TTg"), what="the alert of the first directive")

        # Mid-schedule: a new directive appears, the leader starts the run that will find it, and dies.
        site.publish(102)
        published = time.time()
        wait_for(lambda: _claims_after(db, "source:localgov", published), what="the leader to start the next run")
        a.kill()
        killed = time.monotonic()
        wait_for(lambda: b.role() == "leader", timeout=30, what="the standby to take the schedule")
        took = time.monotonic() - killed
        assert took <= takeover_bound(LEASE_SECONDS) + 2, f"takeover took {took:.1f}s"
        lease = leases.get(db, "scheduler")
        assert lease is not None and lease.epoch == 2

        # The new leader runs the schedule: the directive is crawled and its alert delivered.
        wait_for(lambda: webhook.mentions("102/CT-TTg"), what="the alert of the directive published before the kill")
        wait_for(lambda: len(_claims(db, "source:localgov")) >= 4, what="two more runs of the new leader")
    finally:
        for instance in (b, a):
            if instance is not None:
                instance.stop()
        site.stop()
    logs = "\n".join((tmp_path / f"{n}.log").read_text() for n in ("a", "b"))

    # No alert delivered twice, none lost: one webhook request per outbox row, all of them sent.
    assert len(webhook.keys) == len(set(webhook.keys)), logs
    assert webhook.mentions("101/CT-TTg") == 1 and webhook.mentions("102/CT-TTg") == 1
    from monitor import store as monitor_store

    statuses = [r["status"] for r in monitor_store.outbox_status(db)]
    assert statuses and set(statuses) == {"sent"} and len(statuses) == len(webhook.keys)
    # Each article stored once.
    with open_store(settings) as store:
        urls = [a.url for a in store.iter_articles()]
    assert sorted(urls) == sorted(set(urls)) and len(urls) == 2
    # No scheduled run started twice: the runs of the source never overlap and keep the interval apart.
    polls = sorted(r.started_at.timestamp() for r in runs.recent_runs(db, source="localgov", kind="poll", limit=500))
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert gaps and min(gaps) >= INTERVAL_SECONDS / 2, (gaps, logs)
    # Both instances ran the schedule, one after the other: claims of the old epoch stop before the new start.
    claims = _claims(db, None)
    by_epoch = {epoch: [c for c in claims if c.epoch == epoch] for epoch in {c.epoch for c in claims}}
    assert set(by_epoch) == {1, 2}
    assert max(c.claimed_at for c in by_epoch[1]) < min(c.claimed_at for c in by_epoch[2])
    assert "Traceback" not in logs, logs


def _claims(db, job_id: str | None):  # type: ignore[no-untyped-def]
    query = select(leases.job_claims).order_by(leases.job_claims.c.claimed_at)
    if job_id is not None:
        query = query.where(leases.job_claims.c.job_id == job_id)
    with db.connect() as conn:
        return list(conn.execute(query))


def _claims_after(db, job_id: str, moment: float) -> list:  # type: ignore[no-untyped-def]
    return [c for c in _claims(db, job_id) if c.claimed_at > moment]


