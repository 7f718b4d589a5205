"""Search syntax for analysts and alert rules: parse once, run on Tantivy, Elasticsearch or in memory.

>>> q = parse_query('"chuyển đổi số" (Đề OR "de an 06") -quảng')
>>> q.matches(article)          # in memory, on title/lead/text
>>> q.to_es()                  # for Elasticsearch (the embedded store: search.tantivy_query)
"""

from newswatch.search.highlight import highlight
from newswatch.search.query import And, Node, Not, Or, Query, Term, parse_query

__all__ = ["And", "Node", "Not", "Or", "Query", "Term", "highlight", "parse_query"]
