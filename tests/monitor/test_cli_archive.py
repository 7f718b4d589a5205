"""The CLI over a real archive and state DB: dry runs write nothing; alerts are listed, acknowledged, resolved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from monitor_helpers import make_settings
from monitor_stream import CDS, GOV, stream

from monitor import store
from monitor.engine import Monitor
from newswatch.cli import cli
from newswatch.store import open_store


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS"):
        monkeypatch.delenv(var, raising=False)
    settings = make_settings(tmp_path)
    args = ["--config-dir", str(settings.config_dir), "--data-dir", str(settings.data_dir)]
    return settings, args


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_rules_test_is_a_dry_run_over_the_archive(env) -> None:  # type: ignore[no-untyped-def]
    settings, args = env
    with open_store(settings) as archive:
        for item in stream():
            archive.put(item.article)
    result = CliRunner().invoke(cli, [*args, "rules", "test", CDS, "--since", "2026-11-01", "--json"])
    assert result.exit_code == 0, result.output
    hits = _lines(result.output)
    expected = {key for item in stream() for rule, key in item.alerts if rule == CDS}
    assert {h["key"] for h in hits if h["action"] == "alert"} == expected
    assert len([h for h in hits if h["action"] == "alert"]) == len(expected)
    assert any(h["action"] == "attach" and h["key"] == "07/CT-TTg@2026" for h in hits)
    monitor = Monitor(settings)
    assert store.list_alerts(monitor.db) == []  # nothing written
    assert store.outbox_status(monitor.db) == []
    text = CliRunner().invoke(cli, [*args, "rules", "test", GOV])
    assert text.exit_code == 0
    assert "ALERT  Công điện 118/CĐ-TTg (Thủ tướng Chính phủ)" in text.output
    assert "3 alert(s)" in text.output and "dry run, nothing written" in text.output
    later = CliRunner().invoke(cli, [*args, "rules", "test", GOV, "--since", "2026-11-20", "--json"])
    assert [h["key"] for h in _lines(later.output) if h["action"] == "alert"] == ["2201/QĐ-TTg@2026"]
    missing = CliRunner().invoke(cli, [*args, "rules", "test", "no-such-rule"])
    assert missing.exit_code == 1 and "no-such-rule" in missing.output


def test_alerts_list_ack_resolve(env) -> None:  # type: ignore[no-untyped-def]
    settings, args = env
    monitor = Monitor(settings)
    for item in stream():
        monitor.on_article(item.article)
    runner = CliRunner()
    expected = len({pair for item in stream() for pair in item.alerts})
    rows = _lines(runner.invoke(cli, [*args, "alerts", "--json", "--limit", "500"]).output)
    assert len(rows) == expected
    gov = _lines(runner.invoke(cli, [*args, "alerts", "--rule", GOV, "--status", "new", "--json"]).output)
    assert {r["doc_number"] for r in gov} == {"118/CĐ-TTg", "215/2026/NĐ-CP", "2201/QĐ-TTg"}
    target = next(r for r in rows if r["doc_number"] == "07/CT-TTg")
    assert target["article_count"] == 4 and target["first_article"]["source"] == "vnexpress"
    assert target["delivery"] == "none"  # no notification target configured

    acked = runner.invoke(cli, [*args, "alerts", "ack", str(target["id"]), "--user", "lan"])
    assert acked.exit_code == 0 and "acknowledged by lan" in acked.output
    again = runner.invoke(cli, [*args, "alerts", "ack", str(target["id"]), "--user", "minh"])
    assert again.exit_code == 1 and "only a new alert" in again.output
    resolved = runner.invoke(cli, [*args, "alerts", "resolve", str(target["id"]), "--user", "minh"])
    assert resolved.exit_code == 0
    alert = store.get_alert(monitor.db, target["id"])
    assert alert["status"] == "resolved" and alert["acknowledged_by"] == "lan" and alert["resolved_by"] == "minh"
    assert alert["acknowledged_at"] <= alert["resolved_at"]
    assert len(_lines(runner.invoke(cli, [*args, "alerts", "--status", "resolved", "--json"]).output)) == 1
    shown = runner.invoke(cli, [*args, "alerts", "show", str(target["id"])])
    assert "* vnexpress" in shown.output and "resolved by minh" in shown.output
    assert runner.invoke(cli, [*args, "alerts", "ack", "9999"]).exit_code == 1
    delivered = runner.invoke(cli, [*args, "alerts", "deliver", "--json"])
    assert _lines(delivered.output) == [{"due": 0, "sent": 0, "retry": 0, "dead": 0, "lost_lease": 0}]
    assert store.alert_counts(monitor.db) == {"new": expected - 1, "acknowledged": 0, "resolved": 1}
