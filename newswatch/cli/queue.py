"""``newswatch queue``: the distributed crawl queue on Redis (NEWSWATCH_REDIS_URL).

``worker`` runs crawls taken from the queue (one per thread); ``crawl`` queues crawls of sources;
``status`` shows what waits and who works on what.
"""

from __future__ import annotations

import logging

import click

from newswatch.cli.common import CliState, echo_json, pass_state


@click.group("queue")
def command() -> None:
    """Distributed crawling: crawl workers on several machines share one Redis queue."""


@command.command("worker")
@click.option("--threads", type=int, default=1, show_default=True, help="Crawls this worker runs at once.")
@pass_state
def worker_command(state: CliState, threads: int) -> None:
    """Run crawls from the queue until stopped (SIGTERM lets the running crawl finish)."""
    from newswatch.distributed.worker import run_worker
    from newswatch.service.logs import configure_logging

    configure_logging(json_lines=False, level=logging.INFO)
    run_worker(state.settings, threads=threads)


@command.command("crawl")
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source of sources.yaml.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_state
def crawl_command(state: CliState, sources: tuple[str, ...], all_sources: bool, as_json: bool) -> None:
    """Queue one crawl of each source (skipped when one is already queued or running)."""
    from newswatch.distributed.queue import enqueue_crawl, make_broker
    from newswatch.sources import load_sources

    settings = state.settings
    known = {s.name: s for s in load_sources(settings.sources_file)}
    names = [n for n, s in known.items() if s.enabled] if all_sources else list(sources)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise click.UsageError(f"unknown source(s): {', '.join(unknown)}" if unknown else "name sources or give --all")
    broker = make_broker(settings)
    queued = {n: enqueue_crawl(settings, n, settings.sources_file, "cli", broker=broker) for n in names}
    if as_json:
        echo_json({"queued": [n for n, q in queued.items() if q], "skipped": [n for n, q in queued.items() if not q]})
        return
    for name, ok in queued.items():
        click.echo(f"{name}: {'queued' if ok else 'already queued or running'}")


@command.command("status")
@pass_state
def status_command(state: CliState) -> None:
    """Messages waiting, crawls in progress per worker, sources pending."""
    from newswatch.distributed.queue import queue_status

    echo_json(queue_status(state.settings))
