"""Alert and outbox tables on the shared state DB, and the functions the UI and CLI call.

Tables (declared on :data:`newswatch.state.db.metadata`):

``monitor_alerts``          one row per alert: rule, severity, key, the directive, evidence, status and who/when,
                            and when the directive was confirmed by an official source (``confirmed_at``,
                            ``official_url``, ``official_source``: columns, so "confirmed alerts" is a plain query)
``monitor_alert_articles``  the articles of an alert (the first publisher and every syndicated copy)
``monitor_outbox``          one row per notification to send (alert x apprise URL, or a digest), with its
                            idempotency key, attempts, lease and delivery status
``monitor_state``           small key/value facts, e.g. the last good rule file

Public: :func:`list_alerts`, :func:`get_alert`, :func:`alert_for_document`, :func:`acknowledge`,
:func:`resolve`, :func:`outbox_status`, :func:`alert_counts`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection

from newswatch import localtime
from newswatch.state.db import StateDB, metadata

STATUSES = ("new", "acknowledged", "resolved")

alerts = Table(
    "monitor_alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(40), nullable=False, unique=True),
    Column("rule", String(100), nullable=False),
    Column("rule_type", String(40), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("dedup_key", String(400), nullable=False),
    Column("query_key", String(400), nullable=False),
    Column("headline", Text, nullable=False),
    Column("doc_number", String(120)),
    Column("doc_type", String(20)),
    Column("doc_type_name", String(80)),
    Column("doc_issuer", String(40)),
    Column("doc_issue_date", String(10)),
    Column("evidence", Text, nullable=False, default=""),
    Column("cluster_id", String(80)),
    Column("status", String(20), nullable=False, default="new"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_by", String(100)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("resolved_by", String(100)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("details", Text, nullable=False, default="{}"),
    Column("confirmed_at", DateTime(timezone=True)),  # when an official source published the document
    Column("official_url", Text),  # the official entry's page (or its first attachment)
    Column("official_source", String(100)),  # the official source's name
    UniqueConstraint("rule", "dedup_key", name="uq_monitor_alert_rule_key"),
    Index("ix_monitor_alerts_rule_query", "rule", "query_key"),
    Index("ix_monitor_alerts_status", "status", "created_at"),
    Index("ix_monitor_alerts_query_key", "query_key"),
)

alert_articles = Table(
    "monitor_alert_articles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("monitor_alerts.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", String(40), nullable=False),
    Column("url", Text, nullable=False),
    Column("source", String(100), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("published", DateTime(timezone=True)),
    Column("cluster_id", String(80)),
    Column("evidence", Text, nullable=False, default=""),
    Column("attached_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("alert_id", "article_id", name="uq_monitor_alert_article"),
    Index("ix_monitor_alert_articles_cluster", "cluster_id"),
    Index("ix_monitor_alert_articles_article", "article_id"),
)

outbox = Table(
    "monitor_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # alert | confirmed | digest | briefing | test
    Column("alert_id", Integer, ForeignKey("monitor_alerts.id", ondelete="CASCADE")),
    Column("rule", String(100), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("url", Text, nullable=False),
    Column("period_start", DateTime(timezone=True)),
    Column("period_end", DateTime(timezone=True)),
    Column("status", String(20), nullable=False, default="pending"),  # pending | sending | sent | dead
    Column("held", String(20)),  # why it waits: quiet | digest
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("lease_owner", String(100)),
    Column("lease_until", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_monitor_outbox_due", "status", "not_before"),
    Index("ix_monitor_outbox_alert", "alert_id"),
)

state = Table(
    "monitor_state", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class AlertNotFound(LookupError):
    """No alert with that id."""


class InvalidTransition(ValueError):
    """The alert's status does not allow that step (e.g. acknowledging a resolved alert)."""


def _iso(value: datetime | None) -> str | None:
    value = localtime.utc(value)
    return value.isoformat() if value else None


def _articles_of(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(alert_articles).where(alert_articles.c.alert_id == alert_id)).mappings().all()
    far = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(rows, key=lambda r: (localtime.utc(r["published"]) or far, localtime.utc(r["attached_at"]) or far, r["id"]))
    return [{"article_id": r["article_id"], "url": r["url"], "source": r["source"], "title": r["title"],
             "published": _iso(r["published"]), "cluster_id": r["cluster_id"], "evidence": r["evidence"],
             "attached_at": _iso(r["attached_at"]), "first": i == 0} for i, r in enumerate(ordered)]


