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


def test_the_private_methods_the_handler_overrides_are_those_of_the_pinned_scrapy_playwright() -> None:
    """crawlers/handlers.py overrides private methods of scrapy-playwright: a version that renames one, changes
    its parameters or stops retrying on playwright's TargetClosedError must fail here, not in a crawl."""
    import inspect

    import scrapy_playwright.handler as upstream
    from playwright._impl._errors import TargetClosedError

    from crawlers.handlers import SharedPlaywrightHandler

    base = upstream.ScrapyPlaywrightDownloadHandler
    for name in ("_launch", "_download_request", "_create_page", "_make_close_browser_context_callback",
                 "_browser_disconnected_callback", "close"):
        ours, theirs = getattr(SharedPlaywrightHandler, name), getattr(base, name)
        assert ours is not theirs, f"{name} is no longer overridden"
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), name
    assert upstream.TargetClosedError is TargetClosedError  # the error it retries on is the one we raise
    assert "TargetClosedError" in inspect.getsource(base._download_request)
    for attribute in ("context_launch_lock", "context_wrappers"):
        assert attribute in inspect.getsource(base.__init__)
