"""Fixtures shared by every test: an isolated data directory and settings pointing at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.settings import PROJECT_ROOT, Settings, load_settings


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings on a fresh data directory and the repository's config, embedded store."""
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NEWSWATCH_DATA_DIR", str(data_dir))
    return load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data_dir)
