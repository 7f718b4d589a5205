"""``newswatch search``: search the archive from the command line (rich text, or one JSON object)."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from newswatch import localtime
from newswatch.cli.common import CliState, console, echo_json, pass_state
from newswatch.store.base import SearchQuery, SearchResult

_TZ = localtime.zone()
_SPAN_RE = re.compile(r"(\d+)\s*([mhdw])")
_SPAN_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_date(value: str | None, *, end: bool = False, tz: ZoneInfo = _TZ) -> datetime | None:
    """``2025-03-15``, ``15/03/2025``, an ISO 8601 time, or a span back from now (``7d``, ``12h``, ``2w``).

    A bare day means its start (``end``: its end) in the configured time zone ``tz``.
    """
    if not value:
        return None
    value = value.strip()
    span = _SPAN_RE.fullmatch(value.lower())
    if span:
        return datetime.now(tz) - timedelta(**{_SPAN_UNITS[span[2]]: int(span[1])})
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    try:
        if match:
            day = date(int(match[3]), int(match[2]), int(match[1]))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
        else:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write 2025-03-15, 15/03/2025 or a span such as 7d") from exc
    if end:
        return datetime.combine(day + timedelta(days=1), time.min, tz) - timedelta(microseconds=1)
    return datetime.combine(day, time.min, tz)


def result_to_dict(query: SearchQuery, result: SearchResult) -> dict[str, Any]:
    return {
        "query": query.text, "total": result.total, "total_exact": result.total_exact, "took_ms": result.took_ms,
        "offset": query.offset, "limit": query.limit,
        "hits": [{
            "id": h.article.id, "url": h.article.url, "title": h.article.title, "source": h.article.source,
            "published": h.article.published.isoformat() if h.article.published else None,
            "cluster_id": h.article.cluster_id, "score": h.score, "snippet": h.snippet,
            "doc_numbers": h.article.canonical_doc_numbers, "topics": h.article.topics, "copies": h.copies,
        } for h in result.hits],
        "facets": result.facets,
    }


def _markup(snippet: str) -> str:
    import html

    from rich.markup import escape

    parts = re.split(r"(<mark>.*?</mark>)", snippet)
    out = []
    for part in parts:
        if part.startswith("<mark>"):
            out.append("[bold yellow]" + escape(html.unescape(part[6:-7])) + "[/]")
        else:
            out.append(escape(html.unescape(part)))
    return "".join(out)


def print_result(query: SearchQuery, result: SearchResult, tz: ZoneInfo = _TZ) -> None:
    out = console()
    shown = f"{query.offset + 1}-{query.offset + len(result.hits)}" if result.hits else "0"
    out.print(f"[bold]{'' if result.total_exact else '≈ '}{result.total}[/] {'stories' if query.collapse_clusters else 'articles'} "
                  f"(showing {shown}, {result.took_ms:.0f} ms)")
    for number, hit in enumerate(result.hits, query.offset + 1):
        a = hit.article
        when = localtime.human(a.published, tz, empty="?")
        out.print(f"\n[bold]{number}. {_escape(a.title)}[/]")
        out.print(f"   [cyan]{_escape(a.source)}[/] · {when} · {_escape(a.url)}")
        if a.doc_numbers:
            out.print(f"   [magenta]{_escape(', '.join(a.canonical_doc_numbers))}[/]")
        if hit.snippet:
            out.print("   " + _markup(hit.snippet))
        if hit.copies:
            out.print(f"   [dim]{len(hit.copies)} copies:[/]")
            for copy in hit.copies:
                mark = "first" if copy.get("first") else "     "
                out.print(f"     [dim]{mark}[/] {_escape(copy['source'])} {localtime.human(copy.get('published'), tz, empty='?')} {_escape(copy['url'])}")
    for name, counts in result.facets.items():
        if counts:
            items = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:8])
            out.print(f"[dim]{name}:[/] {_escape(items)}")


def _escape(text: str | None) -> str:
    from rich.markup import escape

    return escape(text or "")


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--since", help="Published on or after this day (2025-03-15 or 15/03/2025), time, or span back (7d, 12h).")
@click.option("--until", help="Published on or before this day or time (or a span back: 1d).")
@click.option("--source", "sources", multiple=True, metavar="S", help="Only this source (repeatable).")
@click.option("--topic", "topics", multiple=True, metavar="T", help="Only this topic (repeatable).")
@click.option("--doc-type", "doc_types", multiple=True, metavar="T", help="Citing this document type: NĐ, CT, QĐ... (repeatable).")
@click.option("--doc-number", "doc_numbers", multiple=True, metavar="N",
              help="Citing this document number, spelling-tolerant: 17/2017/ND-CP (repeatable).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many hits (pagination).")
@click.option("--sort", type=click.Choice(["relevance", "newest"]), default="relevance", show_default=True)
@click.option("--all-copies", is_flag=True, help="One hit per article instead of one per story.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_state
def command(state: CliState, query: tuple[str, ...], since: str | None, until: str | None,
            sources: tuple[str, ...], topics: tuple[str, ...], doc_types: tuple[str, ...],
            doc_numbers: tuple[str, ...], limit: int, offset: int, sort: str, all_copies: bool, as_json: bool) -> None:
    """Search the archive. QUERY: words, "exact phrases", AND / OR / NOT, -word, (groups).

    Words typed without accents match every accented spelling ("chuyen doi so" finds "chuyển đổi số");
    words typed with accents match that spelling.
    """
    from newswatch.store.factory import open_store

    settings = state.require_data()
    tz = state.tz
    search_query = SearchQuery(
        text=" ".join(query), since=parse_date(since, tz=tz), until=parse_date(until, end=True, tz=tz),
        sources=list(sources),
        topics=list(topics), doc_types=list(doc_types), doc_numbers=list(doc_numbers), limit=limit, offset=offset,
        collapse_clusters=not all_copies, sort=sort)
    store = open_store(settings)
    try:
        if sources:
            _check_sources(settings, store, sources)
        result = store.search(search_query)
    finally:
        store.close()
    if as_json:
        echo_json(result_to_dict(search_query, result), tz)
    else:
        print_result(search_query, result, tz)


def _check_sources(settings: Any, store: Any, names: tuple[str, ...]) -> None:
    """An unknown --source is an error naming the known ones (not a silent zero)."""
    known: set[str] = set()
    with contextlib.suppress(Exception):
        known.update(store.latest_by_source())
    try:
        from newswatch.sources import load_sources

        known.update(s.name for s in load_sources(settings.sources_file))
    except Exception:
        pass
    unknown = [n for n in names if n not in known]
    if unknown and known:
        raise click.BadParameter(f"unknown source {', '.join(map(repr, unknown))}; known sources: "
                                 f"{', '.join(sorted(known))}", param_hint="--source")
