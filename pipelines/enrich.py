"""EnrichPipeline (300): document numbers and topics when the extractor did not set them, and the language.

Each enrichment failing (a parser bug on an odd page) is logged with its reason and counted; the
article goes on without that field rather than being lost.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newswatch.models import Article
from newswatch.text.normalize import fold

log = logging.getLogger(__name__)

_WORD_RE = re.compile(r"[^\W\d_]+")
_ASCII_RE = re.compile(r"^[a-zA-Z]+$")


@functools.lru_cache(maxsize=4096)
def _accented_letter(letter: str) -> bool:
    return fold(letter) != letter.lower()


@functools.lru_cache(maxsize=16384)
def _accented_word(word: str) -> bool:
    """Whether one of the word's letters changes when folded (Vietnamese has a few thousand syllables: cached)."""
    return not word.isascii() and any(map(_accented_letter, word))


def guess_language(text: str) -> str | None:
    """'vi' when enough words carry Vietnamese diacritics, 'en' for plain ASCII prose, None when unsure."""
    words = _WORD_RE.findall(text[:4000])
    if len(words) < 20:
        return None
    # folding every word cost ~3 ms an article in the crawl's main process: each distinct word is tested once
    accented = sum(map(_accented_word, words))
    if accented / len(words) >= 0.2:
        return "vi"
    if sum(1 for w in words if _ASCII_RE.match(w)) / len(words) > 0.95:
        return "en"
    return None


def enrich_article(article: Article) -> list[str]:
    """Fill doc numbers, topics and language in place; returns the names of enrichments that failed."""
    failed = []
    if not article.doc_numbers:
        try:
            from newswatch.text.docnumbers import find_doc_numbers, unique_doc_numbers

            article.doc_numbers = unique_doc_numbers(find_doc_numbers(f"{article.title}\n\n{article.text}"))
        except Exception:
            log.exception("document numbers failed for %s", article.url)
            failed.append("doc_numbers")
    if not article.topics:
        try:
            from newswatch.text.topics import tag_topics

            article.topics = tag_topics(article.text, title=article.title, doc_numbers=article.canonical_doc_numbers)
        except Exception:
            log.exception("topic tagging failed for %s", article.url)
            failed.append("topics")
    language = guess_language(f"{article.title} {article.text}")
    if language:
        article.language = language
    return failed


class EnrichPipeline:
    """Add what the extractor left empty."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article):
            return item
        for name in enrich_article(item):
            if self.stats:
                self.stats.inc_value(f"newswatch/enrich/errors/{name}")
        return item