def _delivery_summary(rows: list[dict[str, Any]]) -> str:
    statuses = {r["status"] for r in rows}
    if not rows:
        return "none"
    if statuses == {"sent"}:
        return "sent"
    if "dead" in statuses:
        return "failed"
    if any(r.get("held") for r in rows if r["status"] == "pending"):
        return "held"
    return "pending"


def _alert_dict(conn: Connection, row: Any, *, full: bool) -> dict[str, Any]:
    data = {k: row[k] for k in ("id", "uid", "rule", "rule_type", "severity", "headline", "doc_number", "doc_type",
                                "doc_type_name", "doc_issuer", "doc_issue_date", "evidence", "cluster_id", "status",
                                "acknowledged_by", "resolved_by", "dedup_key")}
    for key in ("created_at", "updated_at", "acknowledged_at", "resolved_at", "confirmed_at"):
        data[key] = _iso(row[key])
    data["details"] = json.loads(row["details"] or "{}")
    data.update(_confirmation(row, data["details"]))
    data["notes"] = list(data["details"].get("notes") or [])
    articles = _articles_of(conn, row["id"])
    data["article_count"] = len(articles)
    data["first_article"] = articles[0] if articles else None
    deliveries = _outbox_rows(conn, and_(outbox.c.alert_id == row["id"]))
    data["delivery"] = _delivery_summary(deliveries)
    if full:
        data["articles"] = articles
        data["deliveries"] = deliveries
    return data


def _confirmation(row: Any, details: dict[str, Any]) -> dict[str, Any]:
    """The alert's official confirmation: confirmed or not, the official link and source, raised from it or not."""
    ref = details.get("official") or {}
    return {"confirmed": row["confirmed_at"] is not None, "official_url": row["official_url"],
            "official_source": row["official_source"],
            "official_source_title": ref.get("source_title") or row["official_source"],
            "official_first": bool(details.get("official_first"))}


def list_alerts(db: StateDB, status: str | None = None, rule: str | None = None, severity: str | None = None,
                limit: int = 50, offset: int = 0, confirmed: bool | None = None) -> list[dict[str, Any]]:
    """Alerts, newest first, optionally filtered (``confirmed``: only those an official source confirmed, or
    only those it has not); each with its first article and delivery summary."""
    query = select(alerts)
    if confirmed is not None:
        query = query.where(alerts.c.confirmed_at.is_not(None) if confirmed else alerts.c.confirmed_at.is_(None))
    if status:
        query = query.where(alerts.c.status == status)
    if rule:
        query = query.where(alerts.c.rule == rule)
    if severity:
        query = query.where(alerts.c.severity == severity)
    query = query.order_by(alerts.c.created_at.desc(), alerts.c.id.desc()).limit(limit).offset(offset)
    with db.connect() as conn:
        return [_alert_dict(conn, row, full=False) for row in conn.execute(query).mappings().all()]


def alert_counts(db: StateDB) -> dict[str, int]:
    """How many alerts per status (for badges in the UI)."""
    with db.connect() as conn:
        rows = conn.execute(select(alerts.c.status, func.count()).group_by(alerts.c.status)).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def get_alert(db: StateDB, alert_id: int) -> dict[str, Any] | None:
    """One alert with all its articles (first publisher first) and every delivery row."""
    with db.connect() as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        return _alert_dict(conn, row, full=True) if row else None


def alert_for_document(db: StateDB, key: str) -> dict[str, Any] | None:
    """The alert a document raised: ``key`` is the document's key (canonical number, plus ``@year`` when the
    number has none: ``DocNumber.key``). The first alert of that key (several rules may alert on one
    document), with ``uid``, ``status`` and the confirmation fields (``confirmed``, ``confirmed_at``,
    ``official_url``, ``official_source``, ``official_first``); None when the document raised none."""
    with db.connect() as conn:
        alert_id = document_alert_id(conn, key)
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first() if alert_id else None
        return _alert_dict(conn, row, full=False) if row else None


def document_alert_id(conn: Connection, key: str) -> int | None:
    """The id of the first alert of any ``new_directive`` rule on a document key, in the caller's transaction."""
    a = alerts.c
    row = conn.execute(select(a.id).where(a.query_key == key, a.rule_type == "new_directive")
                       .order_by(a.created_at, a.id).limit(1)).first()
    return int(row[0]) if row else None


