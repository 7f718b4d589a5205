"""Duplicate detection: a content fingerprint for "same URL, same text" and a 64-bit simhash for copies.

* :func:`content_hash` — SHA-1 of the normalised title and body. Same URL and same hash: unchanged;
  same URL and another hash: the article was edited (a new version).
* :func:`simhash` — a 64-bit SimHash over word 3-shingles of the *folded, cleaned* body. The cleaning
  drops what differs between an original and its republications: the dateline prefix
  (``(TTV) -``, ``HÀ NỘI (TTXVN) -``, ``Chinhphu.vn -``), credit lines (``HQ (Nguồn: Cổng thông tin
  điện tử Chính phủ)``, ``Ảnh: VGP/...``), short signature lines. Titles are not hashed: outlets
  rewrite headlines.
* :func:`nearest_cluster` — among stored candidates, the cluster of the closest copy. Two texts that
  each cite a document the other does not are never copies: government news is written from
  templates ("Thủ tướng ban hành Chỉ thị số …"), and two directives must stay two stories.
* :func:`bands` — the simhash cut into :data:`BAND_COUNT` bands; two hashes within Hamming distance
  ``BAND_COUNT - 1`` share at least one band exactly (pigeonhole), so candidates are found with an
  indexed equality lookup and then confirmed with :func:`is_near_duplicate`.

The hash and its bands are stored with each article by both store backends, so clustering works
across runs and processes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from newswatch.models import Article
from newswatch.search.tokens import folded_tokens
from newswatch.text.normalize import normalize_text

SHINGLE = 3
BAND_COUNT = 5
_BAND_BITS = (13, 13, 13, 13, 12)
NEAR_DISTANCE = 6  # max Hamming distance between copies of one story (long texts)
SHORT_TEXT_TOKENS = 60  # below this, texts must be almost identical
SHORT_DISTANCE = 2
MIN_TOKENS = 8  # below this no simhash: only identical fingerprints cluster

_DATELINE_RE = re.compile(
    r"^\s*(?:[^\W\d_][^\W\d_ .,]*(?:[ .,]+[^\W\d_][^\W\d_ .,]*){0,4}\s*)?"  # optional place: "HÀ NỘI", "Chinhphu.vn"
    r"(?:\([^()\n]{1,40}\)\s*)?"  # the outlet in parentheses: "(TTXVN)", "(LĐTĐ)"
    r"[-–—]\s+"
)
_CREDIT_RE = re.compile(r"\(?\s*(?:Nguồn|Theo|Ảnh|Video|Clip|Đồ họa|Tin, ảnh|Bài, ảnh)\s*:[^\n]*$", re.IGNORECASE)
_READ_MORE_RE = re.compile(r"^(?:Đọc thêm|Xem thêm|Tin liên quan|Bình luận)\b", re.IGNORECASE)


def clean_line(text: str) -> str:
    """``normalize_text`` with every whitespace run, line breaks included, as one space (for whitespace-insensitive fingerprints)."""
    return " ".join(normalize_text(text).split())


def content_hash(article: Article) -> str:
    """Fingerprint of what a reader sees: normalised title, lead and body (whitespace-insensitive)."""
    parts = [clean_line(article.title or ""), clean_line(article.lead or ""), clean_line(article.text or "")]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def clean_body(text: str) -> str:
    """The body without dateline, credit, caption and signature lines: what copies have in common."""
    lines = [" ".join(line.split()) for line in normalize_text(text or "").split("\n")]
    lines = [line for line in lines if line]
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _READ_MORE_RE.match(line):
            break  # "Đọc thêm" and below is page furniture
        if i == 0:
            stripped = _DATELINE_RE.sub("", line, count=1)
            line = stripped if len(stripped) >= len(line) // 2 else line
        if ":" in line:
            line = _CREDIT_RE.sub("", line).strip()
        if len(line.split()) <= 4:  # signature ("HQ", "Minh Anh"), caption stub, empty after credit removal
            continue
        kept.append(line)
    return "\n".join(kept)


_TOKEN_HASHES: dict[str, int] = {}
_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)
_MIX3 = np.uint64(0x94D049BB133111EB)


def _token_hash(token: str) -> int:
    value = _TOKEN_HASHES.get(token)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")
        if len(_TOKEN_HASHES) < 500_000:
            _TOKEN_HASHES[token] = value
    return value


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the 64 output bits."""
    x = (x ^ (x >> np.uint64(30))) * _MIX2
    x = (x ^ (x >> np.uint64(27))) * _MIX3
    return x ^ (x >> np.uint64(31))


