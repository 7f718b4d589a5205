"""Scrapy item pipelines, in order: normalise, deduplicate, enrich, store, hand new articles to the monitor."""
