"""Every fixture family comes out as the article alone: title, date to the minute, author, paragraphs, no furniture."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from extract_pages import article_fixtures, load_fixture

from newswatch.extract import extract_article
from newswatch.sources import Profile

FIXTURES = article_fixtures()


def _extract(name: str, use_profile: bool = True):
    html, expected = load_fixture(name)
    profile = Profile(**expected["profile"]) if use_profile and expected.get("profile") else None
    return extract_article(html, expected["url"], profile=profile, source=name), expected


def test_there_is_one_fixture_per_site_family():
    assert {"law-paper", "provincial-tv", "ministry-portal", "labour-paper", "vnexpress-style",
            "vietnamnet-style"} <= set(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_metadata(name):
    article, expected = _extract(name)
    assert article.title == expected["title"]
    assert article.published is not None and article.published.utcoffset() is not None
    assert article.published == datetime.fromisoformat(expected["published"])
    assert article.published.isoformat() == expected["published"]  # offset as the page means it (+07:00)
    assert article.extraction["date_source"] == expected["date_source"]
    assert article.author == expected["author"]
    for key in ("section", "dateline", "provenance", "lead"):
        if key in expected:
            assert getattr(article, key) == expected[key], key
    if "method" in expected:
        assert article.extraction["method"] == expected["method"]
    assert article.language == "vi"


@pytest.mark.parametrize("name", FIXTURES)
def test_body_is_exactly_the_article_paragraphs(name):
    article, expected = _extract(name)
    assert article.text.split("\n\n") == expected["paragraphs"]


@pytest.mark.parametrize("name", FIXTURES)
def test_no_furniture_survives(name):
    article, expected = _extract(name)
    paragraphs = article.text.split("\n\n")
    for fragment in expected["absent"]:
        assert fragment not in article.text, fragment
    for line in expected["absent_lines"]:
        assert line not in paragraphs, line
    if article.lead:
        assert article.lead not in paragraphs  # the sapo is not duplicated into the text


@pytest.mark.parametrize("name", FIXTURES)
def test_document_numbers_come_from_the_body_only(name):
    article, expected = _extract(name)
    assert article.canonical_doc_numbers == expected["doc_numbers"]
    for number in article.doc_numbers:
        assert article.text[number.start:number.end] == number.raw
    for canonical, day in expected.get("issue_dates", {}).items():
        found = next(n for n in article.doc_numbers if n.canonical == canonical)
        assert found.issue_date == date.fromisoformat(day)
    for canonical, doc_type in expected.get("doc_types", {}).items():
        assert next(n for n in article.doc_numbers if n.canonical == canonical).doc_type == doc_type


@pytest.mark.parametrize("name", FIXTURES)
def test_topics(name):
    article, expected = _extract(name)
    assert set(expected["topics_include"]) <= set(article.topics)


@pytest.mark.parametrize("name", FIXTURES)
def test_generic_extraction_without_profile_is_clean_too(name):
    article, expected = _extract(name, use_profile=False)
    assert article.extraction["method"] == "trafilatura"
    assert article.title == expected["title"]
    assert article.canonical_doc_numbers == expected["doc_numbers"]
    for fragment in expected["absent"]:
        assert fragment not in article.text, fragment
    assert article.text.split("\n\n") == expected["paragraphs"]


def test_a_profile_selector_that_matches_nothing_falls_back_to_the_generic_extractor():
    html, expected = load_fixture("law-paper")
    profile = Profile(body="div.does-not-exist", title="h1.nope", date="span.nope", date_format="%d/%m/%Y %H:%M")
    article = extract_article(html, expected["url"], profile=profile)
    assert article.extraction["method"] == "trafilatura"
    assert article.title == expected["title"]
    assert article.published == datetime.fromisoformat(expected["published"])


def test_feed_date_is_the_last_resort():
    html = ("<html lang='vi'><head><meta property='og:type' content='article'></head><body><h1>Tiêu đề bài viết về "
            "chuyển đổi số</h1><div class='content'>" + "<p>Nội dung bài viết dài về chuyển đổi số ở địa phương, "
            "với nhiều chi tiết cụ thể về kết quả và nhiệm vụ trong thời gian tới.</p>" * 4 + "</div></body></html>")
    hint = datetime.fromisoformat("2025-05-02T08:30:00+07:00")
    article = extract_article(html, "https://example.vn/bai-viet.html", hint_published=hint,
                              fetched_at=datetime.fromisoformat("2025-05-02T09:00:00+07:00"))
    assert article.published == hint and article.extraction["date_source"] == "feed"
