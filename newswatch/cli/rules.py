"""``newswatch rules``: check the rule file, and dry-run a rule over the archive.

    newswatch rules check [FILE]                       # validate and list; exit 2 with the problems
    newswatch rules test RULE [--since DATE] [--json]  # what RULE would alert on; writes nothing
    newswatch rules test RULE --explain [--since DATE] # each document number's verdict and its reason
    newswatch rules run [RULE] --since DATE            # evaluate stored articles for real (after an upgrade)
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from newswatch import localtime
from newswatch.cli.common import CliState, echo_json, pass_state
from newswatch.errors import ConfigError
from newswatch.settings import TIMEZONE


def parse_since(value: str | None, tz: str = TIMEZONE) -> datetime | None:
    """'2026-11-01', '2026-11-01T08:00', or a span back from now such as '7d', '12h'."""
    if not value:
        return None
    from newswatch.durations import parse_duration

    span = None
    if value.strip()[-1:].isalpha():  # "7d", "12h": a span; a bare number is not a date either
        try:
            span = parse_duration(value)
        except ValueError:
            span = None
    if span is not None:
        return datetime.now(ZoneInfo(tz)) - span
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: give a date (2026-11-01), a time (2026-11-01T08:00) or a span (7d)") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(tz))


def _describe(rule: object) -> str:
    parts = []
    for key in ("doc_types", "issuers", "topics", "exclude_topics", "query", "sources"):
        value = getattr(rule, key, None)
        if value:
            parts.append(f"{key}={','.join(value) if isinstance(value, list) else value}")
    return " ".join(parts)


@click.group("rules")
def command() -> None:
    """Alert rules: validate the rule file, dry-run a rule over the archive."""


@command.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def check(state: CliState, file: str | None, as_json: bool) -> None:
    """Validate FILE (default: the configured rules.yaml) and list its rules."""
    from monitor.config import load_rules

    path = Path(file) if file else state.settings.rules_file
    try:
        ruleset = load_rules(path)
    except ConfigError as exc:
        if as_json:
            echo_json({"ok": False, "file": str(path), "problems": [p.__dict__ for p in exc.problems]})
        else:
            click.echo(f"{path}: invalid\n{exc}", err=True)
        sys.exit(2)
    if as_json:
        echo_json({"ok": True, "file": str(path), "rules": [
            {"type": r.type, **r.model_dump(exclude={"type"}), "notify": len(r.notify)}  # type: ignore[attr-defined]
            for r in ruleset.rules]})
        return
    click.echo(f"{path}: OK, {len(ruleset.rules)} rule(s)")
    for rule in ruleset.rules:
        flags = [rule.severity, f"digest={rule.digest}" if rule.digest != "none" else "",
                 "" if rule.enabled else "DISABLED", f"+{len(rule.notify)} target(s)" if rule.notify else ""]
        click.echo(f"  {rule.name:<28} {rule.type:<15} {' '.join(f for f in flags if f)}")  # type: ignore[attr-defined]
        detail = _describe(rule)
        if detail:
            click.echo(f"      {detail}")


def _explain(monitor: object, rule: str, since: str | None, as_json: bool, state: CliState) -> None:
    rows = monitor.explain(rule, parse_since(since, state.settings.service.timezone))  # type: ignore[attr-defined]
    if as_json:
        for row in rows:
            echo_json(row, state.tz)
        return
    fired = 0
    for row in rows:
        article = row["article"]
        published = localtime.human(article.get("published"), state.tz, empty="?")
        click.echo(f"{published}  {article.get('source', '')}  {article.get('title', '')}")
        click.echo(f"  {article.get('url', '')}")
        if not row["numbers"]:
            click.echo("  (no document number)")
        for verdict in row["numbers"]:
            fired += bool(verdict["fires"])
            mark = "ALERT" if verdict["fires"] else "  -  "
            click.echo(f"  {mark} {verdict['doc_number']:<22} {verdict['reason']}")
    click.echo(f"{len(rows)} article(s), {fired} number(s) that fire — dry run, nothing written")


@command.command("test")
@click.argument("rule")
@click.option("--since", help="Only articles published since (2026-11-01, 2026-11-01T08:00 or 7d).")
@click.option("--explain", is_flag=True, help="For each document number of each article: the verdict and why.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_state
def test(state: CliState, rule: str, since: str | None, explain: bool, as_json: bool) -> None:
    """Dry-run RULE over the archive: print what would alert (and what would attach). Writes nothing."""
    from monitor.archive import summarize
    from monitor.engine import Monitor

    state.require_data()
    monitor = Monitor(state.settings)
    if monitor.rules_error is not None:
        click.echo(f"warning: the rule file is invalid, testing the last good rules\n{monitor.rules_error}", err=True)
    try:
        if explain:
            _explain(monitor, rule, since, as_json, state)
            return
        hits = monitor.dry_run(rule, parse_since(since, state.settings.service.timezone))
    except KeyError as exc:
        names = ", ".join(r.name for r in monitor.rules.rules) or "none"
        raise click.ClickException(f"{exc.args[0]} (rules: {names})") from None
    if as_json:
        for hit in hits:
            echo_json(hit.to_dict(), state.tz)
        return
    for hit in hits:
        article = hit.article
        published = localtime.human(article.get("published"), state.tz, empty="")
        where = f"{article.get('source', '')} {published} {article.get('url', '')}".strip()
        if hit.action == "alert":
            click.echo(f"ALERT  {hit.headline}  [{hit.key}]")
            if hit.evidence:
                click.echo(f"       “{hit.evidence}”")
            if where:
                click.echo(f"       {where}")
        elif hit.action == "confirm":  # the official entry of an alerted document
            click.echo(f"  +official (confirms) {where}  [{hit.key}]")
        else:
            click.echo(f"  +copy {where}  [{hit.key}]")
    counts = summarize(hit.action for hit in hits)
    click.echo(f"{counts['alerts']} alert(s), {counts['attached']} attached cop(ies) — dry run, nothing written")


@command.command("run")
@click.argument("rule", required=False)
@click.option("--since", required=True, help="Articles published since (2026-11-01, 2026-11-01T08:00 or 30d).")
@click.option("--json", "as_json", is_flag=True, help="The counts as one JSON object.")
@pass_state
def run(state: CliState, rule: str | None, since: str, as_json: bool) -> None:
    """Evaluate stored articles since a date with RULE (default: every per-article rule), for real.

    For an archive whose documents were recomputed after an upgrade (``newswatch reindex
    --recompute``): what now reads as a new directive alerts; what already alerted attaches to
    its alert (an alert's key and story never alert twice), so nothing is notified again.
    """
    from monitor.engine import Monitor

    monitor = Monitor(state.settings)
    if monitor.rules_error is not None:
        raise click.ClickException(f"the rule file is invalid:\n{monitor.rules_error}")
    try:
        counts = monitor.rerun(rule, parse_since(since, state.settings.service.timezone))
    except KeyError as exc:
        names = ", ".join(r.name for r in monitor.rules.rules) or "none"
        raise click.ClickException(f"{exc.args[0]} (rules: {names})") from None
    finally:
        monitor.close()
    if as_json:
        echo_json(counts)
    else:
        click.echo(f"{counts['articles']} article(s) evaluated: {counts['alerts']} new alert(s), "
                   f"{counts['attached']} attached to existing alerts")
