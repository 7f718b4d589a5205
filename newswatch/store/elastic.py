"""The Elasticsearch article store, through the official ``elasticsearch`` 8.x client only.

* An index template ``<prefix>-articles`` for ``<prefix>-articles-*``: ``title``/``lead``/``text`` as
  ``text`` (standard analyzer, the exact field; the text sent in its exact form, old-style tone
  placement unified as in the embedded store) with a ``.folded`` subfield (standard tokenizer +
  lowercase + asciifolding: accents and đ removed, no plugin needed); keyword fields for document
  numbers (canonical and folded keys), document types, topics, source, cluster and simhash bands;
  ``published`` as a date. ``dynamic: false`` — only these fields are indexed; the article is
  kept whole in ``_source``.
* Writes go through the alias ``<prefix>-articles`` → ``<prefix>-articles-000001`` (write index), so
  a new index generation can be filled and the alias swapped with no downtime.
* ``_id`` is ``Article.id`` (hash of the canonical URL): new articles are written with ``create``;
  a conflict means another writer stored it first and is resolved as a re-put (idempotent, as in
  Media Cloud's story-indexer). Bulk requests retry 429s a bounded number of times.
* Previous versions of edited articles go to ``<prefix>-versions``.
* The document register lives in ``<prefix>-documents`` and ``<prefix>-document-mentions``
  (:mod:`newswatch.documents.elastic_register`), written once the articles are.
* When the cluster is unreachable, ``put`` appends the article to a fsync'd JSONL spool and returns
  normally; the spool is replayed on the next successful put and by :meth:`ElasticStore.replay_spool`.

Single puts refresh the index so that the next copy of a story finds its cluster at once (crawls
store a few articles per second); bulk loads refresh once per batch.

Why one module of about 600 lines: it is the whole Elasticsearch backend behind the one
:class:`~newswatch.store.base.ArticleStore` interface (template and alias, writes with the on-disk
spool, search with facets and story collapse); the spool itself is :mod:`newswatch.store.spool`, the
query compiler :mod:`newswatch.search.es`, the reconciliation :mod:`newswatch.store.reconcile`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from newswatch import dedup
from newswatch.errors import StoreUnavailable
from newswatch.models import Article
from newswatch.search import highlight, matches, parse_query, to_es
from newswatch.search.tokens import exact_form
from newswatch.store.base import ArticleStore, PutOutcome, PutResult, SearchHit, SearchQuery, SearchResult
from newswatch.store.keys import (
    article_doc_keys,
    article_doc_type_keys,
    article_doc_types,
    article_time,
    doc_key,
    label_key,
    month_of,
)
from newswatch.store.spool import Spool

if TYPE_CHECKING:
    from newswatch.documents.elastic_register import ElasticRegister

log = logging.getLogger(__name__)

_UNAVAILABLE_STATUS = {429, 502, 503, 504}
_NOT_STORED = ("store_outcome", "first_in_cluster")
_CLUSTER_PRECISION = 40_000  # stories counted (nearly) exactly by the cardinality aggregation


def _text_field() -> dict[str, Any]:
    return {"type": "text", "fields": {"folded": {"type": "text", "analyzer": "vi_folded"}}}


ANALYSIS = {"analyzer": {"vi_folded": {"type": "custom", "tokenizer": "standard",
                                       "filter": ["lowercase", "asciifolding"]}}}
ARTICLE_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "id": {"type": "keyword"}, "url": {"type": "keyword"}, "source": {"type": "keyword"},
        "section": {"type": "keyword"}, "language": {"type": "keyword"},
        "title": _text_field(), "lead": _text_field(), "text": _text_field(),
        "published": {"type": "date"}, "month": {"type": "keyword"},
        "stored_epoch": {"type": "long"}, "updated_epoch": {"type": "long"},
        "content_hash": {"type": "keyword"}, "simhash": {"type": "long"}, "bands": {"type": "keyword"},
        "cluster_id": {"type": "keyword"}, "version": {"type": "integer"},
        "topics": {"type": "keyword"}, "topic_keys": {"type": "keyword"},
        "doc_numbers": {"type": "keyword"}, "doc_keys": {"type": "keyword"},
        "doc_types": {"type": "keyword"}, "doc_type_keys": {"type": "keyword"},
        "article": {"type": "object", "enabled": False},
    },
}
VERSION_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {"id": {"type": "keyword"}, "version": {"type": "integer"},
                   "replaced_epoch": {"type": "long"}, "article": {"type": "object", "enabled": False}},
}


class IndexMissing(StoreUnavailable):
    """The index or its alias is not there (a server restarted empty, an index deleted): create it again."""


def _index_missing(exc: BaseException) -> bool:
    if isinstance(exc, IndexMissing):
        return True
    return isinstance(exc, NotFoundError) and any(word in str(exc) for word in ("index_not_found", "alias"))


def _lookup_error(error: Any) -> StoreUnavailable:
    """The exception for an error object inside an mget/msearch answer."""
    if "index_not_found" in str(error):
        return IndexMissing(f"index missing: {error}")
    return StoreUnavailable(f"lookup failed: {error}")


def _is_unavailable(exc: BaseException) -> bool:
    """Whether a failure is the server's (down, overloaded, restarting, index gone), not the document's:
    such a write is spooled and replayed, never dropped."""
    if isinstance(exc, StoreUnavailable):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in _UNAVAILABLE_STATUS or exc.meta.status >= 500 or _index_missing(exc)
    return isinstance(exc, TransportError | ConnectionError | TimeoutError)


def _article_data(article: Article) -> dict[str, Any]:
    data = article.to_dict()
    for key in _NOT_STORED:
        data.pop(key, None)
    return data


class ElasticStore(ArticleStore):
    """Articles in Elasticsearch (or an ES-compatible server), spooled to disk while it is down."""

    def __init__(self, url: str, *, prefix: str = "newswatch", spool_dir: str | Path | None = None,
                 request_timeout: float = 10.0, max_retries: int = 2, client: Elasticsearch | None = None) -> None:
        self.url = url
        self.prefix = prefix
        self.alias = f"{prefix}-articles"
        self.versions_alias = f"{prefix}-versions"
        self.es = client or Elasticsearch(url, request_timeout=request_timeout, max_retries=max_retries,
                                          retry_on_timeout=True)
        self.spool = Spool(spool_dir or Path("data") / "spool", name=f"elasticsearch-{prefix}")
        self.bulk_retries = 3
        self.retry_after_s = 30.0  # after a failed connection, spool straight away for this long
        self._down_until = 0.0
        self._ready = False

    # -- index setup -------------------------------------------------------------------------------

    def ensure_index(self) -> None:
        """Install the templates and the first index generation behind the aliases (idempotent)."""
        if self._ready:
            return
        for alias, mappings in ((self.alias, ARTICLE_MAPPINGS), (self.versions_alias, VERSION_MAPPINGS)):
            self.es.indices.put_index_template(name=alias, index_patterns=[f"{alias}-*"], priority=200, template={
                "settings": {"number_of_shards": 1, "analysis": ANALYSIS}, "mappings": mappings})
            if not self.es.indices.exists_alias(name=alias):
                try:
                    self.es.indices.create(index=f"{alias}-000001", aliases={alias: {"is_write_index": True}})
                except ApiError as exc:  # another process created it first
                    if exc.meta.status != 400 or not self.es.indices.exists_alias(name=alias):
                        raise
        self._ready = True

    # -- writing -----------------------------------------------------------------------------------

    def put(self, article: Article) -> PutResult:
        return self.put_many([article])[0]

    def put_many(self, articles: Iterable[Article]) -> list[PutResult]:
        batch = [dedup.fingerprint(a) for a in articles]
        if not batch:
            return []
        try:
            if time.monotonic() < self._down_until:
                raise StoreUnavailable("recently unreachable")
            self.ensure_index()
            if self.spool.pending():
                self.replay_spool()
            return self._store_batch(batch)
        except Exception as exc:
            if not _is_unavailable(exc):
                raise
            if not isinstance(exc, StoreUnavailable) or "recently" not in str(exc):
                self._down_until = time.monotonic() + self.retry_after_s
            log.warning("Elasticsearch at %s unreachable (%s): %d article(s) spooled to %s",
                        self.url, type(exc).__name__, len(batch), self.spool.dir)
            self.spool.append(batch)
            return [self._spooled(a) for a in batch]

    @staticmethod
    def _spooled(article: Article) -> PutResult:
        article.cluster_id = article.cluster_id or f"c{article.id}"
        article.store_outcome = PutOutcome.NEW.value
        article.first_in_cluster = True
        return PutResult(PutOutcome.NEW, article.id, article.cluster_id, 1, True, spooled=True)

    def _store_batch(self, batch: list[Article]) -> list[PutResult]:
        """``_put_batch`` with a refresh; an index found missing (the server restarted empty) is created again
        and the batch written once more."""
        try:
            results = self._put_batch(batch, refresh=True)
        except Exception as exc:
            if not _index_missing(exc):
                raise
            log.warning("Elasticsearch index %s is missing (%s): creating it again", self.alias, exc)
            self._ready = False
            self.ensure_index()
            results = self._put_batch(batch, refresh=True)
        self._record_documents(batch)  # once written: a register failure never loses an article
        return results

    def replay_spool(self) -> int:
        """Store every spooled article; returns how many. Raises StoreUnavailable if the cluster is still down.

        An article the cluster refuses for good (a mapping error: it would be refused at every replay) does
        not block the spool: it is set aside in ``rejected-<name>.jsonl`` with an error in the log.
        """
        try:
            self.ensure_index()
            replayed = self.spool.replay(self._replay_batch)
            self._down_until = 0.0
            return replayed
        except Exception as exc:
            if _is_unavailable(exc):
                raise StoreUnavailable(f"Elasticsearch at {self.url} unreachable: {exc}") from exc
            raise

    def _replay_batch(self, batch: list[Article]) -> int:
        """Store a batch from the spool; returns how many were stored (refused ones are set aside)."""
        try:
            self._store_batch(batch)
            return len(batch)
        except Exception as exc:
            if _is_unavailable(exc):
                raise
        stored = 0
        for article in batch:  # someone in the batch was refused: find who, keep the rest
            try:
                self._store_batch([article])
                stored += 1
            except Exception as exc:
                if _is_unavailable(exc):
                    raise
                log.error("Elasticsearch refused spooled article %s (%s): set aside in %s", article.url, exc,
                          self.spool.rejected.name)
                self.spool.reject([article], str(exc))
        return stored

    def _candidates(self, batch: list[Article], existing: dict[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """For each article of the batch, stored articles that may be copies of it (same fingerprint or a shared band)."""
        searches: list[dict[str, Any]] = []
        for article in batch:
            should: list[dict[str, Any]] = [{"term": {"content_hash": article.content_hash}}]
            if article.simhash is not None:
                should.append({"terms": {"bands": [str(b) for b in dedup.bands(article.simhash)]}})
            searches += [{"index": self.alias}, {"query": {"bool": {"should": should, "minimum_should_match": 1}},
                                                 "size": 100, "_source": ["id", "simhash", "content_hash", "cluster_id",
                                                                          "published", "stored_epoch", "doc_keys"]}]
        responses = self.es.msearch(searches=searches)["responses"]
        out = []
        for response in responses:
            if "error" in response:
                raise _lookup_error(response["error"])
            out.append([h["_source"] for h in response["hits"]["hits"]])
        return out

    @staticmethod
    def _nearest(article: Article, candidates: list[dict[str, Any]]) -> str | None:
        return dedup.nearest_cluster(article, article_doc_keys(article), (
            dedup.Candidate(c["cluster_id"], None if c.get("simhash") is None else int(c["simhash"]),
                            c.get("content_hash"), frozenset(c.get("doc_keys") or ()),
                            (str(c.get("published") or ""), int(c.get("stored_epoch") or 0)))
            for c in candidates if c.get("id") != article.id))

    def _doc(self, article: Article, stored_epoch: int, now_ms: int) -> dict[str, Any]:
        moment = article_time(article, datetime.fromtimestamp(stored_epoch / 1000, UTC))
        return {
            "id": article.id, "url": article.url, "source": article.source or "", "section": article.section,
            "language": article.language, "title": exact_form(article.title),
            "lead": exact_form(article.lead), "text": exact_form(article.text),  # shown from "article"
            "published": moment.isoformat(), "month": month_of(moment),
            "stored_epoch": stored_epoch, "updated_epoch": now_ms, "content_hash": article.content_hash,
            "simhash": article.simhash,
            "bands": [str(b) for b in dedup.bands(article.simhash)] if article.simhash is not None else [],
            "cluster_id": article.cluster_id, "version": article.version, "topics": list(article.topics),
            "topic_keys": [label_key(t) for t in article.topics], "doc_numbers": article.canonical_doc_numbers,
            "doc_keys": article_doc_keys(article), "doc_types": article_doc_types(article),
            "doc_type_keys": article_doc_type_keys(article), "article": _article_data(article),
        }

    def _put_batch(self, batch: list[Article], refresh: bool) -> list[PutResult]:
        ids = list(dict.fromkeys(a.id for a in batch))
        found = self.es.mget(index=self.alias, ids=ids, source_excludes=["article", "text", "lead"])["docs"]
        for doc in found:
            if "error" in doc:  # not "not found": the lookup failed (index gone, shard not ready)
                raise _lookup_error(doc["error"])
        existing = {d["_id"]: d["_source"] for d in found if d.get("found")}
        fresh = [a for a in batch if a.id not in existing]
        candidates = dict(zip([id(a) for a in fresh], self._candidates(fresh, existing), strict=True)) if fresh else {}
        now_ms = int(time.time() * 1000)
        actions: list[dict[str, Any]] = []
        outcomes: list[tuple[Article, PutOutcome, bool]] = []  # article, outcome, started a cluster
        in_batch: list[dict[str, Any]] = []
        for article in batch:
            stored = existing.get(article.id)
            if stored is not None and stored.get("content_hash") == article.content_hash:
                article.cluster_id, article.version = stored["cluster_id"], int(stored.get("version") or 1)
                outcomes.append((article, PutOutcome.UNCHANGED, False))
                continue
            if stored is not None:
                previous = self.es.get(index=self.alias, id=article.id)["_source"]
                old_version = int(previous.get("version") or 1)
                actions.append({"_op_type": "index", "_index": self.versions_alias, "_id": f"{article.id}:{old_version}",
                                "_source": {"id": article.id, "version": old_version, "replaced_epoch": now_ms,
                                            "article": previous["article"]}})
                article.cluster_id, article.version = previous["cluster_id"], old_version + 1
                if article.published is None and previous["article"].get("published"):
                    article.published = datetime.fromisoformat(previous["article"]["published"])
                doc = self._doc(article, int(previous.get("stored_epoch") or now_ms), now_ms)
                actions.append({"_op_type": "index", "_index": self.alias, "_id": article.id, "_source": doc})
                existing[article.id] = doc
                outcomes.append((article, PutOutcome.UPDATED, False))
                continue
            cluster = self._nearest(article, candidates.get(id(article), []) + in_batch)
            article.cluster_id = cluster or article.cluster_id or f"c{article.id}"
            article.version = max(article.version, 1)
            doc = self._doc(article, now_ms, now_ms)
            actions.append({"_op_type": "create", "_index": self.alias, "_id": article.id, "_source": doc})
            existing[article.id] = doc
            in_batch.append(doc)
            outcomes.append((article, PutOutcome.NEW, cluster is None))
        conflicts = self._bulk(actions, refresh)
        results = self._results(outcomes)
        for index, (article, _, _) in enumerate(outcomes):
            if article.id in conflicts:  # created meanwhile by another writer: store again as a re-put
                article.cluster_id = None
                results[index] = self._put_batch([article], refresh)[0]
        return results

    def _bulk(self, actions: list[dict[str, Any]], refresh: bool) -> set[str]:
        """Run the bulk request (429s retried with back-off); returns ids whose create conflicted."""
        if not actions:
            return set()
        conflicts: set[str] = set()
        failures: Counter[str] = Counter()
        for ok, item in helpers.streaming_bulk(self.es, actions, max_retries=self.bulk_retries, initial_backoff=1,
                                               raise_on_error=False, raise_on_exception=True,
                                               refresh="true" if refresh else "false", require_alias=True):
            if ok:
                continue
            op, info = next(iter(item.items()))
            status = int(info.get("status") or 0)
            if status == 409 and op == "create":
                conflicts.add(info["_id"])
            elif status == 404:  # the index (or alias) went away under us
                raise IndexMissing(f"bulk item {info.get('_id')}: {info.get('error')}")
            elif status in _UNAVAILABLE_STATUS or status >= 500:  # the server's trouble, not the document's
                raise StoreUnavailable(f"bulk item rejected: {info.get('error')}")
            else:
                failures[str(info.get("error", {}).get("type", info.get("status")))] += 1
                log.error("Elasticsearch refused %s: %s", info.get("_id"), info.get("error"))
        if failures:
            raise ValueError(f"Elasticsearch refused documents: {dict(failures)}")
        return conflicts

    def _results(self, outcomes: list[tuple[Article, PutOutcome, bool]]) -> list[PutResult]:
        clusters = list(dict.fromkeys(a.cluster_id for a, _, _ in outcomes if a.cluster_id))
        firsts: dict[str, tuple[str | None, int]] = {}
        if clusters:
            searches: list[dict[str, Any]] = []
            for cluster in clusters:
                searches += [{"index": self.alias}, {"query": {"term": {"cluster_id": cluster}}, "size": 1,
                                                     "track_total_hits": True, "_source": ["id"],
                                                     "sort": [{"published": "asc"}, {"stored_epoch": "asc"}]}]
            for cluster, response in zip(clusters, self.es.msearch(searches=searches)["responses"], strict=True):
                hits = response.get("hits", {})
                first = hits.get("hits", [{}])[0].get("_source", {}).get("id") if hits.get("hits") else None
                firsts[cluster] = (first, int(hits.get("total", {}).get("value", 1)))
        results = []
        for article, outcome, started in outcomes:
            first_id, size = firsts.get(article.cluster_id or "", (article.id, 1))
            is_first = started if outcome is PutOutcome.NEW else first_id in (None, article.id)
            article.store_outcome = outcome.value
            article.first_in_cluster = is_first
            results.append(PutResult(outcome, article.id, article.cluster_id or "", max(size, 1), is_first))
        return results

    def import_articles(self, articles: Iterable[Article]) -> int:
        """Copy articles as they are (cluster and version kept), in bulk: for ``newswatch reindex``."""
        self.ensure_index()
        count = 0
        now_ms = int(time.time() * 1000)

        pending: list[Article] = []

        def actions() -> Iterator[dict[str, Any]]:
            for article in articles:
                dedup.fingerprint(article)
                article.cluster_id = article.cluster_id or f"c{article.id}"
                pending.append(article)
                if len(pending) >= 500:
                    self._record_documents(pending)
                    pending.clear()
                yield {"_op_type": "index", "_index": self.alias, "_id": article.id,
                       "_source": self._doc(article, now_ms, now_ms)}

        refused = 0
        for ok, item in helpers.streaming_bulk(self.es, actions(), chunk_size=500, max_retries=self.bulk_retries,
                                               raise_on_error=False, require_alias=True):
            if ok:
                count += 1
            else:  # counted apart: a copy that was refused is not reported as copied
                refused += 1
                log.error("reindex: Elasticsearch refused %s", item)
        self.es.indices.refresh(index=self.alias)
        self._record_documents(pending)
        if refused:
            log.error("reindex: %d article(s) refused by Elasticsearch (see above)", refused)
        return count

    def _open_documents(self) -> ElasticRegister:
        from newswatch.documents.elastic_register import ElasticRegister

        return ElasticRegister(self, self.documents_errors)

    def missing(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` the index does not hold (one ``mget`` without sources per 1,000 ids)."""
        wanted = list(dict.fromkeys(ids))
        absent: set[str] = set()
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start:start + 1000]
            docs = self._call(self.es.mget, index=self.alias, ids=chunk, source=False)["docs"]
            for doc in docs:
                if "error" in doc:  # e.g. the index is gone: an unanswered id is not known to be missing
                    raise StoreUnavailable(f"Elasticsearch could not look up {doc.get('_id')}: {doc['error']}")
                if not doc.get("found"):
                    absent.add(doc["_id"])
        return absent

    # -- reading -----------------------------------------------------------------------------------

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self.ensure_index()
            try:
                return fn(*args, **kwargs)
            except NotFoundError as exc:
                if not _index_missing(exc):
                    raise
                self._ready = False  # the server restarted empty: an empty index answers, not an error
                self.ensure_index()
                return fn(*args, **kwargs)
        except Exception as exc:
            if _is_unavailable(exc):
                raise StoreUnavailable(f"Elasticsearch at {self.url} unreachable: {exc}") from exc
            raise

    def get(self, article_id: str) -> Article | None:
        try:
            doc = self._call(self.es.get, index=self.alias, id=article_id)
        except NotFoundError:
            return None
        return Article.from_dict(doc["_source"]["article"])

    def versions(self, article_id: str) -> list[Article]:
        response = self._call(self.es.search, index=self.versions_alias, query={"term": {"id": article_id}},
                              sort=[{"version": "asc"}], size=1000)
        return [Article.from_dict(h["_source"]["article"]) for h in response["hits"]["hits"]]

    def cluster(self, cluster_id: str) -> list[Article]:
        response = self._call(self.es.search, index=self.alias, query={"term": {"cluster_id": cluster_id}},
                              sort=[{"published": "asc"}, {"stored_epoch": "asc"}], size=1000, _source=["article"])
        return [Article.from_dict(h["_source"]["article"]) for h in response["hits"]["hits"]]

    def iter_articles(self, since: datetime | None = None) -> Iterator[Article]:
        query: dict[str, Any] = {"match_all": {}}
        if since:
            query = {"range": {"updated_epoch": {"gte": int(since.timestamp() * 1000)}}}
        after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {"search_after": after} if after else {}
            response = self._call(self.es.search, index=self.alias, query=query, sort=[{"id": "asc"}], size=500,
                                  _source=["article"], **kwargs)
            hits = response["hits"]["hits"]
            if not hits:
                return
            for hit in hits:
                yield Article.from_dict(hit["_source"]["article"])
            after = hits[-1]["sort"]

    def count(self) -> int:
        return int(self._call(self.es.count, index=self.alias)["count"])

    def latest_by_source(self) -> dict[str, datetime]:
        response = self._call(self.es.search, index=self.alias, size=0, aggs={
            "source": {"terms": {"field": "source", "size": 1000}, "aggs": {"latest": {"max": {"field": "stored_epoch"}}}}})
        out = {}
        for bucket in response["aggregations"]["source"]["buckets"]:
            value = bucket["latest"]["value"]
            if value is not None:
                out[bucket["key"]] = datetime.fromtimestamp(value / 1000, UTC)
        return out

    def size_bytes(self) -> int:
        stats = self._call(self.es.indices.stats, index=self.alias)
        return int(stats.get("_all", {}).get("total", {}).get("store", {}).get("size_in_bytes", 0))

    def close(self) -> None:
        self.es.close()

    # -- search ------------------------------------------------------------------------------------

    @staticmethod
    def _filters(query: SearchQuery) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        if query.since or query.until:
            bounds = {}
            if query.since:
                bounds["gte"] = query.since.isoformat()
            if query.until:
                bounds["lte"] = query.until.isoformat()
            filters.append({"range": {"published": bounds}})
        if query.sources:
            filters.append({"terms": {"source": query.sources}})
        if query.topics:
            filters.append({"terms": {"topic_keys": [label_key(t) for t in query.topics]}})
        if query.doc_types:
            filters.append({"terms": {"doc_type_keys": [label_key(t) for t in query.doc_types]}})
        filters += [{"term": {"doc_keys": doc_key(n)}} for n in query.doc_numbers]
        return filters

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        parsed = parse_query(query.text)
        body_query = {"bool": {"must": [to_es(parsed)], "filter": self._filters(query)}}
        ranked = not parsed.is_empty and query.sort != "newest"
        sort: list[Any] = ([{"_score": "desc"}] if ranked else []) + [{"published": "desc"}, {"id": "desc"}]
        kwargs: dict[str, Any] = {"query": body_query, "sort": sort, "from_": query.offset, "size": query.limit,
                                  "track_total_hits": True, "_source": ["article", "cluster_id", "published"]}
        aggs: dict[str, Any] = {}
        if query.facets:
            aggs = {"source": {"terms": {"field": "source", "size": 50}},
                    "topic": {"terms": {"field": "topics", "size": 50}},
                    "doc_type": {"terms": {"field": "doc_types", "size": 50}},
                    "month": {"terms": {"field": "month", "size": 240}}}
        if query.collapse_clusters:
            kwargs["collapse"] = {"field": "cluster_id"}
            aggs["clusters"] = {"cardinality": {"field": "cluster_id", "precision_threshold": _CLUSTER_PRECISION}}
        if aggs:
            kwargs["aggs"] = aggs
        response = self._call(self.es.search, index=self.alias, **kwargs)
        aggregations = response.get("aggregations", {})
        facets = {}
        if query.facets:
            for name in ("source", "topic", "doc_type", "month"):
                buckets = aggregations.get(name, {}).get("buckets", [])
                facets[name] = {b["key"]: b["doc_count"] for b in buckets}
            facets["month"] = dict(sorted(facets["month"].items(), reverse=True))
        total = (int(aggregations["clusters"]["value"]) if query.collapse_clusters
                 else int(response["hits"]["total"]["value"]))
        hits = self._hits(response["hits"]["hits"], query, parsed)
        # the cardinality aggregation is close to exact below its precision threshold, an estimate above
        exact = not query.collapse_clusters or total < _CLUSTER_PRECISION
        return SearchResult(total=total, hits=hits, facets=facets, total_exact=exact,
                            took_ms=round((time.perf_counter() - started) * 1000, 2))

    def _hits(self, raw: list[dict[str, Any]], query: SearchQuery, parsed: Any) -> list[SearchHit]:
        members: dict[str, list[dict[str, Any]]] = {}
        if query.collapse_clusters and raw:
            clusters = list(dict.fromkeys(h["_source"]["cluster_id"] for h in raw))
            response = self._call(self.es.search, index=self.alias, query={"terms": {"cluster_id": clusters}},
                                  sort=[{"published": "asc"}, {"stored_epoch": "asc"}], size=min(10000, 50 * len(clusters)),
                                  _source=["article", "cluster_id", "published", "source"])
            for h in response["hits"]["hits"]:
                members.setdefault(h["_source"]["cluster_id"], []).append(h["_source"])
        terms = parsed.terms()
        filters = self._local_filter(query)
        hits = []
        for h in raw:
            article = Article.from_dict(h["_source"]["article"])
            group = members.get(h["_source"]["cluster_id"], [])
            copies = []
            for index, m in enumerate(group):
                copy = Article.from_dict(m["article"])
                copies.append({"id": copy.id, "url": copy.url, "source": copy.source, "title": copy.title,
                               "published": datetime.fromisoformat(m["published"]).astimezone(UTC).isoformat(),
                               "first": index == 0})
            for m in group:  # show the cluster's first publisher among the matching copies
                candidate = Article.from_dict(m["article"])
                if candidate.id == article.id:
                    break
                if filters(candidate, m) and matches(parsed, candidate):
                    article = candidate
                    break
            hits.append(SearchHit(article=article, score=float(h.get("_score") or 0.0),
                                  snippet=highlight(article.text or article.lead or "", terms),
                                  copies=copies if len(copies) > 1 else []))
        return hits

    @staticmethod
    def _local_filter(query: SearchQuery) -> Any:
        def check(article: Article, source: dict[str, Any]) -> bool:
            published = datetime.fromisoformat(source["published"])
            if query.since and published < query.since:
                return False
            if query.until and published > query.until:
                return False
            if query.sources and article.source not in query.sources:
                return False
            if query.topics and not {label_key(t) for t in query.topics} & {label_key(t) for t in article.topics}:
                return False
            if query.doc_types and not {label_key(t) for t in query.doc_types} & set(article_doc_type_keys(article)):
                return False
            return all(doc_key(n) in article_doc_keys(article) for n in query.doc_numbers)

        return check
