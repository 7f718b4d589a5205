"""Highlighted snippets: the best window of a text around the query's terms, HTML-escaped, in ``<mark>``.

Matching follows the search semantics (exact tokens for terms typed with diacritics, folded tokens
otherwise), computed on views of the text aligned character for character with the original, so
the marks land on the original spelling.
"""

from __future__ import annotations

import html
import re

from newswatch.search.query import Term
from newswatch.search.tokens import aligned_views


def _term_pattern(tokens: tuple[str, ...]) -> re.Pattern[str]:
    """The token sequence as whole tokens: group 1 is what follows its first token (overlapping runs are found).

    The pattern starts with the first token as a literal (a fast scan); the look-behind then checks
    that no token character precedes it, the look-ahead holds the rest so the next run may overlap.
    """
    first = re.escape(tokens[0])
    rest = "".join(r"[\W_]+" + re.escape(t) for t in tokens[1:])
    return re.compile(rf"{first}(?<![^\W_]{first})(?=({rest})(?![^\W_]))")


def _spans(text: str, terms: list[Term]) -> list[tuple[int, int, int]]:
    exact_view, folded_view = aligned_views(text)
    spans: list[tuple[int, int, int]] = []
    for term in terms:
        view = exact_view if term.accented else folded_view
        weight = len(term.tokens) ** 2
        spans += [(m.start(), m.end(1), weight) for m in _term_pattern(term.tokens).finditer(view)]
    spans.sort()
    merged: list[tuple[int, int, int]] = []
    for start, end, weight in spans:
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2] + weight + 1)
        else:
            merged.append((start, end, weight))
    return merged


def highlight(text: str, terms: list[Term], width: int = 240) -> str:
    """A snippet of about ``width`` characters with matches in ``<mark>``; the text's start when none match."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    spans = _spans(text, terms) if terms else []
    if not spans:
        cut = text[:width]
        if len(text) > width:
            cut = cut.rsplit(" ", 1)[0] + " …"
        return html.escape(cut)
    # the window that holds the most matches, starting a little before the first of them
    best_start, best_count = spans[0][0], 0
    for start, _, _ in spans:
        count = sum(w for s, e, w in spans if s >= start and e <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - width // 4)
    if begin > 0:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > best_start else end
    for s, e, _ in spans:  # never cut a mark in half
        if s < end < e:
            end = e
    out = ["… " if begin > 0 else ""]
    cursor = begin
    for s, e, _ in spans:
        if s < begin or s >= end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append(" …")
    return "".join(out)
