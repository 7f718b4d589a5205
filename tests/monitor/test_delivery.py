"""Delivery through the outbox to a real SMTP server and a real webhook receiver on loopback."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from monitor_helpers import RULES_FOR_DELIVERY, directive

from monitor import store
from monitor.delivery import deliver_pending
from monitor.engine import Monitor

T0 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # 16:00 in Hà Nội


def test_email_through_smtp_carries_vietnamese_text_and_idempotency_key(make_monitor_settings, smtp_server) -> None:
    settings = make_monitor_settings(notify=[smtp_server.url()])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(7), now=T0)
    assert store.outbox_status(monitor.db, alert.id)[0]["status"] == "pending"  # committed before any send
    counts = deliver_pending(settings, now=T0)
    assert counts["sent"] == 1
    [message] = smtp_server.messages
    [row] = store.outbox_status(monitor.db, alert.id)
    assert message["X-Newswatch-Idempotency-Key"] == row["idempotency_key"]
    assert message["Subject"] == "[KHẨN] Văn bản mới ban hành: Chỉ thị 07/CT-TTg (Thủ tướng Chính phủ)"
    assert message["To"] == "press@example.org"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    for body in (html, text):
        assert "07/CT-TTg" in body and "vừa ký ban hành" in body and row["idempotency_key"] in body
        assert "https://baochinhphu.example.vn/ct-7-baochinhphu.htm" in body
    assert "<strong>" in html
    # Sent is final: running the worker again sends nothing.
    assert deliver_pending(settings, now=T0 + timedelta(days=1))["sent"] == 0
    assert len(smtp_server.messages) == 1
    assert store.get_alert(monitor.db, alert.id)["delivery"] == "sent"


def test_webhook_payload_and_headers(make_monitor_settings, webhook) -> None:
    settings = make_monitor_settings(notify=[webhook.url])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(8), now=T0)
    deliver_pending(settings, now=T0)
    [got] = webhook.accepted()
    [row] = store.outbox_status(monitor.db, alert.id)
    assert got.headers["Idempotency-Key"] == row["idempotency_key"]
    assert got.headers["X-Newswatch-Idempotency-Key"] == row["idempotency_key"]
    assert got.payload["idempotency_key"] == row["idempotency_key"]
    assert got.payload["title"].startswith("[KHẨN] Văn bản mới ban hành: Chỉ thị 08/CT-TTg")
    assert "Trích dẫn: \"Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 08/CT-TTg" in got.payload["message"]  # text


def test_receiver_failing_twice_gets_it_once_after_retries(make_monitor_settings, webhook) -> None:
    webhook.fail_first = 2
    settings = make_monitor_settings(notify=[webhook.url])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(9), now=T0)
    assert deliver_pending(settings, now=T0)["retry"] == 1
    [row] = store.outbox_status(monitor.db, alert.id)
    assert row["status"] == "pending" and row["attempts"] == 1 and "500" in (row["last_error"] or "")
    # Back-off: nothing is due 5 s later; 10 s after the first failure it is, then 20 s after the second.
    assert deliver_pending(settings, now=T0 + timedelta(seconds=5))["due"] == 0
    assert deliver_pending(settings, now=T0 + timedelta(seconds=11))["retry"] == 1
    assert deliver_pending(settings, now=T0 + timedelta(seconds=25))["due"] == 0
    assert deliver_pending(settings, now=T0 + timedelta(seconds=40))["sent"] == 1
    assert [r.status for r in webhook.received] == [500, 500, 200]
    assert len({r.key for r in webhook.received}) == 1
    assert len(webhook.accepted()) == 1
    [row] = store.outbox_status(monitor.db, alert.id)
    assert row["status"] == "sent" and row["attempts"] == 3 and row["last_error"] is None
    assert deliver_pending(settings, now=T0 + timedelta(hours=5))["due"] == 0
    assert len(webhook.received) == 3


def test_gives_up_after_max_attempts_and_shows_it(make_monitor_settings, webhook) -> None:
    webhook.fail_first = 100
    settings = make_monitor_settings(notify=[webhook.url])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(10), now=T0)
    when = T0
    outcomes = []
    for _ in range(6):
        counts = deliver_pending(settings, now=when)
        outcomes.append("dead" if counts["dead"] else "retry" if counts["retry"] else "-")
        when += timedelta(hours=2)
    assert outcomes == ["retry", "retry", "retry", "dead", "-", "-"]  # max_attempts: 4
    [row] = store.outbox_status(monitor.db, alert.id)
    assert row["status"] == "dead" and row["attempts"] == 4
    assert store.get_alert(monitor.db, alert.id)["delivery"] == "failed"


def test_unusable_url_is_dead_at_once(make_monitor_settings) -> None:
    settings = make_monitor_settings(notify=["nosuchservice://whatever"])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(11), now=T0)
    assert deliver_pending(settings, now=T0)["dead"] == 1
    [row] = store.outbox_status(monitor.db, alert.id)
    assert "apprise URL" in row["last_error"]


def test_rule_targets_and_default_targets_each_get_one(make_monitor_settings, webhook, smtp_server) -> None:
    rules = RULES_FOR_DELIVERY.replace("    severity: high\n", f"    severity: high\n    notify: ['{smtp_server.url('cds@example.org')}']\n", 1)
    settings = make_monitor_settings(rules, notify=[webhook.url])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(12), now=T0)
    assert deliver_pending(settings, now=T0)["sent"] == 2
    assert len(webhook.accepted()) == 1 and len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "cds@example.org"
    keys = {r["idempotency_key"] for r in store.outbox_status(monitor.db, alert.id)}
    assert len(keys) == 2


def test_concurrent_workers_send_each_notification_once(make_monitor_settings, webhook) -> None:
    settings = make_monitor_settings(notify=[webhook.url])
    monitor = Monitor(settings)
    alerts = [a for n in range(20, 32) for a in monitor.on_article(directive(n), now=T0)]
    assert len(alerts) == 12
    results: list[dict[str, int]] = []

    def work() -> None:
        results.append(deliver_pending(settings, now=T0))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    keys = [r.key for r in webhook.accepted()]
    assert len(keys) == 12 and len(set(keys)) == 12
    assert sum(r["sent"] for r in results) == 12


def test_quiet_hours_hold_normal_but_not_high(make_monitor_settings, webhook) -> None:
    settings = make_monitor_settings(notify=[webhook.url], quiet='quiet_hours: {start: "22:00", end: "06:30"}')
    monitor = Monitor(settings)
    night = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # 23:00 in Hà Nội
    [urgent] = monitor.on_article(directive(40, day=18), now=night)  # digital transformation: high
    [normal] = monitor.on_article(directive(41, day=18, kind="CĐ", topic="ứng phó với bão số 15"), now=night)
    assert urgent.severity == "high" and normal.severity == "normal"
    assert deliver_pending(settings, now=night)["sent"] == 1
    [held] = store.outbox_status(monitor.db, normal.id)
    assert held["status"] == "pending" and held["held"] == "quiet"
    assert store.get_alert(monitor.db, normal.id)["delivery"] == "held"
    assert deliver_pending(settings, now=datetime(2026, 11, 18, 23, 0, tzinfo=UTC))["sent"] == 0  # 06:00 local
    assert deliver_pending(settings, now=datetime(2026, 11, 18, 23, 31, tzinfo=UTC))["sent"] == 1  # 06:31 local
    titles = [r.payload["title"] for r in webhook.accepted()]
    assert "40/CT-TTg" in titles[0] and "41/CĐ-TTg" in titles[1]


def test_hourly_digest_sends_one_message_for_the_hour(make_monitor_settings, webhook) -> None:
    rules = RULES_FOR_DELIVERY.replace("    severity: normal\n", "    severity: normal\n    digest: hourly\n", 1)
    settings = make_monitor_settings(rules, notify=[webhook.url])
    monitor = Monitor(settings)
    t = datetime(2026, 11, 19, 2, 10, tzinfo=UTC)  # 09:10 in Hà Nội
    topic = "phòng, chống thiên tai"
    first = monitor.on_article(directive(50, day=19, kind="CĐ", topic=topic), now=t)
    second = monitor.on_article(directive(51, day=19, kind="CĐ", topic=topic), now=t + timedelta(minutes=20))
    assert len(first) == len(second) == 1
    assert deliver_pending(settings, now=t + timedelta(minutes=30))["due"] == 0  # the hour is not over
    assert deliver_pending(settings, now=t + timedelta(minutes=51))["sent"] == 1  # 10:01 local
    [got] = webhook.accepted()
    assert got.payload["title"].startswith("[Bản tin theo giờ] gov-new-directives: 2 cảnh báo")
    assert "50/CĐ-TTg" in got.payload["message"] and "51/CĐ-TTg" in got.payload["message"]
    assert got.payload["idempotency_key"].startswith("nw-digest-gov-new-directives-hourly-")
    assert deliver_pending(settings, now=t + timedelta(hours=3))["due"] == 0
