"""The one enrichment step: an article's document numbers and topics, from its own text.

The article's own text is its headline, its sapo (lead) and its cleaned body (``Article.own_text``:
the text of attached files appended to it is searchable but is not what the article says). Vietnamese outlets
often print a new document's number only in the headline ("Quyết định 1580/QĐ-TTg: Phê duyệt …")
or only in the sapo ("Thủ tướng vừa ký ban hành Chỉ thị số 07/CT-TTg …") while the body says
"Chỉ thị nêu rõ …", so all three are read. Teaser lists, "Tin liên quan" boxes, sidebars and
footers are not the article's text: the extractor removes them before this step ever sees the
body, and the headline and sapo come from the article's own markup.

Every producer of articles calls :func:`enrich_article` (the extractor at the end of
:func:`~newswatch.extract.extract_article`; the enrich pipeline and the monitor only for an
article that did not come through it; ``newswatch reindex --recompute`` for stored ones), so the
numbers, their segments and the topics are decided here and nowhere else. The article's
``extraction["enriched"]`` records the version of this step that filled it.
"""

from __future__ import annotations

import logging

from newswatch.models import Article, DocNumber
from newswatch.text.docnumbers import find_doc_numbers, unique_doc_numbers
from newswatch.text.topics import tag_topics

log = logging.getLogger(__name__)

# Raised whenever what this step computes changes, so that stored articles can be recomputed.
ENRICH_VERSION = 3  # 3: attachments appended to the body are not the article's own text
SEGMENTS = ("title", "lead", "text")


def article_numbers(article: Article) -> list[DocNumber]:
    """Every document number of the headline, the sapo and the body: one per canonical number.

    Each keeps the segment and the offsets of its first occurrence (in the order headline, sapo,
    body); an issue date stated with a later occurrence fills the first one's.
    """
    found: list[DocNumber] = []
    for segment in SEGMENTS:
        text = (article.own_text if segment == "text" else getattr(article, segment)) or ""
        if not text:
            continue
        for number in find_doc_numbers(text):
            number.segment = segment
            found.append(number)
    return unique_doc_numbers(found)


def is_enriched(article: Article) -> bool:
    """Whether the current version of this step already filled the article."""
    return article.extraction.get("enriched") == ENRICH_VERSION


def enrich_article(article: Article, *, force: bool = False) -> list[str]:
    """Fill the article's document numbers and topics in place; returns the names of the parts that failed.

    A part that fails (a parser bug on an odd page) is logged with its reason and left empty: the
    article goes on without it rather than being lost. Already enriched articles are left alone
    unless ``force``.
    """
    if is_enriched(article) and not force:
        return []
    failed: list[str] = []
    try:
        article.doc_numbers = article_numbers(article)
    except Exception:
        log.exception("document numbers failed for %s", article.url)
        article.doc_numbers = []
        failed.append("doc_numbers")
    try:
        article.topics = (tag_topics(f"{article.lead or ''}\n\n{article.own_text}", title=article.title,
                                     doc_numbers=article.canonical_doc_numbers)
                          if article.language == "vi" else [])
    except Exception:
        log.exception("topic tagging failed for %s", article.url)
        article.topics = []
        failed.append("topics")
    article.extraction = {**article.extraction, "enriched": ENRICH_VERSION}
    return failed
