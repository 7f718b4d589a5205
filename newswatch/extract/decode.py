"""Bytes to text: size limit, binary detection, charset (BOM, declared, meta, UTF-8, detection), NFC.

A UTF-8 page with Windows-1252 bytes pasted into it (curly quotes and dashes from a word processor,
common on older portals) is repaired with BeautifulSoup's ``UnicodeDammit.detwingle`` before any
guessing, so its quotes survive and its Vietnamese is not re-read in a single-byte charset.

Python's cp1258 codec (windows-1258) leaves Vietnamese tone marks as combining characters; the
NFC step of :func:`newswatch.text.normalize.normalize_text` composes them, so such a page comes out
identical to its UTF-8 twin.
"""

from __future__ import annotations

import codecs
import re

from bs4 import UnicodeDammit
from charset_normalizer import from_bytes

from newswatch.errors import ExtractionError

MAX_PAGE_BYTES = 10 * 1024 * 1024  # a news page is well under 2 MB; refuse larger ones at once
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|article|meta|title|span|table|h1)\b", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def _attempt(data: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> bool:
    """Whether all but a few bytes decode as UTF-8 (a UTF-8 page with some stray single-byte characters)."""
    bad = len(data.decode("utf-8", errors="replace").encode("utf-8")) - len(data.decode("utf-8", errors="ignore")
                                                                            .encode("utf-8"))
    return 0 < bad <= max(30, len(data) // 500)


def check_size(length: int, limit: int = MAX_PAGE_BYTES) -> None:
    if length > limit:
        raise ExtractionError(f"page too large: {length / 1_048_576:.1f} MB exceeds the {limit / 1_048_576:.0f} MB "
                              "limit for one article page")


def decode_html(data: bytes | str, declared_encoding: str | None = None, limit: int = MAX_PAGE_BYTES) -> str:
    """Decoded HTML text; raise :class:`ExtractionError` for empty, oversized or binary input."""
    if data is None:
        raise ExtractionError("empty input: no HTML given")
    check_size(len(data), limit)
    if isinstance(data, str):
        text = data
    else:
        if not data.strip():
            raise ExtractionError("empty input: the file has no content")
        head = data[:4096]
        if head.count(b"\x00") > 16 and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ExtractionError("binary content, not an HTML page (NUL bytes)")
        text = None
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                text = _attempt(data, encoding)
                break
        if text is None:
            meta = _META_CHARSET.search(data[:8192])
            for encoding in (_codec(declared_encoding), _codec(meta.group(1).decode("ascii")) if meta else None,
                             "utf-8"):
                text = _attempt(data, encoding)
                if text is not None:
                    break
        if text is None and _mostly_utf8(data):
            # a UTF-8 page with Windows-1252 bytes pasted in (Word's curly quotes, dashes): BeautifulSoup's
            # UnicodeDammit.detwingle turns those into UTF-8, so the page reads right instead of as U+FFFD
            text = _attempt(UnicodeDammit.detwingle(data), "utf-8")
        if text is None:
            best = from_bytes(data[:200_000]).best()
            text = _attempt(data, best.encoding if best else None) or data.decode("utf-8", errors="replace")
    if not text.strip():
        raise ExtractionError("empty input: the file has no content")
    sample = text[:20_000]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 200) or sample.count("\ufffd") > len(sample) // 20 + 8:
        raise ExtractionError("binary content, not an HTML page (control characters)")
    if not _MARKUP.search(text[:200_000]):
        raise ExtractionError("not an HTML page: no HTML markup found")
    return text
