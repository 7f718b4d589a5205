"""The embedded store's near-duplicate lookup: every stored simhash in memory, found by band.

A new article's copies are the stored articles whose simhash shares one of its bands
(:func:`newswatch.dedup.bands`) and lies within ``NEAR_DISTANCE`` bits. At 100,000 articles several
hundred stored articles share a band with a new one (news reuses phrasing, so simhash bits are not
uniform): reading them from an SQLite index and comparing them one by one in Python cost most of
an article's write. Here each band value maps to the rowids that have it, the hashes sit in one
numpy array indexed by rowid, and the candidates are compared in one vectorised XOR and popcount.

The index follows the database through ``search_changes`` (the store's numbered log of article
writes), read inside the write transaction, so two processes storing copies of one story at once
still see each other's article. What a transaction adds is recorded as it goes; a rolled-back
transaction makes the index reload, and so does finding that changes it never read were pruned
from the log.
"""

from __future__ import annotations

import sqlite3
from array import array

import numpy as np

from newswatch import dedup


class NearIndex:
    """Stored simhashes by band, for one store connection."""

    def __init__(self) -> None:
        self.seq = 0  # the last change of ``search_changes`` read
        self._hashes = np.zeros(0, dtype=np.uint64)  # by rowid; rows without a simhash are never listed
        self._by_band: dict[int, array[int]] = {}  # machine integers: read by numpy without a copy

    def refresh(self, db: sqlite3.Connection) -> None:
        """Read the articles written since the last refresh by any process (call it in a write transaction)."""
        cursor = db.cursor()
        cursor.row_factory = None
        if self.seq:
            oldest = cursor.execute("SELECT min(seq) FROM search_changes").fetchone()[0]
            if oldest is not None and oldest > self.seq + 1:  # changes not read yet were pruned: load again
                self.reset()
        if self.seq == 0:  # first load: every article, without going through the log
            last = cursor.execute("SELECT max(seq) FROM search_changes").fetchone()[0]
            rows = cursor.execute("SELECT rowid, simhash FROM articles WHERE simhash IS NOT NULL").fetchall()
        else:
            changes = cursor.execute("SELECT c.seq, a.rowid, a.simhash FROM search_changes c JOIN articles a "
                                     "ON a.rowid = c.article WHERE c.seq > ? ORDER BY c.seq", (self.seq,)).fetchall()
            last = changes[-1][0] if changes else None
            rows = [(rowid, simhash) for _, rowid, simhash in changes if simhash is not None]
        for rowid, simhash in rows:
            self.add(rowid, simhash)
        if last is not None:
            self.seq = last

    def add(self, rowid: int, simhash: int) -> None:
        """Record an article's simhash (a rewritten article keeps its old band entries: the hash comparison
        against its current simhash drops them)."""
        if rowid >= len(self._hashes):
            grown = np.zeros(max(rowid + 1, 2 * len(self._hashes), 1024), dtype=np.uint64)
            grown[:len(self._hashes)] = self._hashes
            self._hashes = grown
        self._hashes[rowid] = dedup.to_unsigned(simhash)
        by_band = self._by_band
        for band in dedup.bands(simhash):
            rowids = by_band.get(band)
            if rowids is None:
                by_band[band] = array("q", (rowid,))
            else:
                rowids.append(rowid)

    def near(self, simhash: int, limit: int = dedup.NEAR_DISTANCE) -> list[int]:
        """Rowids of stored articles sharing a band with ``simhash`` and within ``limit`` bits of it."""
        lists = [np.frombuffer(found, dtype=np.int64) for band in dedup.bands(simhash)
                 if (found := self._by_band.get(band)) is not None]
        if not lists:
            return []
        rowids = np.concatenate(lists)  # a rowid sharing several bands is listed once per band
        distance = np.bitwise_count(self._hashes[rowids] ^ np.uint64(dedup.to_unsigned(simhash)))
        return list(dict.fromkeys(rowids[distance <= limit].tolist()))

    def reset(self) -> None:
        """Forget everything (after a rolled-back write): the next refresh reloads from the database."""
        self.__init__()  # type: ignore[misc]
