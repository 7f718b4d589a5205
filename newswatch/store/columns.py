"""The embedded store's ``search_rows`` held in memory as numpy columns, for ranking, collapsing and faceting.

A query that matches tens of thousands of articles needs, over every match, exact facet counts
(source, month, topics, document types), the number of distinct story clusters and the best-ranked
clusters. Grouping that many rows in SQL means sorting them several times; here each article's
facet values are small integers in arrays indexed by ``rowid`` (like Lucene's doc values), so one
match set (rowids and scores fetched once from FTS5) is counted with ``bincount`` and collapsed with
one sort.

The arrays follow the database through ``search_changes``, a log with one numbered entry per
write of a ``search_rows`` row: :meth:`SearchColumns.refresh` reads only the rows written since the last refresh, by
this process or any other, so a search always sees every committed article.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import numpy as np

_FACET_SIZE = 50  # largest values returned per facet (months: all)


class _Labels:
    """Strings numbered in order of first appearance."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.index: dict[str, int] = {}

    def ids(self, values: list[str]) -> list[int]:
        """The number of each value, numbering the new ones."""
        index = self.index
        numbers = list(map(index.get, values))
        if None not in numbers:
            return numbers  # type: ignore[return-value]
        for value in dict.fromkeys(v for v, n in zip(values, numbers, strict=True) if n is None):
            index[value] = len(self.values)
            self.values.append(value)
        return list(map(index.__getitem__, values))


class _ListColumn:
    """A many-valued facet (topics, document types): (rowid, label) pairs, counted over a match mask."""

    def __init__(self) -> None:
        self.labels = _Labels()
        self.per_row: dict[int, tuple[int, ...]] = {}
        self._parsed: dict[str, tuple[int, ...]] = {}  # the same JSON list recurs on many rows
        self._rows: list[int] = []
        self._keys: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray] | None = None
        self._stale = False  # a row changed: rebuild the pairs from per_row

    def set(self, rowids: list[int], encoded: list[str]) -> None:
        """The rows' label lists, as written in ``search_rows`` (JSON lists)."""
        parsed = self._parsed
        for value in set(encoded).difference(parsed):
            parsed[value] = tuple(self.labels.ids(json.loads(value)))
        lists = list(map(parsed.__getitem__, encoded))
        per_row = self.per_row
        if not per_row:  # first load
            per_row.update(zip(rowids, lists, strict=True))
            self._rows = [rowid for rowid, keys in zip(rowids, lists, strict=True) for _ in keys]
            self._keys = [key for keys in lists for key in keys]
            self._arrays = None
            return
        for rowid, keys in zip(rowids, lists, strict=True):
            old = per_row.get(rowid)
            if old is None:
                self._rows += [rowid] * len(keys)
                self._keys += keys
            elif old != keys:
                self._stale = True
            per_row[rowid] = keys
        self._arrays = None

    def counts(self, selected: np.ndarray) -> dict[str, int]:
        """Count of each label over the rows where ``selected[rowid]`` is True."""
        if self._stale:
            self._rows = [r for r, keys in self.per_row.items() for _ in keys]
            self._keys = [k for keys in self.per_row.values() for k in keys]
            self._stale, self._arrays = False, None
        if self._arrays is None:
            self._arrays = (np.array(self._rows, dtype=np.int64), np.array(self._keys, dtype=np.int64))
        rows, keys = self._arrays
        counts = np.bincount(keys[selected[rows]], minlength=len(self.labels.values))
        return {self.labels.values[i]: int(counts[i]) for i in np.flatnonzero(counts)}


@dataclass
class Collapsed:
    """A match set collapsed to one entry per cluster: (cluster_id, best score, latest time) for a page."""

    total: int
    page: list[tuple[str, float, float]]


