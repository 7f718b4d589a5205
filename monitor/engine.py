"""Evaluation: rules against each new article as it is stored, against the archive on demand, and sources on a schedule.

:class:`Monitor` is what the item pipeline, the CLI and the service hold:

- :meth:`Monitor.on_article` runs every enabled per-article rule on a new or updated article.
  A copy of an already-alerted story (same cluster, or same key, e.g. the same directive) is
  attached to the existing alert; otherwise a new alert and its outbox rows are committed in one
  transaction. One alert per key per rule; ``realert`` lets a key alert again after its window.
- :meth:`Monitor.dry_run` shows what a rule would do over the archive, writing nothing.
- :func:`check_silence` runs the periodic ``source_silence`` rules.

Rules are reloaded when the file changes. A malformed file is rejected with the file, rule and
key named, and the monitor keeps the last good rules (kept in the state DB, so a fresh crawl
process also has them).
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from monitor import store
from monitor.config import RuleSet, load_rules, load_rules_text
from monitor.outbox import enqueue_alert
from monitor.rules import RuleConfig, RuleContext
from monitor.rules.base import Finding
from monitor.rules.source_silence import SourceSilenceRule, failures_from_health
from newswatch.errors import ConfigError
from newswatch.models import Article
from newswatch.settings import Settings
from newswatch.state import runs
from newswatch.state.db import StateDB, open_state
from newswatch.text.enrich import enrich_article, is_enriched
from newswatch.text.topics import tag_topics

log = logging.getLogger(__name__)

# The alerts on one story cluster, built once (constructing the select per article and rule cost ~1 ms each).
_CLUSTER_ALERTS = (select(store.alerts.c.rule, store.alerts.c.id, store.alerts.c.query_key).distinct()
                   .join(store.alert_articles, store.alert_articles.c.alert_id == store.alerts.c.id)
                   .where(store.alert_articles.c.cluster_id == bindparam("cluster_id")))
LAST_GOOD_KEY = "rules:last_good"


@dataclass
class Alert:
    """A new alert, as returned to the caller (the full record is in the state DB: :func:`store.get_alert`)."""

    id: int
    uid: str
    rule: str
    severity: str
    key: str
    headline: str
    evidence: str
    doc_number: str | None = None
    article_id: str | None = None
    notifications: int = 0


@dataclass
class DryRunHit:
    """What a rule would do with one archived article: ``alert`` (new) or ``attach`` (copy of an earlier hit)."""

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


class RuleLoader:
    """The current rules: reloaded when the file changes; the last good ones when it is malformed."""

    def __init__(self, settings: Settings, path: str | Path | None = None, db: StateDB | None = None) -> None:
        self.path = Path(path or settings.rules_file)
        self.db = db or open_state(settings.state_url)
        self._stamp: tuple[int, int] | None = None
        self._rules: RuleSet | None = None
        self.error: ConfigError | None = None

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def current(self) -> RuleSet:
        stamp = self._file_stamp()
        if self._rules is not None and stamp == self._stamp:
            return self._rules
        self._stamp = stamp
        try:
            rules = load_rules(self.path)
        except ConfigError as exc:
            self.error = exc
            fallback = self._rules or self._last_good()
            log.error("rule file rejected, keeping %s rules:\n%s",
                      "the last good" if fallback else "no", exc)
            self._rules = fallback or RuleSet(source=str(self.path))
            return self._rules
        self.error = None
        if self._rules is not None and self._rules.digest != rules.digest:
            log.info("rules reloaded from %s (%d rules)", self.path, len(rules.rules))
        self._rules = rules
        self._remember(rules)
        return rules

    def _remember(self, rules: RuleSet) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
            with self.db.begin() as conn:
                current = store.get_state(conn, LAST_GOOD_KEY)
                if current is None or json.loads(current).get("digest") != rules.digest:
                    store.set_state(conn, LAST_GOOD_KEY, json.dumps({"digest": rules.digest, "text": text,
                                                                     "path": str(self.path)}, ensure_ascii=False))
        except Exception:
            log.exception("could not keep a copy of the good rule file")

    def _last_good(self) -> RuleSet | None:
        try:
            with self.db.connect() as conn:
                raw = store.get_state(conn, LAST_GOOD_KEY)
            if raw is None:
                return None
            saved = json.loads(raw)
            return load_rules_text(saved["text"], f"{saved.get('path', 'rules.yaml')} (last good copy)")
        except Exception:
            log.exception("the last good rules kept in the state DB are unusable")
            return None


def _article_ref(article: Article) -> dict[str, Any]:
    published = store.utc(article.published) if article.published else None
    return {"id": article.id, "url": article.url, "source": article.source, "title": article.title,
            "published": published.isoformat() if published else None, "cluster_id": article.cluster_id}


class Monitor:
    """Evaluates the rules of ``settings.rules_file`` and records alerts in the state DB."""

    def __init__(self, settings: Settings, *, rules_path: str | Path | None = None, article_store: Any = None) -> None:
        self.settings = settings
        self.db = open_state(settings.state_url)
        self.loader = RuleLoader(settings, rules_path, self.db)
        self.ctx = RuleContext(tag_topics=tag_topics)
        self._store = article_store
        self._own_store = article_store is None
        self.stats: dict[str, int] = defaultdict(int)
        self.loader.current()

    @property
    def rules(self) -> RuleSet:
        return self.loader.current()

    @property
    def rules_error(self) -> ConfigError | None:
        return self.loader.error

    def article_store(self) -> Any:
        if self._store is None:
            from newswatch.store import open_store

            self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        """Release the article store if the monitor opened it."""
        if self._store is not None and self._own_store:
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None

    # -- per article --------------------------------------------------------------------------------

    @staticmethod
    def _enriched(article: Article) -> Article:
        """The article with the current enrichment (an article stored by an older version gets it on a copy)."""
        if is_enriched(article):
            return article
        copy = replace(article, extraction=dict(article.extraction))
        enrich_article(copy)
        return copy

    def on_article(self, article: Article, *, now: datetime | None = None) -> list[Alert]:
        """Evaluate a newly stored article; returns the alerts it created (copies attach silently)."""
        if article.store_outcome not in (None, "new", "updated"):
            return []
        ruleset = self.rules
        article = self._enriched(article)
        created: list[Alert] = []
        cluster_alerts: dict[str, dict[int, str]] | None = None
        for rule in ruleset.article_rules:
            try:
                if cluster_alerts is None:  # one query for all rules: a rule only looks at its own alerts
                    cluster_alerts = self._cluster_alerts(article)
                created.extend(self._apply(rule, article, store.utc(now) or store.now_utc(),
                                           cluster_alerts.get(rule.name, {})))
            except Exception:
                self.stats["errors"] += 1
                log.exception("rule %s failed on %s", rule.name, article.url)
        return created

    def _apply(self, rule: RuleConfig, article: Article, now: datetime, alerted: dict[int, str]) -> list[Alert]:
        """Evaluate ``rule``; ``alerted`` is ``{alert id: key}`` of the rule's alerts on the article's story cluster."""
        decision = decide(rule, article, self.ctx, set(alerted.values()) if alerted else None)
        if decision.attach_to_story:
            with self.db.begin() as conn:
                for alert_id in alerted:
                    self._attach(conn, alert_id, article, "", now)
            self.stats["attached"] += 1
            return []
        created = []
        for finding in decision.findings:
            alert = self.record(rule, finding, article, now)
            if alert is not None:
                created.append(alert)
        return created

    def _cluster_alerts(self, article: Article) -> dict[str, dict[int, str]]:
        """Per rule name, ``{alert id: key}`` of the alerts on the article's story cluster."""
        if not article.cluster_id:
            return {}
        by_rule: dict[str, dict[int, str]] = defaultdict(dict)
        with self.db.connect() as conn:
            for rule, alert_id, key in conn.execute(_CLUSTER_ALERTS, {"cluster_id": article.cluster_id}):
                by_rule[rule][alert_id] = key
        return by_rule

    def _attach(self, conn: Any, alert_id: int, article: Article | None, evidence: str, now: datetime) -> bool:
        if article is None:
            return False
        aa = store.alert_articles.c
        exists = conn.execute(select(aa.id).where(aa.alert_id == alert_id, aa.article_id == article.id)).first()
        if exists:
            return False
        conn.execute(store.alert_articles.insert().values(
            alert_id=alert_id, article_id=article.id, url=article.url, source=article.source or "",
            title=article.title or "", published=store.utc(article.published), cluster_id=article.cluster_id,
            evidence=evidence, attached_at=now))
        conn.execute(store.alerts.update().where(store.alerts.c.id == alert_id).values(updated_at=now))
        return True

    def _open_alert(self, conn: Any, rule: RuleConfig, key: str, now: datetime) -> int | None:
        """The alert this key still belongs to (within the realert window), if any."""
        a = store.alerts.c
        row = conn.execute(select(a.id, a.created_at).where(a.rule == rule.name, a.query_key == key)
                           .order_by(a.created_at.desc(), a.id.desc()).limit(1)).first()
        if row is None:
            return None
        window = rule.realert_window
        if window is None or now - store.utc(row.created_at) < window:
            return row.id
        return None

    def record(self, rule: RuleConfig, finding: Finding, article: Article | None, now: datetime) -> Alert | None:
        """Create the alert for ``finding`` (with its outbox rows), or attach ``article`` to the existing one."""
        for _attempt in range(3):
            with self.db.begin() as conn:
                existing = self._open_alert(conn, rule, finding.key, now)
                if existing is not None:
                    if self._attach(conn, existing, article, finding.evidence, now):
                        self.stats["attached"] += 1
                    return None
            uid = uuid.uuid4().hex
            dedup = finding.key if rule.realert_window is None else f"{finding.key}@{now.isoformat()}"
            try:
                with self.db.begin() as conn:
                    result = conn.execute(store.alerts.insert().values(
                        uid=uid, rule=rule.name, rule_type=rule.type, severity=rule.severity, dedup_key=dedup,  # type: ignore[attr-defined]
                        query_key=finding.key, headline=finding.headline, doc_number=finding.doc_number,
                        doc_type=finding.doc_type, doc_type_name=finding.doc_type_name, doc_issuer=finding.doc_issuer,
                        doc_issue_date=finding.doc_issue_date, evidence=finding.evidence,
                        cluster_id=article.cluster_id if article else None, status="new", created_at=now,
                        updated_at=now, details=json.dumps(finding.details, ensure_ascii=False, default=str)))
                    alert_id = int(result.inserted_primary_key[0])
                    self._attach(conn, alert_id, article, finding.evidence, now)
                    sent = enqueue_alert(conn, alert_id=alert_id, alert_uid=uid, rule=rule, settings=self.settings,
                                         now=now)
            except IntegrityError:
                continue  # another process created it a moment ago: attach on the next pass
            self.stats["alerts"] += 1
            log.info("alert %d (%s): %s", alert_id, rule.name, finding.headline)
            return Alert(id=alert_id, uid=uid, rule=rule.name, severity=rule.severity, key=finding.key,
                         headline=finding.headline, evidence=finding.evidence, doc_number=finding.doc_number,
                         article_id=article.id if article else None, notifications=sent)
        return None

    def catch_up(self, source: str, *, now: datetime | None = None) -> int:
        """Evaluate again what ``source`` stored since its last run was interrupted; returns how many articles.

        A crawl killed between committing a batch of articles and evaluating them (a timeout, a
        shutdown, a crash) would otherwise never alert on them: the next run finds them unchanged.
        Evaluating is idempotent (an alert's key or story cluster attaches, never re-alerts), so
        articles that were evaluated before the kill change nothing.
        """
        since = runs.interrupted_since(self.db, source)
        if since is None:
            return 0
        articles = [a for a in self.article_store().iter_articles(since=since) if a.source == source]
        for article in articles:
            self.on_article(article, now=now)
        if articles:
            log.info("re-evaluated %d articles of %s stored since its interrupted run of %s",
                     len(articles), source, since.isoformat())
        return len(articles)

    # -- over the archive ---------------------------------------------------------------------------

    def rerun(self, rule: str | None, since: datetime | None, now: datetime | None = None) -> dict[str, int]:
        """Evaluate the archive since ``since`` for real with one rule (or all): alerts what is new, attaches the rest."""
        rules = self.rules.article_rules
        if rule is not None:
            rules = [r for r in rules if r.name == rule]
            if not rules:
                raise KeyError(f"no per-article rule named {rule!r} in {self.loader.path}")
        now = store.utc(now) or store.now_utc()
        before = dict(self.stats)
        articles = self._archive(since)
        alerts = 0
        for article in articles:
            article = self._enriched(article)
            cluster_alerts = self._cluster_alerts(article)
            for config in rules:
                try:
                    alerts += len(self._apply(config, article, now, cluster_alerts.get(config.name, {})))
                except Exception:
                    self.stats["errors"] += 1
                    log.exception("rule %s failed on %s", config.name, article.url)
        return {"articles": len(articles), "alerts": alerts,
                "attached": self.stats["attached"] - before.get("attached", 0),
                "errors": self.stats["errors"] - before.get("errors", 0)}

    def dry_run(self, rule: str | RuleConfig, since: datetime | None = None,
                now: datetime | None = None) -> list[DryRunHit]:
        """What ``rule`` would alert on (and attach) over the archive since ``since``; writes nothing."""
        config = self.rules.get(rule) if isinstance(rule, str) else rule
        if config is None:
            raise KeyError(f"no rule named {rule!r} in {self.loader.path}")
        if isinstance(config, SourceSilenceRule):
            findings = silence_findings(self.settings, config, store.utc(now) or store.now_utc(), self.article_store(),
                                        self.db)
            return [DryRunHit("alert", config.name, f.key, f.headline, f.evidence, {}) for f in findings]
        a, aa = store.alerts.c, store.alert_articles.c
        with self.db.connect() as conn:
            keys = {r[0] for r in conn.execute(select(a.query_key).where(a.rule == config.name))}
            cluster_keys: dict[str, set[str]] = defaultdict(set)
            for cluster, key in conn.execute(select(aa.cluster_id, a.query_key).join(store.alerts, a.id == aa.alert_id)
                                             .where(a.rule == config.name, aa.cluster_id.is_not(None))):
                cluster_keys[cluster].add(key)
        articles = self._archive(since)
        hits: list[DryRunHit] = []
        for article in articles:
            article = self._enriched(article)
            story_keys = cluster_keys.get(article.cluster_id or "") if article.cluster_id else None
            decision = decide(config, article, self.ctx, story_keys)
            if decision.attach_to_story:
                hits.append(DryRunHit("attach", config.name, article.cluster_id or "", article.title, "",
                                      _article_ref(article), reason="copy of an alerted story"))
                continue
            for finding in decision.findings:
                action = "attach" if finding.key in keys else "alert"
                keys.add(finding.key)
                if article.cluster_id:
                    cluster_keys.setdefault(article.cluster_id, set()).add(finding.key)
                hits.append(DryRunHit(action, config.name, finding.key, finding.headline, finding.evidence,
                                      _article_ref(article), finding.doc_number, finding.doc_issue_date,
                                      reason=finding.details.get("reason", "")))
        return hits

    def explain(self, rule: str | RuleConfig, since: datetime | None = None) -> list[dict[str, Any]]:
        """For each archived article since ``since``, each document number's verdict and reason under ``rule``."""
        config = self.rules.get(rule) if isinstance(rule, str) else rule
        if config is None:
            raise KeyError(f"no rule named {rule!r} in {self.loader.path}")
        explain = getattr(config, "explain", None)
        if explain is None:
            raise KeyError(f"rule {config.name!r} is a {config.type} rule: only new_directive rules explain "  # type: ignore[attr-defined]
                           "document numbers")
        out = []
        for article in self._archive(since):
            article = self._enriched(article)
            verdicts = [{"doc_number": f.doc_number, "key": f.key, "fires": f.details.get("fires", False),
                         "reason": f.details.get("reason", ""), "segment": f.details.get("segment", ""),
                         "evidence": f.evidence} for f in explain(article, self.ctx)]
            out.append({"article": _article_ref(article), "numbers": verdicts})
        return out

    def _archive(self, since: datetime | None) -> list[Article]:
        """Articles stored since ``since`` and published since then too, oldest publication first."""
        since = store.utc(since)
        articles = [x for x in self.article_store().iter_articles(since=since)
                    if since is None or x.published is None or store.utc(x.published) >= since]
        far = datetime.max.replace(tzinfo=store.UTC)
        articles.sort(key=lambda x: store.utc(x.published) or far)
        return articles

    # -- periodic -----------------------------------------------------------------------------------

    def check_silence(self, now: datetime | None = None) -> list[Alert]:
        """Run the ``source_silence`` rules; resolve silence alerts whose source is healthy again."""
        now = store.utc(now) or store.now_utc()
        created: list[Alert] = []
        for rule in self.rules.periodic_rules:
            if not isinstance(rule, SourceSilenceRule):
                continue
            try:
                findings = silence_findings(self.settings, rule, now, self.article_store(), self.db)
            except Exception:
                log.exception("silence check %s failed", rule.name)
                continue
            for finding in findings:
                alert = self.record(rule, finding, None, now)
                if alert:
                    created.append(alert)
            self._resolve_recovered(rule, {f.key for f in findings})
        return created

    def _resolve_recovered(self, rule: RuleConfig, active: set[str]) -> None:
        a = store.alerts.c
        with self.db.connect() as conn:
            stale = [r[0] for r in conn.execute(select(a.id).where(a.rule == rule.name, a.status != "resolved",
                                                                   a.query_key.not_in(active or {""})))]
        for alert_id in stale:
            with contextlib.suppress(store.InvalidTransition, store.AlertNotFound):
                store.resolve(self.db, alert_id, "newswatch (source recovered)")


