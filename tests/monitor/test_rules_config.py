"""The rule file: validated at load with file, rule and key named; a bad edit keeps the last good rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from monitor_helpers import RULES_FOR_DELIVERY, directive, make_settings

from monitor.config import load_rules
from monitor.engine import Monitor
from newswatch.cli import cli
from newswatch.errors import ConfigError
from newswatch.settings import PROJECT_ROOT

BAD_KEY = RULES_FOR_DELIVERY.replace("    topics: [chuyen-doi-so]\n", "    topics: [chuyen-doi-so]\n    max_age_dayz: 10\n")


def _bump(path: Path, text: str) -> None:
    """Rewrite the file with a newer mtime (the monitor reloads on a changed mtime or size)."""
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_shipped_rules_load() -> None:
    ruleset = load_rules(PROJECT_ROOT / "config" / "rules.yaml")
    assert [r.name for r in ruleset.rules] == ["cds-new-directives", "gov-new-directives", "source-silence"]
    assert [r.severity for r in ruleset.rules] == ["high", "normal", "ops"]


@pytest.mark.parametrize(("edit", "key", "words"), [
    (("    max_age_days: 30\n", "    max_age_days: soon\n"), "rules[0] (cds-new-directives).max_age_days", "integer"),
    (("    type: new_directive\n    severity: normal", "    type: new_directiv\n    severity: normal"),
     "rules[1] (gov-new-directives).type", "new_directive, match, source_silence"),
    (("    max_silence: 48h\n", "    max_silence: two days\n"), "rules[2] (source-silence).max_silence", "'6h'"),
    (("    severity: high\n", "    severity: urgent\n"), "rules[0] (cds-new-directives).severity", "high"),
    (("    doc_types: [CT, CĐ, QĐ, NQ, NĐ, TB, CV]\n", "    doc_types: [CT, XYZ]\n"),
     "rules[1] (gov-new-directives).doc_types", "unknown document type"),
    (("    max_age_days: 30\n", "    max_age_days: 30\n    notify: [press-office]\n"),
     "rules[0] (cds-new-directives).notify", "apprise URL"),
    (("  - name: gov-new-directives\n", "  - name: cds-new-directives\n"), "rules[1] (cds-new-directives).name",
     "already used"),
    (("  lease_seconds: 120 ", "  lease_seconds: 15 "), "delivery", "at least twice timeout_seconds"),
])
def test_malformed_rule_is_named(tmp_path: Path, edit: tuple[str, str], key: str, words: str) -> None:
    text = (PROJECT_ROOT / "config" / "rules.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.key == key
    assert words in str(problem)
    assert problem.fix or "Fix" in str(problem) or words in problem.message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - name: x\n    type: [match\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line \d+"):
        load_rules(path)


def test_bad_edit_keeps_last_good_rules_and_a_fix_is_picked_up(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, RULES_FOR_DELIVERY)
    monitor = Monitor(settings)
    assert monitor.rules_error is None and len(monitor.rules.rules) == 2
    _bump(settings.rules_file, BAD_KEY)
    assert len(monitor.on_article(directive(1))) == 1  # still alerting, with the last good rules
    assert monitor.rules_error is not None
    assert "rules[0] (cds-new-directives).max_age_dayz" in str(monitor.rules_error)
    # A fresh process (e.g. the next crawl) with the broken file also runs on the last good rules.
    fresh = Monitor(settings)
    assert fresh.rules_error is not None and [r.name for r in fresh.rules.rules] == ["cds-new-directives",
                                                                                     "gov-new-directives"]
    assert len(fresh.on_article(directive(2))) == 1
    # Fixing the file (here also lowering the CĐS rule's severity) is picked up without a restart.
    _bump(settings.rules_file, RULES_FOR_DELIVERY.replace("severity: high", "severity: low"))
    [alert] = monitor.on_article(directive(3))
    assert alert.severity == "low" and monitor.rules_error is None


def test_rules_check_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(cli, ["rules", "check", str(PROJECT_ROOT / "config" / "rules.yaml")])
    assert good.exit_code == 0, good.output
    assert "OK, 3 rule(s)" in good.output and "cds-new-directives" in good.output
    bad = tmp_path / "rules.yaml"
    bad.write_text(BAD_KEY, encoding="utf-8")
    result = runner.invoke(cli, ["rules", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: rules[0] (cds-new-directives).max_age_dayz" in result.output
    assert "Fix:" in result.output
