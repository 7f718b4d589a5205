"""The crawler's item: :class:`newswatch.models.Article` (a dataclass; Scrapy handles it through itemadapter).

One record flows from the extractor through the pipelines to the store, so there is no separate
Scrapy ``Item`` to keep in sync with it.
"""

from __future__ import annotations

from newswatch.models import Article, DocNumber

__all__ = ["Article", "DocNumber"]
