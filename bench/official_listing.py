"""Official listings: the cost of reading listing rows and document pages, and of an incremental re-crawl.

Parsing: a vanban.chinhphu.vn-style GridView page of 50 rows and a ministry table page of 50 rows
(the demo layouts), each parsed ``--repeat`` times (rows/s), and a document page's "thuộc tính"
table merged into an entry (pages/s). Crawl: a loopback ministry site of ``--rows`` documents over
pages of 50 (every second one with its own page, each with a PDF) crawled twice with
``newswatch crawl``: the first run's wall time and requests, and the second run's requests (only the
first listing page, conditionally).

Prints one JSON line. Run: ``.venv/bin/python bench/official_listing.py [--repeat 200] [--rows 200]
[--no-attachments]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from crawlers.official import merge_detail, parse_listing  # noqa: E402
from newswatch.demo.official import (  # noqa: E402
    DemoDocument,
    detail_page,
    gridview_listing,
    serve_documents,
    table_listing,
)
from newswatch.demo.server import SiteServer  # noqa: E402
from newswatch.sources import OfficialListing  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TYPES = [("QĐ-TTg", "Quyết định", "Thủ tướng Chính phủ"), ("CT-TTg", "Chỉ thị", "Thủ tướng Chính phủ"),
         ("TB-VPCP", "Thông báo", "Văn phòng Chính phủ"), ("BKHCN-CĐS", "Công văn", "Bộ Khoa học và Công nghệ")]


def documents(n: int) -> list[DemoDocument]:
    docs = []
    for i in range(n):
        suffix, kind, issuer = TYPES[i % len(TYPES)]
        docs.append(DemoDocument(
            f"{1000 + i}/{suffix}", f"{1 + i % 28:02d}/{1 + i % 12:02d}/2026",
            f"Về việc triển khai nhiệm vụ chuyển đổi số số {i} trong các cơ quan nhà nước", doc_type=kind,
            issuer=issuer, signer="Nguyễn Văn An", slug=f"van-ban-{i}" if i % 2 == 0 else "",
            files=[f"/files/{i}.pdf"], body=[f"Noi dung van ban so {i}."], row_signer=i % 2 == 1))
    return docs


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def parse_figures(repeat: int) -> dict[str, float]:
    docs = documents(50)
    grid, table = gridview_listing(docs), table_listing(docs)
    out = {}
    for name, html, layout in (("gridview", grid, "vanban_chinhphu"), ("table", table, "table")):
        config = OfficialListing(layout=layout)
        started = time.perf_counter()
        for _ in range(repeat):
            page = parse_listing(html, "https://example.vn/van-ban", config, "bench", TZ)
        out[f"{name}_rows_per_s"] = rate(repeat * len(page.entries), time.perf_counter() - started)
    config = OfficialListing(layout="table")
    entry = parse_listing(table, "https://example.vn/van-ban", config, "bench", TZ).entries[0]
    detail = detail_page(docs[0])
    started = time.perf_counter()
    for _ in range(repeat):
        merge_detail(entry, detail, "https://example.vn/van-ban/van-ban-0.htm", config, TZ)
    out["detail_pages_per_s"] = rate(repeat, time.perf_counter() - started)
    return out


def crawl(sources: Path, data: Path) -> tuple[dict, float]:
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(ROOT / "config"), "NEWSWATCH_EXTRACT_WORKERS": "1"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources), "--data-dir",
                           str(data), "--json", "--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=false"],
                          capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    line = [x for x in proc.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line), seconds


def crawl_figures(rows: int, attachments: bool) -> dict[str, float | int]:
    docs = documents(rows)
    pages = [docs[i:i + 50] for i in range(0, rows, 50)]
    with SiteServer() as site, tempfile.TemporaryDirectory() as tmp:
        for n, page in enumerate(pages, start=1):
            path = "/van-ban" if n == 1 else f"/van-ban/trang-{n}"
            next_page = f"/van-ban/trang-{n + 1}" if n < len(pages) else None
            site.add(path, table_listing(page, next_page=next_page))
        serve_documents(site, docs)
        sources = Path(tmp) / "sources.yaml"
        sources.write_text(yaml.safe_dump({"sources": [{
            "name": "bench-vanban", "kind": "official_listing", "tier": "ministry", "listings": [site.url("/van-ban")],
            "listing_depth": len(pages), "official": {"layout": "table"}, "attachments": attachments}]}, allow_unicode=True), encoding="utf-8")
        first, first_s = crawl(sources, Path(tmp) / "data")
        first_requests = len(site.log)
        site.clear_log()
        second, second_s = crawl(sources, Path(tmp) / "data")
        return {"rows": rows, "attachments": attachments, "first_run_s": round(first_s, 2),
                "first_run_articles": first["totals"]["articles_new"], "first_run_requests": first_requests,
                "second_run_s": round(second_s, 2), "second_run_requests": len(site.log),
                "second_run_articles": second["totals"]["articles_new"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--no-attachments", action="store_true", help="crawl without downloading the PDFs")
    args = parser.parse_args()
    result = {"bench": "official_listing", **parse_figures(args.repeat),
              **crawl_figures(args.rows, not args.no_attachments)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
