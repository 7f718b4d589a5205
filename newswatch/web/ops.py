"""Operations: ``/healthz`` (store and state DB reachable) and Prometheus ``/metrics``.

Metrics are read from the state database at scrape time (a custom collector), so figures written
by crawl children and by other processes show up too, and a restart loses no counts.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from newswatch.state import runs
from newswatch.web.context import WebContext, ctx

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> Response:
    context = ctx(request)
    checks: dict[str, Any] = {}
    ok = True
    try:
        with context.db.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["state_db"] = "ok"
    except Exception as exc:
        ok = False
        checks["state_db"] = f"error: {exc}"
    try:
        checks["articles"] = context.store.count()
        checks["store"] = "ok"
    except Exception as exc:
        ok = False
        checks["store"] = f"error: {exc}"
    service = context.service
    if service is not None and service.scheduler is not None:
        checks["scheduler"] = "running" if service.scheduler.running else "stopped"
        checks["role"] = service.role  # leader (runs the schedule) or standby (another instance does)
        checks["running_crawls"] = service.running_crawls()
    return JSONResponse({"status": "ok" if ok else "error", **checks}, status_code=200 if ok else 503)


class StateCollector(Collector):
    """Crawl runs, articles, errors, deliveries, outbox and scheduler figures from the state DB."""

    def __init__(self, context: WebContext) -> None:
        self.context = context

    def collect(self) -> Iterator[Any]:
        started = time.perf_counter()
        yield from self._safe(self._runs)
        yield from self._safe(self._crawl_figures)
        yield from self._safe(self._alerts)
        yield from self._safe(self._scheduler)
        yield from self._safe(self._store)
        yield from self._safe(self._logins)
        scrape = GaugeMetricFamily("newswatch_metrics_scrape_seconds", "Time spent reading the state DB for /metrics")
        scrape.add_metric([], time.perf_counter() - started)
        yield scrape

    def _safe(self, part: Any) -> Iterator[Any]:
        try:
            yield from part()
        except Exception as exc:  # a missing table (component not installed) must not break the scrape
            log.debug("metrics part %s failed: %s", part.__name__, exc)

    def _runs(self) -> Iterator[Any]:
        db = self.context.db
        crawls = CounterMetricFamily("newswatch_crawl_runs", "Crawl children by source and outcome",
                                     labels=["source", "status"])
        for (source, status), count in runs.counts_by_status(db, "child").items():
            crawls.add_metric([source, status], count)
        yield crawls
        polls = CounterMetricFamily("newswatch_polls", "Change-detection polls by source and result",
                                    labels=["source", "status"])
        for (source, status), count in runs.counts_by_status(db, "poll").items():
            polls.add_metric([source, status], count)
        yield polls

    def _crawl_figures(self) -> Iterator[Any]:
        articles = CounterMetricFamily("newswatch_articles", "Articles seen by crawls, by store outcome",
                                       labels=["source", "outcome"])
        errors = CounterMetricFamily("newswatch_crawl_errors", "Crawl errors by source and reason",
                                     labels=["source", "reason"])
        requests = CounterMetricFamily("newswatch_crawl_requests", "HTTP requests made by crawls", labels=["source"])
        totals, by_reason = runs.source_totals(self.context.db)
        for source, sums in totals.items():
            articles.add_metric([source, "new"], sums["articles_new"])
            articles.add_metric([source, "updated"], sums["articles_updated"])
            articles.add_metric([source, "unchanged"], sums["articles_unchanged"])
            requests.add_metric([source], sums["requests"])
        for (source, reason), count in by_reason.items():
            errors.add_metric([source, reason], count)
        yield articles
        yield errors
        yield requests

    def _alerts(self) -> Iterator[Any]:
        from monitor import store as alert_store

        t = alert_store.outbox
        with self.context.db.connect() as conn:
            rows = conn.execute(select(t.c.status, t.c.held, func.count()).group_by(t.c.status, t.c.held)).all()
        deliveries = GaugeMetricFamily("newswatch_alert_deliveries", "Notifications in the outbox by status",
                                       labels=["status"])
        by_status: dict[str, int] = defaultdict(int)
        queued = 0
        for status, held, count in rows:
            label = f"held_{held}" if status == "pending" and held else status
            by_status[label] += count
            if status in ("pending", "sending"):
                queued += count
        for status, count in by_status.items():
            deliveries.add_metric([status], count)
        yield deliveries
        queue = GaugeMetricFamily("newswatch_outbox_queue", "Notifications waiting to be sent (incl. held)")
        queue.add_metric([], queued)
        yield queue
        alerts = GaugeMetricFamily("newswatch_alerts", "Alerts by status", labels=["status"])
        for status, count in alert_store.alert_counts(self.context.db).items():
            alerts.add_metric([status], count)
        yield alerts

    def _scheduler(self) -> Iterator[Any]:
        service = self.context.service
        jobs = GaugeMetricFamily("newswatch_scheduler_jobs", "Jobs in the scheduler's job store")
        running = GaugeMetricFamily("newswatch_crawls_running", "Crawl children running now")
        if service is not None and service.scheduler is not None and service.scheduler.running:
            jobs.add_metric([], len(service.scheduler.get_jobs()))
            running.add_metric([], len(service.running_crawls()))
        else:
            from newswatch.service.scheduler import stored_jobs

            jobs.add_metric([], len(stored_jobs(self.context.settings)))
            running.add_metric([], 0)
        yield jobs
        yield running

    def _store(self) -> Iterator[Any]:
        stored = GaugeMetricFamily("newswatch_articles_stored", "Articles in the store")
        stored.add_metric([], self.context.store.count())
        yield stored


    def _logins(self) -> Iterator[Any]:
        from newswatch.web.throttle import LoginThrottle

        throttle = LoginThrottle(self.context.db, self.context.settings.service.login)
        attempts = CounterMetricFamily("newswatch_login_attempts", "Login attempts by outcome (ok, failed, "
                                       "refused: locked out)", labels=["outcome"])
        counts = throttle.counts()
        for outcome in ("ok", "failed", "refused"):
            attempts.add_metric([outcome], counts.get(outcome, 0))
        yield attempts
        locked = GaugeMetricFamily("newswatch_login_lockouts", "User names and client addresses locked out now",
                                   labels=["scope"])
        for scope, count in throttle.locked().items():
            locked.add_metric([scope], count)
        yield locked


def registry_for(context: WebContext) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(context))
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    app_state = request.app.state
    if not hasattr(app_state, "metrics_registry"):
        app_state.metrics_registry = registry_for(ctx(request))
    return Response(generate_latest(app_state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
