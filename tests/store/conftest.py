"""Store fixtures: a noida-db Elasticsearch stand-in for the session, and one store per backend.

The ``store`` fixture is parametrised over both backends so that one behavioural suite checks
both. noida-db is started on a free port with its own data directory and stopped at the end;
its harmless GLIBC warning on stderr is ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from noida_server import NOIDA, Noida

from newswatch.store.base import ArticleStore
from newswatch.store.sqlite import SQLiteStore


@pytest.fixture(scope="session")
def noida(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Noida]:
    if not Path(NOIDA).exists():
        pytest.fail("noida-db is not installed: run `make test` (it installs the test extra)")
    server = Noida(tmp_path_factory.mktemp("noida"))
    server.start()
    yield server
    server.stop()


def make_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> ArticleStore:
    if kind == "sqlite":
        return SQLiteStore(tmp_path / "articles.db")
    from newswatch.store.elastic import ElasticStore

    server: Noida = request.getfixturevalue("noida")
    store = ElasticStore(server.url, prefix=f"t{uuid.uuid4().hex[:10]}", spool_dir=tmp_path / "spool")
    store.retry_after_s = 0
    return store


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArticleStore]:
    s = make_store(request.param, tmp_path, request)
    yield s
    s.close()
