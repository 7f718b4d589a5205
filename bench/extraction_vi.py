"""Vietnamese extraction benchmark: body F1 per page type, newswatch and plain trafilatura, same run.

Usage: ``python bench/extraction_vi.py [DIR]`` (default ``tests/fixtures/pages/types``). DIR holds
``<name>.html`` pages and ``<name>.json`` gold files (``page_type``, ``url``, ``title``, ``published``,
``lead``, ``body``: the story paragraphs). Each page's gold text is the lead plus the body; the
newswatch text is ``Article.lead`` plus ``Article.text`` (an :class:`ExtractionError` scores 0 and
counts as a lost page); plain trafilatura is ``trafilatura.extract(html, url=url)`` with its default
options. Scoring is the Zyte benchmark's (4-word shingles, see ``bench/extraction.py``). Prints one
JSON line: per page type the mean F1 of both, the pages where newswatch is below trafilatura by more
than 0.02, the share of pages lost by each, and CPU ms per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction import newswatch_text, plain_trafilatura, score  # noqa: E402

DEFAULT_DIR = ROOT / "tests" / "fixtures" / "pages" / "types"


def gold_text(gold: dict) -> str:
    return "\n\n".join([p for p in [gold.get("lead")] if p] + list(gold["body"]))


def run(directory: Path) -> dict:
    pages = []
    for gold_path in sorted(directory.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pages.append((gold_path.stem, gold_path.with_suffix(".html").read_bytes(), gold))
    extractors = {"newswatch": newswatch_text, "trafilatura": plain_trafilatura}
    per_type: dict[str, dict[str, list[float]]] = {}
    cpu = dict.fromkeys(extractors, 0.0)
    lost = dict.fromkeys(extractors, 0)
    below: list[list] = []
    for name, html, gold in pages:
        truth = gold_text(gold)
        f1s = {}
        for label, function in extractors.items():
            start = time.process_time()
            text = function(html, gold["url"])
            cpu[label] += time.process_time() - start
            lost[label] += not text
            f1s[label] = score(truth, text)[2]
            per_type.setdefault(gold["page_type"], {}).setdefault(label, []).append(f1s[label])
        if f1s["newswatch"] < f1s["trafilatura"] - 0.02:
            below.append([name, round(f1s["newswatch"], 3), round(f1s["trafilatura"], 3)])
    result = {
        "pages": len(pages),
        "f1_by_type": {kind: {label: round(statistics.mean(values), 4) for label, values in scores.items()}
                       for kind, scores in sorted(per_type.items())},
        "f1_mean": {label: round(statistics.mean(v for s in per_type.values() for v in s[label]), 4)
                    for label in extractors},
        "pages_below_trafilatura": below,
        "lost_share": {label: round(lost[label] / len(pages), 3) for label in extractors},
        "cpu_ms_per_page": {label: round(1000 * cpu[label] / len(pages), 2) for label in extractors},
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    if not any(args.directory.glob("*.json")):
        parser.error(f"{args.directory} has no gold files (*.json)")
    print(json.dumps(run(args.directory), ensure_ascii=False))


if __name__ == "__main__":
    main()
