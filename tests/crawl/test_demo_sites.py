"""The bundled demo sites: what they serve, publishing at runtime, and an incremental crawl of them."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from newswatch.demo import start_demo_sites
from newswatch.sources import load_sources


@pytest.fixture
def demo(tmp_path: Path):  # type: ignore[no-untyped-def]
    sites = start_demo_sites(tmp_path / "sites")
    yield sites
    sites.stop()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_demo_sites_serve_their_entry_points(demo) -> None:  # type: ignore[no-untyped-def]
    sources = {s.name: s for s in load_sources(demo.sources_file)}
    assert set(sources) == set(demo.source_names)
    assert sources["demo-congtinh"].render_js and sources["demo-chinhphu"].tier == "official"
    for source in sources.values():
        for url in source.start_urls:
            assert _get(url)  # every feed, sitemap, robots.txt and listing answers
    feed = _get(sources["demo-chinhphu"].feeds[0])
    assert "Chỉ thị" in feed and "<rss" in feed
    robots = _get(sources["demo-phapluat"].sitemaps[0])
    assert "Sitemap: " in robots


def test_publish_adds_a_page_to_feed_and_listing(demo) -> None:  # type: ignore[no-untyped-def]
    url = demo.publish("chinhphu", {"title": "Thủ tướng ký Chỉ thị mới về dữ liệu số",
                                    "paragraphs": ["Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 09/CT-TTg về dữ liệu."]})
    assert url.startswith(demo.base_urls["chinhphu"]) and "-102" in url
    assert "Chỉ thị số 09/CT-TTg" in _get(url)
    assert url in _get(demo.base_urls["chinhphu"] + "/rss/home.rss")
    assert url in _get(demo.base_urls["chinhphu"] + "/sitemaps/google-news.xml")
    listed = demo.publish("laodong", {"title": "Tin mới về việc làm cho người lao động Thủ đô",
                                      "paragraphs": ["Nội dung tin mới."]})
    assert listed.removeprefix(demo.base_urls["laodong"]) in _get(demo.base_urls["laodong"] + "/thoi-su")


def test_demo_crawl_is_incremental_and_finds_published_article(demo, run_crawl, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    names = ["demo-chinhphu", "demo-laodong", "demo-phapluat", "demo-truyenhinh"]  # the JS portal: test_js_render
    args = [arg for name in names for arg in ("--source", name)]
    data = tmp_path / "data"
    first = run_crawl(demo.sources_file, data, *args)
    assert first.summary["status"] == "ok"
    assert first.summary["totals"]["articles_new"] >= 14
    assert first.summary["sources"]["demo-laodong"]["not_articles"] >= 1  # the "about us" page from the menu
    copies = [i for i in first.items if i["title"] == "Thủ tướng ban hành Chỉ thị về đẩy mạnh chuyển đổi số"]
    assert {i["source"] for i in copies} == {"demo-chinhphu", "demo-truyenhinh"}  # the syndicated copy is its own article

    for server in demo.servers.values():
        server.clear_log()
    new_url = demo.publish("laodong", {"title": "Hà Nội công bố kế hoạch chuyển đổi số năm tới", "paragraphs": [
        "Thành phố Hà Nội công bố kế hoạch chuyển đổi số với nhiều nhiệm vụ trọng tâm cho các sở, ngành.",
        "Theo kế hoạch, năm tới thành phố hoàn thành số hóa hồ sơ thủ tục hành chính ở cả ba cấp chính quyền.",
        "Các quận, huyện được giao rà soát hạ tầng mạng, bảo đảm an toàn thông tin và báo cáo trước tháng Sáu."]})
    second = run_crawl(demo.sources_file, data, *args)
    assert [i["url"] for i in second.items] == [new_url]
    fetched_articles = [r.path for s in demo.servers.values() for r in s.log
                        if r.status == 200 and (r.path.endswith(".htm") or r.path.endswith(".html"))]
    assert fetched_articles == [new_url.removeprefix(demo.base_urls["laodong"])]


def test_the_syndicated_copy_joins_the_original_story_after_midnight(tmp_path: Path, run_crawl) -> None:  # type: ignore[no-untyped-def]
    """The provincial TV's copy of the directive story appears half an hour after the original: with the demo
    started at 01:45 in Vietnam, the original is from 23:45 and the copy from 00:15 the next day. The copy
    still says what the original says (the directive's issue date included), so the crawl files both as one
    story (with the copy's own date in its text, the two read as two directives of one number)."""
    from datetime import datetime, timedelta, timezone

    sites = start_demo_sites(tmp_path / "sites", now=datetime(2026, 11, 24, 1, 45, tzinfo=timezone(timedelta(hours=7))))
    try:
        result = run_crawl(sites.sources_file, tmp_path / "data", "--source", "demo-chinhphu", "--source", "demo-truyenhinh")
    finally:
        sites.stop()
    copies = {i["source"]: i for i in result.items if i["title"] == "Thủ tướng ban hành Chỉ thị về đẩy mạnh chuyển đổi số"}
    assert set(copies) == {"demo-chinhphu", "demo-truyenhinh"}
    assert "Chỉ thị số 07/CT-TTg ngày 23/11/2026" in copies["demo-truyenhinh"]["text"]
    assert copies["demo-truyenhinh"]["cluster_id"] == copies["demo-chinhphu"]["cluster_id"]


def test_demo_official_listing_is_crawled_into_one_article_per_document(demo, run_crawl, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_crawl(demo.sources_file, tmp_path / "data", "--source", "demo-vanban")
    assert result.summary["sources"]["demo-vanban"]["status"] == "ok"
    by_number = {i["extraction"]["official"]["canonical"]: i for i in result.items}
    assert {"07/CT-TTg", "18/NQ-CP"} <= set(by_number) and len(by_number) == 3
    directive = by_number["07/CT-TTg"]
    official = directive["extraction"]["official"]
    assert directive["url"] == demo.base_urls["vanban"] + "/?docid=218701&pageid=27160"  # its page on the portal
    assert (official["signer"], official["issuer_name"], official["doc_type_name"]) == (
        "Nguyễn Văn An", "Thủ tướng Chính phủ", "Chỉ thị")  # from its page: the grid row has none of them
    assert directive["title"].startswith("Chỉ thị 07/CT-TTg Về đẩy mạnh chuyển đổi số")
    assert len(official["attachment_urls"]) == 2