def mark_confirmed(conn: Connection, alert_id: int, official: dict[str, Any], now: datetime) -> bool:
    """Record in the caller's transaction that an official source published the alert's document.

    Only the first confirmation counts (the row is updated only while ``confirmed_at`` is empty), so a
    repeated entry, a rerun or two processes at once confirm once; returns whether this call did.
    """
    details_row = conn.execute(select(alerts.c.details).where(alerts.c.id == alert_id)).first()
    if details_row is None:
        return False
    details = json.loads(details_row[0] or "{}")
    details["official"] = official
    changed = conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.confirmed_at.is_(None)).values(
        confirmed_at=now, official_url=official.get("url"), official_source=official.get("source"), updated_at=now,
        details=json.dumps(details, ensure_ascii=False, default=str))).rowcount
    return changed == 1


def _transition(db: StateDB, alert_id: int, user: str, target: str, note: str = "") -> dict[str, Any]:
    when = localtime.utcnow()
    with db.begin() as conn:
        row = conn.execute(select(alerts.c.status, alerts.c.details).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise AlertNotFound(f"no alert {alert_id}")
        current = row[0]
        if target == "acknowledged":
            if current != "new":
                raise InvalidTransition(f"alert {alert_id} is {current}; only a new alert can be acknowledged")
            values = {"status": target, "acknowledged_by": user, "acknowledged_at": when, "updated_at": when}
        else:
            if current == "resolved":
                raise InvalidTransition(f"alert {alert_id} is already resolved")
            values = {"status": target, "resolved_by": user, "resolved_at": when, "updated_at": when}
            if current == "new":  # resolving implies having seen it
                values.update(acknowledged_by=user, acknowledged_at=when)
        note = " ".join((note or "").split())[:1000]
        if note:  # kept in the details, so no schema change: [{by, at, text, action}]
            details = json.loads(row[1] or "{}")
            details.setdefault("notes", []).append({"by": user, "at": when.isoformat(), "text": note,
                                                    "action": target})
            values["details"] = json.dumps(details, ensure_ascii=False)
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
    result = get_alert(db, alert_id)
    assert result is not None
    return result


def acknowledge(db: StateDB, alert_id: int, user: str, note: str = "") -> dict[str, Any]:
    """new -> acknowledged, recording who and when (and the note, e.g. "đã báo cáo lãnh đạo")."""
    return _transition(db, alert_id, user, "acknowledged", note)


def resolve(db: StateDB, alert_id: int, user: str, note: str = "") -> dict[str, Any]:
    """new/acknowledged -> resolved, recording who and when (and the note)."""
    return _transition(db, alert_id, user, "resolved", note)


def mask_url(url: str) -> str:
    """An apprise (or zalo://) URL with its secrets hidden, for display."""
    if url.strip().lower().startswith("zalo://"):
        from monitor.zalo import mask

        return mask(url)
    try:
        import apprise

        plugin = apprise.Apprise.instantiate(url)
        if plugin:
            return str(plugin.url(privacy=True))
    except Exception:
        pass
    scheme, _, rest = url.partition("://")
    return f"{scheme}://…{rest[-12:]}" if rest else url


def _outbox_rows(conn: Connection, where: Any = None) -> list[dict[str, Any]]:
    query = select(outbox)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query.order_by(outbox.c.id)).mappings().all()
    return [{"id": r["id"], "idempotency_key": r["idempotency_key"], "kind": r["kind"], "alert_id": r["alert_id"],
             "rule": r["rule"], "severity": r["severity"], "target": mask_url(r["url"]), "status": r["status"],
             "held": r["held"], "attempts": r["attempts"], "not_before": _iso(r["not_before"]),
             "last_error": r["last_error"], "created_at": _iso(r["created_at"]), "sent_at": _iso(r["sent_at"]),
             "period_start": _iso(r["period_start"]), "period_end": _iso(r["period_end"])} for r in rows]


def outbox_status(db: StateDB, alert_id: int | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Delivery rows (targets masked): status pending/sending/sent/dead, attempts, last error, when sent."""
    clauses = []
    if alert_id is not None:
        clauses.append(outbox.c.alert_id == alert_id)
    if status:
        clauses.append(outbox.c.status == status)
    with db.connect() as conn:
        return _outbox_rows(conn, and_(*clauses) if clauses else None)


def get_state(conn: Connection, key: str) -> str | None:
    row = conn.execute(select(state.c.value).where(state.c.key == key)).first()
    return row[0] if row else None


def set_state(conn: Connection, key: str, value: str) -> None:
    when = localtime.utcnow()
    changed = conn.execute(update(state).where(state.c.key == key).values(value=value, updated_at=when)).rowcount
    if not changed:
        conn.execute(state.insert().values(key=key, value=value, updated_at=when))
