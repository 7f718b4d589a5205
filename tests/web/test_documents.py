"""The Văn bản pages over HTTP: the register's list (filters, facets, paging, empty state), one document's page
(any spelling of its number, 404), the links from articles and search hits, escaping and headers.

The store is seeded once (``documents_site``, :mod:`doc_seed`) through the real store: the register derives
every record shown here from the stored articles.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from doc_seed import HOSTILE_TRICH_YEU, OFFICIAL_SOURCE, SCAN_REASON, DocSeeded
from fastapi.testclient import TestClient
from markupsafe import escape
from web_seed import make_client

from newswatch.settings import Settings
from newswatch.web import documents


@pytest.fixture(scope="module")
def site(documents_site: DocSeeded) -> Iterator[TestClient]:
    with make_client(documents_site.settings) as client:
        yield client


def rows(page: str) -> list[str]:
    """The list's rows, by record key."""
    return [html.unescape(k) for k in re.findall(r'<tr class="doc [^"]*" data-key="([^"]*)"', page)]


def facet_counts(page: str, facet: str) -> dict[str, int]:
    section = page.split(f'data-facet="{facet}"')[1].split("</section>")[0]
    return {html.unescape(v): int(n) for v, n in
            re.findall(r'data-value="([^"]*)">[^<]*</a> <span class="count">(\d+)</span>', section)}


def test_the_list_shows_every_document_with_its_status_first_publisher_and_counts(
        site: TestClient, documents_site: DocSeeded) -> None:
    page = site.get("/documents")
    assert page.status_code == 200
    assert '<a href="/documents" class="active">Văn bản' in page.text  # in the navigation, marked
    keys = rows(page.text)
    assert {k.split("@")[0] for k in keys} == {"1234/QĐ-TTg", "15/CT-TTg", "17/2017/NĐ-CP", "88/QĐ-BKHCN"}
    assert documents_site.key in keys and documents_site.hostile_key in keys
    total = int(re.search(r'<strong class="doc-total">(\d+)</strong>', page.text).group(1))
    assert total == len(keys)
    assert sum(facet_counts(page.text, "status").values()) == total
    assert facet_counts(page.text, "status") == {"confirmed": 2, "reported": 1, "cited": 1}
    assert facet_counts(page.text, "doc_type") == {"QĐ": 2, "CT": 1, "NĐ": 1}
    row = page.text.split(f'data-key="{documents_site.key}"')[1].split("</tr>")[0]
    assert "Đã xác nhận chính thức" in row and "Quyết định" in row
    assert "Phê duyệt Chiến lược dữ liệu quốc gia" in row
    assert re.search(r'class="first">baochinhphu<br>', row)  # the first report, not the later official entry
    assert re.search(r'class="num mentions"[^>]*>3 · 1<', row)  # 2 reports + the official entry · 1 citation
    assert f'href="/documents/{quote(documents_site.key, safe="/@")}"' in row
    cited = page.text.split('data-key="17/2017/NĐ-CP"')[1].split("</tr>")[0]
    assert "Chỉ được trích dẫn" in cited and re.search(r'mentions"[^>]*>0 · 1<', cited)


@pytest.mark.parametrize(("query", "expected"), [
    ("doc_type=QĐ", {"1234/QĐ-TTg", "88/QĐ-BKHCN"}),
    ("doc_type=Nghị+định", {"17/2017/NĐ-CP"}),  # a type by its name, as the search and the rules take it
    ("doc_type=CT&doc_type=NĐ", {"15/CT-TTg", "17/2017/NĐ-CP"}),  # values of one filter: OR
    ("status=confirmed", {"1234/QĐ-TTg", "88/QĐ-BKHCN"}),
    ("status=reported", {"15/CT-TTg"}),
    ("status=confirmed&issuer=TTg", {"1234/QĐ-TTg"}),  # filters together: AND
    ("q=chiến+lược+dữ+liệu", {"1234/QĐ-TTg"}),  # words of the trích yếu
    ("q=chien+luoc+du+lieu", {"1234/QĐ-TTg"}),  # without accents
    ("q=17%2F2017%2Fnd-cp", {"17/2017/NĐ-CP"}),  # a number as typed
])
def test_filters(site: TestClient, query: str, expected: set[str]) -> None:
    page = site.get(f"/documents?{query}")
    assert page.status_code == 200
    assert {k.split("@")[0] for k in rows(page.text)} == expected


