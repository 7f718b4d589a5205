"""Search syntax for analysts and alert rules: parse once, run on Tantivy, Elasticsearch or in memory.

>>> q = parse_query('"chuyển đổi số" (Đề OR "de an 06") -quảng')
>>> matches(q, article)        # in memory, on title/lead/text
>>> to_es(q)                   # for Elasticsearch (the embedded store: search.tantivy_query)

The parser (:mod:`.query`) knows nothing of its back ends; each back end imports it, never the
other way round.
"""

from typing import Any

from newswatch.search.es import compile_es
from newswatch.search.highlight import highlight
from newswatch.search.match import matches
from newswatch.search.query import And, Node, Not, Or, Query, Term, parse_query


def to_es(query: Query, fields: dict[str, float] | None = None) -> dict[str, Any]:
    """The Elasticsearch query of a parsed query (match-all for the empty one)."""
    return compile_es(query.root, fields)


__all__ = ["And", "Node", "Not", "Or", "Query", "Term", "highlight", "matches", "parse_query", "to_es"]
