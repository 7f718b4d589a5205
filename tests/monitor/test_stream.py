"""The shipped rules on a labelled stream: every positive alerts exactly once, no negative alerts."""

from __future__ import annotations

from pathlib import Path

from monitor_helpers import make_settings
from monitor_stream import CDS, stream

from monitor import store
from monitor.engine import Monitor


def test_labelled_stream_precision_and_recall(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)  # the repository's config/rules.yaml
    monitor = Monitor(settings)
    items = stream()
    expected = {pair for item in items for pair in item.alerts}
    fired: list[tuple[str, str]] = []
    wrong: list[str] = []
    for item in items:
        got = {(a.rule, a.key) for a in monitor.on_article(item.article)}
        fired.extend(got)
        if got != item.alerts:
            wrong.append(f"{item.label} {item.article.url}: got {sorted(got)}, expected {sorted(item.alerts)}")
    true_pos = len(set(fired) & expected)
    precision = true_pos / len(fired) if fired else 1.0
    recall = true_pos / len(expected)
    negatives = [i for i in items if not i.alerts]
    print(f"\nmonitor stream: {len(items)} articles, {len(expected)} expected alerts, {len(fired)} fired, "
          f"{len(negatives)} negatives/copies; precision={precision:.3f} recall={recall:.3f}")
    assert not wrong, "\n".join(wrong)
    assert len(fired) == len(set(fired)), "an alert fired twice"
    assert precision == 1.0 and recall == 1.0
    assert len(items) >= 25

    # The database agrees: one alert per directive, no other-topic directive under the CĐS rule.
    rows = store.list_alerts(monitor.db, limit=1000)
    assert sorted((r["rule"], r["dedup_key"]) for r in rows) == sorted(expected)
    assert all(r["rule"] != CDS or r["doc_issuer"] in ("TTg", "CP", "VPCP", "BKHCN") for r in rows)


def test_copies_are_attached_first_publisher_first(tmp_path: Path) -> None:
    monitor = Monitor(make_settings(tmp_path))
    items = stream()
    for item in items:
        monitor.on_article(item.article)
    rows = {(r["rule"], r["dedup_key"]): r for r in store.list_alerts(monitor.db, limit=1000)}
    for item in items:
        for pair in item.attach:
            alert = store.get_alert(monitor.db, rows[pair]["id"])
            assert alert is not None
            assert item.article.id in {a["article_id"] for a in alert["articles"]}, (item.article.url, pair)
    ct07 = store.get_alert(monitor.db, rows[(CDS, "07/CT-TTg@2026")]["id"])
    assert ct07 is not None
    sources = [a["source"] for a in ct07["articles"]]
    # vnexpress published at 14:40, before baochinhphu (15:00) although it was crawled later.
    assert sources == ["vnexpress", "baochinhphu", "vietnamplus", "dantri"]
    assert ct07["articles"][0]["first"] is True
    assert ct07["doc_number"] == "07/CT-TTg" and ct07["doc_type"] == "CT" and ct07["doc_issuer"] == "TTg"
    assert ct07["doc_issue_date"] == "2026-11-12"
    assert "vừa ký ban hành Chỉ thị số 07/CT-TTg ngày 12/11/2026" in ct07["evidence"]
    assert ct07["severity"] == "high" and ct07["status"] == "new"


def test_replaying_the_stream_creates_nothing_new(tmp_path: Path) -> None:
    """A second crawl process (a fresh Monitor) over the same articles: every directive already alerted."""
    settings = make_settings(tmp_path)
    first = Monitor(settings)
    count = sum(len(first.on_article(item.article)) for item in stream())
    assert count > 0
    again = Monitor(settings)
    assert [a for item in stream() for a in again.on_article(item.article)] == []
    assert len(store.list_alerts(again.db, limit=1000)) == count


def test_a_story_cluster_that_reports_another_directive_alerts_again(tmp_path: Path) -> None:
    """Copies attach to the alert of their story; a member reporting another new directive gets its own."""
    from monitor_helpers import directive
    from monitor_stream import art

    monitor = Monitor(make_settings(tmp_path))
    first = directive(41)
    first.cluster_id = "c-story"
    assert [a.key for a in monitor.on_article(first)] == ["41/CT-TTg@2026"]
    copy = art("ct-41-copy", "thanhhoatv", "2026-11-12 17:00", "Thủ tướng ra Chỉ thị 41",
               first.text.replace("vừa ký ban hành", "đã ban hành"), cluster="c-story")
    assert monitor.on_article(copy) == []
    other = directive(42, source="vietnamnet")
    other.cluster_id = "c-story"
    assert [a.key for a in monitor.on_article(other)] == ["42/CT-TTg@2026"]
    rows = {r["dedup_key"]: r for r in store.list_alerts(monitor.db, limit=10)}
    assert set(rows) == {"41/CT-TTg@2026", "42/CT-TTg@2026"}
