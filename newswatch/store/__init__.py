"""Article stores: the embedded default (SQLite + a Tantivy full-text index) and Elasticsearch, behind one interface."""

from newswatch.store.base import ArticleStore, PutOutcome, PutResult, SearchHit, SearchQuery, SearchResult

__all__ = ["ArticleStore", "PutOutcome", "PutResult", "SearchHit", "SearchQuery", "SearchResult", "open_store"]


def open_store(settings):  # type: ignore[no-untyped-def]
    """The article store the settings ask for (``settings.store``)."""
    from newswatch.store.factory import open_store as _open

    return _open(settings)