@dataclass
class Decision:
    """What one rule does with one article: attach it to the story's alerts, or these findings (new or attach)."""

    findings: list[Finding]
    attach_to_story: bool = False


def decide(rule: RuleConfig, article: Article, ctx: RuleContext, story_keys: set[str] | None) -> Decision:
    """The one decision the live run (:meth:`Monitor.on_article`) and the dry run both make.

    ``story_keys`` are the keys of the rule's alerts on the article's story cluster (``None``:
    the rule has not alerted on this story). A copy of an alerted story attaches to its alerts,
    unless it reports another document (stories written from one template can still be two
    directives); whether a finding's key already has an alert is the caller's to find out
    (the live run does it inside its transaction).
    """
    findings = rule.evaluate(article, ctx)  # type: ignore[attr-defined]
    if story_keys is not None:
        findings = [f for f in findings if f.doc_number and f.key not in story_keys]
        if not findings:
            return Decision([], attach_to_story=True)
    return Decision(findings)


def silence_findings(settings: Settings, rule: SourceSilenceRule, now: datetime, article_store: Any,
                     db: StateDB) -> list[Finding]:
    """Evaluate one ``source_silence`` rule from the archive and the crawl run history."""
    try:
        from newswatch.sources import load_sources

        names = [s.name for s in load_sources(settings.sources_file)]
    except Exception as exc:
        log.warning("source list unavailable (%s); checking the sources seen in the archive", exc)
        names = []
    latest = {k: store.utc(v) for k, v in article_store.latest_by_source().items() if v}
    names = list(dict.fromkeys(names + sorted(latest)))
    history: dict[str, list[datetime]] = defaultdict(list)
    for article in article_store.iter_articles(since=now - timedelta(days=rule.cadence_window_days)):
        when = store.utc(article.published)
        if when and article.source:
            history[article.source].append(when)
    failures = failures_from_health(runs.source_health(db))
    return rule.check(names, latest, history, failures, now)


def check_silence(settings: Settings, now: datetime | None = None) -> list[Alert]:
    """Run the periodic source-silence rules once (the service calls this on a schedule)."""
    monitor = Monitor(settings)
    try:
        return monitor.check_silence(now)
    finally:
        monitor.close()
