"""Run history: figures per source, health, and runs whose process died shown as interrupted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from newswatch.state import open_state
from newswatch.state.runs import (
    SourceRun,
    finish_run,
    recent_runs,
    record_source_run,
    source_health,
    start_run,
)


def test_history_and_source_health(tmp_path: Path) -> None:
    db = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    for failing in (False, True, True):
        run_id = start_run(db, ["vgp", "ttv"], trigger="schedule")
        record_source_run(db, run_id, SourceRun(source="vgp", requests=12, articles_new=3))
        record_source_run(db, run_id, SourceRun(source="ttv", status="failed" if failing else "ok", requests=1,
                                                errors={"connection": 1} if failing else {}))
        run = finish_run(db, run_id)
        assert run.status == ("partial" if failing else "ok")
    runs = recent_runs(db, limit=10)
    assert [r.id for r in runs] == sorted((r.id for r in runs), reverse=True)
    assert runs[0].per_source["vgp"].articles_new == 3
    health = source_health(db)
    assert health["vgp"]["consecutive_failures"] == 0 and health["vgp"]["articles_new"] == 3
    assert health["vgp"]["last_ok"] is not None
    assert health["ttv"]["consecutive_failures"] == 2
    assert health["ttv"]["errors_by_reason"] == {"connection": 1}
    assert health["ttv"]["last_status"] == "failed"
    assert len(recent_runs(db, source="ttv", limit=2)) == 2


def test_run_of_a_killed_process_shows_as_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    code = ("from newswatch.state import open_state; from newswatch.state.runs import start_run; "
            f"print(start_run(open_state({url!r}), ['vgp']))")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    run_id = int(child.stdout.strip())  # the child exited without finishing its run
    db = open_state(url)
    run = next(r for r in recent_runs(db) if r.id == run_id)
    assert run.status == "interrupted" and run.finished_at is not None
    assert source_health(db)["vgp"]["last_status"] == "interrupted"
