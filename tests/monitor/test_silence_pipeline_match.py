"""Source silence over a real archive and crawl history; the item pipeline; the ``match`` rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from monitor_helpers import directive, make_settings
from monitor_stream import art

from monitor import store
from monitor.engine import Monitor, check_silence
from newswatch import localtime
from newswatch.models import Article
from newswatch.state.runs import SourceRun, finish_run, record_source_run, start_run
from newswatch.store import open_store
from pipelines.monitor import MonitorPipeline

SILENCE = """
rules:
  - name: source-silence
    type: source_silence
    min_silence: 6h
    max_silence: 48h
    max_consecutive_failures: 3
    realert: 12h
"""


def _run(monitor: Monitor, source: str, status: str) -> None:
    run_id = start_run(monitor.db, [source])
    record_source_run(monitor.db, run_id, SourceRun(source=source, status=status))
    finish_run(monitor.db, run_id)


def test_silent_and_failing_sources(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, SILENCE)
    with open_store(settings) as archive:
        for hour in range(10):  # baochinhphu publishes hourly
            archive.put(art(f"tin-{hour}", "baochinhphu", f"2026-11-20 {hour:02d}:00", f"Tin số {hour}",
                            f"Nội dung bản tin số {hour} về hoạt động của Chính phủ trong ngày, khác nhau {hour * 7}."))
        for day in (1, 2):  # mst: too little history for a cadence: 48 h
            archive.put(art(f"mst-{day}", "mst", f"2026-11-1{day} 08:00", f"Tin bộ {day}",
                            f"Bộ Khoa học và Công nghệ thông báo nội dung số {day}, hoàn toàn khác {day * 13}."))
    monitor = Monitor(settings)
    for _ in range(3):
        _run(monitor, "mst", "failed")
    now = localtime.utcnow() + timedelta(hours=10)
    alerts = check_silence(settings, now)
    assert sorted(a.key for a in alerts) == ["baochinhphu:silent", "mst:failing"]
    silent = store.get_alert(monitor.db, next(a.id for a in alerts if a.key == "baochinhphu:silent"))
    assert silent["severity"] == "ops" and "không có bài mới" in silent["headline"]
    assert silent["details"]["threshold_hours"] == 6.0
    # Within the realert window nothing repeats; after it, a condition that persists alerts again.
    assert check_silence(settings, now + timedelta(hours=1)) == []
    assert sorted(a.key for a in check_silence(settings, now + timedelta(hours=13))) == ["baochinhphu:silent",
                                                                                       "mst:failing"]
    # mst recovers: its failing alerts are resolved by the monitor.
    _run(monitor, "mst", "ok")
    assert check_silence(settings, now + timedelta(hours=14)) == []
    mst = store.list_alerts(monitor.db, rule="source-silence", limit=100)
    assert {a["status"] for a in mst if a["headline"].startswith("Nguồn mst")} == {"resolved"}
    assert {a["status"] for a in mst if "baochinhphu" in a["headline"]} == {"new"}


def test_pipeline_evaluates_only_stored_articles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    pipeline = MonitorPipeline(monitor=Monitor(settings))
    for outcome in ("unchanged", None):
        item = directive(5)
        item.store_outcome = outcome
        assert pipeline.process_item(item) is item
    assert store.list_alerts(pipeline.monitor.db) == []
    item = directive(5)
    item.store_outcome = "new"
    assert pipeline.process_item(item) is item
    assert [a["doc_number"] for a in store.list_alerts(pipeline.monitor.db)] == ["05/CT-TTg"]
    other = {"url": "https://x.example.vn/a"}
    assert pipeline.process_item(other) is other


def test_pipeline_survives_a_broken_rule_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path, "rules:\n  - name: broken\n    type: new_directive\n")
    monkeypatch.setenv("NEWSWATCH_CONFIG_DIR", str(settings.config_dir))
    monkeypatch.setenv("NEWSWATCH_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("NEWSWATCH_STATE_URL", raising=False)
    pipeline = MonitorPipeline()
    pipeline.open_spider()
    assert pipeline.monitor is not None and pipeline.monitor.rules_error is not None
    assert "rules[0] (broken).doc_types" in str(pipeline.monitor.rules_error)
    item = directive(6)
    assert pipeline.process_item(item) is item


MATCH = """
rules:
  - name: fraud-news
    type: match
    severity: low
    query: '"lừa đảo" -"cảnh sát biển"'
  - name: fraud-hourly
    type: match
    query: 'lừa đảo'
    sources: [vnexpress, dantri]
    query_key: rule
    realert: 1h
