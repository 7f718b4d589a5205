"""``newswatch notify``: see the notification channels, and prove they work.

    newswatch notify status [--json]        # each channel (masked), where it is configured, its last delivery result
    newswatch notify test [--json]          # one test notification to every channel, now; exit 1 if one failed
    newswatch notify briefing [--day D] [--json]   # print the daily briefing (the message and the /briefing page)
"""

from __future__ import annotations

import sys
from datetime import date

import click

from newswatch import localtime
from newswatch.cli.common import CliState, echo_json, pass_state


@click.group("notify")
def command() -> None:
    """Notification channels: their status, a test message, the daily briefing."""


def _no_channel() -> None:
    from monitor.channels import SETUP_HINT

    click.echo("No notification channel is configured: alerts are recorded but sent nowhere.", err=True)
    click.echo(f"Set-up: {SETUP_HINT}", err=True)


@command.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def status(state: CliState, as_json: bool) -> None:
    """Each configured channel with its last delivery result."""
    from monitor.channels import status as channel_status

    rows = channel_status(state.require_data())
    for row in rows:
        row.pop("url", None)
    if as_json:
        echo_json({"channels": rows}, state.tz)
        return
    if not rows:
        _no_channel()
        return
    for row in rows:
        last = row["last"]
        if last is None:
            result = "never used"
        else:
            outcome = "sent" if last["ok"] else f"FAILED: {last['error']}"
            result = f"last {last['kind']} {localtime.human(last['at'], state.tz)}: {outcome}"
        waiting = f", {row['waiting']} waiting" if row["waiting"] else ""
        click.echo(f"{row['target']}  ({row['origin']})  {result}{waiting}")


@command.command("test")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def test(state: CliState, as_json: bool) -> None:
    """Send one test notification to every configured channel now, and say how each went."""
    from monitor.channels import send_test

    settings = state.settings
    settings.ensure_data_dir()
    results = send_test(settings, user="cli")
    if as_json:
        echo_json({"results": results})
    elif not results:
        _no_channel()
    for row in [] if as_json else results:
        click.echo(f"{'OK    ' if row['ok'] else 'FAILED'} {row['target']}  ({row['origin']})"
                   + ("" if row["ok"] else f": {row['error']}"))
    if not results or not all(r["ok"] for r in results):
        sys.exit(1)


@command.command("briefing")
@click.option("--day", help="The briefing sent on this day (YYYY-MM-DD; default: the newest).")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def briefing_cmd(state: CliState, day: str | None, as_json: bool) -> None:
    """Print the daily briefing: the day's new directives, most-reported stories, silent sources."""
    from monitor import briefing
    from monitor.notify import render

    settings = state.require_data()
    try:
        chosen = date.fromisoformat(day) if day else briefing.latest_day(settings)
    except ValueError:
        raise click.BadParameter(f"{day!r} is not a day; write 2026-12-05", param_hint="--day") from None
    report = briefing.build(settings, *briefing.window(settings, chosen))
    if as_json:
        echo_json(report, state.tz)
        return
    message = render("briefing", {"briefing": report, "idempotency_key": "—"}, state.tz)
    click.echo(message.subject)
    click.echo("")
    click.echo(message.text.replace("\nMã thông báo: —\n", "\n").rstrip())
