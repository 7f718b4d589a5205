"""Store fixtures: a noida-db Elasticsearch stand-in for the session, and one store per backend.

The ``store`` fixture is parametrised over both backends so that one behavioural suite checks
both. noida-db is started on a free port with its own data directory and stopped at the end;
its harmless GLIBC warning on stderr is ignored.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswatch.store.base import ArticleStore
from newswatch.store.sqlite import SQLiteStore

NOIDA = shutil.which("noida-db") or str(Path(sys.executable).parent / "noida-db")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/")
    except OSError:
        return False


class Noida:
    """One noida-db Elasticsearch service run in the foreground as a child process."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.proc = subprocess.Popen(
            [NOIDA, "start", "--only", "elasticsearch", "--elasticsearch-port", str(self.port),
             "--data-dir", str(self.data_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _answers(self.port):
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"noida-db exited with {self.proc.returncode}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("noida-db did not answer in time")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:  # SIGINT to the whole group reaches the binary child, which saves and exits
            os.killpg(self.proc.pid, signal.SIGINT)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None
        deadline = time.monotonic() + 10
        while _answers(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)


@pytest.fixture(scope="session")
def noida(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Noida]:
    if not Path(NOIDA).exists():
        pytest.skip("noida-db is not installed")
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
