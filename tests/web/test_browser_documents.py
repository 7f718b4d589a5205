"""The Văn bản pages in real headless Chromium: filtering the register, a document's timeline and official
link, an article's number leading to its record, an unknown number, hostile text inert.

One server for the module on the store seeded once (``documents_site``); each flow saves a screenshot
(``NEWSWATCH_SCREENSHOTS=docs/screenshots`` refreshes the docs' ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from doc_seed import SCAN_REASON, DocSeeded
from web_seed import serve
from web_seed import shot as _shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def docs_server(documents_site: DocSeeded) -> Iterator[str]:
    with serve(documents_site.settings) as url:
        yield url


def test_filter_the_register_by_type_and_status(page: Any, docs_server: str, screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{docs_server}/search")
    page.locator("header nav a", has_text="Văn bản").click()
    expect(page.locator("h1")).to_contain_text("Văn bản")
    rows = page.locator("table.documents tbody tr")
    expect(rows).to_have_count(4)
    _shot(page, screenshots, "documents.png")
    page.locator("section.facet[data-facet=doc_type] a[data-value=CT]").click()
    expect(page).to_have_url(re.compile(r"doc_type=CT"))
    expect(rows).to_have_count(1)
    expect(rows.locator("td.type")).to_have_text(["Chỉ thị"])
    expect(rows.locator(".doc-status")).to_have_text(["Đã đưa tin ban hành"])
    # leave the type, filter by status
    page.locator("section.facet[data-facet=doc_type] li.on a").click()
    expect(rows).to_have_count(4)
    page.locator("section.facet[data-facet=status] a[data-value=confirmed]").click()
    expect(page).to_have_url(re.compile(r"status=confirmed"))
    expect(rows).to_have_count(2)
    expect(rows.locator(".doc-status")).to_have_text(["Đã xác nhận chính thức"] * 2)
    expect(rows.locator("td.type")).to_have_text(["Quyết định"] * 2)
    # words of a trích yếu, typed in the box, keep the status filter
    page.fill("form.documents input[name=q]", "chien luoc du lieu")
    page.click("form.documents button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.locator("a.docno")).to_have_text("1234/QĐ-TTg")
    assert "status=confirmed" in page.url


def test_a_document_page_shows_its_timeline_first_publisher_and_official_text(
        page: Any, docs_server: str, documents_site: DocSeeded, screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{docs_server}/documents")
    page.locator("table.documents a.docno", has_text="1234/QĐ-TTg").click()
    expect(page.locator("article.document h1")).to_contain_text("Quyết định 1234/QĐ-TTg")
    expect(page.locator("article.document h1 .trich-yeu")).to_have_text(
        "Phê duyệt Chiến lược dữ liệu quốc gia đến năm 2030, tầm nhìn đến năm 2045")
    expect(page.locator(".badge.doc-status")).to_have_text("Đã xác nhận chính thức")
    expect(page.locator("a.official-link")).to_have_attribute("href", documents_site.official_url)
    mentions = page.locator("table.timeline tbody tr")
    expect(mentions.locator("td.source")).to_have_text([re.compile(rf"^{s}") for s in documents_site.timeline])
    expect(page.locator("table.timeline .badge.first")).to_have_count(1)
    expect(mentions.first.locator("td.source")).to_contain_text(f"{documents_site.first_publisher} đăng đầu tiên")
    # the attachments: the scan says why it was not read; the read one's text opens on demand
    expect(page.locator("tr.att-no_text_layer .reason")).to_have_text(SCAN_REASON)
    text = page.locator("pre.attachment-text")
    expect(text).to_be_hidden()
    page.locator("section.attachments details summary").click()
    expect(text).to_be_visible()
    expect(text).to_contain_text("Số: 1234/QĐ-TTg")
    _shot(page, screenshots, "document.png")
    # a report in the timeline opens the article, whose number leads back to this record
    mentions.nth(1).locator("td a").first.click()
    expect(page.locator("article.article h1")).to_have_text("Phê duyệt chiến lược dữ liệu quốc gia đến năm 2030")
    page.locator("dl.meta a.docno", has_text="1234/QĐ-TTg").click()
    expect(page.locator("article.document h1 .docno")).to_have_text("1234/QĐ-TTg")
    assert page.url.endswith("/documents/1234/Q%C4%90-TTg@" + documents_site.key.split("@")[1])


def test_unknown_number_and_hostile_text(page: Any, docs_server: str, documents_site: DocSeeded) -> None:
    from playwright.sync_api import expect

    response = page.goto(f"{docs_server}/documents/9999/QĐ-TTg")
    assert response.status == 404
    expect(page.locator("p.not-found")).to_contain_text("Sổ văn bản không có văn bản 9999/QĐ-TTg")
    page.goto(f"{docs_server}/documents/{documents_site.hostile_key}")
    expect(page.locator("article.document h1 .trich-yeu")).to_contain_text("<script>window.__pwned = 11</script>")
    page.locator("section.attachments details summary").click()
    expect(page.locator("pre.attachment-text")).to_contain_text("<script>window.__pwned = 13</script>")
    page.goto(f"{docs_server}/documents?status=confirmed")
    assert page.evaluate("window.__pwned === undefined")
