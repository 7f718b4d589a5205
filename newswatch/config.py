"""Loading YAML configuration into pydantic models, with errors that name the file, the key and the fix.

Every configuration file of newswatch (sources, rules, service settings) goes through
:func:`load_yaml_model`, so a mistake anywhere reads the same way::

    config/sources.yaml: sources[1].feeds[0]: 'htp://x' is not an absolute http(s) URL. Fix: ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from newswatch.errors import ConfigError, ConfigProblem

ModelT = TypeVar("ModelT", bound=BaseModel)


def format_loc(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location such as ('sources', 1, 'feeds', 0) into 'sources[1].feeds[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "union[", "tagged-union[")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _fix_for(error: dict[str, Any]) -> str:
    """Give a short, actionable fix for the common pydantic error types."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if "fix" in ctx:
        return str(ctx["fix"])
    if kind == "missing":
        return "add this key."
    if kind == "extra_forbidden":
        return "remove this key or check its spelling against the documentation (README, Configuration)."
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"give a value of the right type ({error.get('msg', '').lower()})."
    if kind == "literal_error":
        return f"use one of the allowed values ({ctx.get('expected', '')})."
    return ""


def problems_from_validation(file: str | Path, exc: ValidationError, prefix: str = "") -> list[ConfigProblem]:
    """Convert a pydantic ValidationError into ConfigProblems naming file, key and fix."""
    problems = []
    for err in exc.errors():
        key = format_loc(tuple(err.get("loc", ())))
        if prefix:
            key = f"{prefix}.{key}" if key and not key.startswith("[") else f"{prefix}{key}"
        message = str(err.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        if "input" in err and err.get("type") not in ("missing",) and not isinstance(err["input"], dict | list):
            message = f"{err['input']!r}: {message}"
        problems.append(ConfigProblem(str(file), key, message.rstrip(".") + ".", _fix_for(err)))
    return problems


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file, turning a missing file or a syntax error into a ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.single(path, "", "file not found.", "create it, or pass the right path.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError.single(path, "", f"not UTF-8 text ({exc.reason}).", "save the file as UTF-8.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError.single(
            path, "", f"YAML syntax error at {where}: {problem}.", "correct the indentation or quoting there."
        ) from None


def load_yaml_model(path: str | Path, model: type[ModelT], *, empty_ok: bool = False) -> ModelT:
    """Load ``path`` and validate it as ``model``; raise ConfigError listing every problem."""
    data = read_yaml(path)
    if data is None:
        if not empty_ok:
            raise ConfigError.single(path, "", "the file is empty.", "add the configuration described in the README.")
        data = {}
    if not isinstance(data, dict):
        raise ConfigError.single(path, "", "the top level must be a mapping (key: value).", "see the README for an example.")
    return validate_model(path, data, model)


def validate_model(path: str | Path, data: dict[str, Any], model: type[ModelT]) -> ModelT:
    """Validate already-parsed data as ``model``, reporting problems against ``path``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(path, exc)) from None