"""


def _fraud(slug: str, source: str, minute: int, text: str, cluster: str) -> Article:
    return art(slug, source, f"2026-11-20 10:{minute:02d}", f"Cảnh báo {slug}", text, cluster=cluster)


def test_match_rule_one_alert_per_cluster_and_realert(tmp_path: Path) -> None:
    monitor = Monitor(make_settings(tmp_path, MATCH))
    t = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    first = monitor.on_article(_fraud("a1", "vnexpress", 0, "Cảnh báo thủ đoạn lừa đảo qua tin nhắn ngân hàng.", "X"),
                               now=t)
    assert sorted(a.rule for a in first) == ["fraud-hourly", "fraud-news"]
    assert "lừa đảo" in first[0].evidence
    # The same story from another outlet: attached, no new alert.
    assert monitor.on_article(_fraud("a2", "dantri", 5, "Thủ đoạn lừa đảo qua tin nhắn ngân hàng lan rộng.", "X"),
                              now=t + timedelta(minutes=5)) == []
    # Another story within the hour: fraud-news alerts, fraud-hourly (one per hour) attaches.
    other = monitor.on_article(_fraud("b1", "dantri", 20, "Giả danh công an để lừa đảo người cao tuổi.", "Y"),
                               now=t + timedelta(minutes=20))
    assert [a.rule for a in other] == ["fraud-news"]
    # Excluded phrase, and no match at all.
    assert monitor.on_article(_fraud("c1", "tuoitre", 30, "Cảnh sát biển bắt tàu lừa đảo buôn lậu.", "Z"),
                              now=t + timedelta(minutes=30)) == []
    assert monitor.on_article(_fraud("d1", "tuoitre", 31, "Thời tiết Hà Nội hôm nay nắng ráo.", "W"),
                              now=t + timedelta(minutes=31)) == []
    # After the realert window the hourly rule alerts again.
    later = monitor.on_article(_fraud("e1", "vnexpress", 59, "Lừa đảo đầu tư tiền ảo, nhiều người mất tiền.", "V"),
                               now=t + timedelta(minutes=90))
    assert sorted(a.rule for a in later) == ["fraud-hourly", "fraud-news"]
    hourly = store.list_alerts(monitor.db, rule="fraud-hourly")
    assert sorted(a["article_count"] for a in hourly) == [1, 3]


def test_articles_stored_by_an_interrupted_run_alert_once_in_the_next_run(tmp_path: Path) -> None:
    from types import SimpleNamespace

    settings = make_settings(tmp_path)
    spider = SimpleNamespace(source=SimpleNamespace(name="baochinhphu"))
    first = MonitorPipeline(monitor=Monitor(settings))
    db = first.monitor.db
    run_id = start_run(db, ["baochinhphu"])
    with open_store(settings) as articles:
        evaluated = directive(5)
        evaluated.store_outcome = articles.put(evaluated).outcome.value
        first.process_item(evaluated)  # stored and evaluated before the kill
        articles.put(directive(6))  # committed, then the process was killed: never evaluated
        articles.put(directive(7, source="vnexpress"))  # another source's: its own runs catch it up
    finish_run(db, run_id, "interrupted")
    assert [a["doc_number"] for a in store.list_alerts(db)] == ["05/CT-TTg"]

    for _run_again in range(2):  # the next run of the source, and the one after it
        pipeline = MonitorPipeline(monitor=Monitor(settings))
        pipeline.open_spider(spider)
        finish_run(db, start_run(db, ["baochinhphu"]), "ok")
        assert sorted(a["doc_number"] for a in store.list_alerts(db)) == ["05/CT-TTg", "06/CT-TTg"]
