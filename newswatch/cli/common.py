"""What every subcommand shares: lazily loaded settings and JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import click

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


pass_state = click.make_pass_decorator(CliState, ensure=True)


def echo_json(data: Any) -> None:
    """Print one JSON object, UTF-8 as is (Vietnamese stays readable)."""
    click.echo(json.dumps(data, ensure_ascii=False, default=str))
