"""Turning query-string parameters into a SearchQuery, and back into links (facets, pages, exports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams

from newswatch.store.base import SearchQuery

PER_PAGE = 20
MAX_PAGE = 500
FILTER_KEYS = ("source", "topic", "doc_type")


@dataclass
class SearchParams:
    """The search form's state, exactly as the analyst typed it."""

    q: str = ""
    since: str = ""
    until: str = ""
    sources: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    doc_number: str = ""
    sort: str = "relevance"
    page: int = 1
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: QueryParams) -> SearchParams:
        def many(key: str) -> list[str]:
            return [v.strip() for v in params.getlist(key) if v.strip()]

        try:
            page = max(1, min(MAX_PAGE, int(params.get("page") or 1)))
        except ValueError:
            page = 1
        sort = params.get("sort") or "relevance"
        return cls(q=(params.get("q") or "").strip(), since=(params.get("since") or "").strip(),
                   until=(params.get("until") or "").strip(), sources=many("source"), topics=many("topic"),
                   doc_types=many("doc_type"), doc_number=(params.get("doc_number") or "").strip(),
                   sort=sort if sort in ("relevance", "newest") else "relevance", page=page)

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.since or self.until or self.sources or self.topics or self.doc_types
                    or self.doc_number)

    def to_query(self, tz: ZoneInfo, *, limit: int = PER_PAGE, offset: int | None = None,
                 facets: bool = True) -> SearchQuery:
        since = _parse_day(self.since, tz, self.errors, "từ ngày / since")
        until = _parse_day(self.until, tz, self.errors, "đến ngày / until")
        if until is not None:
            until = until + timedelta(days=1)  # the whole day named
        return SearchQuery(
            text=self.q, since=since, until=until, sources=list(self.sources), topics=list(self.topics),
            doc_types=list(self.doc_types), doc_numbers=[self.doc_number] if self.doc_number else [],
            limit=limit, offset=(self.page - 1) * limit if offset is None else offset,
            collapse_clusters=True, facets=facets,
            sort="newest" if self.is_empty and self.sort == "relevance" else self.sort)

    def items(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for key, value in (("q", self.q), ("since", self.since), ("until", self.until),
                           ("doc_number", self.doc_number)):
            if value:
                pairs.append((key, value))
        pairs += [("source", v) for v in self.sources]
        pairs += [("topic", v) for v in self.topics]
        pairs += [("doc_type", v) for v in self.doc_types]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        return pairs

    def link(self, path: str = "/search", *, page: int | None = None, add: tuple[str, str] | None = None,
             remove: tuple[str, str] | None = None, **replace: Any) -> str:
        """A URL of this search with one thing changed (a facet added or removed, another page)."""
        return query_link(path, self.items(), page=page, add=add, remove=remove, **replace)

    def has(self, facet: str, value: str) -> bool:
        return value in {"source": self.sources, "topic": self.topics, "doc_type": self.doc_types}.get(facet, [])


def query_link(path: str, items: list[tuple[str, str]], *, page: int | None = None,
               add: tuple[str, str] | None = None, remove: tuple[str, str] | None = None, **replace: Any) -> str:
    """``path`` with the query ``items`` and one thing changed: a pair added or removed, keys replaced, a page."""
    pairs = [p for p in items if p != remove and p[0] not in replace]
    pairs += [(k, str(v)) for k, v in replace.items() if v not in (None, "")]
    if add is not None and add not in pairs:
        pairs.append(add)
    if page and page > 1:
        pairs.append(("page", str(page)))
    query = urlencode(pairs)
    return f"{path}?{query}" if query else path


def _parse_day(value: str, tz: ZoneInfo, errors: list[str], label: str) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        try:
            day = datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            errors.append(f"{label}: '{value}' không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY)")
            return None
    return datetime.combine(day, time.min, tzinfo=tz)
