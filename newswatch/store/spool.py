"""An append-only, fsync'd JSONL spool of articles that could not be indexed yet.

Writers (any process) append one line per article under an exclusive ``flock`` and fsync before
returning, so an acknowledged article survives a crash. A replayer takes the replay lock, renames
the live file to ``replaying-<time>-<pid>.jsonl`` (appenders then start a new live file), feeds
the articles back in batches and deletes each replay file only when every article in it was
stored. Replays are idempotent (articles are keyed by their URL hash), so a replay interrupted
half-way is simply repeated: nothing is lost and nothing is duplicated.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from newswatch.models import Article

log = logging.getLogger(__name__)


class Spool:
    """The spool directory of one store."""

    def __init__(self, directory: str | Path, name: str = "elasticsearch") -> None:
        self.dir = Path(directory)
        self.name = name
        self.live = self.dir / f"{name}.jsonl"

    @contextmanager
    def _lock(self, which: str) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / f".{self.name}.{which}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, articles: list[Article]) -> None:
        """Durably append ``articles`` (returns after fsync)."""
        if articles:
            self._append(self.live, "".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in articles))

    @property
    def rejected(self) -> Path:
        """Articles the store refused for good during a replay, with the reason (kept for an operator)."""
        return self.dir / f"rejected-{self.name}.jsonl"

    def reject(self, articles: list[Article], reason: str) -> None:
        """Set ``articles`` aside durably in :attr:`rejected` (so they stop blocking the replay)."""
        self._append(self.rejected, "".join(json.dumps({"reason": reason[:500], "article": a.to_dict()},
                                                       ensure_ascii=False) + "\n" for a in articles))

    def _append(self, path: Path, lines: str) -> None:
        with self._lock("append"):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, lines.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def _replay_files(self) -> list[Path]:
        return sorted(self.dir.glob(f"replaying-*-{self.name}.jsonl"))

    def pending(self) -> bool:
        """Cheap check: is anything waiting?"""
        try:
            if self.live.stat().st_size > 0:
                return True
        except FileNotFoundError:
            pass
        return bool(self.dir.exists() and self._replay_files())

    def count(self) -> int:
        files = [*self._replay_files(), self.live]
        return sum(sum(1 for line in f.open(encoding="utf-8") if line.strip()) for f in files if f.exists())

    def replay(self, store_batch: Callable[[list[Article]], object], batch_size: int = 200) -> int:
        """Feed spooled articles to ``store_batch``; returns how many were stored.

        ``store_batch`` raising stops the replay and leaves the remaining files in place.
        """
        if not self.pending():
            return 0
        replayed = 0
        with self._lock("replay"):
            with self._lock("append"):
                if self.live.exists() and self.live.stat().st_size > 0:
                    target = self.dir / f"replaying-{time.time_ns()}-{os.getpid()}-{self.name}.jsonl"
                    self.live.rename(target)
            for path in self._replay_files():
                articles = list(self._read(path))
                stored = 0
                for start in range(0, len(articles), batch_size):
                    chunk = articles[start:start + batch_size]
                    done = store_batch(chunk)  # how many were stored, when it says (the rest were set aside)
                    stored += done if isinstance(done, int) else len(chunk)
                replayed += stored
                path.unlink()
                log.info("replayed %d of %d spooled articles from %s", stored, len(articles), path.name)
        return replayed

    @staticmethod
    def _read(path: Path) -> Iterator[Article]:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield Article.from_dict(json.loads(line))
                except (ValueError, TypeError) as exc:  # a torn last line after a crash mid-write
                    log.error("spool %s line %d unreadable, skipped: %s", path.name, number, exc)
