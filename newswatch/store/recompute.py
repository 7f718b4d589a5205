"""Recompute what enrichment derives (document numbers, topics) for articles already in a store.

After an upgrade that reads documents differently (numbers from the headline and the sapo, new
issuers), ``newswatch reindex --recompute`` runs the current enrichment step on every stored
article (or those stored since a date) and writes back the ones that changed, in place: ids,
clusters and versions are kept, so nothing is duplicated and no version is added. Then
``newswatch rules run --since …`` alerts on what now reads as a new directive, without alerting
again on what already did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from newswatch.models import Article
from newswatch.store.base import ArticleStore
from newswatch.text.enrich import enrich_article

BATCH = 500


@dataclass
class RecomputeCounts:
    """What a recompute did."""

    articles: int = 0
    changed: int = 0
    documents_before: int = 0
    documents_after: int = 0
    failed: int = 0


def _signature(article: Article) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(n.key for n in article.doc_numbers), tuple(article.topics)


def recompute(store: ArticleStore, since: datetime | None = None,
              progress: Callable[[int], None] | None = None) -> RecomputeCounts:
    """Run the enrichment step again on the stored articles and write back those whose results changed."""
    counts = RecomputeCounts()
    batch: list[Article] = []

    def changed_articles() -> Iterator[Article]:
        for article in store.iter_articles(since=since):
            counts.articles += 1
            before = _signature(article)
            counts.documents_before += len(article.doc_numbers)
            if enrich_article(article, force=True):
                counts.failed += 1
            counts.documents_after += len(article.doc_numbers)
            if progress is not None:
                progress(1)
            if _signature(article) != before:
                counts.changed += 1
                yield article

    for article in changed_articles():
        batch.append(article)
        if len(batch) >= BATCH:
            store.import_articles(batch)
            batch = []
    if batch:
        store.import_articles(batch)
    return counts
