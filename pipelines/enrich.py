"""EnrichPipeline (300): document numbers and topics for an article that did not come through the extractor.

Articles from :func:`~newswatch.extract.extract_article` are enriched there already (in the
extraction worker, off the crawl's main process); this pipeline runs the same single step
(:func:`newswatch.text.enrich.enrich_article`) for items that were not, so every stored article
has its numbers and topics decided in one place. A part that fails is logged with its reason and
counted (``newswatch/enrich/errors/<part>``); the article goes on without that field.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newswatch.models import Article
from newswatch.text.enrich import enrich_article


class EnrichPipeline:
    """Run the enrichment step on articles that have not had it."""

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
