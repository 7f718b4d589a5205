"""Officially confirmed: a press report's alert confirmed by the document's official listing entry, and the other way round.

The press reports are real wording of the directive corpus (tests/fixtures/directive_corpus), rendered
as outlet pages and read by the real extractor; the official entries are rows of the Government's
document portal as the official-listing crawler turns them into articles (tests/official_entries.py).
Both go through the real item pipelines (normalise, dedupe, enrich, store on a SQLite archive, the
monitor on the state DB, SQLite and PostgreSQL), and notifications through the outbox to a real webhook.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from directive_corpus import load_corpus, render_page
from monitor_helpers import directive, make_settings
from official_entries import OFFICIAL_SOURCE_YAML, OFFICIAL_TITLE, TZ, entry_article
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from monitor import store
from monitor.archive import summarize
from monitor.delivery import deliver_pending
from monitor.engine import Monitor
from newswatch.cli import cli
from newswatch.extract import extract_article
from newswatch.models import Article
from newswatch.settings import Settings
from pipelines.dedupe import DedupePipeline
from pipelines.enrich import EnrichPipeline
from pipelines.monitor import MonitorPipeline
from pipelines.normalize import NormalizePipeline
from pipelines.store import StorePipeline

CDS = "cds-new-directives"
KEY = "32/2026/QĐ-TTg"  # the Prime Minister's decision on electronic documents (directive corpus, amendment-of-old-02)
TRICH_YEU = ("Quy định về gửi, nhận văn bản điện tử giữa các cơ quan trong hệ thống hành chính nhà nước, "
             "thay thế Quyết định số 28/2018/QĐ-TTg ngày 12 tháng 7 năm 2018 của Thủ tướng Chính phủ")


def _press() -> Article:
    """The vietnamplus.vn report of 17/9/2026, extracted from its page."""
    [case] = [c for c in load_corpus() if c.id == "amendment-of-old-02"]
    article = extract_article(render_page(case), f"https://{case.outlet}/{case.id}.htm", source="vietnamplus")
    article.published = article.published or case.published
    article.fetched_at = case.published
    return article


def _entry(fetched_day: int = 18) -> Article:
    """The portal's row of the same decision, issued 15/9, read by the crawler on ``fetched_day``/9."""
    return entry_article("32/2026/QĐ-TTg", "Quyết định", date(2026, 9, 15), TRICH_YEU, docid=214501,
                         fetched=datetime(2026, 9, fetched_day, 8, 0, tzinfo=TZ))


class Crawl:
    """The crawler's item pipelines, in order, ending with the monitor."""

    def __init__(self, settings: Settings) -> None:
        crawler = get_crawler(settings_dict={"NEWSWATCH_DATA_DIR": str(settings.data_dir),
                                             "NEWSWATCH_CONFIG_DIR": str(settings.config_dir)})
        crawler.stats.open_spider()
        self.monitor = Monitor(settings)
        self.pipes: list[Any] = [cls.from_crawler(crawler) for cls in
                                 (NormalizePipeline, DedupePipeline, EnrichPipeline, StorePipeline)]
        self.pipes.append(MonitorPipeline(crawler, monitor=self.monitor))
        for pipe in self.pipes:
            if hasattr(pipe, "open_spider"):
                pipe.open_spider()

    def store(self, article: Article) -> Article:
        for pipe in self.pipes:
            article = pipe.process_item(article)
        return article

    def close(self) -> None:
        for pipe in self.pipes:
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()


@pytest.fixture
def settings(tmp_path: Path, webhook) -> Settings:  # type: ignore[no-untyped-def]
    """The shipped rules and sources, plus the Government's document portal as an official source."""
    settings = make_settings(tmp_path, notify=[webhook.url])
    sources = settings.sources_file
    sources.write_text(sources.read_text(encoding="utf-8").rstrip() + "\n" + OFFICIAL_SOURCE_YAML, encoding="utf-8")
    return settings


@pytest.fixture
def crawl(settings: Settings):  # type: ignore[no-untyped-def]
    crawl = Crawl(settings)
    yield crawl
    crawl.close()


