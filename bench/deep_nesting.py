"""Deep-nesting benchmark: CPU to extract one article wrapped in N nested wrappers.

Usage: ``python bench/deep_nesting.py [--depths 0,1000,10000,50000] [--repeat 5]``. The article is the
``vnexpress-style`` fixture page; its ``<body>`` content is wrapped in N nested ``div``/``section``
elements. Prints one JSON line: per depth the median CPU ms of ``extract_article``, whether the
article came out whole (its paragraphs as on the flat page) and how many wrapper tags were flattened.
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

from newswatch.extract import extract_article  # noqa: E402

PAGE = ROOT / "tests" / "fixtures" / "pages" / "vnexpress-style.html"
URL = "https://vnexpress.example.net/doanh-nghiep-phai-xac-thuc-thue-bao-truoc-15-4-4720000.html"


def nested(html: str, depth: int) -> str:
    start, end = html.index("<body>") + len("<body>"), html.index("</body>")
    opening = "".join("<section>" if i % 3 == 0 else f"<div class='w{i % 7}'>" for i in range(depth))
    closing = "".join("</section>" if i % 3 == 0 else "</div>" for i in reversed(range(depth)))
    return html[:start] + opening + html[start:end] + closing + html[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="0,1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    html = PAGE.read_text(encoding="utf-8")
    flat = extract_article(html, URL).text
    result = {}
    for depth in (int(d) for d in args.depths.split(",")):
        page = nested(html, depth)
        times, article = [], None
        for _ in range(args.repeat):
            start = time.process_time()
            article = extract_article(page, URL)
            times.append(1000 * (time.process_time() - start))
        result[str(depth)] = {"cpu_ms": round(statistics.median(times), 2), "article_whole": article.text == flat,
                              "flattened_wrappers": article.extraction.get("flattened_wrappers", 0)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
