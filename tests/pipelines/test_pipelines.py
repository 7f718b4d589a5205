"""The four item pipelines in the crawler's order, on a real Scrapy crawler and a real SQLite store."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newswatch.models import Article
from newswatch.store.sqlite import SQLiteStore
from pipelines.dedupe import DedupePipeline
from pipelines.enrich import EnrichPipeline
from pipelines.normalize import NormalizePipeline
from pipelines.store import StorePipeline

VN = timezone(timedelta(hours=7))
BODY = [
    "Ngày 15/3, Thủ tướng Chính phủ ký ban hành Chỉ thị số 05/CT-TTg về đẩy mạnh chuyển đổi số quốc gia, "
    "yêu cầu các bộ, ngành và địa phương hoàn thành các chỉ tiêu của Đề án 06 trước ngày 30/6 theo Nghị định 17/2017/NÐ-CP.",
    "Bộ Khoa học và Công nghệ chủ trì, phối hợp với Bộ Công an hoàn thiện hạ tầng dữ liệu dân cư, kết nối Cổng "
    "Dịch vụ công quốc gia với hệ thống thông tin giải quyết thủ tục hành chính của các địa phương trong cả nước.",
    "Người đứng đầu các cơ quan hành chính nhà nước trực tiếp chỉ đạo, chịu trách nhiệm về kết quả triển khai, "
    "bảo đảm an toàn thông tin mạng và bảo vệ dữ liệu cá nhân, báo cáo Thủ tướng kết quả trước ngày 20 hằng quý.",
]


def decomposed(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFD", text)


@pytest.fixture
def crawler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE"):
        monkeypatch.delenv(var, raising=False)
    crawler = get_crawler(settings_dict={"NEWSWATCH_DATA_DIR": str(tmp_path / "data")})
    crawler.stats.open_spider()
    return crawler


def chain(crawler):  # type: ignore[no-untyped-def]
    pipes = [cls.from_crawler(crawler) for cls in (NormalizePipeline, DedupePipeline, EnrichPipeline, StorePipeline)]
    for p in pipes:
        if hasattr(p, "open_spider"):
            p.open_spider()
    return pipes


def run(pipes, item):  # type: ignore[no-untyped-def]
    for p in pipes:
        item = p.process_item(item)
    return item


def test_articles_flow_through_normalise_dedupe_enrich_store(crawler, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pipes = chain(crawler)
    raw = Article(url="https://baochinhphu.vn/a", title=decomposed("  Thủ tướng ban hành   Chỉ thị 05 "),
                  text="\n".join(["(Chinhphu.vn) - " + decomposed(BODY[0]), "", "   ", *BODY[1:], BODY[1]]),
                  source="baochinhphu", published=datetime(2025, 3, 15, 9, tzinfo=VN))
    first = run(pipes, raw)
    assert first.title == "Thủ tướng ban hành Chỉ thị 05"
    assert first.text.count("\n\n") == 2  # empty and repeated paragraphs removed
    assert "17/2017/NĐ-CP" in first.canonical_doc_numbers  # Eth look-alike repaired before enrichment
    assert "05/CT-TTg" in first.canonical_doc_numbers
    assert "chuyen-doi-so" in first.topics
    assert first.language == "vi"
    assert (first.store_outcome, first.first_in_cluster) == ("new", True)

    copy = Article(url="https://thanhhoatv.vn/b", title="Chỉ thị mới của Thủ tướng",
                   text="\n\n".join(["(TTV) - " + BODY[0], *BODY[1:], "HQ (Nguồn: Cổng thông tin điện tử Chính phủ)"]),
                   source="thanhhoatv", published=datetime(2025, 3, 15, 15, tzinfo=VN))
    second = run(pipes, copy)
    assert second.store_outcome == "new"
    assert second.cluster_id == first.cluster_id and second.first_in_cluster is False

    again = run(pipes, Article(url=raw.url, title=raw.title, text=raw.text, source=raw.source, published=raw.published))
    assert again.store_outcome == "unchanged"

    stats = crawler.stats.get_stats()
    assert stats["newswatch/store/new"] == 2
    assert stats["newswatch/store/unchanged"] == 1
    assert stats["newswatch/store/joined_cluster"] == 1
    pipes[-1].close_spider()
    with SQLiteStore(tmp_path / "data" / "articles.db") as store:
        assert store.count() == 2


def test_a_simhash_from_the_extraction_worker_is_kept_only_for_the_body_it_was_computed_on(crawler) -> None:  # type: ignore[no-untyped-def]
    from newswatch import dedup
    from newswatch.crawl.pages import process_page
    from newswatch.sources import Source

    page = ("<html><head><title>Chỉ thị 05</title></head><body><article><h1>Thủ tướng ban hành Chỉ thị 05</h1>"
            + "".join(f"<p>{paragraph}</p>" for paragraph in BODY) + "</article></body></html>")
    extracted = process_page(page, "https://baochinhphu.vn/a.htm", Source(name="baochinhphu",
                             feeds=["https://baochinhphu.vn/rss"]), decide=False).article
    assert extracted is not None and extracted.simhash == dedup.simhash(extracted.text)
    pipes = chain(crawler)[:2]
    assert run(pipes, extracted).simhash == dedup.simhash(extracted.text)

    # a body the normalise pipeline changes (decomposed diacritics, a repeated paragraph): recomputed
    raw_text = "\n\n".join([decomposed(BODY[0]), *BODY[1:], BODY[1]])
    stale = Article(url="https://baochinhphu.vn/b", title="Chỉ thị 05", text=raw_text, simhash=12345)
    normalised = run(pipes, stale)
    assert normalised.text != raw_text
    assert normalised.simhash == dedup.simhash(normalised.text)


def test_empty_article_is_dropped_with_a_reason(crawler) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DropItem, match="empty"):
        NormalizePipeline.from_crawler(crawler).process_item(Article(url="https://x.vn/e", title=" \u200b ", text="\n \n"))
    assert crawler.stats.get_value("newswatch/normalize/dropped/empty") == 1


def test_a_store_failure_is_counted_and_the_crawl_goes_on(crawler, caplog) -> None:  # type: ignore[no-untyped-def]
    pipes = chain(crawler)
    pipes[-1].store.close()  # the database goes away under the crawl
    article = Article(url="https://x.vn/f", title="Tin", text=BODY[2], source="x")
    with caplog.at_level(logging.ERROR):
        out = run(pipes, article)
    assert out is article and out.store_outcome is None
    errors = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("newswatch/store/errors/")}
    assert sum(errors.values()) == 1
    assert "could not store https://x.vn/f" in caplog.text


def test_other_items_pass_untouched(crawler) -> None:  # type: ignore[no-untyped-def]
    item = {"not": "an article"}
    assert run(chain(crawler), item) is item


def test_a_french_page_stays_french_through_the_pipelines(crawler) -> None:  # type: ignore[no-untyped-def]
    from newswatch.extract import extract_article

    html = ("<html lang='fr'><head><title>Le Vietnam accélère sa transformation numérique</title>"
            "<meta property='article:published_time' content='2026-11-12T09:00:00+07:00'></head><body><article>"
            "<h1>Le Vietnam accélère sa transformation numérique</h1>"
            + "".join(f"<p>{p}</p>" for p in (
                "Le Premier ministre a signé une directive sur la transformation numérique des administrations, "
                "demandant aux ministères de connecter leurs bases de données avant la fin de l'année prochaine.",
                "Les provinces devront publier en ligne toutes les procédures administratives et former leurs "
                "fonctionnaires aux outils numériques, selon le texte publié par le portail du gouvernement."))
            + "</article></body></html>")
    article = extract_article(html, "https://fr.example.vn/transformation-numerique.htm", source="fr")
    assert article.language == "fr"
    item = EnrichPipeline(crawler).process_item(article)
    assert item.language == "fr" and item.topics == []  # decided once, by the extractor; never overridden
