"""UI flows in real headless Chromium (Playwright, Debian's chromium): search, acknowledge, sources.

Each flow saves a screenshot: into ``$NEWSWATCH_SCREENSHOTS`` when set (``NEWSWATCH_SCREENSHOTS=docs/screenshots``
refreshes the README's), else into the test's temporary folder, so a test run leaves the checkout untouched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from web_seed import PASSWORD, USER, XSS_TITLE, Seeded
from web_seed import shot as _shot

pytestmark = pytest.mark.browser


def test_search_with_a_filter_and_open_a_hit(page: object, live_server: str, seeded: Seeded,
                                             screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/search")  # type: ignore[attr-defined]
    page.fill("input[name=q]", "chuyen doi so")  # type: ignore[attr-defined]
    page.click("form.search button[type=submit]")  # type: ignore[attr-defined]
    hits = page.locator("article.hit")  # type: ignore[attr-defined]
    expect(hits.first).to_be_visible()
    expect(page.locator("article.hit mark").first).to_be_visible()  # type: ignore[attr-defined]
    # Filter by clicking the source facet
    page.locator("section.facet[data-facet=source] a", has_text="baochinhphu").click()  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"source=baochinhphu"))  # type: ignore[arg-type]
    assert {s.inner_text() for s in page.locator("article.hit .source").all()} == {"baochinhphu"}  # type: ignore[attr-defined]
    expect(page.locator("article.hit details.copies summary")).to_contain_text("2 bản đăng lại")  # type: ignore[attr-defined]
    page.locator("article.hit details.copies summary").first.click()  # type: ignore[attr-defined]
    _shot(page, screenshots, "search.png")
    page.locator("article.hit h2 a").first.click()  # type: ignore[attr-defined]
    expect(page.locator("article.article h1")).to_have_text("Thủ tướng ban hành Chỉ thị về đẩy mạnh chuyển đổi số quốc gia")  # type: ignore[attr-defined]
    expect(page.locator("section.cluster tbody tr")).to_have_count(3)  # type: ignore[attr-defined]
    expect(page.locator("section.cluster tbody tr").first).to_contain_text("đăng đầu tiên")  # type: ignore[attr-defined]
    # The document number links to its record in the register, the magnifier to its search
    page.locator("dl.meta a.docno", has_text="15/CT-TTg").click()  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/documents/15/CT-TTg"))  # type: ignore[arg-type]
    expect(page.locator("article.document h1 .docno")).to_have_text("15/CT-TTg")  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    page.locator("dl.meta a.docsearch").click()  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"doc_number=15"))  # type: ignore[arg-type]


def test_scraped_script_does_not_run(page: object, live_server: str, seeded: Seeded) -> None:
    page.goto(f"{live_server}/articles/{seeded.xss_id}")  # type: ignore[attr-defined]
    assert page.locator("article.article h1").inner_text() == XSS_TITLE  # type: ignore[attr-defined]
    assert page.evaluate("window.__pwned === undefined")  # type: ignore[attr-defined]


def test_log_in_and_acknowledge_an_alert(page: object, live_server: str, seeded: Seeded,
                                         screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/alerts")  # type: ignore[attr-defined]
    card = page.locator(f"#alert-{seeded.alert_id}")  # type: ignore[attr-defined]
    expect(card.locator("blockquote.evidence mark")).to_have_text("15/CT-TTg")
    card.get_by_text("Đăng nhập để đánh dấu đã nhận").click()
    page.fill("input[name=username]", USER)  # type: ignore[attr-defined]
    page.fill("input[name=password]", "wrong password")  # type: ignore[attr-defined]
    page.click("form.login button[type=submit]")  # type: ignore[attr-defined]
    expect(page.locator("p.error")).to_contain_text("Sai tên đăng nhập")  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("form.login button[type=submit]")  # type: ignore[attr-defined]
    expect(page.locator("header .user")).to_have_text(USER)  # type: ignore[attr-defined]
    card = page.locator(f"#alert-{seeded.alert_id}")  # type: ignore[attr-defined]
    card.locator("button.ack").click()
    card = page.locator(f"#alert-{seeded.alert_id}")  # type: ignore[attr-defined]
    expect(card.locator(".badge.st")).to_have_text("Đã nhận")
    expect(card.locator(".who")).to_contain_text(f"Đã nhận: {USER}")
    _shot(page, screenshots, "alerts.png")


def test_sources_page_shows_the_failing_source(page: object, live_server: str, seeded: Seeded,
                                               screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/sources")  # type: ignore[attr-defined]
    row = page.locator("tr[data-source=vietnamnet]")  # type: ignore[attr-defined]
    expect(row).to_have_class("state-failing")
    expect(row.locator(".badge.state")).to_have_text("lỗi")
    expect(row.locator(".reason")).to_have_text("DNS: không phân giải được vietnamnet.vn — 3 URL")
    expect(page.locator("tr[data-source=baochinhphu] .badge.state")).to_have_text("chưa chạy")  # type: ignore[attr-defined]
    _shot(page, screenshots, "sources.png")
