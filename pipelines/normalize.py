"""NormalizePipeline (100): NFC and look-alike characters on every text field, empty and repeated paragraphs removed.

Pages in windows-1258 or with decomposed diacritics, or writing "NÐ-CP" with an Eth, come out
identical to clean UTF-8 pages, so fingerprints, folding and document numbers agree across outlets.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newswatch.models import Article
from newswatch.text.normalize import clean_line

log = logging.getLogger(__name__)

LINE_FIELDS = ("title", "lead", "author", "section", "dateline", "provenance", "source")


def normalize_body(text: str) -> str:
    """Paragraphs cleaned, empty ones removed, exact repeats (a duplicated sapo) dropped; joined by blank lines."""
    seen: set[str] = set()
    paragraphs = []
    for line in (text or "").splitlines():
        line = clean_line(line)
        if not line or line in seen:
            continue
        seen.add(line)
        paragraphs.append(line)
    return "\n\n".join(paragraphs)


def normalize_article(article: Article) -> Article:
    for name in LINE_FIELDS:
        value = getattr(article, name)
        if isinstance(value, str):
            cleaned = clean_line(value)
            setattr(article, name, cleaned if cleaned or name in ("title", "source") else None)
    text = normalize_body(article.text)
    if text != article.text:
        article.text = text
        article.simhash = None  # computed on the old body (by the extraction worker): the dedupe pipeline redoes it
    return article


class NormalizePipeline:
    """Normalise each :class:`~newswatch.models.Article`; other items pass untouched."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article):
            return item
        normalize_article(item)
        if not item.title and not item.text:
            if self.stats:
                self.stats.inc_value("newswatch/normalize/dropped/empty")
            raise DropItem(f"empty article (no title, no text after normalisation): {item.url}")
        return item
