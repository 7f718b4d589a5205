"""Clean article extraction: decode, parse once, metadata and date, furniture removal, body, enrichment.

Public API: :func:`extract_article`, :func:`classify_page`, :class:`ExtractionError`.
"""

from newswatch.errors import ExtractionError
from newswatch.extract.article import extract_article
from newswatch.extract.classify import classify_page
from newswatch.extract.decode import MAX_PAGE_BYTES

__all__ = ["MAX_PAGE_BYTES", "ExtractionError", "classify_page", "extract_article"]