def _alerts(monitor: Monitor) -> list[dict[str, Any]]:
    return store.list_alerts(monitor.db, limit=100)


def _outbox_kinds(monitor: Monitor) -> list[str]:
    with monitor.db.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(store.outbox.c.kind)))


def test_a_press_alert_is_confirmed_by_the_official_entry_once_with_one_follow_up(crawl, settings, webhook) -> None:  # type: ignore[no-untyped-def]
    press = crawl.store(_press())
    [alert] = _alerts(crawl.monitor)
    assert (alert["rule"], alert["doc_number"], alert["confirmed"]) == (CDS, KEY, False)
    assert alert["first_article"]["url"] == press.url

    crawl.store(_entry())
    [confirmed] = _alerts(crawl.monitor)  # no second alert
    assert confirmed["id"] == alert["id"] and confirmed["confirmed"] and not confirmed["official_first"]
    assert confirmed["official_url"] == "https://vanban.chinhphu.vn/?pageid=27160&docid=214501"
    assert (confirmed["official_source"], confirmed["official_source_title"]) == ("vanbanchinhphu", OFFICIAL_TITLE)
    full = store.get_alert(crawl.monitor.db, alert["id"])
    assert [a["source"] for a in full["articles"]] == ["vanbanchinhphu", "vietnamplus"]  # by publication: 15/9, 17/9
    assert store.alert_for_document(crawl.monitor.db, KEY)["uid"] == alert["uid"]
    assert store.alert_for_document(crawl.monitor.db, KEY)["confirmed_at"] == confirmed["confirmed_at"]

    # the entry stored again, evaluated again as an update, the whole archive evaluated again: nothing more
    crawl.store(_entry())
    again = _entry(fetched_day=19)
    again.store_outcome = "updated"
    crawl.monitor.on_article(again)
    assert crawl.monitor.rerun(None, None)["alerts"] == 0
    assert store.get_alert(crawl.monitor.db, alert["id"])["article_count"] == 2
    assert [a["id"] for a in _alerts(crawl.monitor)] == [alert["id"]]
    assert store.get_alert(crawl.monitor.db, alert["id"])["confirmed_at"] == confirmed["confirmed_at"]
    assert _outbox_kinds(crawl.monitor) == ["alert", "confirmed"]
    assert [h.action for h in crawl.monitor.dry_run(CDS)] == ["confirm", "attach"]  # the entry, then the report

    assert deliver_pending(settings)["sent"] == 2
    first, follow_up = webhook.accepted()
    assert "Văn bản mới ban hành" in first.payload["title"] and KEY in first.payload["title"]
    assert follow_up.payload["title"].startswith("[KHẨN] Đã xác nhận: Quyết định 32/2026/QĐ-TTg")
    assert OFFICIAL_TITLE in follow_up.payload["message"]
    assert "https://vanban.chinhphu.vn/?pageid=27160&docid=214501" in follow_up.payload["message"]
    assert "Người ký: Trần Hồng Hà" in follow_up.payload["message"]
    assert follow_up.key.endswith(f"-confirmed-{follow_up.key.rsplit('-', 1)[1]}") and first.key != follow_up.key
    assert deliver_pending(settings)["due"] == 0
    assert store.list_alerts(crawl.monitor.db, confirmed=True)[0]["id"] == alert["id"]
    assert store.list_alerts(crawl.monitor.db, confirmed=False) == []


