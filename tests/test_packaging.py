"""The client's top-level packages (crawlers, pipelines, monitor) are generic names: they must be ours.

newswatch installs them as top-level packages because the client asked for that layout. A name clash
with another distribution would make ``import monitor`` load someone else's code. The project avoids
it by living in its own virtualenv (``make setup`` creates ``.venv``) and this test fails as soon as
any other installed distribution claims one of the names or they resolve outside the project.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from pathlib import Path

import pytest

from newswatch.settings import PROJECT_ROOT

NAMES = ("crawlers", "pipelines", "monitor", "newswatch")


@pytest.mark.parametrize("name", NAMES)
def test_the_top_level_package_is_ours(name: str) -> None:
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == (PROJECT_ROOT / name).resolve()
    owners = importlib.metadata.packages_distributions().get(name, [])
    assert set(owners) <= {"newswatch"}, f"another installed distribution also provides {name!r}: {owners}"
