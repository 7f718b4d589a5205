"""Benchmark: the Văn bản pages on a large register; one JSON line.

    .venv/bin/python bench/documents_pages.py [--documents 2000] [--mentions 300] [--repeat 20]

Stores, in an embedded store in a temporary folder, one press article per document (a Quyết định,
Chỉ thị or Nghị định reported as issued on a day of 2026, in several months) and ``--mentions`` articles
citing one of them; the register derives its records from those writes. Then serves the app (FastAPI's
TestClient, no network) and times, ``--repeat`` times each, the list unfiltered, filtered by type and
status, by words of the trích yếu, its last page, the page of the document with ``--mentions`` mentions,
and an article page (whose numbers are looked up in the register). Prints p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newswatch.models import Article  # noqa: E402
from newswatch.settings import PROJECT_ROOT, load_settings  # noqa: E402
from newswatch.store import open_store  # noqa: E402
from newswatch.text.enrich import enrich_article  # noqa: E402

KINDS = (("Quyết định", "{i}/QĐ-TTg"), ("Chỉ thị", "{i}/CT-TTg"), ("Nghị định", "{i}/2026/NĐ-CP"))
SUBJECTS = ("phê duyệt Đề án chuyển đổi số ngành", "về tăng cường an toàn thông tin mạng",
            "quy định chi tiết về dữ liệu số", "về đẩy mạnh phát triển kinh tế số")


def articles(documents: int, mentions: int) -> list[Article]:
    out = []
    base = datetime(2026, 12, 1, 2, tzinfo=UTC)
    for i in range(1, documents + 1):
        type_name, pattern = KINDS[i % len(KINDS)]
        number = pattern.format(i=i)
        day = base - timedelta(days=i % 300)
        subject = SUBJECTS[i % len(SUBJECTS)]
        out.append(Article(
            url=f"https://bao{i % 7}.example.vn/van-ban-{i}.htm", title=f"Ban hành {type_name} {number} {subject}",
            text=(f"Thủ tướng Chính phủ vừa ký {type_name} số {number} ngày {day:%d/%m/%Y} {subject} số {i}.\n\n"
                  "Văn bản yêu cầu các bộ, ngành, địa phương triển khai ngay."),
            source=f"bao{i % 7}", published=day + timedelta(hours=1)))
    busy = KINDS[1][1].format(i=1)
    day = base - timedelta(days=1)
    for j in range(mentions):
        out.append(Article(
            url=f"https://dia-phuong{j % 20}.example.vn/trien-khai-{j}.htm", title=f"Địa phương {j} triển khai văn bản",
            text=(f"Thực hiện Chỉ thị số {busy} ngày {day:%d/%m/%Y} của Thủ tướng Chính phủ, tỉnh ban hành kế hoạch "
                  f"số {j}.\n\nCác sở, ngành phối hợp thực hiện."),
            source=f"dia-phuong{j % 20}", published=day + timedelta(hours=2, minutes=j)))
    for article in out:
        enrich_article(article)
    return out


def timed(client, path: str, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--mentions", type=int, default=300, help="citations of one document")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from newswatch.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        settings = load_settings(config_dir=PROJECT_ROOT / "config", data_dir=data_dir)
        batch = articles(args.documents, args.mentions)
        store = open_store(settings)
        started = time.perf_counter()
        store.put_many(batch)
        stored_s = time.perf_counter() - started
        records = store.documents.count()
        busy = store.documents.get(KINDS[1][1].format(i=1))
        article_id = batch[-1].id
        store.close()
        assert busy is not None
        last_page = -(-records // 25)
        with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
            result = {
                "benchmark": "documents_pages", "records": records, "busy_mentions": len(busy.mentions),
                "store_s": round(stored_s, 1),
                "list": timed(client, "/documents", args.repeat),
                "list_type_status": timed(client, "/documents?doc_type=QĐ&status=reported", args.repeat),
                "list_words": timed(client, "/documents?q=an+toan+thong+tin", args.repeat),
                "list_last_page": timed(client, f"/documents?page={last_page}", args.repeat),
                "document": timed(client, f"/documents/{busy.key}", args.repeat),
                "article": timed(client, f"/articles/{article_id}", args.repeat),
            }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
