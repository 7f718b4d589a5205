"""End-to-end crawls of a loopback news site: discovery, failures with reasons, incremental second run, --full."""

from __future__ import annotations

import hashlib
from pathlib import Path

from crawl_sites import build_news_site, write_sources

from newswatch.state import open_state
from newswatch.state.crawl import load_entries, load_urls
from newswatch.state.runs import recent_runs, source_health

ARTICLES_FOUND = ("feed_a", "feed_b", "moved_to", "flaky", "cp1258", "sitemap_a", "sitemap_b", "gnews", "list_a",
                  "list_b", "page2_a")


def _fetched(site, paths, roles):  # type: ignore[no-untyped-def]
    return {role for role in roles if any(r.status == 200 for r in site.requests_for(paths[role]))}


def test_first_run_discovers_all_kinds_and_records_failures(site, run_crawl, tmp_path: Path) -> None:
    paths = build_news_site(site)
    base = site.base_url
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "news", "feeds": [f"{base}/rss/home.rss"], "sitemaps": [f"{base}/robots.txt"],
        "listings": [f"{base}/thoi-su"], "listing_depth": 1}])
    data = tmp_path / "data"
    first = run_crawl(sources, data)
    news = first.summary["sources"]["news"]

    # every discovery path reached its articles: feed, robots.txt -> sitemap index -> urlset + Google News, listings
    assert _fetched(site, paths, ARTICLES_FOUND) == set(ARTICLES_FOUND)
    titles = {item["title"] for item in first.items}
    assert "Thủ tướng yêu cầu đẩy mạnh chuyển đổi số trong cơ quan nhà nước" in titles  # the windows-1258 page
    assert len(first.items) == len(ARTICLES_FOUND)
    assert all("utm_" not in item["url"] for item in first.items)  # canonical URLs without tracking parameters
    moved = next(i for i in first.items if i["url"].endswith(paths["moved_to"]))
    assert moved["source"] == "news"

    # bounds and politeness: pagination stops at listing_depth, robots.txt is obeyed
    assert site.count(paths["page3_a"]) == 0 and site.count("/thoi-su/trang-3") == 0
    assert site.count(paths["robots_blocked"]) == 0
    # the 500 was retried and then succeeded
    assert [r.status for r in site.requests_for(paths["flaky"])] == [500, 200]

    # every failure is recorded with its reason, and none stopped the run
    errors = news["errors"]
    for reason in ("http_404", "timeout", "redirect_loop", "truncated", "robots_disallowed", "too_large"):
        assert errors.get(reason, 0) >= 1, (reason, errors)
    assert news["not_articles"] >= 1  # the "about the newsroom" page linked from the listing
    assert first.summary["status"] in ("ok", "partial")
    db = open_state(f"sqlite:///{data / 'state.db'}")
    urls = load_urls(db, "news")
    assert urls[f"{base}{paths['missing']}"].reason == "http_404"
    assert urls[f"{base}{paths['slow']}"].reason == "timeout"
    assert urls[f"{base}{paths['not_article']}"].status == "other"
    bomb = urls[f"{base}{paths['bomb']}"]  # the gzip bomb: cut off at DOWNLOAD_MAXSIZE, and not tried again
    assert (bomb.status, bomb.reason) == ("error", "too_large")

    # the run is in the history with the same figures
    run = recent_runs(db, source="news", limit=1)[0]
    assert run.id == first.summary["run_id"] and run.status == first.summary["status"]
    assert run.per_source["news"].errors == errors
    assert source_health(db)["news"]["last_run"] is not None

    # second run over the unchanged site: conditional requests, no successful article fetched again
    site.clear_log()
    second = run_crawl(sources, data)
    entry_requests = [r for r in site.log if r.path in ("/rss/home.rss", "/sitemap-index.xml", "/sitemaps/articles-1.xml",
                                                        "/sitemaps/google-news.xml", "/thoi-su", "/thoi-su/trang-2")]
    assert entry_requests and all("if-none-match" in r.headers for r in entry_requests)
    assert {r.status for r in entry_requests} == {304}
    refetched = {role for role, path in paths.items() if site.count(path)}
    assert refetched <= {"slow", "truncated"}  # only last run's transient failures are tried again
    assert not refetched & set(ARTICLES_FOUND)
    assert second.summary["sources"]["news"]["entries_unchanged"] >= 5
    assert second.items == []


def test_clean_site_second_run_fetches_nothing_and_full_refetches(site, run_crawl, tmp_path: Path) -> None:
    paths = build_news_site(site)
    base = site.base_url
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "baochinhphu", "sitemaps": [f"{base}/sitemap-index.xml"]}])  # the minimal form
    data = tmp_path / "data"
    first = run_crawl(sources, data)
    assert {i["url"] for i in first.items} == {base + paths[r] for r in ("sitemap_a", "sitemap_b", "feed_a", "gnews")}

    site.clear_log()
    second = run_crawl(sources, data)
    assert [r.path for r in site.log if r.path.startswith("/tin/")] == []
    assert second.summary["sources"]["baochinhphu"]["entries_unchanged"] == 3

    # a sitemap lastmod newer than the last fetch marks that article as changed: only it is fetched
    from datetime import UTC, datetime, timedelta

    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    xml = site.pages["/sitemaps/articles-1.xml"].body.decode()
    start = xml.index(paths["sitemap_b"])
    lastmod_start = xml.index("<lastmod>", start) + len("<lastmod>")
    xml = xml[:lastmod_start] + future + xml[xml.index("</lastmod>", lastmod_start):]
    site.add("/sitemaps/articles-1.xml", xml, "application/xml")
    site.clear_log()
    third = run_crawl(sources, data)
    assert [r.path for r in site.log if r.path.startswith("/tin/")] == [paths["sitemap_b"]]
    assert len(third.items) == 1

    site.clear_log()
    full = run_crawl(sources, data, "--full")
    fetched = {r.path for r in site.log if r.path.startswith("/tin/")}
    assert fetched == {paths[r] for r in ("sitemap_a", "sitemap_b", "feed_a", "gnews")}
    assert not any("if-none-match" in r.headers for r in site.log)
    assert full.summary["full"] is True