def test_a_facet_counts_the_other_filters_and_links_to_add_or_remove_itself(site: TestClient) -> None:
    page = site.get("/documents?status=confirmed")
    assert facet_counts(page.text, "doc_type") == {"QĐ": 2}
    assert facet_counts(page.text, "status") == {"confirmed": 2, "reported": 1, "cited": 1}  # its own: all
    assert re.search(r'<li class="on"><a href="/documents" [^>]*data-value="confirmed">✕ Đã xác nhận chính thức',
                     page.text)
    assert 'href="/documents?status=confirmed&amp;doc_type=Q%C4%90"' in page.text
    month = next(iter(facet_counts(page.text, "month")))
    assert f'href="/documents?status=confirmed&amp;month={month}"' in page.text


def test_the_month_facet_reads_as_a_calendar_and_filters(site: TestClient, documents_site: DocSeeded) -> None:
    months = list(facet_counts(site.get("/documents").text, "month"))
    assert months == sorted(months, reverse=True) and len(months) >= 2
    oldest = months[-1]  # the BKHCN decision, issued 40 days before the others
    page = site.get(f"/documents?month={oldest}")
    assert rows(page.text) == [documents_site.hostile_key]
    assert f'data-value="{oldest}">✕ {oldest[5:]}/{oldest[:4]}' in page.text


def test_bad_filters_say_what_is_wrong(site: TestClient) -> None:
    for query, words in (("month=2026-13", "YYYY-MM"), ("doc_type=XYZ", "unknown document type")):
        page = site.get(f"/documents?{query}")
        assert page.status_code == 400
        assert words in html.unescape(page.text)
        assert 'href="/documents">bỏ mọi bộ lọc' in page.text


def test_nothing_matching_and_an_empty_register_say_what_to_do(site: TestClient, settings: Settings) -> None:
    page = site.get("/documents?q=khong+co+van+ban+nay")
    assert page.status_code == 200 and rows(page.text) == []
    assert "Không có văn bản nào khớp bộ lọc" in page.text
    assert 'href="/search?q=khong%20co%20van%20ban%20nay"' in page.text
    with make_client(settings) as empty:
        page = empty.get("/documents")
    assert page.status_code == 200
    assert "Sổ văn bản chưa có văn bản nào" in page.text
    assert "newswatch documents rebuild" in page.text and 'href="/sources"' in page.text


