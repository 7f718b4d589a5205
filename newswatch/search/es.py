"""Compile a query AST to an Elasticsearch bool query over an exact field and its ``.folded`` subfield.

A term typed with diacritics is a ``match_phrase`` on the exact fields (standard analyzer); one typed
without them is a ``match_phrase`` on the ``.folded`` subfields (standard + lowercase + asciifolding).
Single words are phrases of one token, so both cases are the same query shape.
"""

from __future__ import annotations

from typing import Any

from newswatch.search.query import Node, Not, Or, Term, proximity_phrase

DEFAULT_FIELDS = {"title": 3.0, "lead": 1.5, "text": 1.0}


def _term(term: Term, fields: dict[str, float]) -> dict[str, Any]:
    suffix = "" if term.accented else ".folded"
    query = " ".join(term.tokens)
    return {"bool": {"should": [
        {"match_phrase": {f"{name}{suffix}": {"query": query, "boost": boost}}} for name, boost in fields.items()
    ], "minimum_should_match": 1}}


def _compile(node: Node, fields: dict[str, float]) -> dict[str, Any]:
    if isinstance(node, Term):
        return _term(node, fields)
    if isinstance(node, Not):
        return {"bool": {"must_not": [_compile(node.child, fields)]}}
    if isinstance(node, Or):
        return {"bool": {"should": [_compile(c, fields) for c in node.children], "minimum_should_match": 1}}
    must = [_compile(c, fields) for c in node.children if not isinstance(c, Not)]
    must_not = [_compile(c.child, fields) for c in node.children if isinstance(c, Not)]
    query: dict[str, Any] = {}
    if must:
        query["must"] = must
    if must_not:
        query["must_not"] = must_not
    phrase = proximity_phrase(node)
    if phrase is not None:  # rank runs of the words first
        query["should"] = [_term(phrase, {k: v * 2 for k, v in fields.items()})]
    return {"bool": query}


def compile_es(root: Node | None, fields: dict[str, float] | None = None) -> dict[str, Any]:
    """The query clause for ``root`` (``match_all`` when the query is empty)."""
    if root is None:
        return {"match_all": {}}
    return _compile(root, fields or DEFAULT_FIELDS)
