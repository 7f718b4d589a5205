"""Entry bookkeeping of a crawl: an entry is finished only when its articles and the entries it led to are."""

from __future__ import annotations

from crawlers.progress import EntryProgress


def _urls(entries) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.url for e in entries]


def test_a_feed_finishes_when_its_last_article_is_settled() -> None:
    progress = EntryProgress()
    assert progress.open("feed", "feed", {"content_hash": "h"}, waiting_urls=["a", "b"]) == []
    assert progress.settle(["a", "x"]) == []
    finished = progress.settle(["b"])
    assert _urls(finished) == ["feed"] and finished[0].values == {"content_hash": "h"}
    assert progress.unfinished() == []


def test_an_entry_listing_nothing_new_is_finished_at_once() -> None:
    assert _urls(EntryProgress().open("feed", "feed", {}, waiting_urls=[])) == ["feed"]


def test_an_index_waits_for_its_sitemaps_and_a_sitemap_for_its_articles() -> None:
    progress = EntryProgress()
    progress.open("robots", "robots", {}, children=["index"])
    progress.open("index", "sitemap", {}, children=["s1", "s2"])
    progress.open("s1", "sitemap", {}, waiting_urls=["a"])
    assert _urls(progress.child_done("s2")) == []  # unchanged (304): nothing to wait for
    assert _urls(progress.settle(["a"])) == ["s1", "index", "robots"]


def test_an_article_shared_by_two_entries_finishes_both() -> None:
    progress = EntryProgress()
    progress.open("feed", "feed", {}, waiting_urls=["a"])
    progress.open("sitemap", "sitemap", {}, waiting_urls=["a", "b"])
    assert _urls(progress.settle(["a"])) == ["feed"]
    assert _urls(progress.settle(["b"])) == ["sitemap"]


def test_a_failed_listing_page_or_a_limit_keeps_the_first_page_unfinished() -> None:
    progress = EntryProgress()
    progress.open("page1", "listing", {}, waiting_urls=["a"], children=["page2"])
    progress.open("page2", "listing", {}, waiting_urls=["b"], children=["page3"])
    progress.child_failed("page3")
    assert progress.settle(["a", "b"]) == []
    assert progress.unfinished() == ["page1", "page2"]

    limited = EntryProgress()
    limited.open("page1", "listing", {}, waiting_urls=["a"], children=["page2"])
    limited.open("page2", "listing", {}, waiting_urls=[], blocked=True)  # the article limit was reached
    assert limited.settle(["a"]) == [] and limited.unfinished() == ["page1", "page2"]
