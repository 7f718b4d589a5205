"""An alert confirmed by an official source, in real headless Chromium: the badge, the official link, the API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from official_entries import entry_article
from web_seed import Seeded, ingest
from web_seed import shot as _shot

from monitor.engine import Monitor
from newswatch.store import open_store

pytestmark = pytest.mark.browser


def test_a_confirmed_alert_shows_the_badge_and_the_official_link(page: object, live_server: str, seeded: Seeded,
                                                                 screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/alerts/{seeded.alert_id}")  # type: ignore[attr-defined]
    card = page.locator(f"#alert-{seeded.alert_id}")  # type: ignore[attr-defined]
    expect(card.locator("h2")).to_contain_text("15/CT-TTg")
    expect(card.locator(".badge.confirmed")).to_have_count(0)  # a press report only, so far

    # the official gazette publishes the directive the press reported yesterday (web_seed's Chỉ thị 15/CT-TTg)
    with open_store(seeded.settings) as store:
        monitor = Monitor(seeded.settings, article_store=store)
        day = store.get(seeded.directive_ids[0]).published
        entry = entry_article("15/CT-TTg", "Chỉ thị", day.date(), "Về đẩy mạnh chuyển đổi số quốc gia, phát triển "
                              "chính phủ số và kinh tế số", docid=216002, source="congbao", fetched=datetime.now(UTC))
        ingest(seeded.settings, store, monitor, entry)
    assert monitor.stats["confirmed"] == 1 and monitor.stats["alerts"] == 0

    page.goto(f"{live_server}/alerts")  # type: ignore[attr-defined]
    card = page.locator(f"#alert-{seeded.alert_id}")  # type: ignore[attr-defined]
    expect(card.locator(".badge.confirmed")).to_have_text("Đã xác nhận chính thức")
    expect(card.locator(".badge.official")).to_have_count(0)  # raised from the press, confirmed later
    link = card.locator("p.official-source a.official-link")
    expect(link).to_have_text("Công báo Chính phủ")  # the source's title in config/sources.yaml
    expect(link).to_have_attribute("href", "https://vanban.chinhphu.vn/?pageid=27160&docid=216002")
    _shot(page, screenshots, "alert-confirmed.png")
    page.goto(f"{live_server}/alerts/{seeded.alert_id}")  # type: ignore[attr-defined]
    expect(page.locator("ul.articles li")).to_have_count(4)  # type: ignore[attr-defined]
    expect(page.locator("ul.articles")).to_contain_text("congbao")  # type: ignore[attr-defined]

    api = page.request.get(f"{live_server}/api/alerts/{seeded.alert_id}").json()  # type: ignore[attr-defined]
    assert (api["confirmed"], api["official_first"], api["official_source"]) == (True, False, "congbao")
    assert api["official_url"] == "https://vanban.chinhphu.vn/?pageid=27160&docid=216002"
