"""The rule-type contract: a new periodic type is one class (plus its RULE_TYPES entry); the engine runs it,
raises its findings as alerts, resolves them when the condition ends, and its dry run says the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from monitor_helpers import make_settings

from monitor import store
from monitor.engine import Monitor
from monitor.rules import RULE_TYPES
from monitor.rules.base import ArticleRule, Finding, PeriodicRule, PeriodicView

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


class QuietArchiveRule(PeriodicRule):
    """Fires while the archive has no article at all from a configured source."""

    type: Literal["quiet_archive"]
    source: str

    def check(self, view: PeriodicView, now: datetime) -> list[Finding]:
        if self.source in view.latest_by_source():
            return []
        return [Finding(rule=self.name, key=f"{self.source}:empty", headline=f"Chưa có bài nào của {self.source}")]


def test_a_new_periodic_rule_type_needs_only_its_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULE_TYPES, "quiet_archive", QuietArchiveRule)
    settings = make_settings(tmp_path, "rules:\n  - name: empty-source\n    type: quiet_archive\n"
                                       "    source: baochinhphu\n    severity: ops\n")
    monitor = Monitor(settings)
    assert [h.key for h in monitor.dry_run("empty-source", now=NOW)] == ["baochinhphu:empty"]
    [alert] = monitor.run_periodic(NOW)
    assert alert.key == "baochinhphu:empty"
    assert monitor.run_periodic(NOW + timedelta(minutes=5)) == []  # still open: no second alert

    from monitor_stream import art

    archive = monitor.article_store()
    archive.put(art("bai-dau-tien", "baochinhphu", "2026-12-05 14:00", "Tin mới",
                    "Thủ tướng Chính phủ làm việc với các bộ về chuyển đổi số, dữ liệu quốc gia và dịch vụ công."))
    assert monitor.run_periodic(NOW + timedelta(minutes=10)) == []
    assert store.get_alert(monitor.db, alert.id)["status"] == "resolved"  # type: ignore[index]


def test_a_rule_type_without_its_method_cannot_exist() -> None:
    class Incomplete(ArticleRule):
        type: Literal["incomplete"]

    with pytest.raises(TypeError):
        Incomplete(name="x", type="incomplete")
