"""Helpers for the extraction tests: fixture pages (``tests/fixtures/pages``), expectations, twin encoders."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def article_fixtures() -> list[str]:
    """Names of the fixture pages that have an expectation file."""
    return sorted(p.stem for p in PAGES.glob("*.json"))


def load_fixture(name: str) -> tuple[bytes, dict[str, Any]]:
    return (PAGES / f"{name}.html").read_bytes(), json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


def to_windows_1258(text: str) -> bytes:
    """Encode NFC text as windows-1258 does: base letters precomposed, tone marks as combining characters."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in decomposed[1:] if m in _TONES)
        others = "".join(m for m in decomposed[1:] if m not in _TONES)
        out += unicodedata.normalize("NFC", decomposed[0] + others).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)
