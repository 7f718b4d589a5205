"""``newswatch db``: the state database's schema revision, its upgrade, and new migrations.

``upgrade`` is what every process does on start anyway; run it by hand before starting a new
version on several machines, or to see what changed. ``current`` reads without changing anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from newswatch.cli.common import CliState, echo_json, pass_state


@contextmanager
def _engine(state: CliState) -> Iterator[Any]:
    """An engine on NEWSWATCH_STATE_URL without opening (and so upgrading) the state."""
    from newswatch.state.db import create_state_engine

    engine = create_state_engine(state.settings.state_url)
    try:
        yield engine
    finally:
        engine.dispose()


@click.group("db")
def command() -> None:
    """The operational-state database (NEWSWATCH_STATE_URL): schema revision and migrations."""


@command.command("current")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_state
def current_command(state: CliState, as_json: bool) -> None:
    """The database's schema revision and the newest one this version knows."""
    from newswatch.state.migrate import current_revision, head_revision

    with _engine(state) as engine:
        current, head = current_revision(engine), head_revision()
    if as_json:
        echo_json({"current": current, "head": head, "up_to_date": current == head})
        return
    click.echo(f"revision {current or 'none (empty or from before migrations)'}; newest {head}"
               + ("" if current == head else ": run `newswatch db upgrade`"))


@command.command("upgrade")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_state
def upgrade_command(state: CliState, as_json: bool) -> None:
    """Upgrade the schema to the newest revision, keeping every row."""
    from newswatch.state.migrate import upgrade

    with _engine(state) as engine:
        before, after = upgrade(engine)
    if as_json:
        echo_json({"before": before, "after": after, "changed": before != after})
        return
    click.echo(f"state database at revision {after}" + (f" (was {before or 'empty'})" if before != after else
                                                         " (already up to date)"))


@command.command("copy")
@click.argument("source_url")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_state
def copy_command(state: CliState, source_url: str, as_json: bool) -> None:
    """Copy every row of the state database SOURCE_URL into this one (NEWSWATCH_STATE_URL), which must be empty.

    Moving to PostgreSQL: newswatch db copy sqlite:////srv/newswatch/data/state.db
    """
    from newswatch.state.copy import CopyError, copy_state

    try:
        copied = copy_state(source_url, state.settings.state_url)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json({"copied": copied})
        return
    for table, rows in copied.items():
        click.echo(f"{table}: {rows} rows")


@command.command("check")
def check_command() -> None:
    """Exit 1 if the code declares tables or columns that no migration creates."""
    from newswatch.state.migrate import pending_changes

    diffs = pending_changes()
    for diff in diffs:
        click.echo(diff)
    if diffs:
        raise click.ClickException("the models changed without a migration: `newswatch db revision -m '...'`")
    click.echo("migrations match the models")


@command.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def revision_command(message: str) -> None:
    """Write a migration for what the models changed (Alembic autogenerate; commit the file)."""
    from newswatch.state.migrate import revision

    click.echo(revision(message))
