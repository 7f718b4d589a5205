"""The scheduler's job functions: importable, with picklable arguments, so jobs persist.

Each finds the service running in this process through :func:`newswatch.service.runtime.current`;
a job that fires with no service (it should not happen) logs and does nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from newswatch.service.runtime import current

log = logging.getLogger(__name__)


def poll_and_crawl(source_name: str) -> None:
    """One scheduled run of a source: poll, and crawl in a child if something changed."""
    service = current()
    if service is None:
        log.warning("job for %s fired without a running service", source_name)
        return
    report = service.run_source(source_name)
    if report.skipped:
        log.info("run of %s skipped: %s", source_name, report.skipped)


def deliver_outbox() -> None:
    """Send what waits in the notification outbox."""
    service = current()
    if service is not None:
        service.deliver_now()


def check_silence() -> None:
    """Run the periodic rules: source-silence alerts for sources that stopped publishing or keep failing."""
    service = current()
    if service is None:
        return
    from monitor.engine import check_silence as monitor_check_silence

    try:
        monitor_check_silence(service.settings, datetime.now(UTC))
    except Exception:
        log.exception("source-silence check failed")


def reconcile_store() -> None:
    """Hourly: every article the crawl state records as stored is in the store; gaps are repaired
    (as ``newswatch reindex --verify``: restored from the embedded store or handed back to the crawler)."""
    service = current()
    if service is None:
        return
    from newswatch.errors import StoreUnavailable
    from newswatch.state.db import open_state
    from newswatch.store import open_store
    from newswatch.store.reconcile import reconcile

    store = open_store(service.settings)
    try:
        report = reconcile(service.settings, open_state(service.settings.state_url), store)
        if report.missing:
            log.warning("store reconciliation: %d of %d missing, %d restored, %d handed back to the crawler",
                        report.missing, report.expected, report.restored, report.refetch)
    except StoreUnavailable as exc:
        log.info("store reconciliation skipped: %s", exc)
    except Exception:
        log.exception("store reconciliation failed")
    finally:
        store.close()
