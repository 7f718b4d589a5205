"""The ``newswatch`` command: one entry point, one module per group of subcommands.

Subcommand modules (``newswatch.cli.<name>``) each define a click command or group named
``command``; :data:`COMMAND_MODULES` lists them in help order.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from newswatch import __version__
from newswatch.cli.common import CliState
from newswatch.errors import ConfigError

COMMAND_MODULES = (
    "extract",
    "crawl",
    "demo",
    "search",
    "documents",
    "reindex",
    "rules",
    "alerts",
    "notify",
    "serve",
    "schedule",
    "users",
    "db",
    "queue",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newswatch")
@click.option("--config-dir", type=click.Path(file_okay=False), envvar="NEWSWATCH_CONFIG_DIR",
              help="Folder with sources.yaml, rules.yaml and newswatch.yaml (default: ./config).")
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="NEWSWATCH_DATA_DIR",
              help="Where the archive, crawl state and alerts live (default: ./data).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None, data_dir: str | None, verbose: int) -> None:
    """newswatch: crawl Vietnamese ministry and press sites, search the archive, alert on new directives."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = CliState(config_dir=config_dir, data_dir=data_dir, verbose=verbose)


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"newswatch.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"newswatch.cli.{name}":
                continue
            raise
        cli.add_command(module.command)


_register()


def main() -> None:
    """Console-script entry point: configuration errors become one clear message and exit code 2."""
    try:
        cli.main(standalone_mode=False)
    except ConfigError as exc:
        click.echo(f"newswatch: configuration error\n{exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