def test_pages_of_the_list(site: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    everything = rows(site.get("/documents").text)
    monkeypatch.setattr(documents, "PER_PAGE", 3)
    first = site.get("/documents")
    assert "Trang 1 / 2" in first.text and 'href="/documents?page=2" rel="next"' in first.text
    second = site.get("/documents?page=2")
    assert "Trang 2 / 2" in second.text and 'href="/documents">← Trước' in second.text
    assert rows(first.text) + rows(second.text) == everything  # newest first seen first, nothing twice


def test_the_document_page(site: TestClient, documents_site: DocSeeded) -> None:
    page = site.get(f"/documents/{documents_site.key}")
    assert page.status_code == 200
    text = page.text
    h1 = re.sub(r"<[^>]+>|\s+", " ", text.split("<h1>")[1].split("</h1>")[0]).split()
    assert " ".join(h1) == ("Quyết định 1234/QĐ-TTg Phê duyệt Chiến lược dữ liệu quốc gia đến năm 2030, tầm nhìn "
                            "đến năm 2045")
    assert "Phó Thủ tướng Nguyễn Chí Dũng" in text.split('class="signer">')[1].split("</dd>")[0]
    assert "Thủ tướng Chính phủ" in text.split('class="issuer">')[1].split("</dd>")[0]
    official = text.split('class="official">')[1].split("</dd>")[0]
    assert f'class="official-link" href="{html.escape(documents_site.official_url)}"' in official
    assert OFFICIAL_SOURCE in official
    # attachments: name, size, status and the reason of the one not read; the text of the one read
    attachments = text.split('<section class="attachments">')[1].split("</section>")[0]
    assert "1234-QD-TTg.pdf" in attachments and "47 KB" in attachments and "1,2 MB" in attachments
    assert "Không có lớp chữ" in attachments and SCAN_REASON in attachments
    assert re.search(r"<details><summary>Nội dung tệp.*?<pre class=\"attachment-text\">THỦ TƯỚNG CHÍNH PHỦ\nSố: 1234/QĐ-TTg",
                     attachments, re.S)
    # the timeline in time order (stored out of order), the first publisher marked once, the kinds in words
    timeline = text.split('<table class="timeline">')[1].split("</table>")[0]
    sources = re.findall(r'<td class="source">([^<\s]+)', timeline)
    assert sources == documents_site.timeline
    assert timeline.count("đăng đầu tiên") == 1
    first_row = timeline.split('<tr class="mention')[1]
    assert documents_site.first_publisher in first_row and "đăng đầu tiên" in first_row
    kinds = re.findall(r'<span class="badge kind">([^<]+)</span>', timeline)
    assert kinds == ["đưa tin ban hành", "đưa tin ban hành", "văn bản chính thức", "trích dẫn"]
    assert "<mark>1234/QĐ-TTg</mark>" in timeline  # the evidence sentence, its number highlighted
    assert f'href="/articles/{documents_site.report_id}"' in timeline
    # the alert it raised
    alert_ids = re.findall(r'class="alert-link" href="/alerts/(\d+)"', text)
    assert len(alert_ids) == 1
    alert = site.get(f"/api/alerts/{alert_ids[0]}").json()
    assert alert["doc_number"] == "1234/QĐ-TTg"


def test_a_number_in_any_spelling_finds_its_page_and_an_unknown_one_is_404(
        site: TestClient, documents_site: DocSeeded) -> None:
    key = documents_site.key
    assert site.get("/documents/" + quote(key, safe="")).status_code == 200  # "/" URL-encoded
    moved = site.get("/documents/1234/qd-ttg@" + key.split("@")[1], follow_redirects=False)
    assert moved.status_code == 301 and unquote(moved.headers["location"]) == f"/documents/{key}"
    bare = site.get("/documents/1234/QĐ-TTg", follow_redirects=False)  # the number without its year
    assert bare.status_code == 302 and unquote(bare.headers["location"]) == f"/documents/{key}"
    assert site.get("/documents/Số 1234/QD-TTG").url.path == f"/documents/{key}"
    missing = site.get("/documents/9999/QĐ-TTg")
    assert missing.status_code == 404
    assert "Sổ văn bản không có văn bản" in missing.text and "9999/QĐ-TTg" in missing.text
    hostile = site.get("/documents/<script>alert(1)</script>")
    assert hostile.status_code == 404 and "<script>alert(1)" not in hostile.text
    assert site.get("/documents/", follow_redirects=False).headers["location"] == "/documents"


def test_article_pages_and_search_hits_link_numbers_to_their_records(
        site: TestClient, documents_site: DocSeeded) -> None:
    article = site.get(f"/articles/{documents_site.report_id}").text
    assert f'<a class="docno" href="/documents/{quote(documents_site.key, safe="/@")}"' in article
    search = site.get("/search?q=chiến+lược+dữ+liệu").text
    assert '<a class="docno" href="/documents/1234/Q%C4%90-TTg"' in search  # the record page redirects to its key
    alert = site.get(f"/alerts/{documents_site.base.alert_id}").text
    assert '<a class="docno" href="/documents/15/CT-TTg">' in alert


def test_hostile_trich_yeu_is_escaped_and_headers_unchanged(site: TestClient, documents_site: DocSeeded) -> None:
    csp = site.get("/search").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for path in ("/documents", "/documents?status=confirmed", f"/documents/{documents_site.hostile_key}"):
        page = site.get(path)
        assert page.status_code == 200
        assert "<script>window.__pwned" not in page.text and "<img src=x" not in page.text, path
        assert "&lt;script&gt;window.__pwned = 11&lt;/script&gt;" in page.text, path
        assert page.headers["content-security-policy"] == csp
        assert page.headers["x-frame-options"] == "DENY"
    record_page = site.get(f"/documents/{documents_site.hostile_key}").text
    assert str(escape(HOSTILE_TRICH_YEU)) in record_page  # as Jinja escapes it
    assert "&lt;script&gt;window.__pwned = 13&lt;/script&gt;" in record_page  # the attachment's text too
    assert 'href="javascript:' not in record_page and "phu-luc.pdf" in record_page  # named, not linked


def _noida_server() -> Any:
    """tests/store/noida_server.py (the store tests' noida-db runner), loaded by its path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("noida_server", Path(__file__).parents[1] / "store" / "noida_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.elasticsearch
def test_the_pages_on_the_elasticsearch_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from doc_seed import seed_documents

    from newswatch.settings import PROJECT_ROOT, load_settings

    noida = _noida_server()
    if not Path(noida.NOIDA).exists():
        pytest.fail("noida-db is not installed: run `make test` (it installs the test extra)")
    server = noida.Noida(tmp_path / "noida")
    (tmp_path / "noida").mkdir()
    (tmp_path / "data").mkdir()
    server.start()
    try:
        for var in ("NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("NEWSWATCH_ES_URL", server.url)
        monkeypatch.setenv("NEWSWATCH_DATA_DIR", str(tmp_path / "data"))
        settings = load_settings(config_dir=PROJECT_ROOT / "config", data_dir=tmp_path / "data")
        seeded = seed_documents(settings)
        with make_client(settings) as client:
            listed = client.get("/documents?status=confirmed")
            assert listed.status_code == 200
            assert {k.split("@")[0] for k in rows(listed.text)} == {"1234/QĐ-TTg", "88/QĐ-BKHCN"}
            assert facet_counts(listed.text, "status") == {"confirmed": 2, "reported": 1, "cited": 1}
            page = client.get("/documents/1234/qd-ttg")  # redirected to its key
            assert page.status_code == 200 and unquote(page.url.path) == f"/documents/{seeded.key}"
            timeline = page.text.split('<table class="timeline">')[1].split("</table>")[0]
            assert re.findall(r'<td class="source">([^<\s]+)', timeline) == seeded.timeline
            assert "PDF scan: no text layer" in page.text and 'class="alert-link"' in page.text
            assert client.get("/documents/9999/QĐ-TTg").status_code == 404
            article = client.get(f"/articles/{seeded.report_id}").text
            assert f'<a class="docno" href="/documents/{quote(seeded.key, safe="/@")}"' in article
    finally:
        server.stop()


def test_every_status_kind_and_attachment_outcome_has_vietnamese_words() -> None:
    from newswatch.documents.model import AttachmentStatus, DocumentStatus, MentionKind

    assert set(documents.STATUS_LABELS) == {s.value for s in DocumentStatus}
    assert set(documents.KIND_LABELS) == {k.value for k in MentionKind}
    assert set(documents.ATTACHMENT_LABELS) == {s.value for s in AttachmentStatus}


def test_outside_the_reading_networks_the_pages_ask_for_a_login(documents_site: DocSeeded) -> None:
    with make_client(documents_site.settings, host="203.0.113.9") as outside:
        for path in ("/documents", f"/documents/{documents_site.key}"):
            response = outside.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/documents")
