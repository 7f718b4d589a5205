"""Compile a query AST to a Tantivy query over the embedded store's exact and folded text fields.

The index (:mod:`newswatch.store.text_index`) holds each article's title, lead and body twice: in
the exact fields (``title lead body``: tone-normalised text, lower-cased) and in the folded fields
(``title_f lead_f body_f``: the same text with accents removed and đ -> d). A term typed with
diacritics is matched in the exact fields, one typed without them in the folded fields; a term of
several tokens is a phrase. A match in the title weighs 5, in the lead 2, in the body 1, as in the
Elasticsearch backend.

Unlike FTS5, Tantivy has a unary NOT (``MustNot`` beside a match-all), so ``a OR -b`` and a query
that is only negative (``-foo``) keep their meaning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tantivy

from newswatch.search.query import And, Node, Not, Or, Term, proximity_phrase

if TYPE_CHECKING:
    from collections.abc import Callable

FIELD_WEIGHTS = {"title": 5.0, "lead": 2.0, "body": 1.0}
FOLDED_SUFFIX = "_f"

Tokens = tuple[str, ...]


def _everything_but(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                        (tantivy.Occur.MustNot, query)])


class QueryCompiler:
    """Builds Tantivy queries for one index schema; ``fold`` maps exact tokens to the folded fields' tokens."""

    def __init__(self, schema: tantivy.Schema, fold: Callable[[Tokens], Tokens]) -> None:
        self.schema = schema
        self.fold = fold
        self._ranked = True

    def compile(self, root: Node | None, ranked: bool = True) -> tantivy.Query:
        """The query for ``root``; None (an empty query) matches every article.

        ``ranked=False`` leaves out the proximity phrases, which only raise scores: the same matches,
        cheaper to count (a phrase is checked on every match).
        """
        self._ranked = ranked
        return tantivy.Query.all_query() if root is None else self._node(root)

    def term(self, term: Term) -> tantivy.Query:
        """The term in the title, lead or body (a phrase when it has several tokens)."""
        tokens = term.exact if term.accented else self.fold(term.exact)
        suffix = "" if term.accented else FOLDED_SUFFIX
        clauses = []
        for field, weight in FIELD_WEIGHTS.items():
            name = field + suffix
            query = (tantivy.Query.term_query(self.schema, name, tokens[0]) if len(tokens) == 1
                     else tantivy.Query.phrase_query(self.schema, name, list(tokens)))
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, weight)))
        return tantivy.Query.boolean_query(clauses)

    def _node(self, node: Node) -> tantivy.Query:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Not):
            return _everything_but(self._node(node.child))
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._node(c)) for c in node.children])
        return self._and(node)

    def _and(self, node: And) -> tantivy.Query:
        clauses = [(tantivy.Occur.MustNot, self._node(c.child)) if isinstance(c, Not)
                   else (tantivy.Occur.Must, self._node(c)) for c in node.children]
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        phrase = proximity_phrase(node) if self._ranked else None
        if phrase is not None:  # same matches; articles holding the words as a run score higher
            clauses.append((tantivy.Occur.Should, self.term(phrase)))
        return tantivy.Query.boolean_query(clauses)
