"""The search syntax: parsing never raises, and in-memory matching follows the store semantics."""

from __future__ import annotations

from pathlib import Path

import pytest
import store_corpus as corpus

from newswatch.models import Article
from newswatch.search import And, Not, Or, Term, highlight, parse_query
from newswatch.store.text_index import TextIndex

ODD = ["Bộ TT&TT", '"chuyển đổi', "-", "*", ":", "((a", "a))", "NOT", "AND OR", '""', '-"', "a OR -b",
       "NOT NOT x", "(" * 500 + "x", "\x00", "17/2017/NĐ-CP", "c++", "tiêu đề: \"x", "—", "«chuyển đổi số»"]


@pytest.mark.parametrize("text", ODD)
def test_odd_input_parses_and_compiles(text: str, tmp_path: Path) -> None:
    query = parse_query(text)
    TextIndex(tmp_path / "index").compiler.compile(query.root)
    query.to_es()
    query.matches(corpus.original())


def test_structure() -> None:
    q = parse_query('"chuyển đổi số" (Đề OR "de an") -quảng cáo')
    assert isinstance(q.root, And)
    phrase, alternatives, negated, word = q.root.children
    assert isinstance(phrase, Term) and phrase.exact == ("chuyển", "đổi", "số") and phrase.accented
    assert isinstance(alternatives, Or) and len(alternatives.children) == 2
    assert isinstance(negated, Not) and negated.child.exact == ("quảng",)
    assert word.folded == ("cao",)
    assert parse_query("Bộ TT&TT").root.children[1].folded == ("tt", "tt")
    assert parse_query("-").is_empty and parse_query("*").is_empty


@pytest.mark.parametrize(("text", "expected"), [
    ("chuyen doi so", True),
    ("de an 06", True),
    ("Đề án 06", True),
    ('"chuyển đổi số quốc gia"', True),
    ('"quốc gia chuyển đổi số"', False),
    ("bão", False),
    ("chuyển đổi số -Thanh", False),  # "thành" folds to "thanh"
    ("chuyển đổi số -Hóa", True),
    ("Hóa OR Chỉ", True),
    ("NOT chỉ", False),
    ("hoàn thành", True),
    ("hoàn thành", True),
    ("", True),
])
def test_matches_in_memory(text: str, expected: bool) -> None:
    assert parse_query(text).matches(corpus.original()) is expected


def test_old_style_tone_marks_match_new_style() -> None:
    article = Article(url="u", title="Hòa bình", text="Thủy điện và hòa giải")
    assert parse_query("hoà giải").matches(article)
    assert parse_query("Thuỷ điện").matches(article)


def test_highlight_marks_the_original_spelling_and_escapes() -> None:
    text = "Bộ TT&TT <b>họp</b> về Chuyển Đổi Số."
    snippet = highlight(text, parse_query("chuyen doi so").terms())
    assert snippet == "Bộ TT&amp;TT &lt;b&gt;họp&lt;/b&gt; về <mark>Chuyển Đổi Số</mark>."
