"""``newswatch schedule list``: every scheduled job with its next run (job store) and last run (history)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from newswatch.cli.common import CliState, echo_json, pass_state


@click.group("schedule")
def command() -> None:
    """Scheduled jobs of the service (stored in the data directory; readable while it runs or not)."""


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_state
def list_command(state: CliState, as_json: bool) -> None:
    """Each job's schedule, next run and last run."""
    from newswatch.service.scheduler import list_jobs

    settings = state.require_data()
    jobs = list_jobs(settings)
    if as_json:
        echo_json({"jobs": [j.to_dict() for j in jobs]}, state.tz)
        return
    if not jobs:
        click.echo("No scheduled jobs yet: `newswatch serve` creates one per enabled source.")
        return
    tz = ZoneInfo(settings.service.timezone)

    def show(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        delta = (moment - datetime.now(UTC)).total_seconds()
        when = moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        return f"{when} ({'in ' if delta >= 0 else ''}{_human(abs(delta))}{'' if delta >= 0 else ' ago'})"

    width = max(len(j.id) for j in jobs)
    click.echo(f"{'JOB':<{width}}  {'SCHEDULE':<14}  {'NEXT RUN':<36}  LAST RUN")
    for job in jobs:
        last = show(job.last_run) + (f" {job.last_status}" if job.last_status else "")
        click.echo(f"{job.id:<{width}}  {job.trigger:<14}  {show(job.next_run):<36}  {last}")


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
