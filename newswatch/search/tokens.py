"""Tokenisation shared by the query parser, the in-memory matcher, the snippet highlighter and the stores.

Vietnamese is written syllable by syllable, so a token is a run of letters and digits (what FTS5's
``unicode61`` tokenizer and Elasticsearch's ``standard`` tokenizer both produce for Vietnamese).
Each token exists in two forms: *exact* (lower-case, NFC, new-style tone placement) and *folded*
(accents removed, đ -> d: :func:`newswatch.text.normalize.fold`).
"""

from __future__ import annotations

import re
import unicodedata

from newswatch.text.normalize import fold, normalize_text, normalize_tone

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
# characters normalize_text maps (look-alikes, dashes, odd spaces, zero-width, fullwidth ASCII)
_NEEDS_MAPPING = re.compile("[\u00d0\u00f0\u0189\u0256\u2010-\u2015\u2212\ufe63\uff0d\u2044\u2215\uff0f"
                            "\u00a0\u2007\u2009\u200a\u202f\u3000\u200b-\u200d\ufeff\u00ad\uff01-\uff5e]")
_FOLD_CACHE: dict[str, str] = {}
_FOLD_CACHE_MAX = 500_000


def fast_normalize(text: str) -> str:
    """``normalize_text`` with a fast path for text that has nothing to map (the usual case after the pipeline)."""
    if not text:
        return ""
    if _NEEDS_MAPPING.search(text) is None:
        return unicodedata.normalize("NFC", text)
    return normalize_text(text)


def exact_form(text: str) -> str:
    """The text as indexed in the exact columns: NFC, look-alikes mapped, new-style tone placement."""
    return normalize_tone(fast_normalize(text))


def exact_tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(exact_form(text).lower())


def fold_word(token: str) -> str:
    """``fold`` of one token, cached (Vietnamese has a few thousand distinct syllables)."""
    folded = _FOLD_CACHE.get(token)
    if folded is None:
        folded = fold(token)
        if len(_FOLD_CACHE) < _FOLD_CACHE_MAX:
            _FOLD_CACHE[token] = folded
    return folded


def folded_tokens(text: str) -> list[str]:
    tokens = TOKEN_RE.findall(fast_normalize(text).lower())
    out = list(map(_FOLD_CACHE.get, tokens))
    if None in out:  # a token not folded yet
        out = [f if f is not None else fold_word(t) for f, t in zip(out, tokens, strict=True)]
    if "".join(out).isalnum() or not out:
        return out
    return [part for t in out for part in TOKEN_RE.findall(t)]  # a token whose folding split it


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
