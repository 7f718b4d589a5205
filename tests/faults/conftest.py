"""Fixtures of the fault-injection suite: the monitor tests' loopback webhook receiver, reused as it is."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator

import faults  # puts tests/service and tests/monitor on sys.path
import pytest

_NAME = "monitor_test_fixtures"
_spec = importlib.util.spec_from_file_location(_NAME, faults.TESTS / "monitor" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_monitor_fixtures = sys.modules[_NAME] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_monitor_fixtures)

webhook = _monitor_fixtures.webhook


@pytest.fixture(autouse=True)
def _no_process_outlives_a_test() -> Iterator[None]:
    """A test that fails half-way must not leave its crawls or services running."""
    yield
    faults.kill_spawned()