def test_dead_site_is_recorded_and_other_sources_still_crawl(site, run_crawl, tmp_path: Path) -> None:
    import socket

    paths = build_news_site(site)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    sources = write_sources(tmp_path / "sources.yaml", [
        {"name": "dead", "feeds": [f"http://127.0.0.1:{dead_port}/rss.xml"]},
        {"name": "alive", "listings": [f"{site.base_url}/thoi-su"], "listing_depth": 0,
         "article_pattern": r"/tin/.+-\d+\.htm$"},
    ])
    result = run_crawl(sources, tmp_path / "data", settings={"RETRY_TIMES": 0})
    assert result.summary["sources"]["dead"]["status"] == "failed"
    assert result.summary["sources"]["dead"]["errors"] == {"connection": 1}
    assert result.summary["sources"]["alive"]["status"] == "ok"
    assert {i["url"] for i in result.items} == {site.base_url + paths["list_a"], site.base_url + paths["list_b"]}
    assert result.summary["status"] == "partial"
    assert result.returncode == 0


def test_an_article_that_failed_with_a_server_error_is_fetched_on_the_next_run(site, run_crawl, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from crawl_sites import article_html, rss

    from newswatch.demo.server import Reply

    path = "/tin/may-chu-tam-thoi-qua-tai-1101.htm"
    down = {"yes": True}

    def overloaded(_headers: dict[str, str]) -> Reply:
        if down["yes"]:
            return Reply(b"<html><body>Service Unavailable</body></html>", 503, conditional=False)
        return Reply(article_html("Máy chủ hoạt động trở lại sau sự cố").encode())

    site.route(path, overloaded)
    site.add("/rss/home.rss", rss(site.base_url, [(path, "Máy chủ", datetime.now(UTC))]),
             "application/rss+xml; charset=utf-8")
    sources = write_sources(tmp_path / "sources.yaml", [{"name": "news", "feeds": [f"{site.base_url}/rss/home.rss"]}])
    first = run_crawl(sources, tmp_path / "data", settings={"RETRY_TIMES": 0})
    assert first.summary["sources"]["news"]["errors"] == {"http_503": 1}
    down["yes"] = False
    second = run_crawl(sources, tmp_path / "data")  # the feed is unchanged (304): the failed article is retried
    assert [i["url"] for i in second.items] == [site.base_url + path]


def test_a_run_cut_short_leaves_sitemaps_and_listing_pages_to_the_next(site, run_crawl, tmp_path: Path) -> None:
    """robots.txt -> sitemap index -> sitemaps, and a listing with its second page: a run that stops early
    (here the article limit; a kill or Ctrl-C leaves the same state) does not save their validators, so the
    next run, and the poller, still find every article behind them."""
    from newswatch.crawl.poll import poll_source
    from newswatch.sources import load_sources

    paths = build_news_site(site)
    base = site.base_url
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "news", "sitemaps": [f"{base}/robots.txt"], "listings": [f"{base}/thoi-su"], "listing_depth": 1}])
    data = tmp_path / "data"
    behind = ("sitemap_a", "sitemap_b", "feed_a", "gnews", "list_a", "list_b", "page2_a")
    first = run_crawl(sources, data, settings={"NEWSWATCH_MAX_ARTICLES": 2})
    assert len(first.items) <= 2 and first.summary["sources"]["news"]["entries_unchanged"] == 0

    db = open_state(f"sqlite:///{data / 'state.db'}")
    poll = poll_source(load_sources(sources)[0], db)
    assert poll.changed, "the poller sees that the last crawl did not finish these entries"

    second = run_crawl(sources, data)
    assert {i["url"] for i in first.items + second.items} >= {base + paths[r] for r in behind}
    assert second.summary["sources"]["news"]["entries_unchanged"] == 0  # none was taken for unchanged

    third = run_crawl(sources, data)  # finished with: conditional requests answered 304, nothing fetched
    assert third.items == [] and third.summary["sources"]["news"]["entries_unchanged"] >= 4
    assert not poll_source(load_sources(sources)[0], db).changed

    # the index gains a sitemap while the ones it listed before answer 304: it is finished all the same
    from crawl_sites import article_html

    new_path = "/tin/so-tay-chuyen-doi-so-cho-can-bo-cap-xa-1021.htm"
    site.add(new_path, article_html("Sổ tay chuyển đổi số cho cán bộ cấp xã"))
    site.add("/sitemaps/extra.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
             f'schemas/sitemap/0.9"><url><loc>{base}{new_path}</loc></url></urlset>', "application/xml")
    index = site.pages["/sitemap-index.xml"].body.decode()
    site.add("/sitemap-index.xml", index.replace("</sitemapindex>", f"<sitemap><loc>{base}/sitemaps/extra.xml"
                                                 "</loc></sitemap></sitemapindex>"), "application/xml")
    fourth = run_crawl(sources, data)
    assert [i["url"] for i in fourth.items] == [base + new_path]
    index_row = load_entries(db, "news")[f"{base}/sitemap-index.xml"]
    assert index_row.content_hash == hashlib.sha1(site.pages["/sitemap-index.xml"].body).hexdigest()
    assert not poll_source(load_sources(sources)[0], db).changed
