"""Benchmark: the directive signal on the labelled corpus of how outlets report documents; one JSON line.

    .venv/bin/python bench/directive_signal.py [--corpus DIR] [--wrong] [--write-floor]

Each case of ``tests/fixtures/directive_corpus/``, ``…/directive_corpus_holdout/`` and
``…/directive_corpus_holdout2/`` (or of each
``--corpus DIR``) is rendered as a news page
in a real outlet's layout with its teaser boxes, extracted, enriched and judged by the shipped
``cds-new-directives`` rule (see ``tests/monitor/directive_corpus.py``). Prints precision and
recall overall and per pattern for the three verdicts — ``alerts`` (the shipped rule),
``issued`` (the same rule for every type, issuer and topic) and ``numbers`` (the article's own
document numbers) — plus the time per case. ``--wrong`` also lists the cases that differ from
their labels (to stderr); ``--write-floor`` records the per-pattern figures as the floor that
``tests/monitor/test_directive_corpus.py`` holds the code to.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "monitor")]

from directive_corpus import CORPUS_DIRS, judge, load_corpus, score, shipped_rules  # noqa: E402

FLOOR = ROOT / "tests" / "monitor" / "directive_corpus_floor.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append",
                        help="folder of <pattern>.yaml files (repeatable; default: the two corpora under tests/fixtures)")
    parser.add_argument("--wrong", action="store_true", help="list the cases that differ from their labels (stderr)")
    parser.add_argument("--write-floor", action="store_true", help=f"record per-pattern figures in {FLOOR.name}")
    args = parser.parse_args()
    cds, every = shipped_rules()
    cases = load_corpus(*(args.corpus or CORPUS_DIRS))
    started = time.perf_counter()
    verdicts = [judge(case, cds, every) for case in cases]
    elapsed = time.perf_counter() - started
    result = score(verdicts)
    wrong = result.pop("wrong")
    result["ms_per_case"] = round(1000 * elapsed / max(1, len(cases)), 2)
    result["errors"] = sum(1 for v in verdicts if v.error)
    if args.wrong:
        for line in wrong:
            print(line, file=sys.stderr)
    if args.write_floor:
        floor = {pattern: {kind: {"precision": figures[kind]["precision"], "recall": figures[kind]["recall"]}
                           for kind in ("alerts", "issued", "numbers")}
                 for pattern, figures in result["per_pattern"].items()}
        FLOOR.write_text(json.dumps(floor, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
