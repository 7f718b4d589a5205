"""The document register of the Elasticsearch store, through the official client only.

* ``<prefix>-documents``: one document per record (``_id`` = its key); keyword fields for the filters
  (type code and keys, issuer code and keys, status, month, canonical number), ``first_seen`` as a
  date for the order, ``text`` (folded analyzer) for the words filter; the record itself is kept in
  ``_source`` (``record``, not indexed).
* ``<prefix>-document-mentions``: one document per article and document (``_id`` = ``article:key``),
  what :func:`~newswatch.documents.derive.derive` read, kept in ``_source``.

Writes refresh, so that the next article's merge reads the mentions just written (as the article
store's single puts do).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, helpers

from newswatch.documents.derive import Derived
from newswatch.documents.model import DocumentPage, DocumentQuery, DocumentRecord
from newswatch.documents.register import DocumentRegister, Filters, normalize_query, record_fields

if TYPE_CHECKING:
    from newswatch.store.elastic import ElasticStore

_FACETS = ("doc_type", "issuer", "status", "month")
_MAX_BUCKETS = 500
_PAGE = 1000

RECORD_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "key": {"type": "keyword"}, "canonical": {"type": "keyword"}, "number_key": {"type": "keyword"},
        "doc_type": {"type": "keyword"}, "type_keys": {"type": "keyword"}, "issuer": {"type": "keyword"},
        "issuer_keys": {"type": "keyword"}, "status": {"type": "keyword"}, "month": {"type": "keyword"},
        "first_seen_ts": {"type": "double"}, "year": {"type": "integer"},
        "text": {"type": "text", "analyzer": "vi_folded"},
        "record": {"type": "object", "enabled": False},
    },
}
MENTION_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {"article_id": {"type": "keyword"}, "key": {"type": "keyword"}, "canonical": {"type": "keyword"},
                   "published_ts": {"type": "double"}, "derived": {"type": "object", "enabled": False}},
}


class ElasticRegister(DocumentRegister):
    """The register in two Elasticsearch indices beside the store's articles."""

    def __init__(self, store: ElasticStore, errors: Counter[str] | None = None) -> None:
        super().__init__(errors)
        self.store = store
        self.es = store.es
        self.index = f"{store.prefix}-documents"
        self.mentions_index = f"{store.prefix}-document-mentions"
        self._ready = False

    def ensure_index(self) -> None:
        """Create both indices with their mappings (idempotent)."""
        if self._ready:
            return
        from newswatch.store.elastic import ANALYSIS

        for index, mappings in ((self.index, RECORD_MAPPINGS), (self.mentions_index, MENTION_MAPPINGS)):
            if self.es.indices.exists(index=index):
                continue
            try:
                self.es.indices.create(index=index, settings={"number_of_shards": 1, "analysis": ANALYSIS},
                                       mappings=mappings)
            except ApiError as exc:  # another process created it first
                if exc.meta.status != 400 or not self.es.indices.exists(index=index):
                    raise
        self._ready = True

    # -- storage primitives ------------------------------------------------------------------------

    def _hits(self, index: str, query: dict[str, Any], source: list[str] | bool = True) -> list[dict[str, Any]]:
        """Every hit of a query (in pages: the register's lookups by article or key match few documents)."""
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            found = self.es.search(index=index, query=query, size=_PAGE, from_=offset, source=source)["hits"]["hits"]
            out += found
            if len(found) < _PAGE:
                return out
            offset += _PAGE

    def _replace_mentions(self, batch: dict[str, list[Derived]]) -> set[str]:
        self.ensure_index()
        old_hits = self._hits(self.mentions_index, {"terms": {"article_id": list(batch)}}, ["key", "article_id"])
        old = {h["_source"]["key"] for h in old_hits}
        new_ids = {f"{article_id}:{d.key}" for article_id, rows in batch.items() for d in rows}
        actions: list[dict[str, Any]] = [{"_op_type": "delete", "_index": self.mentions_index, "_id": h["_id"]}
                                         for h in old_hits if h["_id"] not in new_ids]
        for article_id, rows in batch.items():
            for d in rows:
                actions.append({"_op_type": "index", "_index": self.mentions_index, "_id": f"{article_id}:{d.key}",
                                "_source": {"article_id": article_id, "key": d.key, "canonical": d.number.canonical,
                                            "published_ts": (d.mention.published or d.seen_at).timestamp(),
                                            "derived": d.to_dict()}})
        self._bulk(actions)
        return old

    def _bulk(self, actions: list[dict[str, Any]]) -> None:
        if not actions:
            return
        failures: list[Any] = []
        for ok, item in helpers.streaming_bulk(self.es, actions, raise_on_error=False, refresh="true",
                                               max_retries=self.store.bulk_retries, initial_backoff=1):
            op, info = next(iter(item.items()))
            if not ok and not (op == "delete" and int(info.get("status") or 0) == 404):
                failures.append(info.get("error") or info.get("status"))
        if failures:
            raise ValueError(f"Elasticsearch refused {len(failures)} register write(s): {failures[0]}")

    def _mentions_for(self, canonicals: list[str]) -> dict[str, list[Derived]]:
        self.ensure_index()
        out: dict[str, list[Derived]] = {}
        for hit in self._hits(self.mentions_index, {"terms": {"canonical": canonicals}}, ["canonical", "derived"]):
            out.setdefault(hit["_source"]["canonical"], []).append(Derived.from_dict(hit["_source"]["derived"]))
        return out

    def _write_records(self, records: list[DocumentRecord], gone: list[str]) -> None:
        self.ensure_index()
        actions: list[dict[str, Any]] = [{"_op_type": "delete", "_index": self.index, "_id": key} for key in gone]
        for record in records:
            source = record_fields(record)
            source["year"] = int(record.key.rpartition("@")[2]) if "@" in record.key else 0
            # JSON round trip: dates as strings, enums as values
            source["record"] = json.loads(json.dumps(record.to_dict(), ensure_ascii=False))
            actions.append({"_op_type": "index", "_index": self.index, "_id": record.key, "_source": source})
        self._bulk(actions)

    def _get_key(self, key: str) -> DocumentRecord | None:
        self.ensure_index()
        found = self.es.options(ignore_status=404).get(index=self.index, id=key)
        if not found.get("found"):
            return None
        return DocumentRecord.from_dict(found["_source"]["record"])

    def _newest_of(self, canonical: str) -> DocumentRecord | None:
        self.ensure_index()
        hits = self._hits(self.index, {"term": {"canonical": canonical}}, ["key", "year", "record"])
        if not hits:
            return None
        return DocumentRecord.from_dict(max(hits, key=lambda h: int(h["_source"].get("year") or 0))["_source"]["record"])

    # -- queries -------------------------------------------------------------------------------------

    @staticmethod
    def _query(f: Filters, skip: str | None = None) -> dict[str, Any]:
        must: list[dict[str, Any]] = []
        if f.doc_types and skip != "doc_type":
            must.append({"terms": {"doc_type": f.doc_types}})
        if f.issuers and skip != "issuer":
            must.append({"terms": {"issuer_keys": f.issuers}})
        if f.statuses and skip != "status":
            must.append({"terms": {"status": f.statuses}})
        if f.month and skip != "month":
            must.append({"term": {"month": f.month}})
        if f.since is not None:
            must.append({"range": {"first_seen_ts": {"gte": f.since.timestamp()}}})
        if f.words:
            must.append({"match": {"text": {"query": " ".join(f.words), "operator": "and"}}})
        return {"bool": {"filter": must}} if must else {"match_all": {}}

    def list(self, query: DocumentQuery) -> DocumentPage:
        f = normalize_query(query)
        self.ensure_index()
        searches: list[dict[str, Any]] = [
            {"index": self.index},
            {"query": self._query(f), "size": f.limit, "from": f.offset, "track_total_hits": True,
             "sort": [{"first_seen_ts": "desc"}, {"key": "asc"}], "_source": ["record"]},
        ]
        for name in _FACETS:  # a facet counts the other filters' matches
            searches += [{"index": self.index},
                         {"query": self._query(f, skip=name), "size": 0,
                          "aggs": {name: {"terms": {"field": name, "size": _MAX_BUCKETS}}}}]
        responses = self.es.msearch(searches=searches)["responses"]
        for response in responses:
            if "error" in response:
                raise ValueError(f"Elasticsearch could not answer the register query: {response['error']}")
        hits = responses[0]["hits"]
        facets = {name: {b["key"]: int(b["doc_count"]) for b in response["aggregations"][name]["buckets"] if b["key"]}
                  for name, response in zip(_FACETS, responses[1:], strict=True)}
        return DocumentPage(total=int(hits["total"]["value"]),
                            records=[DocumentRecord.from_dict(h["_source"]["record"]) for h in hits["hits"]],
                            facets=facets)

    def count(self) -> int:
        self.ensure_index()
        return int(self.es.count(index=self.index)["count"])

    def clear(self) -> None:
        for index in (self.index, self.mentions_index):
            self.es.options(ignore_status=404).indices.delete(index=index)
        self._ready = False
        self.ensure_index()
