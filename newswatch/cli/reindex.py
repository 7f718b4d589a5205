"""``newswatch reindex``: copy the embedded store into Elasticsearch, or back, with progress and counts;
``--verify``: check that every article the crawl state records as stored is in the store, and repair gaps.

``newswatch reindex --recompute [--since DATE]`` instead recomputes, in the configured store, what
the enrichment step derives (document numbers, topics) for stored articles: see
:mod:`newswatch.store.recompute`.

Copies keep each article's id (hash of its canonical URL), cluster and version, so running it twice
changes nothing; writes go through the Elasticsearch alias (no downtime for searches). The check is
:func:`newswatch.store.reconcile.reconcile`.
"""

from __future__ import annotations

import time
from typing import Any

import click

from newswatch.cli.common import CliState, echo_json, pass_state


@click.command("reindex")
@click.option("--to", "target", type=click.Choice(["elasticsearch", "sqlite"]), default=None,
              help="Where to copy to (the other store is the source; default elasticsearch). "
                   "With --verify: the store to check (default: the configured one).")
@click.option("--verify", is_flag=True, help="Instead of copying: compare the crawl state with the store, then "
              "store missing articles again from the embedded store or hand them back to the crawler.")
@click.option("--no-repair", is_flag=True, help="With --verify: only report (exit status 1 if articles are missing).")
@click.option("--es-url", envvar="NEWSWATCH_ES_URL", help="Elasticsearch URL (default: NEWSWATCH_ES_URL or http://127.0.0.1:9200).")
@click.option("--es-index", envvar="NEWSWATCH_ES_INDEX", default="newswatch", show_default=True, help="Index/alias prefix.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object (no progress bar).")
@click.option("--recompute", is_flag=True,
              help="Do not copy: recompute document numbers and topics of the articles in the configured store.")
@click.option("--since", help="With --recompute: only articles stored since (2026-11-01 or 30d).")
@pass_state
def command(state: CliState, target: str | None, verify: bool, no_repair: bool, es_url: str | None, es_index: str,
            as_json: bool, recompute: bool, since: str | None) -> None:
    """Copy every article from one store to the other, or (--verify) find and repair gaps in the store, or
    (--recompute) refresh the articles' documents and topics in place."""
    if verify:
        _verify(state, target, es_url, es_index, repair=not no_repair, as_json=as_json)
        return
    if recompute:
        _recompute(state, since, as_json)
        return
    target = target or "elasticsearch"
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from newswatch.errors import StoreUnavailable
    from newswatch.store.elastic import ElasticStore
    from newswatch.store.sqlite import SQLiteStore

    settings = state.settings
    settings.ensure_data_dir()
    sqlite = SQLiteStore(settings.articles_db)
    elastic = ElasticStore(es_url or settings.es_url or "http://127.0.0.1:9200", prefix=es_index,
                           spool_dir=settings.spool_dir)
    source, destination = (sqlite, elastic) if target == "elasticsearch" else (elastic, sqlite)
    started = time.monotonic()
    try:
        total = source.count()
        before = destination.count()
        with Progress(TextColumn("[bold]reindex[/] → " + target), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), disable=as_json, transient=False) as progress:
            task = progress.add_task("copy", total=total)

            def articles():  # type: ignore[no-untyped-def]
                for article in source.iter_articles():
                    progress.advance(task)
                    yield article

            copied = destination.import_articles(articles())
        after = destination.count()
    except StoreUnavailable as exc:
        raise click.ClickException(f"{exc}. Start Elasticsearch or pass --es-url.") from exc
    finally:
        sqlite.close()
        elastic.close()
    counts = {"to": target, "source_articles": total, "copied": copied, "destination_before": before,
              "destination_after": after, "added": after - before, "seconds": round(time.monotonic() - started, 2)}
    if as_json:
        echo_json(counts)
    else:
        click.echo(f"copied {copied} of {total} articles to {target}: {after - before} new, "
                   f"{after} there now ({counts['seconds']} s)")


def _verify(state: CliState, target: str | None, es_url: str | None, es_index: str, *, repair: bool,
            as_json: bool) -> None:
    from newswatch.errors import StoreUnavailable
    from newswatch.state.db import open_state
    from newswatch.store.reconcile import REFETCH_REASON, reconcile

    settings = state.settings
    settings.ensure_data_dir()
    kind = target or settings.store
    if kind == "elasticsearch":
        from newswatch.store.elastic import ElasticStore

        store: Any = ElasticStore(es_url or settings.es_url or "http://127.0.0.1:9200", prefix=es_index,
                                  spool_dir=settings.spool_dir)
    else:
        from newswatch.store.sqlite import SQLiteStore

        store = SQLiteStore(settings.articles_db)
    try:
        report = reconcile(settings, open_state(settings.state_url), store, repair=repair)
    except StoreUnavailable as exc:
        raise click.ClickException(f"{exc}. Nothing was checked: start Elasticsearch or pass --es-url.") from exc
    finally:
        store.close()
    if as_json:
        echo_json({"verify": kind, **report.as_dict()})
    else:
        by_source = ", ".join(f"{s}: {n}" for s, n in report.missing_by_source.items())
        click.echo(f"verified {report.expected} stored articles against {kind}"
                   f"{f' ({report.replayed} replayed from the spool first)' if report.replayed else ''}: "
                   f"{report.missing} missing{f' ({by_source})' if by_source else ''}")
        for url in report.examples:
            click.echo(f"  missing: {url}")
        if repair and report.missing:
            click.echo(f"repaired: {report.restored} stored again from the embedded store, {report.refetch} handed "
                       f"back to the crawler (reason {REFETCH_REASON}: the next crawl of their source fetches them)")
    if not repair and report.missing:
        raise SystemExit(1)


def _recompute(state: CliState, since: str | None, as_json: bool) -> None:
    from rich.progress import MofNCompleteColumn, Progress, TextColumn

    from newswatch.cli.rules import parse_since
    from newswatch.errors import StoreUnavailable
    from newswatch.store import open_store
    from newswatch.store.recompute import recompute

    started = time.monotonic()
    store = open_store(state.settings)
    try:
        with Progress(TextColumn("[bold]recompute[/] documents and topics"), MofNCompleteColumn(),
                      disable=as_json, transient=False) as progress:
            task = progress.add_task("recompute", total=None)
            counts = recompute(store, parse_since(since), progress=lambda n: progress.advance(task, n))
    except StoreUnavailable as exc:
        raise click.ClickException(f"{exc}. Start Elasticsearch or check NEWSWATCH_ES_URL.") from exc
    finally:
        store.close()
    result = {**counts.__dict__, "seconds": round(time.monotonic() - started, 2)}
    if as_json:
        echo_json(result)
    else:
        click.echo(f"recomputed {counts.articles} article(s): {counts.changed} changed "
                   f"({counts.documents_before} → {counts.documents_after} document numbers), "
                   f"{counts.failed} failed; now `newswatch rules run --since …` alerts on what is new")
