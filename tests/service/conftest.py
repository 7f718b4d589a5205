"""Service fixtures: a config folder with one local official source, settings on a fresh data directory."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_site import OfficialSite

from newswatch.settings import PROJECT_ROOT, Settings, load_settings


@pytest.fixture
def site() -> Iterator[OfficialSite]:
    official = OfficialSite()
    official.publish(101)
    yield official
    official.stop()


@pytest.fixture
def service_settings(tmp_path: Path, site: OfficialSite, monkeypatch: pytest.MonkeyPatch,
                     state_url: str | None) -> Settings:
    """Settings on SQLite and on a real PostgreSQL (crawl children inherit NEWSWATCH_STATE_URL)."""
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS",
                "NEWSWATCH_CONFIG_DIR", "NEWSWATCH_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    if state_url:
        monkeypatch.setenv("NEWSWATCH_STATE_URL", state_url)
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(PROJECT_ROOT / "config" / "rules.yaml", config / "rules.yaml")
    (config / "newswatch.yaml").write_text("schedule_jitter_seconds: 0\ncrawl_timeout_seconds: 120\n", encoding="utf-8")
    site.sources_yaml(config / "sources.yaml")
    return load_settings(config_dir=config, data_dir=tmp_path / "data")
