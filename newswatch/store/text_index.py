"""The embedded store's full-text index: a Tantivy index beside the SQLite file, derived from it.

SQLite holds the articles (the record); this index holds what search needs of each one: the title,
lead and body twice (exact and folded, :mod:`newswatch.search.tantivy_query`) and the filter and
facet keys as fast fields (columns: source, month, cluster, topics, document types, publication
time). Tantivy ranks the top hits with BM25 without scoring every match, and counts facets over every
match in compiled code: the two things FTS5 could not do within a search's time budget.

The index follows the database through ``search_changes``, the store's numbered log of article
writes: :meth:`TextIndex.update` adds (or replaces) the articles logged after the last sequence it
committed and records that sequence beside the index. Crawl processes only write SQLite; the process
that searches brings the index up to date first (and the web service does it in the background), so
a search sees every committed article. Tantivy allows one writer per index across processes: an
update waits for another process's update to finish, then indexes what is left. Replaying a change
twice is harmless (each article's document is deleted by rowid before it is added), so a process
killed between Tantivy's commit and the sequence file's write only costs a replay.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from newswatch.search.tantivy_query import FIELD_WEIGHTS, FOLDED_SUFFIX, QueryCompiler, Tokens

log = logging.getLogger(__name__)

INDEX_VERSION = 3  # the schema and token forms below (3: tone placement unified only where styles differ);
# another version on disk is rebuilt from the database
WRITER_HEAP_BYTES = 64_000_000
WRITER_WAIT_S = 60.0  # how long an update waits for another process's update before giving up
_STATE_FILE = "newswatch-index.json"
_EXACT, _FOLDED = "nw_exact", "nw_folded"
KEYWORD_FIELDS = ("source", "month", "cluster", "topics", "codes", "doc_numbers", "doc_type_keys")
_FACET_COLUMNS = {"source": "source", "topic": "topics", "doc_type": "codes", "month": "month"}
_FACET_SIZE = 50  # largest values returned per facet
_FACET_SIZES = {"month": 100_000}  # every month
_SEGMENT_TERMS = 1_000_000  # values each segment reports: all of them, so that the counts are exact


@dataclass
class IndexEntry:
    """One article as the index holds it (the text already in its exact form, see ``tokens.exact_form``)."""

    rowid: int
    title: str
    lead: str
    body: str
    published_ts: float
    source: str
    month: str
    cluster: str
    topics: list[str] = field(default_factory=list)  # topic keys
    codes: list[str] = field(default_factory=list)  # document type codes as written (facet)
    doc_numbers: list[str] = field(default_factory=list)  # tolerant document-number keys (filter)
    doc_type_keys: list[str] = field(default_factory=list)  # document type keys (filter)

    def document(self) -> tantivy.Document:
        doc = tantivy.Document(source=self.source, month=self.month, cluster=self.cluster,
                               published=self.published_ts)
        doc.add_integer("rowid", self.rowid)
        doc.add_integer("cluster_hash", _cluster_hash(self.cluster))
        for name, text in (("title", self.title), ("lead", self.lead), ("body", self.body)):
            if text:
                doc.add_text(name, text)
                doc.add_text(name + FOLDED_SUFFIX, text)
        for name in ("topics", "codes", "doc_numbers", "doc_type_keys"):
            for value in getattr(self, name):
                doc.add_text(name, value)
        return doc


def _cluster_hash(cluster: str) -> int:
    return int.from_bytes(hashlib.blake2b(cluster.encode(), digest_size=8).digest(), "big", signed=True)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("rowid", indexed=True, fast=True)
    for name in FIELD_WEIGHTS:
        builder.add_text_field(name, tokenizer_name=_EXACT)
        builder.add_text_field(name + FOLDED_SUFFIX, tokenizer_name=_FOLDED)
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_float_field("published", indexed=True, fast=True)
    builder.add_integer_field("cluster_hash", fast=True)  # counted by the cardinality estimate (cheaper than text)
    return builder.build()


def _analyzer(folded: bool) -> tantivy.TextAnalyzer:
    """Letters-and-digits tokens (as ``tokens.TOKEN_RE``), lower-cased; folded: accents removed, đ -> d."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
    if folded:
        builder = builder.filter(tantivy.Filter.ascii_fold())
    return builder.build()


