"""``newswatch demo``: start the bundled loopback demo sites, crawl them into a fresh data directory, show the way."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from newswatch.cli.common import CliState, pass_state


@click.command("demo")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Where to put the demo archive (default: a new temporary directory).")
@click.option("--keep-serving", is_flag=True, help="Keep the demo sites running after the crawl (Ctrl-C to stop).")
@pass_state
def command(state: CliState, data_dir: str | None, keep_serving: bool) -> None:
    """See the whole path work offline: demo sites → crawl → extraction → archive → alerts."""
    from newswatch.crawl.runner import run_crawl, summary
    from newswatch.demo import start_demo_sites
    from newswatch.sources import load_sources

    target = Path(data_dir or state.data_dir or tempfile.mkdtemp(prefix="newswatch-demo-data-")).resolve()
    if target.exists() and any(target.iterdir()) and not (target / "state.db").exists():
        raise click.ClickException(f"{target} is not empty and is not a newswatch data directory; choose another")
    state.data_dir = str(target)
    state._settings = None
    settings = state.settings
    settings.ensure_data_dir()
    sites = start_demo_sites(target / "demo-sites")
    try:
        click.echo("newswatch demo: sites running on loopback:", err=True)
        for name, url in sites.base_urls.items():
            click.echo(f"  {name:<11} {url}/", err=True)
        sources = load_sources(sites.sources_file)
        run = run_crawl(settings, sources, verbose=state.verbose, trigger="demo")
        result = summary(run)
        totals = result["totals"]
        click.echo("")
        click.echo(f"Crawled {len(sources)} demo sources in {result['duration_s']:.1f} s: "
                   f"{totals['articles_new']} new articles, {totals['not_articles']} page(s) that are not articles, "
                   f"{totals['errors']} errors.")
        for name, figures in result["sources"].items():
            click.echo(f"  {name:<17} {figures['status']:<8} new {figures['articles_new']:>3}  "
                       f"requests {figures['requests']:>3}  errors {sum((figures['errors'] or {}).values())}")
        _show_alerts(settings)
        prefix = f"newswatch --data-dir {target}"
        click.echo("")
        click.echo("Where to look next:")
        click.echo(f'  {prefix} search "chuyển đổi số"        # search the archive')
        click.echo(f'  {prefix} search "07/CT-TTg"            # a document number')
        click.echo(f"  {prefix} alerts                        # alerts raised on new directives")
        click.echo(f"  {prefix} serve --demo                  # the web UI with scheduled crawls of the demo sites")
        if keep_serving:
            click.echo(f"  {prefix} crawl --sources {sites.sources_file}   # again: incremental, nothing refetched")
            click.echo("\nDemo sites keep running; press Ctrl-C to stop.", err=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sites.stop()


def _show_alerts(settings) -> None:  # type: ignore[no-untyped-def]
    """Print the newest alerts when the monitor recorded any (the monitor is another component)."""
    try:
        from monitor.store import list_alerts
        from newswatch.state import open_state

        alerts = list_alerts(open_state(settings.state_url), limit=10)
    except Exception as exc:  # the monitor is not set up: the hints below still help
        click.echo(f"(alerts not available: {exc})", err=True)
        return
    click.echo("")
    click.echo(f"Alerts raised: {len(alerts)}")
    for alert in alerts:
        first = alert.get("first_article") or {}
        click.echo(f"  [{alert.get('severity')}] {alert.get('headline')}  — {first.get('source', '')}")
