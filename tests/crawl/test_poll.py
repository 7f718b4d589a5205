"""Cheap change detection: one conditional request when nothing changed, new URLs reported when something did."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawl_sites import article_html, rss, write_sources

from newswatch.crawl.poll import next_interval, poll_source
from newswatch.sources import load_sources
from newswatch.state import open_state

PUBLISHED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)  # items keep their date when the feed gains a new one


def _feed_site(site, paths):  # type: ignore[no-untyped-def]
    for path in paths:
        site.add(path, article_html(f"Tin {path}"))
    site.add("/rss/home.rss", rss(site.base_url, [(p, p, PUBLISHED) for p in paths]), "application/rss+xml")


def test_poll_detects_new_feed_item_and_costs_one_conditional_request(site, run_crawl, tmp_path: Path) -> None:
    paths = [f"/tin/thong-cao-bao-chi-so-{i}-cua-chinh-phu-30{i}.htm" for i in range(3)]
    _feed_site(site, paths)
    sources_file = write_sources(tmp_path / "sources.yaml", [{"name": "vgp", "tier": "official",
                                                               "feeds": [f"{site.base_url}/rss/home.rss"]}])
    data = tmp_path / "data"
    run_crawl(sources_file, data)
    source = load_sources(sources_file)[0]
    db = open_state(f"sqlite:///{data / 'state.db'}")

    site.clear_log()
    quiet = poll_source(source, db, timeout=5)
    assert quiet.changed is False and quiet.new_urls == [] and quiet.status == "unchanged"
    # robots.txt is read once (then kept an hour), as the spider obeys it
    assert [(r.path, r.status) for r in site.log] == [("/robots.txt", 404), ("/rss/home.rss", 304)]
    assert "if-none-match" in site.log[1].headers

    new_path = "/tin/thu-tuong-ky-chi-thi-moi-ve-chuyen-doi-so-309.htm"
    _feed_site(site, [*paths, new_path])
    site.clear_log()
    found = poll_source(source, db, timeout=5)
    assert found.changed is True and found.status == "changed"
    assert found.new_urls == [site.base_url + new_path]
    assert [r.path for r in site.log] == ["/rss/home.rss"]  # no article fetched by the poller

    # until a crawl fetches it, the new URL stays reported even though the feed now answers 304
    site.clear_log()
    again = poll_source(source, db, timeout=5)
    assert again.new_urls == [site.base_url + new_path]
    assert [r.status for r in site.log] == [304]

    result = run_crawl(sources_file, data)  # the crawl the scheduler would start: fetches the new article only
    assert [i["url"] for i in result.items] == [site.base_url + new_path]
    settled = poll_source(source, db, timeout=5)
    assert settled.changed is False


def test_poll_of_dead_site_reports_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sources_file = write_sources(tmp_path / "s.yaml", [{"name": "dead", "feeds": [f"http://127.0.0.1:{port}/rss"]}])
    db = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    result = poll_source(load_sources(sources_file)[0], db, timeout=2)
    assert result.status == "error" and result.changed is False
    assert "connection" in result.reason


def test_next_interval_adapts_between_bounds(site, tmp_path: Path) -> None:
    paths = [f"/tin/tin-dia-phuong-so-{i}-ve-nong-thon-moi-40{i}.htm" for i in range(6)]
    _feed_site(site, paths)
    source = load_sources(write_sources(tmp_path / "s.yaml", [{"name": "press", "feeds": [
        f"{site.base_url}/rss/home.rss"]}]))[0]
    db = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    poll_source(source, db, timeout=5)  # everything unseen: publishing faster than polled
    first = next_interval(source, db, 300, 21600)
    assert first == 300
    poll_source(source, db, timeout=5)  # same items, still unseen (no crawl ran): keep the pace
    assert next_interval(source, db, 300, 21600) == 300
    from newswatch.state.crawl import record_url

    for path in paths:  # a crawl fetched them all; afterwards polls find nothing new and back off
        record_url(db, source="press", url=site.base_url + path, status="article")
    intervals = []
    for _ in range(12):
        poll_source(source, db, timeout=5)
        intervals.append(next_interval(source, db, 300, 21600))
    assert intervals == sorted(intervals) and intervals[0] > 300 and intervals[-1] == 21600


def test_poll_honours_robots_txt_as_the_spider_does(site, tmp_path: Path) -> None:
    _feed_site(site, ["/tin/bai-mot-101.htm"])
    site.add("/robots.txt", "User-agent: *\nDisallow: /rss/\n", "text/plain")
    sources_file = write_sources(tmp_path / "sources.yaml", [{"name": "vgp", "tier": "official",
                                                               "feeds": [f"{site.base_url}/rss/home.rss"]}])
    source = load_sources(sources_file)[0]
    db = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    site.clear_log()
    refused = poll_source(source, db, timeout=5)
    assert refused.errors == {f"{site.base_url}/rss/home.rss": "robots"} and refused.status == "error"
    assert [r.path for r in site.log] == ["/robots.txt"]  # the disallowed feed is never requested

    source.politeness.obey_robots = False  # a source may be configured not to obey (as for the spider)
    allowed = poll_source(source, db, timeout=5)
    assert allowed.new_urls == [f"{site.base_url}/tin/bai-mot-101.htm"]