class SearchColumns:
    """``search_rows`` as arrays indexed by rowid: cluster, source, month, publication time, topic and code lists."""

    def __init__(self) -> None:
        self.seq = 0
        self.present = np.zeros(0, dtype=bool)
        self.cluster = np.zeros(0, dtype=np.int64)
        self.source = np.zeros(0, dtype=np.int64)
        self.month = np.zeros(0, dtype=np.int64)
        self.published = np.zeros(0, dtype=np.float64)
        self.clusters, self.sources, self.months = _Labels(), _Labels(), _Labels()
        self.topics, self.codes = _ListColumn(), _ListColumn()

    def refresh(self, db: sqlite3.Connection) -> None:
        """Read the rows written since the last refresh (by any process); call it inside a read transaction."""
        cursor = db.cursor()
        cursor.row_factory = None
        columns = "s.rowid, s.cluster_id, s.source, s.month, s.published_ts, s.topics, s.codes"
        if self.seq == 0:  # first load: every row, without going through the log
            last = cursor.execute("SELECT max(seq) FROM search_changes").fetchone()[0]
            rows = cursor.execute(f"SELECT {columns} FROM search_rows s").fetchall()
        else:
            rows = cursor.execute(f"SELECT {columns}, c.seq FROM search_changes c JOIN search_rows s "
                                  "ON s.rowid = c.article WHERE c.seq > ? ORDER BY c.seq", (self.seq,)).fetchall()
            last = rows[-1][7] if rows else None
            rows = list({r[0]: r for r in rows}.values())  # an article written twice since: once
        if not rows or last is None:
            return
        self.seq = last
        rowid_list = [r[0] for r in rows]
        rowids = np.array(rowid_list, dtype=np.int64)
        self._grow(int(rowids.max()) + 1)
        self.present[rowids] = True
        self.cluster[rowids] = self.clusters.ids([r[1] for r in rows])
        self.source[rowids] = self.sources.ids([r[2] for r in rows])
        self.month[rowids] = self.months.ids([r[3] for r in rows])
        self.published[rowids] = [r[4] for r in rows]
        self.topics.set(rowid_list, [r[5] for r in rows])
        self.codes.set(rowid_list, [r[6] for r in rows])

    def _grow(self, size: int) -> None:
        if size <= len(self.present):
            return
        capacity = max(size, 2 * len(self.present), 1024)
        for name in ("present", "cluster", "source", "month", "published"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[:len(old)] = old
            setattr(self, name, new)

    def all_rows(self) -> np.ndarray:
        return np.flatnonzero(self.present)

    # -- over a match set (rowids with their scores; lower score ranks first, as FTS5's bm25) ----

    def facets(self, rowids: np.ndarray) -> dict[str, dict[str, int]]:
        """Exact counts over the matches: the 50 largest sources, topics and doc types; every month, newest first."""
        selected = np.zeros(len(self.present), dtype=bool)
        selected[rowids] = True

        def counted(column: np.ndarray, labels: _Labels) -> dict[str, int]:
            counts = np.bincount(column[rowids], minlength=len(labels.values))
            return {labels.values[i]: int(counts[i]) for i in np.flatnonzero(counts)}

        def top(counts: dict[str, int]) -> dict[str, int]:  # ORDER BY n DESC, key LIMIT 50 (code point order)
            return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:_FACET_SIZE])

        return {"source": top(counted(self.source, self.sources)), "topic": top(self.topics.counts(selected)),
                "doc_type": top(self.codes.counts(selected)),
                "month": dict(sorted(counted(self.month, self.months).items(), reverse=True))}

    def ranked(self, rowids: np.ndarray, scores: np.ndarray, newest: bool,
               start: int, stop: int) -> list[tuple[int, float]]:
        """(rowid, score) of the matches ranked ``start:stop``: by score then newest, or newest first; then rowid DESC."""
        published = self.published[rowids]
        keys = (-rowids, -published) if newest else (-rowids, -published, scores)
        chosen = np.lexsort(keys)[start:stop]
        return list(zip(rowids[chosen].tolist(), scores[chosen].tolist(), strict=True))

    def collapse(self, rowids: np.ndarray, scores: np.ndarray, newest: bool, start: int, stop: int) -> Collapsed:
        """One entry per cluster, ranked by its best-scoring match (``newest``: its latest match), then its
        latest match, then cluster id; the total is the number of distinct clusters."""
        clusters = self.cluster[rowids]
        order = np.argsort(clusters, kind="stable")
        grouped = clusters[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(grouped) else np.zeros(0, np.int64)
        ids = grouped[starts]
        latest = np.maximum.reduceat(self.published[rowids][order], starts) if len(starts) else np.zeros(0)
        best = np.minimum.reduceat(scores[order], starts) if len(starts) else np.zeros(0)
        ranking = np.lexsort((-latest,) if newest else (-latest, best))
        if stop <= 0 or not len(ranking):
            return Collapsed(len(ids), [])
        # the first ``stop`` clusters plus every cluster tying with the last of them, ordered exactly
        # (ties on score and time are broken by the cluster id as text)
        last = ranking[min(stop, len(ranking)) - 1]
        ties = (latest == latest[last]) if newest else (best == best[last]) & (latest == latest[last])
        chosen = np.union1d(ranking[:stop], np.flatnonzero(ties))
        entries = [(self.clusters.values[ids[i]], float(best[i]), float(latest[i])) for i in chosen]
        entries.sort(key=(lambda e: (-e[2], e[0])) if newest else (lambda e: (e[1], -e[2], e[0])))
        return Collapsed(len(ids), entries[start:stop])

    def first_matches(self, rowids: np.ndarray, cluster_ids: list[str]) -> dict[str, int]:
        """For each cluster, its earliest published match (then the smallest rowid): the copy a hit shows."""
        mine = self.in_clusters(rowids, cluster_ids)
        firsts: dict[str, tuple[float, int]] = {}
        for rowid, key in zip(mine.tolist(), (self.published[mine] * 1e6 + mine).tolist(), strict=True):
            cluster = self.cluster_of(rowid)
            if cluster not in firsts or key < firsts[cluster][0]:
                firsts[cluster] = (key, rowid)
        return {c: rowid for c, (_, rowid) in firsts.items()}

    def in_clusters(self, rowids: np.ndarray, cluster_ids: list[str]) -> np.ndarray:
        """The rowids that belong to one of these clusters."""
        wanted = np.array([self.clusters.index[c] for c in cluster_ids], dtype=np.int64)
        return rowids[np.isin(self.cluster[rowids], wanted)]

    def cluster_of(self, rowid: int) -> str:
        return self.clusters.values[self.cluster[rowid]]
