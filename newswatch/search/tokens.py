"""Tokenisation shared by the query parser, the in-memory matcher, the snippet highlighter and the stores.

Vietnamese is written syllable by syllable, so a token is a run of letters and digits (what Tantivy's
``simple`` tokenizer and Elasticsearch's ``standard`` tokenizer both produce for Vietnamese).
Each token exists in two forms: *exact* (lower-case, NFC, new-style tone placement) and *folded*
(accents removed, đ -> d: :func:`newswatch.text.normalize.fold`).
"""

from __future__ import annotations

import re
import unicodedata

from newswatch.text.normalize import fold, normalize_text, normalize_tone

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def exact_form(text: str | None) -> str:
    """The text as the exact fields index it (both stores): NFC, look-alikes mapped, new-style tone placement."""
    return normalize_tone(normalize_text(text)) if text else ""


def exact_tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(exact_form(text).lower())


class _TokenFoldTable(dict):  # type: ignore[type-arg]
    """A ``str.translate`` table: a token character to its folded form, anything else to a space."""

    def __missing__(self, codepoint: int) -> str:
        ch = chr(codepoint)
        value = "".join(c if c.isalnum() else " " for c in fold(ch)) if ch.isalnum() else " "
        if len(self) < 100_000:
            self[codepoint] = value
        return value


_TOKEN_FOLD = _TokenFoldTable()


def folded_text(text: str) -> str:
    """The folded tokens of ``text`` separated by spaces (and nothing else): one pass over the characters.

    Folding a token folds each of its characters (``fold`` is character-wise after the text is
    normalised and lower-cased), so translating character by character gives the same tokens.
    """
    return normalize_text(text).lower().translate(_TOKEN_FOLD)


def folded_tokens(text: str) -> list[str]:
    return folded_text(text).split()


def is_accented(text: str) -> bool:
    """True when the text carries Vietnamese diacritics or đ (so the user means the exact spelling)."""
    return fold(text) != normalize_text(text).lower()


def fold_char(ch: str) -> str:
    """Fold one character, keeping a one-to-one alignment with the original when possible."""
    folded = fold(ch)
    return folded if len(folded) == 1 else ch.lower()


class _CharFoldTable(dict):  # type: ignore[type-arg]
    """A ``str.translate`` table that folds each character once and remembers it."""

    def __missing__(self, codepoint: int) -> str:
        value = fold_char(chr(codepoint))
        if len(self) < 100_000:
            self[codepoint] = value
        return value


_CHAR_FOLD = _CharFoldTable()


def aligned_views(text: str) -> tuple[str, str]:
    """Exact and folded views of ``text`` with the same length as ``text`` (for highlighting offsets)."""
    text = unicodedata.normalize("NFC", text)
    exact = normalize_tone(text).lower()
    if len(exact) != len(text):
        exact = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    folded = text.translate(_CHAR_FOLD)
    return exact, folded
