"""Exceptions shared across newswatch, chiefly configuration errors that name file, key and fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ConfigProblem:
    """One problem found in a configuration file."""

    file: str
    key: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.file}: {self.key or '<top level>'}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass
class ConfigError(Exception):
    """A configuration file could not be loaded; carries every problem found in it."""

    problems: list[ConfigProblem] = field(default_factory=list)

    @classmethod
    def single(cls, file: str | Path, key: str, message: str, fix: str = "") -> ConfigError:
        return cls([ConfigProblem(str(file), key, message, fix)])

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in configuration:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ExtractionError(Exception):
    """A page could not be turned into an article; the message says why."""


class StoreUnavailable(Exception):
    """The article store (e.g. an Elasticsearch cluster) cannot be reached right now."""
