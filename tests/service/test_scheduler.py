"""The scheduler: persisted jobs and run history survive a restart; polls gate crawls; timeouts and shutdown are recorded."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

from click.testing import CliRunner
from service_site import OfficialSite, wait_for

from newswatch.cli import cli
from newswatch.service.runtime import Service
from newswatch.service.scheduler import list_jobs
from newswatch.settings import Settings
from newswatch.state import runs
from newswatch.state.db import open_state
from newswatch.store import open_store


def crawls(settings: Settings) -> list[runs.Run]:
    """The crawl children the service ran for localgov, newest first."""
    return runs.recent_runs(open_state(settings.state_url), source="localgov", kind="child")


def stored_urls(settings: Settings) -> set[str]:
    with open_store(settings) as store:
        return {a.url for a in store.iter_articles()}


def test_jobs_and_history_survive_a_restart_and_polls_gate_crawls(service_settings: Settings,
                                                                  site: OfficialSite) -> None:
    first = Service(service_settings)
    first.start()
    try:
        # A fresh service runs each source once right away: poll (nothing known yet) then a crawl child.
        done = wait_for(lambda: [r for r in crawls(service_settings) if r.status != "running"],
                        what="the first scheduled crawl")
        assert done[0].status == "ok", done[0].reason  # type: ignore[index]
        job = first.scheduler.get_job("source:localgov")  # type: ignore[union-attr]
        next_run = job.next_run_time
        assert {j.id for j in first.scheduler.get_jobs()} >= {"source:localgov", "system:outbox", "system:silence"}  # type: ignore[union-attr]
    finally:
        first.stop()
    assert site.server.url("/tin/chi-thi-101-ve-chuyen-doi-so.htm") in stored_urls(service_settings)

    # While stopped, `newswatch schedule list` reads the job store and the history.
    listing = CliRunner().invoke(cli, ["--config-dir", str(service_settings.config_dir), "--data-dir",
                                       str(service_settings.data_dir), "schedule", "list"])
    assert listing.exit_code == 0, listing.output
    line = next(ln for ln in listing.output.splitlines() if ln.startswith("source:localgov"))
    assert "every 1h00m" in line and "crawl ok" in line

    second = Service(service_settings)
    second.start()
    try:
        job = second.scheduler.get_job("source:localgov")  # type: ignore[union-attr]
        assert job is not None and job.next_run_time == next_run, "the job and its next run were kept"
        assert [r.status for r in crawls(service_settings)] == ["ok"], "the run history is intact"
        crawl_run = next(r for r in runs.recent_runs(open_state(service_settings.state_url))
                         if r.sources == ["localgov"])  # the child's own run, with its figures, in the same history
        assert crawl_run.parent_id == crawls(service_settings)[0].id, "it points at the service's child row"

        # Nothing changed on the site: the poll answers from a conditional request and no crawl starts.
        report = second.run_source("localgov")
        assert report.polled == "unchanged" and not report.crawled
        assert len(crawls(service_settings)) == 1

        # A new directive appears: the poll sees it and the crawl child fetches it.
        new_url = site.publish(102)
        report = second.run_source("localgov")
        assert report.polled == "changed" and report.crawled and report.outcome.ok, report.to_dict()  # type: ignore[union-attr]
        assert new_url in stored_urls(service_settings)
    finally:
        second.stop()
    infos = {i.id: i for i in list_jobs(service_settings)}
    assert infos["source:localgov"].last_status == "crawl ok"


def test_a_crawl_past_its_timeout_is_killed_and_recorded(service_settings: Settings, site: OfficialSite) -> None:
    site.make_slow(60)
    service_settings.service.crawl_timeout_seconds = 3
    service = Service(service_settings, start_scheduler=False)
    service.start()
    try:
        report = service.run_source("localgov", force=True)
    finally:
        service.stop()
    assert report.outcome is not None and report.outcome.status == "timeout"
    row = crawls(service_settings)[0]
    assert row.status == "timeout" and "longer than 3 s" in (row.reason or "")
    assert not _alive(_pid(service_settings, row.id))


def test_shutdown_interrupts_a_running_crawl_after_the_grace_period(service_settings: Settings,
                                                                    site: OfficialSite) -> None:
    db = open_state(service_settings.state_url)
    orphan = runs.start_run(db, ["localgov"], kind="child", trigger="schedule", pid=999_999)  # left by a process that died
    site.make_slow(60)
    service = Service(service_settings, start_scheduler=False, grace_seconds=1.0)
    service.start()
    assert runs.recent_runs(db, kind="child")[-1].status == "interrupted", "an orphaned 'running' row is closed"
    worker = threading.Thread(target=service.run_source, args=("localgov",), kwargs={"force": True})
    worker.start()
    wait_for(service.running_crawls, timeout=30, what="the crawl child to start")
    started = datetime.now(UTC)
    service.stop()
    worker.join(30)
    assert not worker.is_alive()
    row = next(r for r in crawls(service_settings) if r.id != orphan)
    assert row.status == "interrupted" and row.finished_at is not None
    assert row.finished_at >= started
    assert not _alive(_pid(service_settings, row.id))


def _pid(settings: Settings, run_id: int) -> int:
    run = runs.get_run(open_state(settings.state_url), run_id)
    assert run is not None and run.pid is not None
    return run.pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