def test_an_alert_raised_from_the_official_entry_says_so_and_the_press_report_attaches(crawl, settings, webhook) -> None:  # type: ignore[no-untyped-def]
    crawl.store(_entry())
    [alert] = _alerts(crawl.monitor)
    assert alert["official_first"] and alert["confirmed"] and alert["doc_number"] == KEY
    assert alert["evidence"].startswith(f"Nguồn chính thức: {OFFICIAL_TITLE} — Quyết định 32/2026/QĐ-TTg Quy định")
    assert alert["doc_issue_date"] == "2026-09-15"

    crawl.store(_press())
    [same] = _alerts(crawl.monitor)
    assert same["id"] == alert["id"] and same["article_count"] == 2
    assert _outbox_kinds(crawl.monitor) == ["alert"]  # the alert said "official" already: no follow-up

    deliver_pending(settings)
    [message] = webhook.accepted()
    assert "(nguồn chính thức)" in message.payload["title"]
    body = message.payload["message"]
    assert body.index(f"Nguồn chính thức: {OFFICIAL_TITLE}") < body.index("Số, ký hiệu")
    assert "https://vanban.chinhphu.vn/?pageid=27160&docid=214501" in body

    args = ["--config-dir", str(settings.config_dir), "--data-dir", str(settings.data_dir)]
    shown = CliRunner().invoke(cli, [*args, "alerts", "show", str(alert["id"])]).stdout
    assert f"Nguồn chính thức: {OFFICIAL_TITLE} https://vanban.chinhphu.vn/?pageid=27160&docid=214501" in shown
    listed = [json.loads(line) for line in CliRunner().invoke(cli, [*args, "alerts", "--confirmed", "--json"]).stdout
              .splitlines()]
    assert [(r["id"], r["official_first"]) for r in listed] == [(alert["id"], True)]


def test_an_entry_amending_another_number_alerts_on_its_own_number_only(crawl) -> None:  # type: ignore[no-untyped-def]
    amending = entry_article(
        "41/2026/QĐ-TTg", "Quyết định", date(2026, 11, 20),
        "Về việc sửa đổi, bổ sung một số điều của Quyết định số 32/2026/QĐ-TTg ngày 15 tháng 9 năm 2026 của Thủ "
        "tướng Chính phủ quy định về gửi, nhận văn bản điện tử, ban hành kèm theo Quy chế gửi, nhận văn bản điện tử",
        docid=215870, fetched=datetime(2026, 11, 21, 7, 30, tzinfo=TZ))
    crawl.store(amending)
    assert [(a["doc_number"], a["official_first"]) for a in _alerts(crawl.monitor)] == [("41/2026/QĐ-TTg", True)]
    [rule] = [r for r in crawl.monitor.rules.article_rules if r.name == CDS]
    reasons = {f.doc_number: f.details["reason"] for f in rule.explain(Monitor.enriched(amending), crawl.monitor.ctx)}
    assert reasons["41/2026/QĐ-TTg"].startswith("issued (official listing vanbanchinhphu, 20/11/2026)")
    assert reasons["32/2026/QĐ-TTg"] == "cited (in the official entry of 41/2026/QĐ-TTg)"


def test_an_official_row_read_long_after_its_issue_date_does_not_alert(crawl) -> None:  # type: ignore[no-untyped-def]
    late = _entry()
    late.fetched_at = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)  # a first crawl reading the portal's older pages
    crawl.store(late)
    assert _alerts(crawl.monitor) == []


