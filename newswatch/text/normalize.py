"""Vietnamese text normalisation (NFC, look-alikes, dashes, spaces) and accent folding for search.

``normalize_text`` is applied to every extracted string, so that pages in windows-1258 or with
decomposed (NFD) diacritics come out identical to UTF-8 NFC pages, and so that "NÐ-CP" written
with an Eth matches "NĐ-CP". ``fold`` produces the accent- and đ-insensitive form used by
search ("Đề án 06" -> "de an 06").
"""

from __future__ import annotations

import re
import unicodedata

# Look-alikes: Vietnamese never uses Eth, so mapping it globally is safe.
_LOOKALIKES = str.maketrans({
    "\u00d0": "\u0110",  # Ð (Eth) -> Đ
    "\u00f0": "\u0111",  # ð -> đ
    "\u0189": "\u0110",  # Ɖ (African D) -> Đ
    "\u0256": "\u0111",  # ɖ -> đ
    # dashes and minus signs -> hyphen-minus
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\ufe63": "-", "\uff0d": "-",
    # slashes -> solidus
    "\u2044": "/", "\u2215": "/", "\uff0f": "/",
    # spaces -> space
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u3000": " ",
    # zero-width characters and the soft hyphen -> nothing
    "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00ad": None,
})
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# Any character the two tables map: most strings have none, and translate() with a table costs about a
# microsecond per character even when nothing changes (~1 ms an article in the crawl's pipelines).
_MAPPED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _LOOKALIKES) + "\uff01-\uff5e]")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_SPACES = re.compile(r"[ \t\r\f\v]+")

# Old-style tone placement -> new style, applied only for matching (the text keeps its spelling). The
# two styles differ only where oa, oe or uy ends the syllable ("hoà"/"hòa", "khoẻ"/"khỏe", "Uỷ"/"Ủy");
# "toàn", "hoạch", "thoại" and "quý" are written alike in both and are left as they are.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# A candidate: o/O or u/U, then a tone-marked vowel of either case, at the end of a syllable (no letter
# follows); one character class for both (a leading class keeps the regex engine's fast scan: ~6 us for
# an article's body, 5x faster than an alternation). ``_tone_repl`` keeps what is not a pair and the u
# of "qu" ("quý", "quả": there the u belongs to the consonant).
_TONE_RE = re.compile("[oOuU][àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ](?![^\\W\\d_])")
assert {k.lower() for k in _TONE_PAIRS} == {o + v for o, vs in (("o", "àáảãạèéẻẽẹ"), ("u", "ỳýỷỹỵ")) for v in vs}


def normalize_text(text: str) -> str:
    """NFC, look-alikes mapped (Ð->Đ), dashes/slashes/spaces unified, zero-width removed, fullwidth ASCII."""
    if not text:
        return ""
    if text.isascii():  # fast path: every mapped character is outside ASCII
        return text
    text = unicodedata.normalize("NFC", text)
    if _MAPPED.search(text) is None:
        return text
    text = text.translate(_LOOKALIKES).translate(_FULLWIDTH)
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """normalize_text plus collapsed runs of spaces and trimmed ends (for one line or paragraph)."""
    return _SPACES.sub(" ", normalize_text(text)).strip()


def normalize_tone(text: str) -> str:
    """Unify old-style tone placement ("hoà", "Uỷ") with the new style ("hòa", "Ủy")."""

    return _TONE_RE.sub(_tone_repl, text)


def _tone_repl(match: re.Match[str]) -> str:
    found = match.group(0)
    new = _TONE_PAIRS.get(found.lower())
    start = match.start()
    if new is None or (start and found[0] in "uU" and match.string[start - 1] in "qQ"):
        return found
    return new.upper() if found.isupper() else (new[0].upper() + new[1:] if found[0].isupper() else new)


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ->d: the accent-insensitive form for search."""
    text = normalize_text(text).lower().translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
