"""Compile a query AST to an SQLite FTS5 MATCH expression over exact and folded column sets.

The FTS table has exact columns (``title lead body``: tone-normalised text, case-insensitive) and
folded columns (``title_f lead_f body_f``: :func:`~newswatch.text.normalize.fold`). Every term is a
quoted FTS5 phrase (tokens are letters and digits only, so nothing the user types can break the
expression) restricted to the column set its spelling calls for.

FTS5 has no unary NOT, so negations are moved to the binary form ``(a) NOT (b)``; a query that is
only negative (``-foo``) yields an exclusion expression instead, which the store applies as
"every article except these".
"""

from __future__ import annotations

from newswatch.search.query import Node, Not, Or, Term, proximity_phrase

EXACT_COLUMNS = ("title", "lead", "body")
FOLDED_COLUMNS = ("title_f", "lead_f", "body_f")


class _PureNegative(Exception):
    def __init__(self, excluded: str) -> None:
        self.excluded = excluded


def _term(term: Term) -> str:
    columns = EXACT_COLUMNS if term.accented else FOLDED_COLUMNS
    return "{{{}}} : \"{}\"".format(" ".join(columns), " ".join(term.tokens))


def _compile(node: Node) -> str:
    """A positive expression; raises _PureNegative when the node matches by exclusion only."""
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Not):
        raise _PureNegative(_positive_or_all(node.child))
    if isinstance(node, Or):
        parts = []
        for child in node.children:
            try:
                parts.append(_compile(child))
            except _PureNegative:
                continue  # "a OR -b" cannot be expressed in FTS5: the negated alternative is dropped
        if not parts:
            raise _PureNegative(_positive_or_all(Or(tuple(c.child for c in node.children if isinstance(c, Not)))))
        return "(" + " OR ".join(parts) + ")"
    positives, negatives = [], []
    for child in node.children:
        if isinstance(child, Not):
            negatives.append(_positive_or_all(child.child))
        else:
            try:
                positives.append(_compile(child))
            except _PureNegative as exc:
                negatives.append(exc.excluded)
    if not positives:
        raise _PureNegative("(" + " OR ".join(negatives) + ")")
    expr = "(" + " AND ".join(positives) + ")"
    phrase = proximity_phrase(node)
    if phrase is not None:  # same matches; rows holding the words as a run score higher
        expr = f"({expr} OR {_term(phrase)})"
    for negative in negatives:
        expr += f" NOT ({negative})"
    return expr


def _positive_or_all(node: Node) -> str:
    try:
        return _compile(node)
    except _PureNegative as exc:  # NOT NOT x: read as x
        return exc.excluded


def compile_fts(root: Node | None) -> tuple[str | None, str | None]:
    """(positive expression or None, exclusion expression or None). Both None: match everything."""
    if root is None:
        return None, None
    try:
        return _compile(root), None
    except _PureNegative as exc:
        return None, exc.excluded
