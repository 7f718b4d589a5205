"""``newswatch alerts``: list alerts, acknowledge and resolve them, run the outbox once.

    newswatch alerts [--status S] [--rule R] [--severity X] [--json]
    newswatch alerts show ID [--json]
    newswatch alerts ack ID [--user U]
    newswatch alerts resolve ID [--user U]
    newswatch alerts deliver [--json]
"""

from __future__ import annotations

import getpass
import os

import click

from newswatch.cli.common import CliState, echo_json, pass_state


def _default_user() -> str:
    try:
        return os.environ.get("NEWSWATCH_USER") or getpass.getuser()
    except Exception:
        return "cli"


def _db(state: CliState):  # type: ignore[no-untyped-def]
    from newswatch.state.db import open_state

    return open_state(state.settings.state_url)


@click.group("alerts", invoke_without_command=True)
@click.option("--status", type=click.Choice(["new", "acknowledged", "resolved"]), help="Only alerts in this status.")
@click.option("--rule", help="Only alerts of this rule.")
@click.option("--severity", type=click.Choice(["high", "normal", "low", "ops"]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def command(ctx: click.Context, status: str | None, rule: str | None, severity: str | None, limit: int, offset: int,
            as_json: bool) -> None:
    """Alerts raised by the rules, newest first (subcommands: show, ack, resolve, deliver)."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.store import list_alerts

    state = ctx.ensure_object(CliState)
    rows = list_alerts(_db(state), status=status, rule=rule, severity=severity, limit=limit, offset=offset)
    if as_json:
        for row in rows:
            echo_json(row)
        return
    if not rows:
        click.echo("no alerts")
        return
    for row in rows:
        first = row["first_article"] or {}
        click.echo(f"#{row['id']:<5} {row['created_at'][:16]} {row['severity']:<6} {row['status']:<12} "
                   f"{row['rule']:<22} {row['headline']}")
        click.echo(f"       {row['article_count']} article(s), first: {first.get('source', '-')} {first.get('url', '')}"
                   f"  delivery: {row['delivery']}")


@command.command("show")
@click.argument("alert_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def show(state: CliState, alert_id: int, as_json: bool) -> None:
    """One alert with its articles (first publisher first) and its deliveries."""
    from monitor.store import get_alert

    alert = get_alert(_db(state), alert_id)
    if alert is None:
        raise click.ClickException(f"no alert {alert_id}")
    if as_json:
        echo_json(alert)
        return
    click.echo(f"#{alert['id']} [{alert['severity']}] {alert['headline']}  ({alert['rule']}, {alert['status']})")
    if alert["doc_number"]:
        click.echo(f"  document: {alert['doc_number']} {alert['doc_type_name'] or ''} issuer={alert['doc_issuer']} "
                   f"issued={alert['doc_issue_date'] or '?'}")
    if alert["evidence"]:
        click.echo(f"  “{alert['evidence']}”")
    for article in alert["articles"]:
        click.echo(f"  {'*' if article['first'] else '-'} {article['source']} {article['published'] or ''} {article['url']}")
    for row in alert["deliveries"]:
        click.echo(f"  -> {row['target']}: {row['status']} (attempts {row['attempts']}"
                   f"{', ' + row['last_error'] if row['last_error'] else ''})")
    if alert["acknowledged_by"]:
        click.echo(f"  acknowledged by {alert['acknowledged_by']} at {alert['acknowledged_at']}")
    if alert["resolved_by"]:
        click.echo(f"  resolved by {alert['resolved_by']} at {alert['resolved_at']}")


def _step(state: CliState, alert_id: int, user: str, action: str) -> None:
    from monitor import store

    func = store.acknowledge if action == "ack" else store.resolve
    try:
        alert = func(_db(state), alert_id, user)
    except store.AlertNotFound:
        raise click.ClickException(f"no alert {alert_id}") from None
    except store.InvalidTransition as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"#{alert['id']} {alert['status']} by {user}: {alert['headline']}")


@command.command("ack")
@click.argument("alert_id", type=int)
@click.option("--user", default=_default_user, show_default="current user", help="Who acknowledges.")
@pass_state
def ack(state: CliState, alert_id: int, user: str) -> None:
    """Acknowledge alert ALERT_ID (new -> acknowledged)."""
    _step(state, alert_id, user, "ack")


@command.command("resolve")
@click.argument("alert_id", type=int)
@click.option("--user", default=_default_user, show_default="current user", help="Who resolves.")
@pass_state
def resolve_cmd(state: CliState, alert_id: int, user: str) -> None:
    """Resolve alert ALERT_ID."""
    _step(state, alert_id, user, "resolve")


@command.command("deliver")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def deliver(state: CliState, as_json: bool) -> None:
    """Send every due notification once (retries wait for their back-off)."""
    from monitor.delivery import deliver_pending

    counts = deliver_pending(state.settings)
    if as_json:
        echo_json(counts)
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
