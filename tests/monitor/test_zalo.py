"""Zalo OA delivery through the outbox to a loopback server that answers as Zalo's API does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from monitor_helpers import directive
from zalo_server import USER_ID, ZaloServer, serve

from monitor import channels, store
from monitor.delivery import deliver_pending
from monitor.engine import Monitor

T0 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # 16:00 in Hà Nội


@pytest.fixture
def zalo() -> Iterator[ZaloServer]:
    yield from serve()


def test_alert_reaches_zalo_after_renewing_an_expired_token(make_monitor_settings, zalo) -> None:
    settings = make_monitor_settings(notify=[zalo.url(access_token="expired-token")])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(7), now=T0)
    assert deliver_pending(settings, now=T0)["sent"] == 1
    [message] = zalo.messages
    [row] = store.outbox_status(monitor.db, alert.id)
    assert message["recipient"] == {"user_id": USER_ID}
    text = message["message"]["text"]
    assert text.startswith("[KHẨN] Văn bản mới ban hành: Chỉ thị 07/CT-TTg")
    assert "Ngày ban hành: 12/11/2026" in text and row["idempotency_key"] in text
    assert len(zalo.rejected) == 1 and [r["refresh_token"] for r in zalo.refreshes] == ["R1"]
    # The target is shown without its secret or tokens.
    assert row["target"] == f"zalo://4291763606161179100:****@{USER_ID}"
    # The next alert uses the renewed token: no second refresh.
    monitor.on_article(directive(8), now=T0)
    assert deliver_pending(settings, now=T0)["sent"] == 1
    assert len(zalo.messages) == 2 and len(zalo.refreshes) == 1


def test_spent_refresh_token_in_the_url_is_not_reused(make_monitor_settings, zalo) -> None:
    """Zalo's refresh tokens work once: after a restart the stored new one is used, not the URL's."""
    settings = make_monitor_settings(notify=[zalo.url()])
    monitor = Monitor(settings)
    monitor.on_article(directive(9), now=T0)
    assert deliver_pending(settings, now=T0)["sent"] == 1
    zalo.valid_tokens.clear()  # the access token expires
    restarted = make_monitor_settings(notify=[zalo.url()])
    Monitor(restarted).on_article(directive(10), now=T0)
    assert deliver_pending(restarted, now=T0)["sent"] == 1
    assert [r["refresh_token"] for r in zalo.refreshes] == ["R1", "R2"]
    assert len(zalo.messages) == 2


def test_zalo_down_then_back_gets_each_message_once(make_monitor_settings, zalo) -> None:
    zalo.fail_next = 2
    settings = make_monitor_settings(notify=[zalo.url()])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(11), now=T0)
    assert deliver_pending(settings, now=T0)["retry"] == 1
    [row] = store.outbox_status(monitor.db, alert.id)
    assert row["status"] == "pending" and "HTTP 502" in row["last_error"]
    assert deliver_pending(settings, now=T0 + timedelta(seconds=11))["retry"] == 1
    assert deliver_pending(settings, now=T0 + timedelta(seconds=40))["sent"] == 1
    assert deliver_pending(settings, now=T0 + timedelta(hours=3))["due"] == 0
    assert len(zalo.messages) == 1
    last = channels.last_result(monitor.db, zalo.url())
    assert last["ok"] is True and last["kind"] == "alert"


def test_a_wrong_refresh_token_is_reported_not_retried_forever(make_monitor_settings, zalo) -> None:
    settings = make_monitor_settings(notify=[zalo.url(refresh_token="nope")])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(12), now=T0)
    assert deliver_pending(settings, now=T0)["retry"] == 1
    [row] = store.outbox_status(monitor.db, alert.id)
    assert "Invalid refresh token" in row["last_error"]
    assert zalo.messages == []


def test_incomplete_zalo_url_is_dead_at_once_with_the_fix(make_monitor_settings) -> None:
    settings = make_monitor_settings(notify=["zalo://12345@678"])
    monitor = Monitor(settings)
    [alert] = monitor.on_article(directive(13), now=T0)
    assert deliver_pending(settings, now=T0)["dead"] == 1
    [row] = store.outbox_status(monitor.db, alert.id)
    assert "SECRET_KEY" in row["last_error"] and "refresh_token" in row["last_error"]


def test_test_notification_reaches_a_webhook_and_zalo(make_monitor_settings, webhook, zalo) -> None:
    settings = make_monitor_settings(notify=[webhook.url, zalo.url()])
    results = channels.send_test(settings)
    assert [r["ok"] for r in results] == [True, True]
    [hook] = webhook.accepted()
    assert hook.payload["title"] == "[newswatch] Thông báo thử"
    [text] = zalo.texts()
    assert "Thông báo thử từ newswatch" in text and results[1]["key"] in text
    status = channels.status(settings)
    assert [s["last"]["ok"] for s in status] == [True, True]
    assert [s["last"]["kind"] for s in status] == ["test", "test"]
    # A failing channel says why, and the failed test is not retried later.
    zalo.fail_next = 5
    again = channels.send_test(settings)
    assert again[1]["ok"] is False and "502" in again[1]["error"]
    assert deliver_pending(settings, now=datetime.now(UTC) + timedelta(hours=1))["due"] == 0
    assert channels.status(settings)[1]["last"]["ok"] is False


def test_notification_times_follow_the_configured_time_zone(make_monitor_settings, webhook) -> None:
    settings = make_monitor_settings(notify=[webhook.url], quiet="quiet_hours: null\ntimezone: Asia/Tokyo")
    monitor = Monitor(settings)
    monitor.on_article(directive(14), now=T0)
    deliver_pending(settings, now=T0)
    [got] = webhook.accepted()
    # created 09:00 UTC = 18:00 in Tokyo (it would read 16:00 in Hà Nội)
    assert "Tạo lúc 18:00 12/11/2026" in got.payload["message"]