class IndexBusy(RuntimeError):
    """Another process kept the index's writer longer than ``WRITER_WAIT_S``."""


class IndexUpdate:
    """An open writer: replace articles' documents and set ``seq`` to the change they bring the index to;
    :meth:`TextIndex.updating` commits them when its block ends (a long update also commits on the way)."""

    def __init__(self, index: TextIndex, writer: tantivy.IndexWriter, seq: int) -> None:
        self._index = index
        self._writer = writer
        self.seq = seq  # the index holds every change up to this one once committed
        self.committed_seq = seq
        self.added = 0

    def commit(self) -> None:
        """Make the documents put so far durable and searchable, with the change sequence they reach."""
        if self.seq != self.committed_seq:
            self._writer.commit()
            self._index._write_state(self.seq)
            self.committed_seq = self.seq
            self._index.refresh_reader()

    def put(self, entries: Iterable[IndexEntry]) -> None:
        writer = self._writer
        for entry in entries:
            writer.delete_documents_by_term("rowid", entry.rowid)
            writer.add_document(entry.document())
            self.added += 1


class TextIndex:
    """A Tantivy index in ``directory``, kept up to date from the store's change log."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.schema = _schema()
        self._fold_analyzer = _analyzer(folded=True)
        self.compiler = QueryCompiler(self.schema, self.fold_tokens)
        self._lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        state = self._read_state()
        if state.get("version") not in (None, INDEX_VERSION) and self.directory.exists():
            log.info("search index %s: version %s on disk, %s expected: rebuilding it from the database",
                     self.directory, state.get("version"), INDEX_VERSION)
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(self.schema, path=str(self.directory), reuse=True)
        except (ValueError, OSError) as exc:  # unreadable (a disk that filled up, a foreign file): it is derived
            log.warning("search index %s cannot be opened (%s): rebuilding it from the database", self.directory, exc)
            shutil.rmtree(self.directory)
            self.directory.mkdir(parents=True)
            self.index = tantivy.Index(self.schema, path=str(self.directory), reuse=True)
        self.index.register_tokenizer(_EXACT, _analyzer(folded=False))
        self.index.register_tokenizer(_FOLDED, self._fold_analyzer)
        self._reader_seq = -1

    def fold_tokens(self, tokens: Tokens) -> Tokens:
        """Exact tokens as the folded fields hold them (the same analyzer as at indexing time)."""
        return tuple(self._fold_analyzer.analyze(" ".join(tokens)))

    # -- state: the change sequence the index holds ------------------------------------------------

    def _read_state(self) -> dict[str, int]:
        try:
            return json.loads((self.directory / _STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def indexed_seq(self) -> int:
        """The last change of the store's log that the committed index holds (0: none)."""
        return int(self._read_state().get("seq", 0))

    def _write_state(self, seq: int) -> None:
        path = self.directory / _STATE_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"version": INDEX_VERSION, "seq": seq}))
        os.replace(temporary, path)

    # -- writing -----------------------------------------------------------------------------------

    @contextmanager
    def updating(self) -> Iterator[IndexUpdate]:
        """An update that holds the index's writer (across processes); committed when the block ends."""
        with self._lock:
            writer = self._acquire_writer()
            try:
                update = IndexUpdate(self, writer, self.indexed_seq())
                yield update
                update.commit()
            except BaseException:
                writer.rollback()  # what was committed on the way stays
                raise
            finally:
                writer.wait_merging_threads()  # finishes pending merges and releases the writer's lock
            self.refresh_reader()

    def _acquire_writer(self) -> tantivy.IndexWriter:
        deadline = time.monotonic() + WRITER_WAIT_S
        delay = 0.01
        while True:
            try:
                return self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise IndexBusy(f"search index {self.directory}: another process kept its writer "
                                    f"for more than {WRITER_WAIT_S:.0f} s") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.25)

    # -- reading -----------------------------------------------------------------------------------

    def refresh_reader(self) -> None:
        """See the last commit, by this process or another."""
        seq = self.indexed_seq()
        if seq != self._reader_seq:
            self.index.reload()
            self._reader_seq = seq

    def searcher(self) -> tantivy.Searcher:
        """A consistent view of the committed index (use one for all the steps of a search)."""
        return self.index.searcher()

    def restrict(self, query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
        """``query`` limited to the documents every filter matches (filters do not change scores)."""
        if not filters:
            return query
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), *((tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters)])

    def any_of(self, name: str, values: list[str] | list[int]) -> tantivy.Query:
        """Documents whose keyword field ``name`` holds one of ``values``."""
        return tantivy.Query.term_set_query(self.schema, name, values)

    def published_between(self, since: float | None, until: float | None) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, "published", tantivy.FieldType.Float, since, until)

    @staticmethod
    def top(searcher: tantivy.Searcher, query: tantivy.Query, limit: int, newest: bool) -> list[tuple[float, int]]:
        """(score, rowid) of the ``limit`` best matches (BM25; ``newest``: by publication time, the score is it)."""
        if limit <= 0:  # Tantivy's collector panics on a limit of 0
            return []
        if newest:
            result = searcher.search(query, limit=limit, count=False, order_by_field="published", order=tantivy.Order.Desc)
        else:
            result = searcher.search(query, limit=limit, count=False)
        if not result.hits:
            return []
        rowids = searcher.fast_field_values("rowid", [address for _, address in result.hits])
        return [(score, rowid) for (score, _), rowid in zip(result.hits, rowids, strict=True)]

    @staticmethod
    def counts(searcher: tantivy.Searcher, query: tantivy.Query, facets: bool,
               clusters: bool) -> tuple[int, int | None, dict[str, dict[str, int]]]:
        """(matches, estimated clusters, facets) over every match, in one pass.

        Facet counts are exact (each segment reports every value it has); the number of clusters is
        Tantivy's cardinality estimate (HyperLogLog, as Elasticsearch's), within a few per cent.
        """
        aggregations: dict[str, dict] = {"matches": {"value_count": {"field": "published"}}}
        if clusters:
            aggregations["clusters"] = {"cardinality": {"field": "cluster_hash"}}
        if facets:
            for name, column in _FACET_COLUMNS.items():
                aggregations[name] = {"terms": {"field": column, "size": _FACET_SIZES.get(name, _FACET_SIZE),
                                                "segment_size": _SEGMENT_TERMS}}
        result = searcher.aggregate(query, aggregations)
        found = {name: {b["key"]: int(b["doc_count"]) for b in result[name]["buckets"]}
                 for name in _FACET_COLUMNS if name in result}
        counted = {name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))) for name, values in found.items()}
        if "month" in counted:
            counted["month"] = dict(sorted(found["month"].items(), reverse=True))
        estimate = int(result["clusters"]["value"] or 0) if clusters else None
        return int(result["matches"]["value"] or 0), estimate, counted

    @staticmethod
    def distinct_clusters(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
        """The exact number of clusters among the matches (one aggregation bucket each: ~2 ms a thousand)."""
        # the numeric hash: a text column's aggregation allocates a counter per distinct value in the index
        result = searcher.aggregate(query, {"clusters": {"terms": {"field": "cluster_hash", "size": _SEGMENT_TERMS,
                                                                   "segment_size": _SEGMENT_TERMS}}})
        return len(result["clusters"]["buckets"])
