"""``newswatch crawl``: crawl configured sources into the archive, with live progress and a run summary.

The crawler's own log lines (Scrapy warnings: a DNS failure, a timeout ...) go to a log file in the
data directory (``logs/crawl-<time>.log``), not between the progress display and the summary; the
summary gives one readable reason per failing source and names the file. ``-v`` puts the log back
on the terminal; with ``--json`` (how the service runs its crawl children) stderr is left to the caller.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from newswatch import localtime
from newswatch.cli.common import CliState, announce_config, console, echo_json, pass_state
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
    announce_config(settings)
    file = Path(sources_file) if sources_file else settings.sources_file
    sources = select_sources(load_sources(file), names, file)
    if not sources:
        raise click.ClickException(f"no enabled source in {file}")
    extra = _parse_overrides(overrides)
    log_file = None
    if not state.verbose and not as_json and "LOG_FILE" not in extra:  # --json: stderr is the caller's log
        settings.ensure_data_dir()
        log_file = settings.data_dir / "logs" / f"crawl-{localtime.local(time.time(), state.tz):%Y%m%d-%H%M%S}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        extra.update(LOG_FILE=str(log_file), LOG_FILE_APPEND=True)
    run = run_crawl(settings, sources, full=full, progress=False if as_json else None, verbose=state.verbose,
                    overrides=extra)
    result = summary(run)
    if log_file is not None and log_file.exists():
        result["log_file"] = str(log_file)
    if as_json:
        echo_json(result, state.tz)
    else:
        _print_summary(result, {s.name: s for s in sources})
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


def _print_summary(result: dict, sources: dict[str, Any] | None = None) -> None:
    from rich.table import Table

    from newswatch.web.health import failure_reason

    out = console()
    table = Table(title=f"crawl run {result['run_id']}: {result['status']} in {result['duration_s']:.1f} s")
    for col in ("source", "status", "requests", "new", "updated", "unchanged", "known", "not article", "errors"):
        table.add_column(col, overflow="fold")
    reasons = []
    for name, s in result["sources"].items():
        errors = s.get("errors") or {}
        table.add_row(name, s["status"], str(s["requests"]), str(s["articles_new"]), str(s["articles_updated"]),
                      str(s["articles_unchanged"]), str(s["skipped_known"]), str(s["not_articles"]),
                      str(sum(errors.values())) if errors else "-")
        if errors:
            reasons.append(f"  {name}: {failure_reason(errors, (sources or {}).get(name))}")
    out.print(table)
    for line in reasons:
        out.print(line, markup=False)
    if result.get("log_file"):
        out.print(f"full log: {result['log_file']}", markup=False)
