"""Evaluate a parsed query in memory on one article (the monitor's ``match`` rule).

The same semantics as the stores: a term matches when its token sequence occurs contiguously in
the title, the lead or the text, in exact form when typed with diacritics, else in folded form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from newswatch.search.query import And, Node, Not, Or, Query, Term
from newswatch.search.tokens import exact_tokens, folded_tokens

if TYPE_CHECKING:
    from newswatch.models import Article


@dataclass
class MatchDocument:
    """An article's fields as exact and folded token lists."""

    exact: list[list[str]]
    folded: list[list[str]]

    @classmethod
    def of(cls, article: Article) -> MatchDocument:
        fields = [article.title or "", article.lead or "", article.text or ""]
        return cls([exact_tokens(f) for f in fields], [folded_tokens(f) for f in fields])


def _contains(tokens: list[str], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    if n == 1:
        return seq[0] in tokens
    first = seq[0]
    return any(token == first and tuple(tokens[i:i + n]) == seq for i, token in enumerate(tokens))


def _eval(node: Node, doc: MatchDocument) -> bool:
    if isinstance(node, Term):
        fields = doc.exact if node.accented else doc.folded
        return any(_contains(tokens, node.tokens) for tokens in fields)
    if isinstance(node, Not):
        return not _eval(node.child, doc)
    if isinstance(node, Or):
        return any(_eval(c, doc) for c in node.children)
    if isinstance(node, And):
        return all(_eval(c, doc) for c in node.children)
    return False


def matches(query: Query, article: Article | MatchDocument) -> bool:
    """True when ``article`` satisfies ``query``; an empty query matches everything."""
    if query.root is None:
        return True
    doc = article if isinstance(article, MatchDocument) else MatchDocument.of(article)
    return _eval(query.root, doc)
