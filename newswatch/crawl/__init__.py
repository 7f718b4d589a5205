"""Crawling from newswatch's side: running crawls in-process (:mod:`.runner`), turning pages into articles
(:mod:`.pages`, used in worker processes) and cheap change detection without Scrapy (:mod:`.poll`)."""
