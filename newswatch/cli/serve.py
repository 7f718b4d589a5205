"""``newswatch serve``: the web UI and JSON API plus the scheduler, on the embedded store by default."""

from __future__ import annotations

import logging

import click

from newswatch.cli.common import CliState, announce_config, pass_state

log = logging.getLogger(__name__)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default NEWSWATCH_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default NEWSWATCH_PORT or 8080).")
@click.option("--demo", is_flag=True, help="Also start the bundled loopback demo sites and schedule their sources.")
@click.option("--no-scheduler", is_flag=True, help="Serve the UI only; no scheduled crawls in this process.")
@click.option("--log-json", is_flag=True, help="Log one JSON object per line (for log collectors).")
@click.option("--grace", type=float, default=30.0, show_default=True,
              help="Seconds a running crawl may take to finish on shutdown before it is stopped.")
@pass_state
def command(state: CliState, host: str | None, port: int | None, demo: bool, no_scheduler: bool,
            log_json: bool, grace: float) -> None:
    """Start the UI (search, alerts, sources, rules) and the scheduled crawls; Ctrl-C stops cleanly."""
    import uvicorn

    from newswatch.service.logs import configure_logging
    from newswatch.service.runtime import Service
    from newswatch.web.app import create_app

    configure_logging(json_lines=log_json, level=logging.DEBUG if state.verbose > 1 else logging.INFO)
    settings = state.settings
    announce_config(settings)
    settings.ensure_data_dir()
    host = host or settings.host
    port = settings.port if port is None else port
    demo_sites = None
    extra = []
    if demo:
        from newswatch.demo import start_demo_sites

        demo_sites = start_demo_sites(settings.data_dir / "demo-sites")
        extra.append(demo_sites.sources_file)
        click.echo("newswatch: demo sites on loopback: " + ", ".join(demo_sites.base_urls.values()), err=True)
    service = None if no_scheduler else Service(settings, extra_sources_files=extra, grace_seconds=grace)
    app = create_app(settings, service=service)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"newswatch: serving http://{shown}:{port}/  (Tìm kiếm /search · Cảnh báo /alerts · "
               f"Nguồn /sources) — data in {settings.data_dir}, store {settings.store}", err=True)
    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1; the app reads forwarded
    # headers itself, from the configured trusted_proxies only (newswatch.web.proxies)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                            timeout_graceful_shutdown=5, lifespan="on", proxy_headers=False)
    server = uvicorn.Server(config)
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises the signal after a clean shutdown
        pass
    finally:
        if demo_sites is not None:
            demo_sites.stop()
    if not server.started:
        raise click.ClickException(f"could not listen on {host}:{port} (in use? try --port)")

