"""Evaluation: rules against each new article as it is stored; the one decision the live and the dry run share.

:class:`Monitor` is what the item pipeline, the CLI and the service hold:

- :meth:`Monitor.on_article` runs every enabled per-article rule on a new or updated article
  through :func:`decide`. A copy of an already-alerted story (same cluster, or same key, e.g. the
  same directive) is attached to the existing alert; otherwise a new alert and its outbox rows
  are committed in one transaction. One alert per key per rule; ``realert`` lets a key alert
  again after its window.
- An official listing entry (:mod:`monitor.official`) confirms the rule's alert on its document
  (:meth:`Monitor.confirm`): the entry is attached, ``confirmed_at``/``official_url``/``official_source``
  are set once, and (``notify_confirmed``) one short follow-up goes out on the alert's channels. An
  alert raised from the entry itself is confirmed from the start and says so.
- :meth:`Monitor.dry_run`, :meth:`Monitor.explain`, :meth:`Monitor.rerun` work over the archive
  (:mod:`monitor.archive`); :meth:`Monitor.run_periodic` runs the periodic rules (:mod:`monitor.periodic`).

The rules come from :class:`monitor.loader.RuleLoader` (reloaded when the file changes, the last
good ones kept when it is malformed).
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from monitor import archive, official, periodic, store
from monitor.archive import DryRunHit
from monitor.config import RuleSet
from monitor.decision import decide
from monitor.loader import RuleLoader
from monitor.official import OfficialRef
from monitor.outbox import enqueue_alert, enqueue_confirmed
from monitor.periodic import ArchiveView
from monitor.rules import RuleConfig, RuleContext
from monitor.rules.base import Finding
from newswatch import localtime
from newswatch.errors import ConfigError
from newswatch.models import Article
from newswatch.settings import Settings
from newswatch.state import runs
from newswatch.state.db import open_state
from newswatch.text.enrich import enrich_article, is_enriched
from newswatch.text.topics import tag_topics

log = logging.getLogger(__name__)

# The alerts on one story cluster, built once (constructing the select per article and rule cost ~1 ms each).
_CLUSTER_ALERTS = (select(store.alerts.c.rule, store.alerts.c.id, store.alerts.c.query_key).distinct()
                   .join(store.alert_articles, store.alert_articles.c.alert_id == store.alerts.c.id)
                   .where(store.alert_articles.c.cluster_id == bindparam("cluster_id")))


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


class Monitor:
    """Evaluates the rules of ``settings.rules_file`` and records alerts in the state DB."""

    def __init__(self, settings: Settings, *, rules_path: str | Path | None = None, article_store: Any = None) -> None:
        self.settings = settings
        self.db = open_state(settings.state_url)
        self.loader = RuleLoader(settings, rules_path, self.db)
        self.ctx = RuleContext(tag_topics=tag_topics, source_titles=official.source_titles(settings.sources_file))
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
    def enriched(article: Article) -> Article:
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
        article = self.enriched(article)
        created: list[Alert] = []
        cluster_alerts: dict[str, dict[int, str]] | None = None
        for rule in ruleset.article_rules:
            try:
                if cluster_alerts is None:  # one query for all rules: a rule only looks at its own alerts
                    cluster_alerts = self.cluster_alerts(article)
                created.extend(self.apply(rule, article, localtime.utc(now) or localtime.utcnow(),
                                           cluster_alerts.get(rule.name, {})))
            except Exception:
                self.stats["errors"] += 1
                log.exception("rule %s failed on %s", rule.name, article.url)
        return created

    def apply(self, rule: RuleConfig, article: Article, now: datetime, alerted: dict[int, str]) -> list[Alert]:
        """Evaluate ``rule``; ``alerted`` is ``{alert id: key}`` of the rule's alerts on the article's story cluster."""
        decision = decide(rule, article, self.ctx, set(alerted.values()) if alerted else None)
        created = []
        if decision.attach_to_story:
            with self.db.begin() as conn:
                for alert_id in alerted:
                    self._attach(conn, alert_id, article, "", now)
            self.stats["attached"] += 1
        else:
            for finding in decision.findings:
                alert = self.record(rule, finding, article, now)
                if alert is not None:
                    created.append(alert)
        if decision.official is not None:
            self.confirm(rule, decision.official, article, now)
        return created

    def confirm(self, rule: RuleConfig, ref: OfficialRef, article: Article, now: datetime) -> bool:
        """The official entry ``article`` publishes the document of ``rule``'s alert on ``ref.key``: attach it,
        mark the alert confirmed (once) and, per the rule's ``notify_confirmed``, enqueue one follow-up.

        Returns whether this call confirmed an alert (False: no alert of that key, or confirmed before).
        """
        a = store.alerts.c
        with self.db.begin() as conn:
            row = conn.execute(select(a.id, a.uid).where(a.rule == rule.name, a.query_key == ref.key)
                               .order_by(a.created_at.desc(), a.id.desc()).limit(1)).first()
            if row is None:
                return False
            evidence = f"Nguồn chính thức: {ref.source_title} — {ref.title}"
            if self._attach(conn, row.id, article, evidence, now):
                self.stats["attached"] += 1
            if not store.mark_confirmed(conn, row.id, ref.to_dict(), now):
                return False
            sent = 0
            if getattr(rule, "notify_confirmed", False):
                sent = enqueue_confirmed(conn, alert_id=row.id, alert_uid=row.uid, rule=rule, settings=self.settings,
                                         now=now)
        self.stats["confirmed"] += 1
        log.info("alert %d (%s) confirmed by %s (%s); %d follow-up notification(s)", row.id, rule.name,
                 ref.source, ref.url, sent)
        return True

    def cluster_alerts(self, article: Article) -> dict[str, dict[int, str]]:
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
            title=article.title or "", published=localtime.utc(article.published), cluster_id=article.cluster_id,
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
        if window is None or now - localtime.utc(row.created_at) < window:
            return row.id
        return None

    def record(self, rule: RuleConfig, finding: Finding, article: Article | None, now: datetime) -> Alert | None:
        """Create the alert for ``finding`` (with its outbox rows), or attach ``article`` to the existing one.

        An official entry never raises a second alert on a document: when another rule alerted on its key
        (the press report was filed under the other of two exclusive rules), it attaches there, and that
        rule's own evaluation of the entry confirms it.
        """
        for _attempt in range(3):
            with self.db.begin() as conn:
                existing = self._open_alert(conn, rule, finding.key, now)
                if existing is None and finding.details.get("official"):
                    existing = store.document_alert_id(conn, finding.key)  # another rule's alert on the document
                if existing is not None:
                    if self._attach(conn, existing, article, finding.evidence, now):
                        self.stats["attached"] += 1
                    return None
            uid = uuid.uuid4().hex
            dedup = finding.key if rule.realert_window is None else f"{finding.key}@{now.isoformat()}"
            ref = finding.details.get("official")  # raised from an official source: confirmed from the start
            details = dict(finding.details, official_first=True) if ref else finding.details
            try:
                with self.db.begin() as conn:
                    result = conn.execute(store.alerts.insert().values(
                        uid=uid, rule=rule.name, rule_type=rule.type, severity=rule.severity, dedup_key=dedup,  # type: ignore[attr-defined]
                        query_key=finding.key, headline=finding.headline, doc_number=finding.doc_number,
                        doc_type=finding.doc_type, doc_type_name=finding.doc_type_name, doc_issuer=finding.doc_issuer,
                        doc_issue_date=finding.doc_issue_date, evidence=finding.evidence,
                        cluster_id=article.cluster_id if article else None, status="new", created_at=now,
                        updated_at=now, details=json.dumps(details, ensure_ascii=False, default=str),
                        confirmed_at=now if ref else None, official_url=ref["url"] if ref else None,
                        official_source=ref["source"] if ref else None))
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

    # -- over the archive (monitor.archive) and periodic rules (monitor.periodic) ------------------

    def dry_run(self, rule: str | RuleConfig, since: datetime | None = None,
                now: datetime | None = None) -> list[DryRunHit]:
        """What ``rule`` would alert on (and attach) over the archive since ``since``; writes nothing."""
        return archive.dry_run(self, rule, since, now)

    def explain(self, rule: str | RuleConfig, since: datetime | None = None) -> list[dict[str, Any]]:
        """Each archived article's document numbers with their verdict and reason under ``rule``."""
        return archive.explain(self, rule, since)

    def rerun(self, rule: str | None, since: datetime | None, now: datetime | None = None) -> dict[str, int]:
        """Evaluate the archive since ``since`` for real: alerts what is new, attaches what already alerted."""
        return archive.rerun(self, rule, since, now)

    def periodic_view(self) -> ArchiveView:
        return ArchiveView(self.settings, self.article_store(), self.db)

    def run_periodic(self, now: datetime | None = None) -> list[Alert]:
        """Run the periodic rules once; resolve the alerts whose condition ended."""
        return periodic.run_periodic_rules(self, now)


def check_silence(settings: Settings, now: datetime | None = None) -> list[Alert]:
    """Run the periodic rules (source silence and any other type) once: the service's scheduled job."""
    monitor = Monitor(settings)
    try:
        return monitor.run_periodic(now)
    finally:
        monitor.close()
