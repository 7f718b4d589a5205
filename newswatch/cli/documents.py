"""``newswatch documents``: the document register — list, show one document, rebuild from the archive.

    newswatch documents [--type T] [--issuer I] [--status S] [--month YYYY-MM] [--since 7d] [--text W]
                        [--limit N] [--offset N] [--json]
    newswatch documents show NUMBER [--json]
    newswatch documents rebuild

Types and issuers take codes or names ("ND", "Nghị định", "TTg", "Thủ tướng Chính phủ"); a number takes
any spelling ("1234/QD-TTg", "1234/qđ-ttg", "07/CT-TTg@2026"). Times are printed in the configured
time zone; JSON carries its offset.
"""

from __future__ import annotations

import contextlib
from typing import Any

import click

from newswatch import localtime
from newswatch.cli.common import CliState, console, echo_json, pass_state


def _open(state: CliState) -> Any:
    from newswatch.store.factory import open_store

    return open_store(state.require_data())


def _ask(state: CliState, question: Any) -> Any:
    """``question(register)`` on the configured store; a value the register cannot read is a usage error."""
    store = _open(state)
    try:
        return question(store.documents)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        store.close()


def _escape(text: Any) -> str:
    from rich.markup import escape

    return escape(str(text or ""))


def _alert_uid(state: CliState, record: Any) -> str | None:
    """The document's alert, when the alert history can be read (the register works without it)."""
    from newswatch.documents.present import alert_for_document
    from newswatch.state.db import open_state

    with contextlib.suppress(Exception):
        return alert_for_document(open_state(state.settings.state_url), record)
    return None


@click.group("documents", invoke_without_command=True)
@click.option("--type", "types", multiple=True, metavar="T", help="Document type, code or name: ND, Nghị định, CT (repeatable).")
@click.option("--issuer", "issuers", multiple=True, metavar="I", help="Issuer, code or name: TTg, CP, BKHCN (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["confirmed", "reported", "cited"]),
              help="confirmed (on an official source), reported (as issued, by the press) or cited (repeatable).")
@click.option("--month", metavar="YYYY-MM", help="Issued in this month (first seen, when the issue date is unknown).")
@click.option("--since", help="First seen since: a span back (7d, 12h, 2w) or a day (2026-11-20, 20/11/2026).")
@click.option("--text", default="", help="Words in the number, type, issuer, signer or trích yếu (accents optional).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many records (pagination).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def command(ctx: click.Context, types: tuple[str, ...], issuers: tuple[str, ...], statuses: tuple[str, ...],
            month: str | None, since: str | None, text: str, limit: int, offset: int, as_json: bool) -> None:
    """The document register, newest first seen first (subcommands: show, rebuild)."""
    if ctx.invoked_subcommand is not None:
        return
    from newswatch.documents.present import make_query, page_json

    state = ctx.ensure_object(CliState)
    tz = state.tz
    try:
        query = make_query(types=types, issuers=issuers, statuses=statuses, month=month, since=since, text=text,
                           limit=limit, offset=offset, tz=tz)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    page = _ask(state, lambda register: register.list(query))
    if as_json:
        echo_json(page_json(page, query), tz)
        return
    if not page.records:
        filtered = types or issuers or statuses or month or since or text
        click.echo("no documents match these filters" if filtered else
                   "the register is empty: crawl, or run `newswatch documents rebuild` on an existing archive")
        return
    _print_page(page, query, tz)


def _print_page(page: Any, query: Any, tz: Any) -> None:
    from rich.table import Table

    from newswatch.documents.present import counts

    out = console()
    shown = f"{query.offset + 1}-{query.offset + len(page.records)}"
    out.print(f"[bold]{page.total}[/] documents (showing {shown})")
    table = Table(box=None, show_edge=False, pad_edge=False)
    for column in ("number", "type", "issuer", "issued", "status", "first seen", "reports", "citations"):
        table.add_column(column, no_wrap=column in ("number", "issued"))
    for record in page.records:
        count = counts(record)
        first = f"{record.first_seen_source or '-'} {localtime.human(record.first_seen_at, tz, empty='?')}"
        table.add_row(_escape(record.key), _escape(record.type_name), _escape(record.issuer or "-"),
                      record.issue_date.strftime("%d/%m/%Y") if record.issue_date else "-", record.status.value,
                      _escape(first), str(count["reported"] + count["official"]), str(count["cited"]))
    out.print(table)
    for name, values in page.facets.items():
        if values:
            items = ", ".join(f"{k} ({v})" for k, v in list(values.items())[:8])
            out.print(f"[dim]{name}:[/] {_escape(items)}")


@command.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_state
def show(state: CliState, number: str, as_json: bool) -> None:
    """One document: every field, its official link and attachments, and the timeline of its reports."""
    from newswatch.documents.present import record_json

    record = _ask(state, lambda register: register.get(number))
    if record is None:
        raise click.ClickException(f"no document {number!r} in the register (`newswatch documents --text …` lists "
                                   "what it holds)")
    record.alert_uid = _alert_uid(state, record)
    tz = state.tz
    if as_json:
        echo_json(record_json(record), tz)
        return
    _print_record(record, tz)


def _print_record(record: Any, tz: Any) -> None:
    out = console()
    out.print(f"[bold]{_escape(record.type_name)} {_escape(record.number)}[/]  ({record.status.value})")
    fields = [("key", record.key), ("issuer", f"{record.issuer or '-'} {record.issuer_name or ''}".strip()),
              ("issued", record.issue_date.strftime("%d/%m/%Y") if record.issue_date else None),
              ("signer", record.signer), ("trích yếu", record.trich_yeu),
              ("official", f"{record.official_source} {record.official_url}" if record.official_url else None),
              ("confirmed", localtime.human(record.confirmed_at, tz) if record.confirmed_at else None),
              ("alert", record.alert_uid)]
    for label, value in fields:
        if value:
            out.print(f"  [dim]{label:<10}[/] {_escape(value)}")
    first = record.first_publisher
    if first is not None:
        out.print(f"  [dim]{'first':<10}[/] {_escape(first.source)} {localtime.human(first.published, tz, empty='?')} "
                  f"{_escape(first.url)}")
    if record.attachments:
        out.print("  [dim]attachments[/]")
        for attachment in record.attachments:
            state = attachment.status.value + (f": {attachment.reason}" if attachment.reason else "")
            out.print(f"    {_escape(attachment.filename or attachment.url)} ({_escape(state)}) {_escape(attachment.url)}")
    out.print(f"  [dim]timeline ({len(record.mentions)})[/]")
    for mention in record.mentions:
        out.print(f"    {localtime.human(mention.published, tz, empty='?')} {mention.kind.value:<8} "
                  f"{_escape(mention.source)} {_escape(mention.url)}")
        if mention.evidence:
            out.print(f"      [dim]{_escape(mention.evidence[:200])}[/]")


@command.command("rebuild")
@pass_state
def rebuild(state: CliState) -> None:
    """Derive the register again from every stored article."""
    store = _open(state)
    try:
        records = store.documents.rebuild(store.iter_articles())
        errors = sum(store.documents_errors.values())
    finally:
        store.close()
    click.echo(f"{records} document(s) in the register" + (f"; {errors} article(s) could not be read (see the log)"
                                                           if errors else ""))
