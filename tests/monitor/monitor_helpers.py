"""Helpers shared by the monitor tests (settings on a tmp config dir, a free loopback port)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from newswatch.settings import PROJECT_ROOT, Settings, load_settings

RULES_FOR_DELIVERY = """
delivery:
  max_attempts: 4
  backoff_seconds: 10
  lease_seconds: 60
  timeout_seconds: 10
rules:
  - name: cds-new-directives
    type: new_directive
    severity: high
    doc_types: [CT, CĐ, QĐ, NQ, NĐ, TB, CV, KH]
    issuers: [TTg, CP, VPCP, BKHCN]
    topics: [chuyen-doi-so]
  - name: gov-new-directives
    type: new_directive
    severity: normal
    doc_types: [CT, CĐ, QĐ, NQ, NĐ]
    issuers: [TTg, CP]
    exclude_topics: [chuyen-doi-so]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(tmp_path: Path, rules: str | None = None, *, quiet: str | None = "quiet_hours: null",
                  notify: list[str] | None = None) -> Settings:
    """Settings on a tmp config dir (a copy of the repository's, with the given rules) and data dir."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    for name in ("sources.yaml", "rules.yaml"):
        shutil.copy(PROJECT_ROOT / "config" / name, config / name)
    if rules is not None:
        (config / "rules.yaml").write_text(rules, encoding="utf-8")
    (config / "newswatch.yaml").write_text(f"{quiet}\n" if quiet else "", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    env = {"NEWSWATCH_NOTIFY_URLS": " ".join(notify or [])}
    if os.environ.get("NEWSWATCH_STATE_URL"):  # the PostgreSQL run of the state matrix (conftest.state_backend)
        env["NEWSWATCH_STATE_URL"] = os.environ["NEWSWATCH_STATE_URL"]
    return load_settings(config_dir=config, data_dir=data, env=env)


def directive(number: int, *, day: int = 12, source: str = "baochinhphu", kind: str = "CT",
              topic: str = "đẩy mạnh chuyển đổi số, phát triển Chính phủ số"):  # type: ignore[no-untyped-def]
    """A fresh article reporting a newly issued directive of the Prime Minister."""
    from monitor_stream import art

    name = {"CT": "Chỉ thị", "QĐ": "Quyết định", "CĐ": "Công điện"}[kind]
    return art(f"{kind.lower()}-{number}-{source}", source, f"2026-11-{day:02d} 15:00",
               f"Thủ tướng ban hành {name} số {number:02d}/{kind}-TTg",
               f"Thủ tướng Chính phủ vừa ký ban hành {name} số {number:02d}/{kind}-TTg ngày {day}/11/2026 về {topic}.")
