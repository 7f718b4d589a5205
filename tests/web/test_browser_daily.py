"""Daily use in real headless Chromium: notifications that visibly work, navigation, readable health,
Vietnamese names for analysts, the briefing page and the API reference under the page's CSP."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from web_seed import PASSWORD, USER, Seeded
from web_seed import shot as _shot

pytestmark = pytest.mark.browser


@pytest.fixture
def hook() -> Iterator[dict[str, Any]]:
    """A JSON webhook receiver on loopback (what apprise's json:// posts to)."""
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"json://127.0.0.1:{server.server_address[1]}/hook", "received": got}
    server.shutdown()
    server.server_close()


def _login(page: Any, live_server: str, next_path: str) -> None:
    page.goto(f"{live_server}/login?next={next_path}")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")


def test_without_a_channel_every_alerts_page_says_so(page: Any, live_server: str, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    for path in ("/alerts", f"/alerts/{seeded.alert_id}", "/alerts?status=resolved"):
        page.goto(f"{live_server}{path}")
        banner = page.locator(".banner.no-channel")
        expect(banner).to_contain_text("Chưa cấu hình kênh thông báo")
        expect(banner).to_contain_text("NEWSWATCH_NOTIFY_URLS")
    _login(page, live_server, "/alerts")
    expect(page.locator("form.test-notify button")).to_be_disabled()


def test_send_a_test_notification_and_see_the_result(page: Any, live_server: str, seeded: Seeded, hook: dict,
                                                      screenshots: Path) -> None:
    from playwright.sync_api import expect

    seeded.settings.notify_urls.append(hook["url"])
    _login(page, live_server, "/alerts")
    expect(page.locator(".banner.no-channel")).to_have_count(0)
    expect(page.locator("details.channels summary")).to_contain_text("Kênh thông báo")
    page.click("form.test-notify button")
    expect(page.locator("p.tested")).to_contain_text("1/1 kênh thành công")
    row = page.locator("table.channels tbody tr").first
    expect(row).to_contain_text("json://127.0.0.1")
    expect(row).to_contain_text("Thành công · thông báo thử")
    assert [m["title"] for m in hook["received"]] == ["[newswatch] Thông báo thử"]
    _shot(page, screenshots, "channels.png")


def test_login_returns_to_the_alert_and_acknowledging_keeps_a_note(page: Any, live_server: str,
                                                                    seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/alerts")
    page.locator(f"#alert-{seeded.alert_id} a.login-to-ack").click()
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/alerts/{seeded.alert_id}$"))
    card = page.locator(f"#alert-{seeded.alert_id}")
    card.locator("form.ack-form input[name=note]").fill("đã báo cáo lãnh đạo")
    card.locator("button.ack").click()
    card = page.locator(f"#alert-{seeded.alert_id}")
    expect(card.locator(".badge.st")).to_have_text("Đã nhận")
    expect(card.locator(".note")).to_contain_text(f"Ghi chú của {USER}")
    expect(card.locator(".note")).to_contain_text("đã báo cáo lãnh đạo")


def test_a_filtered_empty_list_says_it_is_the_filter(page: Any, live_server: str, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/alerts?status=resolved")
    expect(page.locator("p.empty.filtered")).to_contain_text("Không có cảnh báo nào khớp bộ lọc này")
    page.locator("p.empty.filtered a").click()
    expect(page.locator(f"#alert-{seeded.alert_id}")).to_be_visible()


def test_sources_page_reads_well_on_a_phone(browser: Any, live_server: str, seeded: Seeded,
                                            screenshots: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN", is_mobile=True)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server}/sources")
        row = phone.locator("tr[data-source=vietnamnet]")
        expect(row.locator(".reason")).to_have_text("DNS: không phân giải được vietnamnet.vn — 3 URL")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "page overflows"
        _shot(phone, screenshots, "sources-phone.png")
        row.locator("a.log-link").click()
        expect(phone.locator("ul.raw-log")).to_contain_text("dns: 3")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()


def test_analyst_sees_vietnamese_names_and_a_partial_number_hint(page: Any, live_server: str,
                                                                   seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/search?q=chuyen+doi+so")
    expect(page.locator("section.facet[data-facet=topic] a[data-value=chuyen-doi-so]")).to_have_text("Chuyển đổi số")
    expect(page.locator("section.facet[data-facet=doc_type] a[data-value=CT]")).to_have_text("Chỉ thị (CT)")
    expect(page.locator("article.hit .tag").first).to_have_text(re.compile("Chuyển đổi số"))
    # the header's article count is what the month facet counts
    months = [int(t) for t in page.locator("section.facet[data-facet=month] .count").all_inner_texts()]
    assert int(page.locator(".article-total").inner_text()) == sum(months)
    page.goto(f"{live_server}/search?doc_number=15%2FCT")
    hint = page.locator("p.doc-hint")
    expect(hint).to_contain_text("cần số, ký hiệu đầy đủ")
    hint.locator("a.docno", has_text="15/CT-TTg").click()
    expect(page.locator("article.hit").first).to_be_visible()


def test_briefing_page(page: Any, live_server: str, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/search")
    page.locator("header nav a", has_text="Bản tin").click()
    expect(page.locator("h1")).to_contain_text("Bản tin ngày")
    # the newest briefing was sent before the seeded alert: the next day's shows what it holds so far
    page.locator("a.next-day").click()
    expect(page.locator("h1 .upcoming")).to_have_text("đến giờ, chưa gửi")
    directives = page.locator("section.directives li")
    expect(directives.first).to_contain_text("15/CT-TTg")
    expect(directives.first).to_contain_text("Đăng đầu tiên: baochinhphu")
    expect(page.locator("section.silent")).to_contain_text("Tất cả các nguồn đều hoạt động")
    # the seeded story (three outlets) is in the briefing whose 24 hours hold its first publication
    from datetime import timedelta

    from monitor import briefing
    from newswatch.store import open_store

    with open_store(seeded.settings) as archive:
        first = archive.get(seeded.directive_ids[0])
    day = briefing.latest_day(seeded.settings, first.published) + timedelta(days=1)
    page.goto(f"{live_server}/briefing?day={day.isoformat()}")
    story = page.locator("section.stories li").first
    expect(story).to_contain_text("3 báo")
    expect(story).to_contain_text("baochinhphu, laodongthudo, truyenhinhthanhhoa")


def test_api_reference_renders_under_the_page_csp(page: Any, live_server: str, seeded: Seeded) -> None:
    from playwright.sync_api import expect

    blocked: list[str] = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(f"{live_server}/api/docs")
    expect(page.locator("h1")).to_contain_text("JSON API")
    expect(page.locator("section.api-op", has_text="/api/search").first).to_be_visible()
    expect(page.locator("section.api-op", has_text="/api/notify/test").first).to_contain_text("POST")
    assert blocked == []
    assert all(url.startswith(live_server) for url in requests), "no asset from another site"
