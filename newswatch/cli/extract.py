"""``newswatch extract FILE --url URL [--source NAME] [--sources FILE]``: one page in, one JSON object out."""

from __future__ import annotations

from pathlib import Path

import click

from newswatch.cli.common import CliState, echo_json, pass_state
from newswatch.errors import ConfigError, ExtractionError
from newswatch.sources import Profile, load_sources, select_sources

OUTPUT_KEYS = ("url", "title", "published", "author", "section", "lead", "text", "doc_numbers", "documents",
               "topics", "language", "dateline", "provenance", "extraction")


def _profile(state: CliState, source: str | None, sources_file: str | None) -> tuple[Profile | None, str]:
    if not source:
        return None, state.settings.service.timezone  # no source named: the configured zone
    path = Path(sources_file) if sources_file else state.settings.sources_file
    chosen = select_sources(load_sources(path), [source], path)[0]
    return chosen.profile, chosen.timezone


@click.command(name="extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The page's URL (used for dates in URLs, links and identity).")
@click.option("--source", "source", default=None, help="Use this source's extraction profile (from the sources file).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), default=None,
              help="Sources file to read the profile from (default: config/sources.yaml).")
@click.option("--encoding", default=None, help="Declared charset, e.g. from an HTTP header (default: detect).")
@pass_state
def command(state: CliState, file: Path, url: str, source: str | None, sources_file: str | None,
            encoding: str | None) -> None:
    """Extract the article of one saved HTML page and print it as one JSON object."""
    # imported here, not with the module: every `newswatch` command (a crawl child too) loads this module
    from urllib.parse import urlsplit

    from newswatch.extract import MAX_PAGE_BYTES, extract_article

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname.strip("."):
        raise click.BadParameter(f"{url!r} is not the page's web address; give it in full, "
                                 "e.g. https://baochinhphu.vn/thu-tuong-ban-hanh-chi-thi-102241112.htm",
                                 param_hint="--url")

    try:
        profile, timezone = _profile(state, source, sources_file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        if not file.is_file():
            raise click.ClickException(f"{file}: no such file")
        if file.stat().st_size > MAX_PAGE_BYTES:
            raise click.ClickException(f"{file}: page too large ({file.stat().st_size / 1_048_576:.1f} MB; "
                                       f"limit {MAX_PAGE_BYTES // 1_048_576} MB)")
        data = file.read_bytes()
        article = extract_article(data, url, profile=profile, source=source or "", declared_encoding=encoding,
                                  timezone=timezone)
    except ExtractionError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot read ({exc.strerror or exc})") from None
    data = article.to_dict()
    echo_json({key: data[key] for key in OUTPUT_KEYS})
