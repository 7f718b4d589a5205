"""Real PostgreSQL and Redis servers for tests and benchmarks, each on its own port and data directory.

PostgreSQL is Debian's (``scripts/install-system-deps.sh`` installs it): ``initdb`` a throw-away
cluster (as the ``postgres`` user when running as root: the server refuses root) and start it on
a free loopback port with durability off (a test cluster has nothing to keep). Redis is Debian's
``redis-server`` with no persistence. :func:`missing` tells why a server cannot be started.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bindir() -> Path | None:
    """Where Debian's PostgreSQL server programs are (initdb, pg_ctl, postgres)."""
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().with_name("postgres").exists():
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "pg_ctl").exists() and Path(candidate, "postgres").exists():
            return Path(candidate)
    return None


def missing(server: str) -> str | None:
    """Why ``server`` ("postgresql" or "redis") cannot run here, or None."""
    if server == "postgresql":
        if pg_bindir() is None:
            return "PostgreSQL server binaries (initdb, pg_ctl) not installed: run scripts/install-system-deps.sh"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser: cannot start PostgreSQL as the postgres user"
        return None
    if shutil.which("redis-server") is None:
        return "redis-server not installed: run scripts/install-system-deps.sh"
    return None


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temporary directory; :meth:`new_database` gives each test its own database."""

    port: int
    root: Path

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = pg_bindir()
        assert bindir is not None
        root = Path(tempfile.mkdtemp(prefix="newswatch-pg-"))
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        data = root / "data"
        port = free_port()
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB")
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
                                     "-w", "-t", "60", "start"]), check=True, capture_output=True, timeout=90)
        return cls(port, root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        bindir = pg_bindir()
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                                     "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class RedisServer:
    """A redis-server on a free loopback port, no persistence, in a temporary directory."""

    port: int
    root: Path
    process: subprocess.Popen

    @classmethod
    def start(cls) -> RedisServer:
        root = Path(tempfile.mkdtemp(prefix="newswatch-redis-"))
        port = free_port()
        process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(root)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = cls(port, root, process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return server
            except OSError:
                time.sleep(0.05)
        server.stop()
        raise RuntimeError(f"redis-server did not answer on port {port}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)
