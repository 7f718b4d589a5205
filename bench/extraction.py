"""Extraction benchmark: newswatch vs plain trafilatura on the article-extraction-benchmark pages.

Usage: ``python bench/extraction.py [DIR]`` (default ``../shared/benchmarks/article-extraction-benchmark``
relative to the repository). DIR holds ``html/<id>.html.gz`` and ``ground-truth.json``
(``{id: {"articleBody": ..., "url": ...}}``). Scoring follows the benchmark's evaluate.py: 4-word
shingles of ``\\w+`` tokens, precision/recall/F1 per page, then averaged. Prints one JSON line: per extractor
F1/P/R, wall-clock and CPU ms per page; the two time ratios; on how many pages newswatch is better/worse than
plain trafilatura (by more than 0.001 F1); the five worst newswatch pages (id prefix, P, R, F1).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newswatch.errors import ExtractionError  # noqa: E402
from newswatch.extract import extract_article  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))


def score(true: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    precision = tp / (tp + fp) if tp + fp else float(tp + fn == 0)
    recall = tp / (tp + fn) if tp + fn else float(tp + fp == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def newswatch_text(html: bytes, url: str) -> str:
    try:
        article = extract_article(html, url)
    except ExtractionError:
        return ""
    return "\n\n".join(part for part in (article.lead, article.text) if part)


def plain_trafilatura(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def run(directory: Path) -> dict:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        path = directory / "html" / f"{key}.html.gz"
        if path.exists():
            pages.append((key, gzip.decompress(path.read_bytes()), item.get("url") or "", item.get("articleBody", "")))
    extractors = {"newswatch": newswatch_text, "trafilatura": plain_trafilatura}
    for function in extractors.values():  # warm-up: imports, caches
        function(pages[0][1], pages[0][2])
    results = {}
    worst: dict[str, list] = {}
    # Interleave the extractors page by page so that machine noise hits both alike; CPU time is
    # what to compare on a loaded machine, wall-clock time is what a crawl waits for.
    timings = {name: 0.0 for name in extractors}
    cpu = {name: 0.0 for name in extractors}
    scores = {name: [] for name in extractors}
    for key, html, url, body in pages:
        for name, function in extractors.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            text = function(html, url)
            timings[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
            scores[name].append((key, *score(body, text)))
    for name in extractors:
        values = scores[name]
        results[name] = {
            "f1": round(statistics.mean(v[3] for v in values), 4),
            "precision": round(statistics.mean(v[1] for v in values), 4),
            "recall": round(statistics.mean(v[2] for v in values), 4),
            "ms_per_page": round(1000 * timings[name] / len(pages), 2),
            "cpu_ms_per_page": round(1000 * cpu[name] / len(pages), 2),
        }
        worst[name] = sorted(values, key=lambda v: v[3])[:5]
    results["pages"] = len(pages)
    results["time_ratio"] = round(timings["newswatch"] / timings["trafilatura"], 3)
    results["cpu_time_ratio"] = round(cpu["newswatch"] / cpu["trafilatura"], 3)
    pairs = list(zip(scores["newswatch"], scores["trafilatura"], strict=True))
    results["pages_better_worse"] = [sum(ours[3] > theirs[3] + 0.001 for ours, theirs in pairs),
                                     sum(ours[3] < theirs[3] - 0.001 for ours, theirs in pairs)]
    results["worst_newswatch"] = [[k[:8], round(p, 3), round(r, 3), round(f, 3)] for k, p, r, f in worst["newswatch"]]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    if not (args.directory / "ground-truth.json").exists():
        parser.error(f"{args.directory} has no ground-truth.json")
    print(json.dumps(run(args.directory)))


if __name__ == "__main__":
    main()
