"""Official document listings: a ministry's "Văn bản chỉ đạo điều hành" table crawled into one article per entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawl_sites import build_official_site, write_sources

from newswatch.documents.model import OFFICIAL_METHOD, OfficialEntry
from newswatch.store.base import SearchQuery


@contextmanager
def _archive(data: Path) -> Iterator[Any]:
    from newswatch.settings import PROJECT_ROOT, load_settings
    from newswatch.store import open_store

    settings = load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data, env={"NEWSWATCH_DATA_DIR": str(data)})
    with open_store(settings) as archive:
        yield archive


def _documents_show(data: Path, number: str) -> dict[str, Any]:
    import json
    import os
    import subprocess
    import sys

    from newswatch.settings import PROJECT_ROOT

    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config")}
    proc = subprocess.run([sys.executable, "-m", "newswatch", "--data-dir", str(data), "documents", "show", number,
                           "--json"], capture_output=True, text=True, timeout=60, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _official_source(listing: str, **extra: object) -> dict[str, object]:
    return {"name": "bokhcn-vanban", "kind": "official_listing", "tier": "ministry", "listings": [listing],
            "listing_depth": 1, "official": {"layout": "table"}, **extra}


def test_listing_rows_become_one_article_each_and_a_recrawl_fetches_nothing(site, run_crawl, tmp_path: Path) -> None:
    built = build_official_site(site)
    sources = write_sources(tmp_path / "sources.yaml", [_official_source(built["listing"])])
    data = tmp_path / "data"
    first = run_crawl(sources, data)

    by_number = {i["extraction"]["official"]["canonical"]: i for i in first.items}
    # five readable rows over two pages; the row whose number is not a document number is left out
    assert set(by_number) == {"1234/QĐ-TTg", "07/CT-TTg", "15/2026/TT-BKHCN", "112/TB-VPCP", "2345/BKHCN-CĐS"}
    decision = by_number["1234/QĐ-TTg"]
    assert decision["extraction"]["method"] == OFFICIAL_METHOD
    assert decision["url"] == site.url("/van-ban/quyet-dinh-1234-qd-ttg.htm")  # its own page is its identity
    assert decision["title"] == ("Quyết định 1234/QĐ-TTg Phê duyệt Chương trình chuyển đổi số quốc gia "
                                 "giai đoạn 2026 - 2030")
    assert decision["published"] == "2026-12-01T00:00:00+07:00"  # issue date, 00:00 local time
    assert decision["lead"] == ("Thủ tướng Chính phủ ban hành Quyết định số 1234/QĐ-TTg ngày 01/12/2026; "
                                "người ký: Nguyễn Chí Dũng.")
    # enrichment read the number (and its issue date) the one way the project does
    assert [(n["canonical"], n["issue_date"]) for n in decision["doc_numbers"]] == [("1234/QĐ-TTg", "2026-12-01")]
    entry = OfficialEntry.from_dict(decision["extraction"]["official"])
    assert (entry.doc_type_name, entry.issuer_name, entry.signer) == ("Quyết định", "Thủ tướng Chính phủ",
                                                                      "Nguyễn Chí Dũng")  # type and issuer: its page
    assert entry.attachment_urls == [site.url("/files/2026/12/1234-qd-ttg.signed.pdf"),
                                     site.url("/files/2026/12/1234-qd-ttg.docx")]
    assert entry.listing_url == built["listing"]

    directive = OfficialEntry.from_dict(by_number["07/CT-TTg"]["extraction"]["official"])
    assert str(directive.issue_date) == "2026-12-03"  # "ngày 03 tháng 12 năm 2026"
    assert directive.detail_url is None and by_number["07/CT-TTg"]["url"] == site.url("/files/2026/12/07-ct-ttg.docx")
    assert by_number["07/CT-TTg"]["lead"].startswith("Thủ tướng Chính phủ ban hành Chỉ thị số 07/CT-TTg ngày 03/12/2026")
    circular = OfficialEntry.from_dict(by_number["15/2026/TT-BKHCN"]["extraction"]["official"])
    assert circular.signer == "Bùi Thế Duy"  # not in its row: read from its page
    assert by_number["15/2026/TT-BKHCN"]["text"].startswith("Quy định về nền tảng số quốc gia\n\n")  # + its PDF
    notice = by_number["112/TB-VPCP"]  # neither page nor file: identified by the site and its number
    assert notice["url"] == site.base_url + "/?ngay_ban_hanh=2026-11-20&so_ky_hieu=112%2FTB-VPCP"

    # rows with a complete row are not fetched twice; rows without a page lead to no page request
    assert site.count("/van-ban/quyet-dinh-1234-qd-ttg.htm") == 1
    news = first.summary["sources"]["bokhcn-vanban"]
    assert news["errors"].get("official_number_unreadable") == 1  # the malformed row, counted with its reason

    # its PDF and DOCX were downloaded and read: checked against its number and date, text appended to its body
    attachments = {a["filename"]: a for a in decision["extraction"]["attachments"]}
    assert set(attachments) == {"1234-qd-ttg.signed.pdf", "1234-qd-ttg.docx"}
    assert all(a["status"] == "ok" and a["number_confirmed"] and a["date_confirmed"] for a in attachments.values())
    assert "hatangsomo" in decision["text"] and "liênthôngsố" in decision["text"]
    assert by_number["112/TB-VPCP"]["extraction"].get("attachments") in (None, [])
    with _archive(data) as archive:  # stored, and a word found only inside the official text finds the decision
        for word in ("hatangsomo", "liênthôngsố"):
            hits = archive.search(SearchQuery(text=word)).hits
            assert [h.article.url for h in hits] == [decision["url"]], word

    # the document register holds it as confirmed, with what the listing and its page said
    record = _documents_show(data, "1234/QĐ-TTg")
    assert (record["status"], record["signer"], record["issue_date"]) == ("confirmed", "Nguyễn Chí Dũng", "2026-12-01")
    assert record["trich_yeu"] == "Phê duyệt Chương trình chuyển đổi số quốc gia giai đoạn 2026 - 2030"
    assert record["official_source"] == "bokhcn-vanban" and record["official_url"] == decision["url"]
    assert sorted(a["status"] for a in record["attachments"]) == ["ok", "ok"]

    site.clear_log()
    second = run_crawl(sources, data)
    assert second.items == []
    assert [r.path for r in site.log if r.path.startswith(("/van-ban/", "/files/"))] == []
    assert [(r.path, r.status) for r in site.log if r.path != "/robots.txt"] == [("/van-ban-chi-dao-dieu-hanh", 304)]


def test_a_new_row_on_the_first_page_is_the_only_entry_fetched(site, run_crawl, tmp_path: Path) -> None:
    from crawl_sites import official_documents

    from newswatch.demo.official import DemoDocument, serve_documents, table_listing

    built = build_official_site(site)
    sources = write_sources(tmp_path / "sources.yaml", [_official_source(built["listing"])])
    data = tmp_path / "data"
    run_crawl(sources, data)
    page1, _ = official_documents()
    new = DemoDocument("08/CT-TTg", "04/12/2026", "Về tăng cường bảo đảm an toàn thông tin mạng",
                       doc_type="Chỉ thị", issuer="Thủ tướng Chính phủ", signer="Phạm Minh Chính",
                       slug="chi-thi-08-ct-ttg", files=["/files/2026/12/08-ct-ttg.pdf"])
    serve_documents(site, [new])
    site.add("/van-ban-chi-dao-dieu-hanh", table_listing([new, *page1], next_page="/van-ban-chi-dao-dieu-hanh/trang-2"))
    site.clear_log()
    second = run_crawl(sources, data)
    assert [i["extraction"]["official"]["canonical"] for i in second.items] == ["08/CT-TTg"]
    assert [r.path for r in site.log if r.path.startswith("/van-ban/")] == ["/van-ban/chi-thi-08-ct-ttg.htm"]


def test_an_entry_whose_page_failed_for_a_passing_reason_is_fetched_on_the_next_run(site, run_crawl,
                                                                                     tmp_path: Path) -> None:
    from newswatch.demo.server import Reply

    built = build_official_site(site)
    page = "/van-ban/thong-tu-15-2026-tt-bkhcn.htm"
    body = site.pages[page].body
    state = {"down": True}
    site.route(page, lambda _h: Reply(b"<html><body>502 Bad Gateway</body></html>", 502, conditional=False)
               if state["down"] else Reply(body))
    sources = write_sources(tmp_path / "sources.yaml", [_official_source(built["listing"])])
    data = tmp_path / "data"
    first = run_crawl(sources, data)
    assert "15/2026/TT-BKHCN" not in {i["extraction"]["official"]["canonical"] for i in first.items}
    assert first.summary["sources"]["bokhcn-vanban"]["errors"].get("http_502", 0) >= 1

    state["down"] = False
    site.clear_log()
    second = run_crawl(sources, data)
    # the listing was read again (its validators were not saved), and only the failed entry was fetched
    assert [i["extraction"]["official"]["canonical"] for i in second.items] == ["15/2026/TT-BKHCN"]
    assert second.items[0]["extraction"]["official"]["signer"] == "Bùi Thế Duy"
    assert [r.path for r in site.log if r.path.startswith("/van-ban/")] == [page]

    site.clear_log()
    third = run_crawl(sources, data)
    assert third.items == [] and [r.path for r in site.log if r.path.startswith("/van-ban/")] == []


def test_poll_reports_a_new_official_entry_by_its_key(site, run_crawl, tmp_path: Path) -> None:
    from newswatch.crawl.poll import poll_source
    from newswatch.demo.official import DemoDocument, table_listing
    from newswatch.sources import load_sources
    from newswatch.state import open_state

    built = build_official_site(site)
    sources = write_sources(tmp_path / "sources.yaml", [_official_source(built["listing"])])
    data = tmp_path / "data"
    run_crawl(sources, data)
    source = load_sources(sources)[0]
    db = open_state(f"sqlite:///{data / 'state.db'}")
    assert poll_source(source, db, timeout=5).changed is False  # every row of page 1 is known

    page1 = built["docs"][:4]
    new = DemoDocument("09/CT-TTg", "05/12/2026", "Về phát triển dữ liệu số", files=["/files/2026/12/09-ct-ttg.pdf"])
    site.add("/van-ban-chi-dao-dieu-hanh", table_listing([new, *page1], next_page="/van-ban-chi-dao-dieu-hanh/trang-2"))
    site.clear_log()
    found = poll_source(source, db, timeout=5)
    assert found.new_urls == [site.url("/files/2026/12/09-ct-ttg.pdf")]  # no page of its own: its file is its key
    assert [r.path for r in site.log if r.path != "/robots.txt"] == ["/van-ban-chi-dao-dieu-hanh"]
