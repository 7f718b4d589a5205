"""Reconciliation: every article the crawl state records as stored is in the article store, or is repaired.

The crawl state (``crawl_urls`` in the state DB) records a URL as ``article`` once the store accepted it
(or spooled it). Between the two, a write can still go missing: an Elasticsearch node that
acknowledged a write and died before it was on disk, an index deleted by hand, a restored snapshot
that is older than the crawl state. :func:`reconcile` compares the two and repairs the gaps:

1. the spool is replayed first (articles waiting for an unreachable cluster are not gaps);
2. every ``article`` URL of the crawl state (dropped items excepted: they were never meant to be stored)
   gives an id (the hash of its canonical URL); the store says which ids it lacks
   (:meth:`ArticleStore.missing`: one ``mget`` per 1,000 ids on Elasticsearch, one query per 500 on SQLite);
3. a missing article whose text is kept elsewhere is stored again from there, as it was (cluster and
   version kept): from the embedded SQLite store when the checked store is Elasticsearch;
4. the others are handed back to the crawler: their crawl-state row becomes ``error`` with the transient
   reason ``missing_from_store`` and no attempts, so the next crawl of their source fetches, extracts and
   stores them again (through every pipeline), whatever its feeds say.

``newswatch reindex --verify`` runs it (``--no-repair`` only reports, exit status 1 if anything is missing).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import or_, select, update

from newswatch.models import url_id
from newswatch.settings import Settings
from newswatch.state.crawl import crawl_urls
from newswatch.state.db import StateDB
from newswatch.store.base import ArticleStore

log = logging.getLogger(__name__)

REFETCH_REASON = "missing_from_store"


@dataclass
class Reconciliation:
    """What a reconciliation found and did."""

    store: str
    expected: int = 0  # articles the crawl state records as stored
    replayed: int = 0  # spooled articles stored before the check
    missing: int = 0  # expected articles the store did not hold
    restored: int = 0  # stored again from the embedded store
    refetch: int = 0  # handed back to the crawler: fetched again by the next crawl of their source
    still_missing: int = 0  # missing after the repair (those to be re-fetched included)
    missing_by_source: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # up to 10 missing URLs
    repaired: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected_articles(db: StateDB) -> dict[str, tuple[str, str]]:
    """``{article id: (source, crawl-state URL)}`` for every URL the crawl state records as a stored article."""
    query = (select(crawl_urls.c.url, crawl_urls.c.source, crawl_urls.c.canonical_url)
             .where(crawl_urls.c.status == "article")
             .where(or_(crawl_urls.c.reason.is_(None), crawl_urls.c.reason.not_like("dropped:%"))))
    out: dict[str, tuple[str, str]] = {}
    with db.connect() as conn:
        for url, source, canonical in conn.execute(query):
            out.setdefault(url_id(canonical or url), (source, url))
    return out


def mark_for_refetch(db: StateDB, urls: list[str]) -> int:
    """Make the next crawl fetch ``urls`` again (a transient failure with no attempts yet)."""
    changed = 0
    with db.begin() as conn:
        for start in range(0, len(urls), 400):
            chunk = urls[start:start + 400]
            changed += conn.execute(update(crawl_urls).where(crawl_urls.c.url.in_(chunk))
                                    .values(status="error", reason=REFETCH_REASON, attempts=0)).rowcount or 0
    return changed


def _embedded_copies(settings: Settings, store: ArticleStore, ids: set[str]) -> list[Any]:
    """The missing articles the embedded SQLite store holds, when the checked store is another one."""
    from newswatch.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore) or not settings.articles_db.exists():
        return []
    embedded = SQLiteStore(settings.articles_db)
    try:
        return [a for a in (embedded.get(i) for i in sorted(ids)) if a is not None]
    finally:
        embedded.close()


def reconcile(settings: Settings, db: StateDB, store: ArticleStore, *, repair: bool = True) -> Reconciliation:
    """Compare the crawl state with ``store``; with ``repair``, restore or re-fetch what is missing."""
    started = time.monotonic()
    report = Reconciliation(store=type(store).__name__, repaired=repair)
    replay = getattr(store, "replay_spool", None)
    if replay is not None:
        report.replayed = int(replay())  # raises StoreUnavailable when the cluster is down: no verdict then
    expected = expected_articles(db)
    report.expected = len(expected)
    missing = store.missing(expected)
    report.missing = len(missing)
    report.missing_by_source = dict(Counter(expected[i][0] for i in missing).most_common())
    report.examples = sorted(expected[i][1] for i in missing)[:10]
    if missing:
        log.warning("reconciliation: %d of %d stored articles are missing from the store (%s)", len(missing),
                    len(expected), ", ".join(f"{s}: {n}" for s, n in report.missing_by_source.items()))
    if repair and missing:
        copies = _embedded_copies(settings, store, missing)
        if copies:
            report.restored = store.import_articles(copies)
            log.info("reconciliation: %d article(s) stored again from the embedded store", report.restored)
        left = store.missing(missing)
        if left:
            report.refetch = mark_for_refetch(db, [expected[i][1] for i in sorted(left)])
            log.warning("reconciliation: %d article(s) handed back to the crawler (reason %s): the next crawl of "
                        "their source fetches them again", report.refetch, REFETCH_REASON)
        report.still_missing = len(left)
    else:
        report.still_missing = len(missing)
    report.seconds = round(time.monotonic() - started, 3)
    return report
