"""The daily briefing: the day's directives, most-reported stories and silent sources, sent once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor_helpers import RULES_FOR_DELIVERY, directive
from monitor_stream import art

from monitor import briefing, store
from monitor.delivery import deliver_pending
from monitor.engine import Monitor
from newswatch.state import runs
from newswatch.state.db import open_state
from newswatch.store import open_store

RULES = RULES_FOR_DELIVERY + """
  - name: nguon-im-lang
    type: source_silence
    sources: [vietnamnet]
    max_consecutive_failures: 1
"""
BRIEFING = 'quiet_hours: null\nbriefing: {time: "07:30"}'
T_ALERT = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # 16:00 on 12/11 in Hà Nội
DUE = datetime(2026, 11, 13, 0, 30, tzinfo=UTC)  # 07:30 on 13/11 in Hà Nội


def _story_text(n: int) -> str:
    return ("Mưa lũ lớn kéo dài khiến nhiều tuyến đường ở Quảng Bình, Quảng Trị bị ngập sâu, chính quyền địa phương đã "
            "sơ tán hàng nghìn hộ dân đến nơi an toàn.\n\nLực lượng cứu hộ túc trực 24/24 giờ tại các điểm xung yếu, "
            f"bảo đảm an toàn cho người dân trong mùa mưa bão năm nay. Bản tin số {n}.")


def _seed(settings) -> Monitor:  # type: ignore[no-untyped-def]
    articles = open_store(settings)
    monitor = Monitor(settings, article_store=articles)
    # A directive, reported first by baochinhphu, then copied by vietnamplus.
    for source in ("baochinhphu", "vietnamplus"):
        article = directive(7, source=source)
        result = articles.put(article)
        article.cluster_id, article.store_outcome = result.cluster_id, result.outcome.value
        monitor.on_article(article, now=T_ALERT)
    # A flood story carried by three outlets; an unrelated story by one.
    for i, source in enumerate(("vnexpress", "tuoitre", "thanhnien")):
        articles.put(art(f"lu-{i}", source, f"2026-11-12 1{i}:00", "Mưa lũ lớn ở miền Trung, hàng nghìn hộ dân sơ tán",
                         _story_text(1)))
    articles.put(art("rieng", "dantri", "2026-11-12 11:00", "Khai mạc hội chợ sách mùa đông",
                     "Hội chợ sách mùa đông khai mạc tại Hà Nội với hàng trăm gian hàng của các nhà xuất bản lớn.\n\n"
                     "Ban tổ chức cho biết năm nay có nhiều hoạt động giao lưu tác giả và độc giả."))
    # vietnamnet keeps failing: the silence rule opens an alert.
    db = open_state(settings.state_url)
    run_id = runs.start_run(db, ["vietnamnet"])
    runs.record_source_run(db, run_id, runs.SourceRun(source="vietnamnet", status="failed", requests=3,
                                                       errors={"dns": 3}, started_at=T_ALERT))
    runs.finish_run(db, run_id)
    monitor.run_periodic(T_ALERT + timedelta(minutes=5))
    articles.close()
    return monitor


def test_briefing_lists_directives_stories_and_silent_sources(make_monitor_settings) -> None:
    settings = make_monitor_settings(RULES, quiet=BRIEFING)
    _seed(settings)
    start, end = briefing.window(settings, DUE.date())
    assert (start, end) == (DUE - timedelta(days=1), DUE)
    report = briefing.build(settings, start, end)
    [doc] = report["directives"]
    assert doc["number"] == "07/CT-TTg" and doc["publisher"] == "baochinhphu"
    assert doc["url"] == "https://baochinhphu.example.vn/ct-7-baochinhphu.htm"
    story, second = report["stories"]  # the most reported first; a story of one outlet is left out
    assert second["count"] == 2 and second["outlets"] == ["baochinhphu", "vietnamplus"]
    assert story["count"] == 3 and story["outlets"] == ["thanhnien", "tuoitre", "vnexpress"]
    assert story["first_source"] == "vnexpress"
    assert [s["source"] for s in report["silent"]] == ["vietnamnet"]


def test_briefing_is_sent_once_at_the_configured_local_time(make_monitor_settings, webhook) -> None:
    settings = make_monitor_settings(RULES, quiet=BRIEFING, notify=[webhook.url])
    _seed(settings)
    deliver_pending(settings, now=T_ALERT + timedelta(hours=1))  # the alert notifications
    before = len(webhook.accepted())
    assert briefing.enqueue_due(settings, DUE - timedelta(minutes=1)) == 0  # yesterday's is a day old: not sent late
    assert briefing.enqueue_due(settings, DUE + timedelta(minutes=1)) == 1
    assert deliver_pending(settings, now=DUE + timedelta(minutes=1))["sent"] == 1
    [got] = webhook.accepted()[before:]
    assert got.payload["title"].startswith("[Bản tin ngày 13/11/2026] 1 văn bản mới, 2 tin nổi bật, 1 nguồn im lặng")
    text = got.payload["message"]
    assert "07/CT-TTg" in text and "Đăng đầu tiên: baochinhphu, 15:00 12/11/2026" in text
    assert "3 báo (thanhnien, tuoitre, vnexpress)" in text and "vietnamnet" in text
    assert "từ 07:30 12/11/2026 đến 07:30 13/11/2026" in text
    # A restart (new settings, new process state) later that day queues nothing and sends nothing.
    restarted = make_monitor_settings(RULES, quiet=BRIEFING, notify=[webhook.url])
    assert briefing.enqueue_due(restarted, DUE + timedelta(hours=3)) == 0
    assert deliver_pending(restarted, now=DUE + timedelta(hours=3))["due"] == 0
    assert len(webhook.accepted()) == before + 1
    # The next day has its own briefing.
    assert briefing.enqueue_due(restarted, DUE + timedelta(days=1, minutes=2)) == 1
    rows = [r for r in store.outbox_status(open_state(settings.state_url)) if r["kind"] == "briefing"]
    assert [r["idempotency_key"][:20] for r in rows] == ["nw-briefing-20261113", "nw-briefing-20261114"]


def test_a_briefing_missed_for_a_whole_day_is_not_sent_late(make_monitor_settings, webhook) -> None:
    settings = make_monitor_settings(RULES, quiet=BRIEFING, notify=[webhook.url])
    assert briefing.enqueue_due(settings, DUE + timedelta(hours=13)) == 0


def test_the_scheduler_runs_the_briefing_at_the_local_time(make_monitor_settings) -> None:
    from newswatch.service.scheduler import BRIEFING_JOB, add_system_jobs, build_scheduler

    settings = make_monitor_settings(RULES, quiet=BRIEFING)
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        add_system_jobs(scheduler, settings)
        job = scheduler.get_job(BRIEFING_JOB)
        next_run = job.trigger.get_next_fire_time(None, datetime(2026, 11, 13, 0, 0, tzinfo=UTC))
        assert next_run.astimezone(UTC) == DUE
        assert job.func_ref == "monitor.briefing:scheduled_job"
    finally:
        scheduler.shutdown(wait=False)