def test_the_dry_run_does_what_the_live_run_does_with_an_official_entry(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    crawl = Crawl(settings)
    try:
        crawl.pipes.pop()  # the archive only: the monitor evaluates it afterwards
        press, entry = crawl.store(_press()), crawl.store(_entry())
        monitor = crawl.monitor
        hits = monitor.dry_run(CDS)
        assert [(h.action, h.key, h.article["url"]) for h in hits] == [("alert", KEY, entry.url),
                                                                       ("attach", KEY, press.url)]
        assert hits[0].evidence.startswith(f"Nguồn chính thức: {OFFICIAL_TITLE}")
        assert _alerts(monitor) == []  # the dry run wrote nothing
        result = monitor.rerun(CDS, None)
        assert (result["alerts"], result["attached"]) == (summarize(h.action for h in hits)["alerts"],
                                                          summarize(h.action for h in hits)["attached"])
        [alert] = _alerts(monitor)
        assert (alert["evidence"], alert["first_article"]["url"]) == (hits[0].evidence, entry.url)
        assert alert["official_first"] and alert["confirmed"]
        with monitor.db.connect() as conn:
            assert conn.execute(select(func.count()).select_from(store.alert_articles)).scalar() == 2
    finally:
        crawl.close()


def test_a_gazette_row_posted_after_the_age_limit_still_confirms_the_press_alert(crawl) -> None:  # type: ignore[no-untyped-def]
    crawl.store(_press())
    late = _entry()
    late.fetched_at = datetime(2026, 11, 20, 8, 0, tzinfo=TZ)  # two months on: too old to alert, not to confirm
    crawl.store(late)
    [alert] = _alerts(crawl.monitor)
    assert alert["confirmed"] and alert["official_url"].endswith("docid=214501") and alert["article_count"] == 2


def test_an_entry_filed_under_the_other_rule_confirms_the_press_alert_without_a_second_one(crawl) -> None:  # type: ignore[no-untyped-def]
    # the press summary names no digital topic (the "other directives" rule); the portal's trích yếu does (the CĐS rule)
    crawl.store(directive(1502, kind="QĐ", topic="phát triển thị trường bất động sản an toàn, lành mạnh, bền vững"))
    [alert] = _alerts(crawl.monitor)
    assert (alert["rule"], alert["doc_number"]) == ("gov-new-directives", "1502/QĐ-TTg")
    entry = entry_article("1502/QĐ-TTg", "Quyết định", date(2026, 11, 12),
                          "Phê duyệt Đề án phát triển thị trường bất động sản gắn với chuyển đổi số, xây dựng cơ sở "
                          "dữ liệu quốc gia về đất đai và nhà ở", docid=215640,
                          fetched=datetime(2026, 11, 13, 9, 0, tzinfo=TZ))
    [rule] = [r for r in crawl.monitor.rules.article_rules if r.name == CDS]
    assert [f.key for f in rule.evaluate(Monitor.enriched(entry), crawl.monitor.ctx)] == ["1502/QĐ-TTg@2026"]
    crawl.store(entry)
    [same] = _alerts(crawl.monitor)
    assert same["id"] == alert["id"] and same["confirmed"] and same["article_count"] == 2
    assert _outbox_kinds(crawl.monitor) == ["alert", "confirmed"]


def test_digests_and_the_atom_feed_say_which_alerts_are_official_or_confirmed(crawl, settings) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from monitor.notify import render
    from newswatch.web.app import create_app

    crawl.store(_press())
    crawl.store(_entry())  # confirms the press alert
    official_first = entry_article("41/2026/QĐ-TTg", "Quyết định", date(2026, 9, 16), TRICH_YEU, docid=214502,
                                   fetched=datetime(2026, 9, 18, 8, 0, tzinfo=TZ))
    crawl.store(official_first)
    by_number = {a["doc_number"]: store.get_alert(crawl.monitor.db, a["id"]) for a in _alerts(crawl.monitor)}
    confirmed, official = by_number[KEY], by_number["41/2026/QĐ-TTg"]
    assert confirmed["confirmed"] and not confirmed["official_first"] and official["official_first"]
    digest = render("digest", {"rule": CDS, "period": "daily", "start": datetime(2026, 9, 17, tzinfo=TZ),
                               "end": datetime(2026, 9, 18, 23, tzinfo=TZ), "alerts": [confirmed, official],
                               "idempotency_key": "nw-digest-test"})
    for body in (digest.text, digest.markdown):
        assert f"Đã xác nhận chính thức**: {OFFICIAL_TITLE}" in body or f"Đã xác nhận chính thức: {OFFICIAL_TITLE}" in body
        assert f"Nguồn chính thức: {OFFICIAL_TITLE} — " in body
        assert "https://vanban.chinhphu.vn/?pageid=27160&docid=214501" in body

    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:  # a reading network
        feed = client.get("/alerts.atom").text
    assert f"Đã xác nhận chính thức: {OFFICIAL_TITLE} https://vanban.chinhphu.vn/?pageid=27160&amp;docid=214501" in feed
    assert f"Nguồn chính thức: {OFFICIAL_TITLE}" in feed
    assert feed.count('rel="via"') == 2
