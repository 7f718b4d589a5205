"""The rule file (``config/rules.yaml``): schema, loading and validation with file, rule and key named.

A mistake reads like this, and the monitor keeps its last good rules::

    config/rules.yaml: rules[0] (cds-directives).max_age_days: 'soon': Input should be a valid integer. Fix: ...

Each rule is validated by the model of its ``type`` (:data:`monitor.rules.RULE_TYPES`), so a
problem is reported against the rule's index *and* name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from monitor.rules import RULE_TYPES, RuleConfig
from newswatch.config import problems_from_validation, read_yaml
from newswatch.errors import ConfigError, ConfigProblem


class DeliveryConfig(BaseModel):
    """How the outbox retries (top-level ``delivery:`` key of rules.yaml)."""

    model_config = ConfigDict(extra="forbid")
    max_attempts: int = Field(8, ge=1, le=100)
    backoff_seconds: float = Field(30, gt=0, description="first retry delay; doubles each attempt")
    backoff_max_seconds: float = Field(3600, gt=0)
    lease_seconds: float = Field(120, gt=0, description="how long a worker owns a claimed notification")
    timeout_seconds: float = Field(20, gt=0, description="per-request timeout of a notification")

    @model_validator(mode="after")
    def _lease_outlives_send(self) -> DeliveryConfig:
        if self.lease_seconds < 2 * self.timeout_seconds:
            raise ValueError(f"lease_seconds ({self.lease_seconds:g}) must be at least twice timeout_seconds "
                             f"({self.timeout_seconds:g}), or a slow send could be taken over and repeated; "
                             "raise lease_seconds or lower timeout_seconds")
        return self


class _RulesFileTop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    rules: list[Any] = Field(default_factory=list)


@dataclass
class RuleSet:
    """Validated rules plus delivery settings, and where they came from."""

    rules: list[RuleConfig] = field(default_factory=list)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    source: str = ""
    digest: str = ""  # sha1 of the file's text

    def get(self, name: str) -> RuleConfig | None:
        return next((r for r in self.rules if r.name == name), None)

    @property
    def article_rules(self) -> list[RuleConfig]:
        return [r for r in self.rules if r.enabled and not r.periodic]

    @property
    def periodic_rules(self) -> list[RuleConfig]:
        return [r for r in self.rules if r.enabled and r.periodic]


def _rule_label(index: int, raw: Any) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"rules[{index}] ({name})" if isinstance(name, str) and name else f"rules[{index}]"


def parse_rules(data: Any, file: str | Path) -> RuleSet:
    """Validate parsed YAML as a rule file; raise ConfigError listing every problem."""
    if data is None:
        data = {}
    if isinstance(data, list):  # a bare list of rules is accepted too
        data = {"rules": data}
    if not isinstance(data, dict):
        raise ConfigError.single(file, "", "the top level must be a mapping with a 'rules:' list.",
                                 "start the file with 'rules:' (see docs/monitor.md).")
    try:
        top = _RulesFileTop.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(file, exc)) from None
    problems: list[ConfigProblem] = []
    rules: list[RuleConfig] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(top.rules):
        label = _rule_label(index, raw)
        if not isinstance(raw, dict):
            problems.append(ConfigProblem(str(file), label, "a rule must be a mapping (name: ..., type: ...).",
                                          "indent the rule's keys under '- name: ...'."))
            continue
        kind = raw.get("type")
        if kind not in RULE_TYPES:
            message = "missing rule type." if kind is None else f"{kind!r} is not a rule type."
            problems.append(ConfigProblem(str(file), f"{label}.type", message,
                                          f"use one of: {', '.join(RULE_TYPES)}."))
            continue
        try:
            rule = RULE_TYPES[kind].model_validate(raw)
        except ValidationError as exc:
            problems.extend(problems_from_validation(file, exc, prefix=label))
            continue
        if rule.name in seen:
            problems.append(ConfigProblem(str(file), f"{label}.name",
                                          f"the name {rule.name!r} is already used by rules[{seen[rule.name]}].",
                                          "give every rule its own name (alerts are filed under it)."))
            continue
        seen[rule.name] = index
        rules.append(rule)
    if problems:
        raise ConfigError(problems)
    return RuleSet(rules=rules, delivery=top.delivery, source=str(file))


def load_rules(path: str | Path) -> RuleSet:
    """Load and validate a rule file."""
    path = Path(path)
    data = read_yaml(path)
    ruleset = parse_rules(data, path)
    ruleset.digest = hashlib.sha1(path.read_bytes()).hexdigest()
    return ruleset


def load_rules_text(text: str, label: str) -> RuleSet:
    """Validate rules from text (the last good copy kept in the state DB)."""
    import yaml

    ruleset = parse_rules(yaml.safe_load(text), label)
    ruleset.digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return ruleset
