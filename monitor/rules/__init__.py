"""Rule types, one module each (ElastAlert's layout); :data:`RULE_TYPES` maps a ``type:`` to its model."""

from __future__ import annotations

from monitor.rules.base import Finding, RuleConfig, RuleContext, parse_duration
from monitor.rules.match import MatchRule
from monitor.rules.new_directive import NewDirectiveRule
from monitor.rules.source_silence import SourceSilenceRule

RULE_TYPES: dict[str, type[RuleConfig]] = {
    "new_directive": NewDirectiveRule,
    "match": MatchRule,
    "source_silence": SourceSilenceRule,
}

__all__ = ["RULE_TYPES", "Finding", "MatchRule", "NewDirectiveRule", "RuleConfig", "RuleContext",
           "SourceSilenceRule", "parse_duration"]
