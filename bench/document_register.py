"""Benchmark: the document register's reading of the labelled directive corpora; one JSON line.

    .venv/bin/python bench/document_register.py [--list]

Each case of the three directive corpora (``tests/fixtures/directive_corpus*/``) becomes an article
(headline, sapo, body; enriched by the one enrichment step) and is read by
:func:`newswatch.documents.derive.derive`. Prints, against the corpus labels, the precision and recall of
the REPORTED mentions (label ``issued``: reported as issued within 30 days), how many mentions state a
signer and a trích yếu, and the time per case; then stores every case in an embedded store in a temporary
folder (the register kept current by the writes) and rebuilds its register from that archive, and prints
the time per article of both and the number of records. ``--list`` prints every stated signer and trích yếu (to
stderr) for reading them by eye.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "monitor")]

from directive_corpus import CORPUS_DIRS, load_corpus  # noqa: E402

from newswatch.documents.derive import derive  # noqa: E402
from newswatch.documents.model import MentionKind  # noqa: E402
from newswatch.models import Article  # noqa: E402
from newswatch.store.sqlite import SQLiteStore  # noqa: E402
from newswatch.text.enrich import enrich_article  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every stated signer and trích yếu to stderr")
    args = parser.parse_args()
    cases = load_corpus(*CORPUS_DIRS)
    tp = fp = fn = mentions = signers = trich_yeu = 0
    articles = []
    for case in cases:
        article = Article(url=f"https://{case.outlet or 'example.vn'}/{case.id}.htm", title=case.title,
                          lead=case.lead, text=case.body, source=case.outlet, published=case.published)
        enrich_article(article)
        articles.append(article)
    started = time.perf_counter()
    for case, article in zip(cases, articles, strict=True):
        derived = derive(article)
        reported = {d.number.canonical for d in derived if d.mention.kind is MentionKind.REPORTED}
        tp += len(reported & case.issued)
        fp += len(reported - case.issued)
        fn += len(case.issued - reported)
        for d in derived:
            mentions += 1
            signers += d.signer is not None
            trich_yeu += d.trich_yeu is not None
            if args.list and (d.signer or d.trich_yeu):
                print(f"{case.id}\t{d.key}\t{d.mention.kind.value}\t{d.signer or '-'}\t{d.trich_yeu or '-'}",
                      file=sys.stderr)
    elapsed = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder, SQLiteStore(Path(folder) / "articles.db") as store:
        started = time.perf_counter()
        store.put_many(articles)
        stored = time.perf_counter() - started
        started = time.perf_counter()
        records = store.documents.rebuild(store.iter_articles())
        rebuilt = time.perf_counter() - started
    print(json.dumps({
        "benchmark": "document_register", "cases": len(cases), "mentions": mentions,
        "reported_precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "reported_recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "signer_stated": signers, "trich_yeu_stated": trich_yeu,
        "derive_ms_per_case": round(elapsed * 1000 / max(len(cases), 1), 2), "records": records,
        "store_ms_per_article": round(stored * 1000 / max(len(cases), 1), 2),
        "rebuild_ms_per_article": round(rebuilt * 1000 / max(len(cases), 1), 2),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
