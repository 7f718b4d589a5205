"""Web fixtures: a real SQLite store and state DB in a tmp dir, seeded through the real store and monitor APIs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from doc_seed import DocSeeded, seed_documents
from fastapi.testclient import TestClient
from web_seed import PASSWORD, USER, Seeded, make_client, record_failing_source, seed, serve

from newswatch.settings import PROJECT_ROOT, Settings, find_chromium, load_settings
from newswatch.web.auth import hash_password


@pytest.fixture
def web_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("NEWSWATCH_SECRET_KEY", "test-secret-key-not-for-production")
    settings.users[USER] = hash_password(PASSWORD)
    return settings


@pytest.fixture
def seeded(web_settings: Settings) -> Seeded:
    result = seed(web_settings)
    record_failing_source(web_settings)
    return result


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with make_client(seeded.settings) as test_client:
        yield test_client


@pytest.fixture
def live_server(seeded: Seeded) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread."""
    with serve(seeded.settings) as url:
        yield url


@pytest.fixture(scope="session")
def documents_site(tmp_path_factory: pytest.TempPathFactory) -> DocSeeded:
    """One store for the Văn bản tests, seeded once through the real store (the register derives its records)."""
    data_dir = tmp_path_factory.mktemp("documents") / "data"
    data_dir.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_NOTIFY_URLS"):
            patch.delenv(var, raising=False)
        patch.setenv("NEWSWATCH_DATA_DIR", str(data_dir))
        settings = load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data_dir)
        return seed_documents(settings)


# -- real headless Chromium (the browser tests) --------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = find_chromium()
    if chromium is None:
        pytest.fail("no Chromium on this machine: run scripts/install-system-deps.sh or set NEWSWATCH_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("NEWSWATCH_SCREENSHOTS")
    path = (PROJECT_ROOT / folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path

