"""Filter keys shared by both store backends and the alert rules: document-number, type, topic and month keys.

A search filter and a rule filter compare the same keys, so what ``search --doc-type ND`` finds,
a rule with ``doc_types: [ND]`` matches.

A document number is compared by its *key*: the canonical form (when the extractor's
:func:`~newswatch.text.docnumbers.canonicalize_doc_number` understands it), folded (accents
and đ removed, lower case) without spaces — so ``17/2017/ND-CP``, ``17/2017/nđ-cp`` and
``17 / 2017 / NĐ-CP`` all find ``17/2017/NĐ-CP``.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from newswatch.models import Article, DocNumber
from newswatch.settings import TIMEZONE
from newswatch.text.normalize import fold

_TZ = ZoneInfo(TIMEZONE)
_SPACES = re.compile(r"\s+")


def _canonicalize(value: str) -> str | None:
    from newswatch.text.docnumbers import canonicalize_doc_number

    try:
        return canonicalize_doc_number(value)
    except Exception:  # a parser hiccup must not break a search
        return None


def doc_key(value: str) -> str:
    """The tolerant comparison key of a document number."""
    canonical = _canonicalize(value) or value
    return _SPACES.sub("", fold(canonical))


@lru_cache(maxsize=4096)
def label_key(value: str) -> str:
    """Key for doc types and topics: folded, spaces/underscores as hyphens ("NĐ" = "nd", "Chuyển đổi số" = "chuyen-doi-so")."""
    return re.sub(r"[\s_]+", "-", fold(value).strip())


def canonical_key(canonical: str) -> str:
    """The key of a number already in canonical form (no parsing needed)."""
    return _SPACES.sub("", fold(canonical))


def article_doc_keys(article: Article) -> list[str]:
    keys = {canonical_key(n.canonical) for n in article.doc_numbers if n.canonical}
    return sorted(k for k in keys if k)


def article_doc_types(article: Article) -> list[str]:
    """Document type codes as written (``NĐ``, ``CT``), for facets."""
    return sorted({n.doc_type for n in article.doc_numbers if n.doc_type})


def number_type_keys(number: DocNumber) -> set[str]:
    """The keys a document type filter matches one number by: its code and its name ("nd", "nghi-dinh")."""
    return {label_key(value) for value in (number.doc_type, number.type_name) if value}


def article_doc_type_keys(article: Article) -> list[str]:
    keys: set[str] = set()
    for n in article.doc_numbers:
        keys |= number_type_keys(n)
    return sorted(keys)


def filter_keys(values: list[str] | tuple[str, ...]) -> set[str]:
    """A filter's values as keys: what a search filter and a rule filter both compare (``ND`` = ``NĐ``)."""
    return {label_key(v) for v in values if v and v.strip()}


def known_doc_type_keys() -> dict[str, str]:
    """Every accepted spelling of a document type, as key -> type code (for validating filters)."""
    from newswatch.text.docnumbers import DOC_TYPES

    keys: dict[str, str] = {}
    for code, doc_type in DOC_TYPES.items():
        keys.setdefault(label_key(code), code)
        keys.setdefault(label_key(doc_type.name), code)
    return keys


def article_time(article: Article, stored: datetime) -> datetime:
    """When the article appeared: its publication time, else when it was fetched, else stored."""
    moment = article.published or article.fetched_at or stored
    return moment if moment.tzinfo else moment.replace(tzinfo=_TZ)


def month_of(moment: datetime) -> str:
    return moment.astimezone(_TZ).strftime("%Y-%m")
