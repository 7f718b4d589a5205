"""``newswatch crawl``: crawl configured sources into the archive, with live progress and a run summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from newswatch.cli.common import CliState, echo_json, pass_state
from newswatch.sources import load_sources, select_sources


@click.command("crawl")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, exists=True),
              help="Sources file (default: sources.yaml in the config folder).")
@click.option("--source", "names", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Where the archive and crawl state live.")
@click.option("--full", is_flag=True, help="Ignore crawl state: refetch every feed, sitemap, listing and article.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as one JSON object (no progress display).")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as scrapy's -s does (value parsed as JSON when it is JSON).")
@pass_state
def command(state: CliState, sources_file: str | None, names: tuple[str, ...], data_dir: str | None, full: bool,
            as_json: bool, overrides: tuple[str, ...]) -> None:
    """Crawl sources: discover new articles, extract, run the pipelines, store; then print a summary.

    Second and later runs are incremental: feeds, sitemaps and listings are requested conditionally and
    articles already fetched are not fetched again unless a feed or sitemap says they changed.
    """
    from newswatch.crawl.runner import run_crawl, summary

    if data_dir:
        state.data_dir = data_dir
        state._settings = None
    settings = state.settings
    file = Path(sources_file) if sources_file else settings.sources_file
    sources = select_sources(load_sources(file), names, file)
    if not sources:
        raise click.ClickException(f"no enabled source in {file}")
    run = run_crawl(settings, sources, full=full, progress=False if as_json else None, verbose=state.verbose,
                    overrides=_parse_overrides(overrides))
    result = summary(run)
    if as_json:
        echo_json(result)
    else:
        _print_summary(result)
    if result["status"] == "failed":
        sys.exit(1)


def _parse_overrides(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r}: write NAME=VALUE, e.g. DOWNLOAD_TIMEOUT=10", param_hint="--set")
        try:
            out[name.strip()] = json.loads(value)
        except ValueError:
            out[name.strip()] = value
    return out


def _print_summary(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"crawl run {result['run_id']}: {result['status']} in {result['duration_s']:.1f} s")
    for col in ("source", "status", "requests", "new", "updated", "unchanged", "known", "not article", "errors"):
        table.add_column(col)
    for name, s in result["sources"].items():
        errors = ", ".join(f"{k} {v}" for k, v in sorted((s.get("errors") or {}).items())) or "-"
        table.add_row(name, s["status"], str(s["requests"]), str(s["articles_new"]), str(s["articles_updated"]),
                      str(s["articles_unchanged"]), str(s["skipped_known"]), str(s["not_articles"]), errors)
    console.print(table)
