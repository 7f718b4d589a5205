"""``newswatch alerts``: list alerts, acknowledge and resolve them, run the outbox once.

    newswatch alerts [--status S] [--rule R] [--severity X] [--confirmed | --not-confirmed] [--json]
    newswatch alerts show ID [--json]
    newswatch alerts ack ID [--by U] [--note TEXT]
    newswatch alerts resolve ID [--by U] [--note TEXT]
    newswatch alerts deliver [--json]

Times are printed in the configured time zone (``timezone`` in newswatch.yaml); JSON carries its offset.
"""

from __future__ import annotations

import getpass
import os

import click

from newswatch import localtime
from newswatch.cli.common import CliState, echo_json, pass_state


def _default_user() -> tuple[str, str]:
    """(user, where it came from) when --by is not given."""
    if os.environ.get("NEWSWATCH_USER"):
        return os.environ["NEWSWATCH_USER"], "$NEWSWATCH_USER"
    try:
        return getpass.getuser(), "the login name of this terminal"
    except Exception:
        return "cli", "no login name found"


def _db(state: CliState):  # type: ignore[no-untyped-def]
    from newswatch.state.db import open_state

    return open_state(state.require_data().state_url)


def known_rules(state: CliState) -> list[str]:
    """Rule names in the rule file and in the alert history."""
    from sqlalchemy import select

    from monitor import store

    names: set[str] = set()
    try:
        from monitor.config import load_rules

        names.update(r.name for r in load_rules(state.settings.rules_file).rules)
    except Exception:
        pass
    with _db(state).connect() as conn:
        names.update(r[0] for r in conn.execute(select(store.alerts.c.rule).distinct()))
    return sorted(names)


@click.group("alerts", invoke_without_command=True)
@click.option("--status", type=click.Choice(["new", "acknowledged", "resolved"]), help="Only alerts in this status.")
@click.option("--rule", help="Only alerts of this rule.")
@click.option("--severity", type=click.Choice(["high", "normal", "low", "ops"]))
@click.option("--confirmed/--not-confirmed", "confirmed", default=None,
              help="Only alerts whose document an official source published (or has not yet).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def command(ctx: click.Context, status: str | None, rule: str | None, severity: str | None, confirmed: bool | None,
            limit: int, offset: int, as_json: bool) -> None:
    """Alerts raised by the rules, newest first (subcommands: show, ack, resolve, deliver)."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.store import list_alerts

    state = ctx.ensure_object(CliState)
    if rule:
        known = known_rules(state)
        if rule not in known:
            raise click.BadParameter(f"no rule {rule!r}; known rules: {', '.join(known) or 'none'}",
                                     param_hint="--rule")
    rows = list_alerts(_db(state), status=status, rule=rule, severity=severity, limit=limit, offset=offset,
                       confirmed=confirmed)
    tz = state.tz
    if as_json:
        for row in rows:
            echo_json(row, tz)
        return
    if not rows:
        filtered = status or rule or severity or confirmed is not None
        click.echo("no alerts match these filters" if filtered else "no alerts yet")
        return
    for row in rows:
        first = row["first_article"] or {}
        click.echo(f"#{row['id']:<5} {localtime.human(row['created_at'], tz)} {row['severity']:<6} {row['status']:<12} "
                   f"{row['rule']:<22} {row['headline']}")
        click.echo(f"       {row['article_count']} article(s), first: {first.get('source', '-')} {first.get('url', '')}"
                   f"  delivery: {row['delivery']}")
        if row["confirmed"]:
            click.echo(f"       {_official_line(row, tz)}")


def _official_line(alert: dict, tz: object) -> str:
    """"Nguồn chính thức: …" for an alert raised from an official source, else "Đã xác nhận …" with the link."""
    if alert["official_first"]:
        return f"Nguồn chính thức: {alert['official_source_title']} {alert['official_url']}"
    return (f"Đã xác nhận (confirmed) {localtime.human(alert['confirmed_at'], tz)}: {alert['official_source_title']} "
            f"{alert['official_url']}")


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
    tz = state.tz
    if as_json:
        echo_json(alert, tz)
        return

    def when(value: object) -> str:
        return localtime.human(value, tz, empty="?")

    click.echo(f"#{alert['id']} [{alert['severity']}] {alert['headline']}  ({alert['rule']}, {alert['status']})")
    if alert["doc_number"]:
        click.echo(f"  document: {alert['doc_number']} {alert['doc_type_name'] or ''} issuer={alert['doc_issuer']} "
                   f"issued={alert['doc_issue_date'] or '?'}")
    if alert["confirmed"]:
        click.echo(f"  {_official_line(alert, tz)}")
    if alert["evidence"]:
        click.echo(f"  “{alert['evidence']}”")
    click.echo(f"  created {when(alert['created_at'])}")
    for article in alert["articles"]:
        published = when(article["published"]) if article["published"] else ""
        click.echo(f"  {'*' if article['first'] else '-'} {article['source']} {published} {article['url']}")
    for row in alert["deliveries"]:
        sent = f", sent {when(row['sent_at'])}" if row.get("sent_at") else ""
        click.echo(f"  -> {row['target']}: {row['status']} (attempts {row['attempts']}{sent}"
                   f"{', ' + row['last_error'] if row['last_error'] else ''})")
    if alert["acknowledged_by"]:
        click.echo(f"  acknowledged by {alert['acknowledged_by']} at {when(alert['acknowledged_at'])}")
    if alert["resolved_by"]:
        click.echo(f"  resolved by {alert['resolved_by']} at {when(alert['resolved_at'])}")
    for note in alert.get("notes") or []:
        click.echo(f"  note by {note['by']} at {when(note['at'])}: {note['text']}")


def _step(state: CliState, alert_id: int, by: str | None, note: str, action: str) -> None:
    from monitor import store

    user, origin = (by, "--by") if by else _default_user()
    func = store.acknowledge if action == "ack" else store.resolve
    try:
        alert = func(_db(state), alert_id, user, note=note)
    except store.AlertNotFound:
        raise click.ClickException(f"no alert {alert_id}") from None
    except store.InvalidTransition as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"#{alert['id']} {alert['status']} by {user}: {alert['headline']}")
    if not by:
        click.echo(f"recorded as user {user!r} ({origin}); pass --by NAME to record someone else", err=True)


_BY = click.option("--by", "--user", "by", help="Who to record (default: $NEWSWATCH_USER, else this terminal's login).")
_NOTE = click.option("--note", default="", help='A note kept with the alert, e.g. "đã báo cáo lãnh đạo".')


@command.command("ack")
@click.argument("alert_id", type=int)
@_BY
@_NOTE
@pass_state
def ack(state: CliState, alert_id: int, by: str | None, note: str) -> None:
    """Acknowledge alert ALERT_ID (new -> acknowledged)."""
    _step(state, alert_id, by, note, "ack")


@command.command("resolve")
@click.argument("alert_id", type=int)
@_BY
@_NOTE
@pass_state
def resolve_cmd(state: CliState, alert_id: int, by: str | None, note: str) -> None:
    """Resolve alert ALERT_ID."""
    _step(state, alert_id, by, note, "resolve")


@command.command("deliver")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def deliver(state: CliState, as_json: bool) -> None:
    """Send every due notification once (retries wait for their back-off)."""
    from monitor.delivery import deliver_pending

    counts = deliver_pending(state.require_data())
    if as_json:
        echo_json(counts)
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
