"""What every subcommand shares: lazily loaded settings, the configured time zone, output that suits a pipe."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import click

from newswatch import localtime
from newswatch.settings import Settings, load_settings


@dataclass
class CliState:
    config_dir: str | None = None
    data_dir: str | None = None
    verbose: int = 0
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(config_dir=self.config_dir, data_dir=self.data_dir)
        return self._settings

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone (``timezone`` in newswatch.yaml): every time printed is in it."""
        return localtime.zone_of(self.settings)

    def require_data(self) -> Settings:
        """The settings of a read-only command: the data directory must exist (it is never created here)."""
        settings = self.settings
        if settings.store == "sqlite" and not settings.data_dir.is_dir():
            raise click.ClickException(
                f"no data directory at {settings.data_dir}: nothing has been crawled there. "
                "Pass --data-dir (or set NEWSWATCH_DATA_DIR) to an existing one, or run `newswatch crawl` first.")
        return settings


pass_state = click.make_pass_decorator(CliState, ensure=True)


def echo_json(data: Any, tz: ZoneInfo | None = None) -> None:
    """Print one JSON object, UTF-8 as is (Vietnamese stays readable); with ``tz``, times carry its offset."""
    if tz is not None:
        data = localtime.localize(json.loads(json.dumps(data, default=str)), tz)
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


def console(*, stderr: bool = False) -> Any:
    """A rich Console that never wraps lines when the output is a pipe or a file (URLs stay whole)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr, highlight=False)
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=10_000, no_color=True)


def announce_config(settings: Settings, *, rules: bool = True) -> None:
    """Say on stderr which configuration is in force, and warn loudly when it cannot be what was meant."""
    where = settings.config_dir
    if not where.is_dir():
        click.secho(f"WARNING: configuration folder {where} does not exist: no sources and no alert rules. "
                    "Pass --config-dir or set NEWSWATCH_CONFIG_DIR.", fg="red", bold=True, err=True)
        return
    count = None
    if rules:
        try:
            from monitor.config import load_rules

            count = len([r for r in load_rules(settings.rules_file).rules if r.enabled]) \
                if settings.rules_file.exists() else 0
        except Exception as exc:  # the monitor reports a malformed file itself
            click.echo(f"newswatch: configuration loaded from {where} (rules.yaml invalid: {exc})", err=True)
            return
    detail = f" ({count} alert rule(s))" if count is not None else ""
    click.echo(f"newswatch: configuration loaded from {where}{detail}", err=True)
    if rules and not count:
        click.secho(f"WARNING: no alert rules in {settings.rules_file}: nothing will raise an alert. "
                    "Write rules there or pass --config-dir.", fg="red", bold=True, err=True)
