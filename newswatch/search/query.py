"""The search syntax: words, "phrases", AND/OR/NOT, ``-word``, parentheses — parsed to a small AST.

Default operator between terms is AND; precedence NOT > AND > OR. Anything odd never raises and is
read as text: ``Bộ TT&TT`` is the word ``bộ`` and the adjacent pair ``tt tt``; an unbalanced quote
runs to the end of the query; a lone ``-``, ``*`` or ``:`` carries no token and is ignored; a stray
``)`` is ignored and a missing one is implied.

A term typed with diacritics (``bão``) matches that exact spelling; a term typed without them
(``bao``, ``chuyen doi so``, ``de an 06``) matches every accented form (the folded text).

The AST compiles to a Tantivy query for the embedded store (:mod:`newswatch.search.tantivy_query`), to an
Elasticsearch query (:mod:`newswatch.search.es`), and is evaluated in memory on an article with
:meth:`Query.matches` (used by the monitor's ``match`` rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newswatch.search.tokens import exact_tokens, folded_tokens, is_accented

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Term:
    """A word or phrase: its token sequence (exact and folded) and whether to match it exactly."""

    text: str
    exact: tuple[str, ...]
    folded: tuple[str, ...]
    accented: bool
    quoted: bool = False

    @property
    def tokens(self) -> tuple[str, ...]:
        """The tokens to match, in the form chosen (exact when typed with diacritics)."""
        return self.exact if self.accented else self.folded


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | And | Or | Not

_LEX_RE = re.compile(r'-?"[^"]*"?|\(|\)|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT", "&&", "||"}


def make_term(text: str, quoted: bool = False) -> Term | None:
    exact = tuple(exact_tokens(text))
    if not exact:
        return None
    return Term(text=text, exact=exact, folded=tuple(folded_tokens(text)), accented=is_accented(text), quoted=quoted)


class _Parser:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, Any]] = []
        for raw in _LEX_RE.findall(text or ""):
            if raw.startswith(('"', '-"')):
                term = make_term(raw.lstrip("-").strip('"'), quoted=True)
                if term:
                    if raw.startswith("-"):
                        self.items.append(("NOT", "-"))
                    self.items.append(("term", term))
            elif raw in ("(", ")"):
                self.items.append((raw, raw))
            elif raw in _OPERATORS:
                self.items.append(({"&&": "AND", "||": "OR"}.get(raw, raw), raw))
            elif raw.startswith("-") and len(raw) > 1:
                term = make_term(raw[1:])
                if term:
                    self.items.append(("NOT", "-"))
                    self.items.append(("term", term))
            else:
                term = make_term(raw)
                if term:
                    self.items.append(("term", term))
        self.pos = 0

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def parse(self) -> Node | None:
        nodes = []
        while self.pos < len(self.items):
            node = self.parse_or()
            if node is not None:
                nodes.append(node)
            elif self.pos < len(self.items):
                self.pos += 1  # a stray ")" or operator: skip it
        return _combine(And, nodes)

    def parse_or(self) -> Node | None:
        nodes = [self.parse_and()]
        while self.peek() == "OR":
            self.pos += 1
            nodes.append(self.parse_and())
        return _combine(Or, [n for n in nodes if n is not None])

    def parse_and(self) -> Node | None:
        nodes = []
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.pos += 1
                continue
            node = self.parse_unary()
            if node is not None:
                nodes.append(node)
        return _combine(And, nodes)

    def parse_unary(self) -> Node | None:
        kind = self.peek()
        if kind == "NOT":
            self.pos += 1
            if self.peek() in (None, ")", "OR", "AND"):
                return None
            child = self.parse_unary()
            return Not(child) if child is not None else None
        if kind == "(":
            self.pos += 1
            node = self.parse_or()
            if self.peek() == ")":
                self.pos += 1
            return node
        if kind == "term":
            term = self.items[self.pos][1]
            self.pos += 1
            return term
        self.pos += 1
        return None


def _combine(kind: type[And] | type[Or], nodes: list[Node]) -> Node | None:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.children if isinstance(node, kind) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


@dataclass(frozen=True)
class Query:
    """A parsed user query. ``root`` is None for an empty (match-everything) query."""

    text: str
    root: Node | None

    @property
    def is_empty(self) -> bool:
        return self.root is None

    def terms(self) -> list[Term]:
        """The positive terms (for highlighting)."""
        found: list[Term] = []

        def walk(node: Node | None, negated: bool) -> None:
            if isinstance(node, Term):
                if not negated:
                    found.append(node)
            elif isinstance(node, And | Or):
                for child in node.children:
                    walk(child, negated)
            elif isinstance(node, Not):
                walk(node.child, not negated)

        walk(self.root, False)
        return found


def proximity_phrase(node: And) -> Term | None:
    """The phrase formed by an AND of bare words typed alike (``chuyen doi so``), used to rank exact runs first."""
    words = [c for c in node.children if isinstance(c, Term) and not c.quoted]
    if len(words) < 2 or len(words) != sum(1 for c in node.children if not isinstance(c, Not)):
        return None
    if len({w.accented for w in words}) != 1:
        return None
    return Term(text=" ".join(w.text for w in words), exact=tuple(t for w in words for t in w.exact),
                folded=tuple(t for w in words for t in w.folded), accented=words[0].accented, quoted=True)


def parse_query(text: str | None) -> Query:
    """Parse user syntax; never raises."""
    try:
        return Query(text or "", _Parser(text or "").parse())
    except RecursionError:  # absurdly nested parentheses: read the words alone
        words = [make_term(w) for w in re.split(r"[\s()]+", text or "")]
        return Query(text or "", _combine(And, [w for w in words if w]))
