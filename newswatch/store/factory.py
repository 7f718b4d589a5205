"""Open the article store the settings ask for: the embedded SQLite store or Elasticsearch."""

from __future__ import annotations

from typing import Any

from newswatch.settings import Settings, load_settings
from newswatch.store.base import ArticleStore


def open_store(settings: Settings) -> ArticleStore:
    """The configured store. Elasticsearch being down is not an error here: its puts are spooled."""
    if settings.store == "elasticsearch":
        from newswatch.store.elastic import ElasticStore

        return ElasticStore(settings.es_url or "http://127.0.0.1:9200", prefix=settings.es_index,
                            spool_dir=settings.spool_dir)
    from newswatch.store.sqlite import SQLiteStore

    settings.ensure_data_dir()
    return SQLiteStore(settings.articles_db)


def settings_from_scrapy(scrapy_settings: Any) -> Settings:
    """newswatch Settings for a Scrapy process: ``NEWSWATCH_CONFIG_DIR``/``NEWSWATCH_DATA_DIR`` from the Scrapy
    settings when set, else from the environment and defaults (``load_settings``)."""
    config_dir = scrapy_settings.get("NEWSWATCH_CONFIG_DIR") if scrapy_settings is not None else None
    data_dir = scrapy_settings.get("NEWSWATCH_DATA_DIR") if scrapy_settings is not None else None
    return load_settings(config_dir=config_dir or None, data_dir=data_dir or None)
