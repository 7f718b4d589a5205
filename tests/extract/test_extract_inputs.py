"""Encodings and bad input: windows-1258 and NFD twins extract identically; bad pages fail with a reason."""

from __future__ import annotations

import random
import unicodedata

import pytest
from extract_pages import PAGES, load_fixture, to_windows_1258

from newswatch.errors import ExtractionError
from newswatch.extract import MAX_PAGE_BYTES, classify_page, extract_article


def _fields(article):
    data = article.to_dict()
    return {k: data[k] for k in ("title", "published", "author", "lead", "text", "doc_numbers", "topics", "dateline")}


@pytest.mark.parametrize("name", ["labour-paper", "law-paper"])
def test_windows_1258_page_extracts_like_its_utf8_twin(name):
    html, expected = load_fixture(name)
    text = html.decode("utf-8").replace('charset="utf-8"', 'charset="windows-1258"')
    encoded = to_windows_1258(text)
    assert encoded != text.encode("utf-8")  # really a different byte sequence, with combining tone marks
    twin = extract_article(encoded, expected["url"])
    assert _fields(twin) == _fields(extract_article(html, expected["url"]))
    assert unicodedata.is_normalized("NFC", twin.text)


@pytest.mark.parametrize("name", ["labour-paper", "law-paper"])
def test_a_utf8_page_with_pasted_windows_1252_quotes_keeps_its_text_and_quotes(name):
    html, expected = load_fixture(name)
    text = html.decode("utf-8")
    sentence = expected["paragraphs"][1][:40]  # in the body: curly quotes pasted from a word processor,
    cut = text.index(sentence) + len(sentence)             # as Windows-1252 bytes, around UTF-8 Vietnamese
    mixed = text[:cut].encode("utf-8") + " \x93trích dẫn\x94 ".encode().replace(b"\xc2\x93", b"\x93").replace(
        b"\xc2\x94", b"\x94") + text[cut:].encode("utf-8")
    article = extract_article(mixed, f"https://example.vn/{name}.htm")
    assert "\ufffd" not in article.text + article.title + (article.lead or "")
    assert "“trích dẫn”" in article.text
    assert article.title == extract_article(html, f"https://example.vn/{name}.htm").title


def test_declared_encoding_is_used_when_the_page_has_no_meta_charset():
    html, expected = load_fixture("labour-paper")
    text = html.decode("utf-8").replace('<meta charset="utf-8">', "")
    twin = extract_article(to_windows_1258(text), expected["url"], declared_encoding="windows-1258")
    assert twin.title == expected["title"] and twin.text.split("\n\n") == expected["paragraphs"]


@pytest.mark.parametrize("name", ["ministry-portal", "vnexpress-style"])
def test_nfd_page_extracts_like_its_nfc_twin(name):
    html, expected = load_fixture(name)
    nfd = unicodedata.normalize("NFD", html.decode("utf-8")).encode("utf-8")
    assert _fields(extract_article(nfd, expected["url"])) == _fields(extract_article(html, expected["url"]))


def test_eth_lookalike_in_a_document_number_is_repaired():
    html, expected = load_fixture("vnexpress-style")
    page = html.decode("utf-8").replace("17/2017/NĐ-CP", "17/2017/N\u00d0-CP").encode("utf-8")
    assert extract_article(page, expected["url"]).canonical_doc_numbers == ["17/2017/NĐ-CP"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"   \n\t  ", "empty"),
    ("", "empty"),
    (random.Random(7).randbytes(200_000), "binary"),
    (b"PK\x03\x04" + bytes(range(256)) * 40, "binary"),
    (b"Just a line of plain text, not a web page at all.", "not an HTML page"),
])
def test_bad_input_fails_with_a_clear_reason(data, reason):
    with pytest.raises(ExtractionError, match=reason):
        extract_article(data, "https://example.vn/a.html")


def test_a_50_mb_page_is_refused_at_once():
    page = b"<html><body>" + "<p>Nội dung</p>".encode() * (50 * 1024 * 1024 // 18) + b"</body></html>"
    assert len(page) > MAX_PAGE_BYTES
    with pytest.raises(ExtractionError, match="too large"):
        extract_article(page, "https://example.vn/a.html")


@pytest.mark.parametrize("name", ["contact-page", "category-page"])
def test_pages_without_an_article_are_refused(name):
    with pytest.raises(ExtractionError, match="no article"):
        extract_article((PAGES / f"{name}.html").read_bytes(), f"https://example.vn/{name}")


@pytest.mark.parametrize(("name", "kind"), [
    ("law-paper", "article"), ("provincial-tv", "article"), ("ministry-portal", "article"),
    ("labour-paper", "article"), ("vnexpress-style", "article"), ("vietnamnet-style", "article"),
    ("contact-page", "other"), ("category-page", "other"),
])
def test_classify_page_tells_articles_from_other_pages(name, kind):
    found, reason = classify_page((PAGES / f"{name}.html").read_bytes(), f"https://example.vn/{name}-123.html")
    assert found == kind, reason
    assert reason


def test_classify_page_on_garbage_says_why():
    kind, reason = classify_page(b"\x00\x01" * 5000, "https://example.vn/x")
    assert kind == "other" and "binary" in reason
