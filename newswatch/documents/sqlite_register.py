"""The document register of the embedded store: tables ``document_mentions`` and ``documents`` in its SQLite file.

The tables are created with the store's schema (:mod:`newswatch.store.sqlite_schema`); writes run in the
store's ``BEGIN IMMEDIATE`` transactions, so several processes writing one file agree.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from newswatch.documents.derive import Derived
from newswatch.documents.model import DocumentPage, DocumentQuery, DocumentRecord
from newswatch.documents.register import DocumentRegister, Filters, normalize_query, record_fields

if TYPE_CHECKING:
    from collections import Counter

    from newswatch.store.sqlite import SQLiteStore

_FACETS = {"doc_type": "doc_type", "issuer": "issuer", "status": "status", "month": "month"}


def _record(data: str) -> DocumentRecord:
    return DocumentRecord.from_dict(json.loads(data))


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


class SQLiteRegister(DocumentRegister):
    """The register in the embedded store's SQLite file."""

    def __init__(self, store: SQLiteStore, errors: Counter[str] | None = None) -> None:
        super().__init__(errors)
        self.store = store

    # -- storage primitives ------------------------------------------------------------------------

    def _replace_mentions(self, batch: dict[str, list[Derived]]) -> set[str]:
        old: set[str] = set()
        ids = list(batch)
        with self.store._write() as db:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                old.update(r[0] for r in db.execute(
                    f"SELECT key FROM document_mentions WHERE article_id IN ({_marks(chunk)})", chunk))
                db.execute(f"DELETE FROM document_mentions WHERE article_id IN ({_marks(chunk)})", chunk)
            db.executemany(
                "INSERT OR REPLACE INTO document_mentions(article_id, key, canonical, published_ts, data) "
                "VALUES (?,?,?,?,?)",
                [(article_id, d.key, d.number.canonical, (d.mention.published or d.seen_at).timestamp(),
                  json.dumps(d.to_dict(), ensure_ascii=False))
                 for article_id, rows in batch.items() for d in rows])
        return old

    def _mentions_for(self, canonicals: list[str]) -> dict[str, list[Derived]]:
        out: dict[str, list[Derived]] = {}
        for row in self.store._read(f"SELECT canonical, data FROM document_mentions WHERE canonical IN "
                                    f"({_marks(canonicals)}) ORDER BY published_ts", canonicals):
            out.setdefault(row["canonical"], []).append(Derived.from_dict(json.loads(row["data"])))
        return out

    def _write_records(self, records: list[DocumentRecord], gone: list[str]) -> None:
        rows = []
        for record in records:
            f = record_fields(record)
            rows.append((record.key, f["canonical"], f["doc_type"], "|" + "|".join(f["type_keys"]) + "|", f["issuer"],
                         "|" + "|".join(f["issuer_keys"]) + "|", f["status"], f["month"], f["first_seen_ts"],
                         f["text"], json.dumps(record.to_dict(), ensure_ascii=False)))
        with self.store._write() as db:
            if gone:
                db.execute(f"DELETE FROM documents WHERE key IN ({_marks(gone)})", gone)
            db.executemany("INSERT OR REPLACE INTO documents(key, canonical, doc_type, type_keys, issuer, issuer_keys, "
                           "status, month, first_seen_ts, search, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)

    def _get_key(self, key: str) -> DocumentRecord | None:
        rows = self.store._read("SELECT data FROM documents WHERE key=?", (key,))
        return _record(rows[0]["data"]) if rows else None

    def _newest_of(self, canonical: str) -> DocumentRecord | None:
        rows = self.store._read("SELECT key, data FROM documents WHERE canonical=?", (canonical,))
        if not rows:
            return None
        return _record(max(rows, key=lambda r: (r["key"].rpartition("@")[2] if "@" in r["key"] else ""))["data"])

    # -- queries -------------------------------------------------------------------------------------

    @staticmethod
    def _where(f: Filters, skip: str | None = None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if f.doc_types and skip != "doc_type":
            clauses.append(f"doc_type IN ({_marks(f.doc_types)})")
            params += f.doc_types
        if f.issuers and skip != "issuer":
            clauses.append("(" + " OR ".join("issuer_keys LIKE ?" for _ in f.issuers) + ")")
            params += [f"%|{k}|%" for k in f.issuers]
        if f.statuses and skip != "status":
            clauses.append(f"status IN ({_marks(f.statuses)})")
            params += f.statuses
        if f.month and skip != "month":
            clauses.append("month = ?")
            params.append(f.month)
        if f.since is not None:
            clauses.append("first_seen_ts >= ?")
            params.append(f.since.timestamp())
        for word in f.words:
            clauses.append("instr(search, ?) > 0")
            params.append(word)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list(self, query: DocumentQuery) -> DocumentPage:
        f = normalize_query(query)
        where, params = self._where(f)
        total = int(self.store._read(f"SELECT count(*) FROM documents{where}", params)[0][0])
        rows = self.store._read(f"SELECT data FROM documents{where} ORDER BY first_seen_ts DESC, key LIMIT ? OFFSET ?",
                                [*params, f.limit, f.offset])
        facets: dict[str, dict[str, int]] = {}
        for name, column in _FACETS.items():
            facet_where, facet_params = self._where(f, skip=name)  # a facet counts the other filters' matches
            facets[name] = {r[0]: int(r[1]) for r in self.store._read(
                f"SELECT {column}, count(*) FROM documents{facet_where} GROUP BY {column} ORDER BY count(*) DESC",
                facet_params) if r[0]}
        return DocumentPage(total=total, records=[_record(r["data"]) for r in rows], facets=facets)

    def count(self) -> int:
        return int(self.store._read("SELECT count(*) FROM documents")[0][0])

    def clear(self) -> None:
        with self.store._write() as db:
            db.execute("DELETE FROM document_mentions")
            db.execute("DELETE FROM documents")
