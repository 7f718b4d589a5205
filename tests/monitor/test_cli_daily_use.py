"""The CLI as a press officer and an analyst use it: local times, clear errors, pipes, notifications."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from monitor_helpers import directive, make_settings
from monitor_stream import art

from monitor.engine import Monitor
from newswatch.cli import cli
from newswatch.store import open_store

T0 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # 16:00 on 12/11 in Hà Nội
LONG_URL = "https://baochinhphu.example.vn/" + "thu-tuong-chinh-phu-vua-ky-ban-hanh-chi-thi-ve-chuyen-doi-so-" * 3 + "1.htm"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS", "NEWSWATCH_USER"):
        monkeypatch.delenv(var, raising=False)
    settings = make_settings(tmp_path)
    args = ["--config-dir", str(settings.config_dir), "--data-dir", str(settings.data_dir)]
    return settings, args


def _run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, args)


def _alert(settings) -> int:  # type: ignore[no-untyped-def]
    [alert] = Monitor(settings).on_article(directive(7), now=T0)
    return alert.id


def test_alert_times_are_local_and_json_carries_the_offset(env) -> None:  # type: ignore[no-untyped-def]
    settings, args = env
    alert_id = _alert(settings)
    listed = _run([*args, "alerts"])
    assert f"#{alert_id:<5} 12/11/2026 16:00 high" in listed.stdout
    shown = _run([*args, "alerts", "show", str(alert_id)])
    assert "created 12/11/2026 16:00" in shown.stdout
    assert "baochinhphu 12/11/2026 15:00" in shown.stdout  # published 15:00 local
    [row] = [json.loads(line) for line in _run([*args, "alerts", "--json"]).stdout.splitlines()]
    assert row["created_at"] == "2026-11-12T16:00:00+07:00"
    assert row["first_article"]["published"] == "2026-11-12T15:00:00+07:00"


def test_ack_says_who_it_records_and_keeps_a_note(env, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    settings, args = env
    alert_id = _alert(settings)
    monkeypatch.setenv("NEWSWATCH_USER", "hoa")
    acked = _run([*args, "alerts", "ack", str(alert_id), "--note", "đã báo cáo lãnh đạo"])
    assert acked.exit_code == 0
    assert "acknowledged by hoa" in acked.stdout
    assert "recorded as user 'hoa' ($NEWSWATCH_USER); pass --by NAME" in acked.stderr
    resolved = _run([*args, "alerts", "resolve", str(alert_id), "--by", "lan"])
    assert "resolved by lan" in resolved.stdout and resolved.stderr == ""
    shown = _run([*args, "alerts", "show", str(alert_id)]).stdout
    assert "note by hoa at" in shown and "đã báo cáo lãnh đạo" in shown


def test_unknown_rule_or_source_is_an_error_naming_the_known_ones(env) -> None:  # type: ignore[no-untyped-def]
    settings, args = env
    _alert(settings)
    with open_store(settings) as archive:
        archive.put(art("a1", "baochinhphu", "2026-11-12 15:00", "Tin chuyển đổi số", "Chuyển đổi số quốc gia."))
    bad_rule = _run([*args, "alerts", "--rule", "cds-new-directive"])
    assert bad_rule.exit_code == 2
    assert "no rule 'cds-new-directive'; known rules: cds-new-directives, gov-new-directives" in bad_rule.output
    bad_source = _run([*args, "search", "chuyển đổi số", "--source", "baochinhfu"])
    assert bad_source.exit_code == 2
    assert "unknown source 'baochinhfu'" in bad_source.output and "baochinhphu" in bad_source.output


def test_search_since_a_span_and_output_not_wrapped_in_a_pipe(env) -> None:  # type: ignore[no-untyped-def]
    settings, args = env
    now = datetime.now(UTC)
    with open_store(settings) as archive:
        recent = art("moi", "baochinhphu", (now - timedelta(days=2)).astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                     "Chuyển đổi số tuần này", "Bộ trưởng phát biểu về chuyển đổi số quốc gia trong tuần này.")
        recent.url = LONG_URL
        archive.put(recent)
        archive.put(art("cu", "baochinhphu", "2026-01-05 09:00", "Chuyển đổi số đầu năm",
                        "Tổng kết chuyển đổi số quốc gia năm cũ với nhiều kết quả nổi bật."))
    result = _run([*args, "search", "chuyển đổi số", "--since", "7d", "--json"])
    assert result.exit_code == 0, result.output
    assert [h["title"] for h in json.loads(result.stdout)["hits"]] == ["Chuyển đổi số tuần này"]
    text = _run([*args, "search", "chuyển đổi số", "--since", "7d"]).stdout
    assert any(LONG_URL in line for line in text.splitlines())  # one line: the URL is not split
    assert max(len(line) for line in text.splitlines()) > 80


def test_extract_refuses_a_url_that_is_not_one(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>Tiêu đề</h1><p>Nội dung.</p></body></html>", encoding="utf-8")
    result = _run(["extract", str(page), "--url", "notaurl"])
    assert result.exit_code == 2
    assert "'notaurl' is not the page's web address" in result.output


def test_read_only_commands_on_a_missing_data_dir_say_so_and_create_nothing(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = env
    missing = tmp_path / "no-such-data"
    for command in (["search", "chuyển đổi số"], ["alerts"], ["alerts", "show", "1"], ["schedule", "list"],
                    ["notify", "status"]):
        result = _run(["--config-dir", str(settings.config_dir), "--data-dir", str(missing), *command])
        assert result.exit_code == 1, command
        assert f"no data directory at {missing}" in result.output
        assert not missing.exists()


def test_notify_test_without_a_channel_says_how_to_set_one_up(env) -> None:  # type: ignore[no-untyped-def]
    _, args = env
    result = _run([*args, "notify", "test"])
    assert result.exit_code == 1
    assert "No notification channel is configured" in result.stderr and "NEWSWATCH_NOTIFY_URLS" in result.stderr


def test_notify_test_and_status_with_a_webhook(env, webhook, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _, args = env
    monkeypatch.setenv("NEWSWATCH_NOTIFY_URLS", webhook.url)
    result = _run([*args, "notify", "test"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK     json://127.0.0.1")
    assert [r.payload["title"] for r in webhook.accepted()] == ["[newswatch] Thông báo thử"]
    status = _run([*args, "notify", "status"]).stdout
    assert "(NEWSWATCH_NOTIFY_URLS)  last test" in status and ": sent" in status


def test_a_config_without_rules_is_announced_loudly(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = env
    config = tmp_path / "bare-config"
    config.mkdir()
    (config / "sources.yaml").write_text("sources:\n  - name: demo\n    enabled: false\n"
                                         "    feeds: [https://baochinhphu.vn/rss/home.rss]\n", encoding="utf-8")
    result = _run(["--config-dir", str(config), "--data-dir", str(settings.data_dir), "crawl"])
    assert f"configuration loaded from {config} (0 alert rule(s))" in result.stderr
    assert "WARNING: no alert rules" in result.stderr
    gone = _run(["--config-dir", str(tmp_path / "nowhere"), "--data-dir", str(settings.data_dir), "crawl",
                 "--sources", str(config / "sources.yaml")])
    assert "WARNING: configuration folder" in gone.stderr and "does not exist" in gone.stderr


def test_crawl_summary_has_readable_reasons_and_keeps_log_lines_in_a_file(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from monitor_helpers import free_port

    from newswatch.settings import PROJECT_ROOT

    port = free_port()  # nothing listens there: every request is refused
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - name: tatnguon\n    feeds: [http://127.0.0.1:{port}/rss/home.rss]\n",
                       encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config"), "NEWSWATCH_EXTRACT_WORKERS": "1"}
    env.pop("NEWSWATCH_STATE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources), "--data-dir",
                           str(data), "--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_TIMEOUT=2"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=str(tmp_path))
    assert "tatnguon: Không kết nối được tới 127.0.0.1 — " in proc.stdout, proc.stdout + proc.stderr
    assert "[scrapy" not in proc.stdout + proc.stderr and "Traceback" not in proc.stdout + proc.stderr
    [log_line] = [line for line in proc.stdout.splitlines() if line.startswith("full log: ")]
    log_file = Path(log_line.removeprefix("full log: "))
    assert log_file.parent == data / "logs"
    assert "Connection" in log_file.read_text(encoding="utf-8") or "refused" in log_file.read_text(encoding="utf-8")
