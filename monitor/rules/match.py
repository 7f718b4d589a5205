"""Rule type ``match``: articles matching a search query (the archive's own syntax) plus filters.

The query is parsed once by the search engine's parser (:mod:`newswatch.search`), so a rule
matches exactly what an analyst's search for the same words would find. Filters narrow it to
topics, sources and document types, compared by the search filters' keys (:mod:`newswatch.store.keys`). One alert per story cluster (``query_key: cluster``), or
per source, or one for the whole rule; ``realert`` lets the same key alert again after a window.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from monitor.evidence import sentence_spans
from monitor.rules.base import ArticleRule, Finding, RuleContext
from newswatch.models import Article
from newswatch.store.keys import filter_keys, number_type_keys
from newswatch.text.normalize import fold


def parse_search_query(text: str) -> Any:
    """The search package's parsed query for ``text`` (``matches(article) -> bool``, evaluated in memory)."""
    from newswatch.search import parse_query

    return parse_query(text)


class MatchRule(ArticleRule):
    """Configuration of a ``match`` rule."""

    type: Literal["match"]
    query: str = Field("", description="search syntax: words, \"phrases\", AND/OR/NOT, -word")
    topics: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    doc_types: list[str] = Field(default_factory=list)
    query_key: Literal["cluster", "source", "rule"] = "cluster"
    _parsed: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _something_to_match(self) -> MatchRule:
        if not (self.query.strip() or self.topics or self.sources or self.doc_types):
            raise ValueError("a match rule needs a query or at least one filter (topics, sources, doc_types)")
        if self.query.strip():
            self._parsed = parse_search_query(self.query)  # the parser never raises: bad syntax reads as words
        return self

    def _query_matches(self, article: Article) -> bool:
        if not self.query.strip():
            return True
        if self._parsed is None:
            self._parsed = parse_search_query(self.query)
        from newswatch.search import matches

        return bool(matches(self._parsed, article))

    def evaluate(self, article: Article, ctx: RuleContext) -> list[Finding]:
        if self.sources and article.source not in self.sources:
            return []
        if self.topics and not filter_keys(article.topics) & filter_keys(self.topics):
            return []
        if self.doc_types and not {k for n in article.doc_numbers for k in number_type_keys(n)} & filter_keys(
                self.doc_types):
            return []
        if not self._query_matches(article):
            return []
        if self.query_key == "cluster":
            key = article.cluster_id or article.id
        elif self.query_key == "source":
            key = article.source or "?"
        else:
            key = self.name
        return [Finding(rule=self.name, key=key, headline=article.title or article.url,
                        evidence=self._evidence(article), details={"fires": True, "reason": "query matched"})]

    def _evidence(self, article: Article) -> str:
        """The first sentence containing a query word, else the lead or the first sentence."""
        text = article.text or ""
        words = [w for w in fold(self.query).replace('"', " ").split()
                 if w not in ("and", "or", "not") and not w.startswith("-") and len(w) > 1]
        spans = sentence_spans(text)
        for start, end in spans:
            folded = fold(text[start:end])
            if words and any(w in folded for w in words):
                return text[start:end].strip()[:600]
        if article.lead:
            return article.lead[:600]
        return text[spans[0][0]:spans[0][1]].strip()[:600] if spans else ""
