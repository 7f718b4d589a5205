"""The article-store interface that both backends implement and one behavioural test suite checks.

Identity is the canonical URL (``Article.id`` is its hash). ``put`` is idempotent: storing the
same article twice changes nothing; storing changed text at the same URL keeps the previous
version. Near-duplicate copies from other outlets share a ``cluster_id``; the cluster's first
publisher is the copy with the earliest publication time.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newswatch.models import Article

if TYPE_CHECKING:
    from newswatch.documents.register import DocumentRegister


class PutOutcome(enum.StrEnum):
    NEW = "new"  # first time this URL is seen (may still join an existing cluster)
    UPDATED = "updated"  # same URL, changed text: previous version kept
    UNCHANGED = "unchanged"  # same URL, same content fingerprint


@dataclass
class PutResult:
    outcome: PutOutcome
    article_id: str
    cluster_id: str
    cluster_size: int = 1
    is_first_in_cluster: bool = True  # False when the article joined a cluster another outlet started
    spooled: bool = False  # the store was unreachable: the article is safe on disk and will be stored later


@dataclass
class SearchQuery:
    """What an analyst asks for. ``text`` uses the search syntax: words, "phrases", AND/OR/NOT, -word."""

    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    sources: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    limit: int = 20
    offset: int = 0
    collapse_clusters: bool = True  # one hit per story cluster, copies listed
    facets: bool = True
    sort: str = "relevance"  # relevance | newest


@dataclass
class SearchHit:
    article: Article
    score: float = 0.0
    snippet: str = ""  # highlighted, HTML-escaped, matches wrapped in <mark>
    # the cluster's articles (this one included) when it has several: id, url, source, title, published
    # (ISO 8601), first (True for the first publisher); first publisher first
    copies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # source, topic, doc_type, month -> counts
    took_ms: float = 0.0
    total_exact: bool = True  # False: ``total`` is an estimate (stories of a large match set, within a few %)


class ArticleStore(ABC):
    """Where articles live and are searched."""

    @abstractmethod
    def put(self, article: Article) -> PutResult:
        """Store ``article`` (its simhash and content_hash set), assigning its cluster."""

    @abstractmethod
    def get(self, article_id: str) -> Article | None: ...

    @abstractmethod
    def cluster(self, cluster_id: str) -> list[Article]:
        """The copies of one story, first publisher first."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def iter_articles(self, since: datetime | None = None) -> Iterator[Article]: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def latest_by_source(self) -> dict[str, datetime]:
        """When each source last had a new article stored (for silence detection and source health)."""

    def put_many(self, articles: Iterable[Article]) -> list[PutResult]:
        """Store several articles (backends batch the writes)."""
        return [self.put(article) for article in articles]

    def import_articles(self, articles: Iterable[Article]) -> int:
        """Copy articles as they are, cluster and version kept (``newswatch reindex``); returns the count."""
        count = 0
        for article in articles:
            self.put(article)
            count += 1
        return count

    def versions(self, article_id: str) -> list[Article]:
        """Previous versions of an edited article, oldest first."""
        return []

    def missing(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` the store does not hold (the reconciliation's question; backends batch it)."""
        return {article_id for article_id in dict.fromkeys(ids) if self.get(article_id) is None}

    @property
    def documents(self) -> DocumentRegister:
        """The document register derived from this store's articles (kept current by every write)."""
        register = self.__dict__.get("_documents")
        if register is None:
            register = self.__dict__["_documents"] = self._open_documents()
        return register

    @property
    def documents_errors(self) -> Counter[str]:
        """Articles stored but not recorded in the register, by reason (``newswatch documents rebuild`` repairs)."""
        return self.__dict__.setdefault("_documents_errors", Counter())

    def _open_documents(self) -> DocumentRegister:
        raise NotImplementedError(f"{type(self).__name__} has no document register")

    def _record_documents(self, articles: list[Article]) -> None:
        """Keep the register current with articles just written (never raises: see ``record_stored``)."""
        from newswatch.documents.register import record_stored

        record_stored(self, articles)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> ArticleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
