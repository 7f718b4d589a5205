"""The monitor over the archive: what a rule would do (dry run), why each number did or did not alert
(explain), and evaluating stored articles for real (rerun, after an upgrade recomputed them).

The dry run and the live run make the same decision (:func:`monitor.decision.decide`); the dry run
only keeps its outcome in memory instead of the state DB.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from monitor import store
from monitor.decision import article_ref, decide
from monitor.rules import RuleConfig
from monitor.rules.base import PeriodicRule
from monitor.rules.new_directive import NewDirectiveRule
from newswatch import localtime
from newswatch.models import Article

if TYPE_CHECKING:
    from monitor.engine import Monitor

log = logging.getLogger(__name__)


@dataclass
class DryRunHit:
    """What a rule would do with one archived article: ``alert`` (new), ``attach`` (copy of an earlier hit) or
    ``confirm`` (the official entry of an alerted document: attached, and the alert marked confirmed)."""

    action: str
    rule: str
    key: str
    headline: str
    evidence: str
    article: dict[str, Any]
    doc_number: str | None = None
    doc_issue_date: str | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarize(actions: Iterable[str]) -> dict[str, int]:
    """How many new alerts a dry run would create and how many articles it would attach (from its hits'
    actions): the one count the CLI, the rules page and the API all state."""
    listed = list(actions)
    alerts = listed.count("alert")
    return {"alerts": alerts, "attached": len(listed) - alerts}


def dry_run(monitor: Monitor, rule: str | RuleConfig, since: datetime | None = None,
            now: datetime | None = None) -> list[DryRunHit]:
    """What ``rule`` would alert on (and attach) over the archive since ``since``; writes nothing."""
    config = monitor.rules.get(rule) if isinstance(rule, str) else rule
    if config is None:
        raise KeyError(f"no rule named {rule!r} in {monitor.loader.path}")
    if isinstance(config, PeriodicRule):
        findings = config.check(monitor.periodic_view(), localtime.utc(now) or localtime.utcnow())
        return [DryRunHit("alert", config.name, f.key, f.headline, f.evidence, {}) for f in findings]
    a, aa = store.alerts.c, store.alert_articles.c
    with monitor.db.connect() as conn:
        keys = {r[0] for r in conn.execute(select(a.query_key).where(a.rule == config.name))}
        # documents another rule alerted on: an official entry attaches there instead of alerting again
        documents = {r[0] for r in conn.execute(select(a.query_key).where(a.rule != config.name,
                                                                            a.rule_type == "new_directive"))}
        cluster_keys: dict[str, set[str]] = defaultdict(set)
        for cluster, key in conn.execute(select(aa.cluster_id, a.query_key).join(store.alerts, a.id == aa.alert_id)
                                         .where(a.rule == config.name, aa.cluster_id.is_not(None))):
            cluster_keys[cluster].add(key)
    articles = _archive(monitor, since)
    hits: list[DryRunHit] = []
    for article in articles:
        article = monitor.enriched(article)
        story_keys = cluster_keys.get(article.cluster_id or "") if article.cluster_id else None
        decision = decide(config, article, monitor.ctx, story_keys)
        ref = decision.official  # an official entry: confirms the alert of its document, if there is one
        confirming = ref.key if ref is not None and ref.key in keys else None
        if decision.attach_to_story:
            story_confirms = confirming is not None and confirming in (story_keys or set())
            hits.append(DryRunHit("confirm" if story_confirms else "attach", config.name, article.cluster_id or "",
                                  article.title, "", article_ref(article), reason="copy of an alerted story"))
            if story_confirms:
                confirming = None
        for finding in [] if decision.attach_to_story else decision.findings:
            elsewhere = (finding.key not in keys and bool(finding.details.get("official"))
                         and finding.key in documents)  # attached to the other rule's alert: not this rule's key
            action = "attach" if finding.key in keys or elsewhere else "alert"
            if finding.key == confirming:
                action, confirming = "confirm", None
            if not elsewhere:
                keys.add(finding.key)
                if article.cluster_id:
                    cluster_keys.setdefault(article.cluster_id, set()).add(finding.key)
            hits.append(DryRunHit(action, config.name, finding.key, finding.headline, finding.evidence,
                                  article_ref(article), finding.doc_number, finding.doc_issue_date,
                                  reason=finding.details.get("reason", "")))
        if confirming is not None and ref is not None:
            hits.append(DryRunHit("confirm", config.name, ref.key, ref.title, f"Nguồn chính thức: {ref.source_title}",
                                  article_ref(article), ref.number, ref.issue_date,
                                  reason="the official entry of an alerted document: confirms its alert"))
    return hits


def explain(monitor: Monitor, rule: str | RuleConfig, since: datetime | None = None) -> list[dict[str, Any]]:
    """For each archived article since ``since``, each document number's verdict and reason under ``rule``."""
    config = monitor.rules.get(rule) if isinstance(rule, str) else rule
    if config is None:
        raise KeyError(f"no rule named {rule!r} in {monitor.loader.path}")
    if not isinstance(config, NewDirectiveRule):
        raise KeyError(f"rule {config.name!r} is a {config.type} rule: only new_directive rules explain "  # type: ignore[attr-defined]
                       "document numbers")
    out = []
    for article in _archive(monitor, since):
        article = monitor.enriched(article)
        verdicts = [{"doc_number": f.doc_number, "key": f.key, "fires": f.details.get("fires", False),
                     "reason": f.details.get("reason", ""), "segment": f.details.get("segment", ""),
                     "evidence": f.evidence} for f in config.explain(article, monitor.ctx)]
        out.append({"article": article_ref(article), "numbers": verdicts})
    return out


def _archive(monitor: Monitor, since: datetime | None) -> list[Article]:
    """Articles stored since ``since`` and published since then too, oldest publication first."""
    since = localtime.utc(since)
    articles = [x for x in monitor.article_store().iter_articles(since=since)
                if since is None or x.published is None or localtime.utc(x.published) >= since]
    far = datetime.max.replace(tzinfo=store.UTC)
    articles.sort(key=lambda x: localtime.utc(x.published) or far)
    return articles


def rerun(monitor: Monitor, rule: str | None, since: datetime | None, now: datetime | None = None) -> dict[str, int]:
    """Evaluate the archive since ``since`` for real with one rule (or all): alerts what is new, attaches the rest."""
    rules = monitor.rules.article_rules
    if rule is not None:
        rules = [r for r in rules if r.name == rule]
        if not rules:
            raise KeyError(f"no per-article rule named {rule!r} in {monitor.loader.path}")
    now = localtime.utc(now) or localtime.utcnow()
    before = dict(monitor.stats)
    articles = _archive(monitor, since)
    alerts = 0
    for article in articles:
        article = monitor.enriched(article)
        cluster_alerts = monitor.cluster_alerts(article)
        for config in rules:
            try:
                alerts += len(monitor.apply(config, article, now, cluster_alerts.get(config.name, {})))
            except Exception:
                monitor.stats["errors"] += 1
                log.exception("rule %s failed on %s", config.name, article.url)
    return {"articles": len(articles), "alerts": alerts,
            "attached": monitor.stats["attached"] - before.get("attached", 0),
            "errors": monitor.stats["errors"] - before.get("errors", 0)}
