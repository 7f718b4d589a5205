"""The search syntax: parsing never raises, and in-memory matching follows the store semantics."""

from __future__ import annotations

from pathlib import Path

import pytest
import store_corpus as corpus

from newswatch.models import Article
from newswatch.search import And, Not, Or, Term, highlight, matches, parse_query, to_es
from newswatch.store.text_index import TextIndex


def shape(node: object) -> str:
    """A parsed tree as text: words, 'phrases', -negation, AND(...), OR(...); ALL for the empty query."""
    if node is None:
        return "ALL"
    if isinstance(node, Term):
        words = " ".join(node.exact)
        return f"'{words}'" if len(node.exact) > 1 else words
    if isinstance(node, Not):
        return "-" + shape(node.child)
    kind = "AND" if isinstance(node, And) else "OR"
    return f"{kind}({', '.join(shape(c) for c in node.children)})"  # type: ignore[attr-defined]


ODD = [  # what an analyst may type, and what it must mean
    ("Bộ TT&TT", "AND(bộ, 'tt tt')"),
    ('"chuyển đổi', "'chuyển đổi'"),  # an unclosed quote still makes a phrase
    ("-", "ALL"), ("*", "ALL"), (":", "ALL"), ('""', "ALL"), ('-"', "ALL"), ("\x00", "ALL"), ("—", "ALL"),
    ("NOT", "ALL"), ("AND OR", "ALL"),  # operators alone are nothing to search for
    ("((a", "a"), ("a))", "a"), ("(" * 500 + "x", "x"),  # unbalanced parentheses are forgiven
    ("a OR -b", "OR(a, -b)"),
    ("NOT NOT x", "--x"),
    ("17/2017/NĐ-CP", "'17 2017 nđ cp'"),  # a document number is one phrase
    ("c++", "c"),
    ('tiêu đề: "x', "AND(tiêu, đề, x)"),
    ("«chuyển đổi số»", "AND(chuyển, đổi, số)"),
]


@pytest.mark.parametrize(("text", "expected"), ODD)
def test_odd_input_parses_to_what_it_means_and_compiles_everywhere(text: str, expected: str, tmp_path: Path) -> None:
    query = parse_query(text)
    assert shape(query.root) == expected
    TextIndex(tmp_path / "index").compiler.compile(query.root)
    assert isinstance(to_es(query), dict)
    if expected == "ALL":
        assert matches(query, corpus.original())  # an empty query matches everything, as search lists everything


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
    assert matches(parse_query(text), corpus.original()) is expected


def test_old_style_tone_marks_match_new_style() -> None:
    article = Article(url="u", title="Hòa bình", text="Thủy điện và hòa giải")
    assert matches(parse_query("hoà giải"), article)
    assert matches(parse_query("Thuỷ điện"), article)


def test_highlight_marks_the_original_spelling_and_escapes() -> None:
    text = "Bộ TT&TT <b>họp</b> về Chuyển Đổi Số."
    snippet = highlight(text, parse_query("chuyen doi so").terms())
    assert snippet == "Bộ TT&amp;TT &lt;b&gt;họp&lt;/b&gt; về <mark>Chuyển Đổi Số</mark>."
