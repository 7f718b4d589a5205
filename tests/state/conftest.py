"""State-database fixtures: a URL on SQLite (a file in tmp_path) or on a fresh database of a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db_url(state_url: str | None, tmp_path: Path) -> str:
    return state_url or f"sqlite:///{tmp_path / 'state.db'}"