def _token_hashes(tokens: list[str]) -> np.ndarray:
    """A stable 64-bit hash per distinct word 3-shingle (from cached per-token hashes, combined in order)."""
    values = list(map(_TOKEN_HASHES.get, tokens))
    if None in values:
        values = [v if v is not None else _token_hash(tok) for v, tok in zip(values, tokens, strict=True)]
    t = np.array(values, dtype=np.uint64)
    with np.errstate(over="ignore"):
        if len(t) < SHINGLE:
            grams = np.array([np.bitwise_xor.reduce(_mix(t + np.arange(len(t), dtype=np.uint64) * _MIX1))])
        else:
            n = len(t) - SHINGLE + 1
            grams = _mix(t[:n] * _MIX1) ^ _mix(t[1:n + 1] + _MIX2) ^ _mix(t[2:n + 2] * _MIX3 + _MIX1)
            grams = _mix(grams)
    return np.unique(grams)


def simhash_tokens(text: str) -> list[str]:
    return folded_tokens(clean_body(text))


def simhash(text: str) -> int | None:
    """64-bit SimHash of the cleaned, folded body as a signed int (fits SQLite INTEGER); None when too short."""
    tokens = simhash_tokens(text)
    if len(tokens) < MIN_TOKENS:
        return None
    hashes = _token_hashes(tokens)
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)  # 64 bits per shingle
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > len(hashes)
    value = int.from_bytes(np.packbits(votes).tobytes(), "big")
    return to_signed(value)


def to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def hamming(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()


def bands(value: int) -> list[int]:
    """The band values of a simhash, each tagged with its band number (distinct across bands)."""
    unsigned = to_unsigned(value)
    out, shift = [], 64
    for index, width in enumerate(_BAND_BITS):
        shift -= width
        out.append((index << 16) | ((unsigned >> shift) & ((1 << width) - 1)))
    return out


def token_count(text: str) -> int:
    return len(simhash_tokens(text))


def is_near_duplicate(a: int, b: int, tokens: int = SHORT_TEXT_TOKENS) -> bool:
    """Whether two simhashes are copies of one story (stricter for short texts)."""
    limit = NEAR_DISTANCE if tokens >= SHORT_TEXT_TOKENS else SHORT_DISTANCE
    return hamming(a, b) <= limit


@dataclass(frozen=True)
class Candidate:
    """A stored article that may be a copy of a new one (found by fingerprint or a shared band)."""

    cluster_id: str
    simhash: int | None
    content_hash: str | None
    doc_keys: frozenset[str]
    order: tuple[Any, ...]  # ties between equally close copies go to the smallest (earliest published)


def cite_same_documents(a: Collection[str], b: Collection[str]) -> bool:
    """Whether two texts' document numbers allow them to be one story.

    A republication may drop a paragraph and a citation with it, so one set may hold more than the
    other; but when each cites a document the other does not, they report different documents.
    """
    first, second = set(a), set(b)
    return first <= second or second <= first


def nearest_cluster(article: Article, doc_keys: Collection[str], candidates: Iterable[Candidate]) -> str | None:
    """The cluster of the closest candidate that is a copy of ``article`` (``doc_keys``: its document numbers)."""
    best: tuple[tuple[Any, ...], str] | None = None
    tokens: int | None = None
    for candidate in candidates:
        if candidate.content_hash == article.content_hash:
            distance = 0
        elif article.simhash is None or candidate.simhash is None:
            continue
        else:
            distance = hamming(article.simhash, candidate.simhash)
            if distance > NEAR_DISTANCE:
                continue
            if distance > SHORT_DISTANCE:
                tokens = token_count(article.text) if tokens is None else tokens
                if tokens < SHORT_TEXT_TOKENS:
                    continue
        if not cite_same_documents(doc_keys, candidate.doc_keys):
            continue
        rank = (distance, *candidate.order)
        if best is None or rank < best[0]:
            best = (rank, candidate.cluster_id)
    return best[1] if best else None


def fingerprint(article: Article) -> Article:
    """Set ``content_hash`` and ``simhash`` on ``article`` when missing; returns it."""
    if not article.content_hash:
        article.content_hash = content_hash(article)
    if article.simhash is None:
        article.simhash = simhash(article.text)
    return article
