"""The render_js download handler's helpers (no browser needed)."""

from __future__ import annotations

import os

import pytest

from crawlers.handlers import add_node_options


def test_node_options_are_added_once_and_the_users_own_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--max-semi-space-size=4 --trace-warnings")
    add_node_options("--jitless --max-semi-space-size=1")
    add_node_options("--jitless --max-semi-space-size=1")
    assert os.environ["NODE_OPTIONS"] == "--max-semi-space-size=4 --trace-warnings --jitless"


def test_node_options_without_any_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    add_node_options("--jitless --max-semi-space-size=1")
    assert os.environ["NODE_OPTIONS"] == "--jitless --max-semi-space-size=1"
