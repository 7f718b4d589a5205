"""Benchmark: rule evaluation per stored article, and outbox delivery to a local webhook; one JSON line.

    .venv/bin/python bench/monitor_alerts.py --n 2000

Articles are Vietnamese news items built from templates: a tenth report a newly issued directive
(half on digital transformation), the rest cite old documents or carry none. They go through the
real document-number finder and topic tagger first (not timed), then ``Monitor.on_article`` with the
shipped rules against a fresh SQLite state DB (timed: ``evaluate_articles_per_s``,
``evaluate_p95_ms``). Then ``deliver_pending`` sends the alerts' notifications to a webhook receiver
on 127.0.0.1 (``deliver_per_s``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import store
from monitor.delivery import deliver_pending
from monitor.engine import Monitor
from newswatch.models import Article
from newswatch.settings import PROJECT_ROOT, load_settings
from newswatch.text.docnumbers import find_doc_numbers
from newswatch.text.topics import tag_topics

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NEW = ("Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số {n}/CT-TTg ngày {d}/11/2026 về {topic}.",
       "Chính phủ ban hành Nghị quyết số {n}/NQ-CP ngày {d}/11/2026 về {topic}.")
TOPICS = ("đẩy mạnh chuyển đổi số, phát triển Chính phủ số", "phòng, chống thiên tai và mưa lũ")
OLD = ("Theo Nghị định số 47/2020/NĐ-CP, các bộ phải kết nối dữ liệu. Hội nghị đánh giá kết quả thực hiện "
       "Quyết định 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia.",
       "Năm 2020, Thủ tướng đã ban hành Quyết định 749/QĐ-TTg. Đến nay nhiều mục tiêu đã hoàn thành.",
       "Sở cho biết 95% hồ sơ thủ tục hành chính được xử lý trực tuyến trong năm nay.")
FILLER = "Các bộ, ngành, địa phương được giao nhiệm vụ cụ thể, báo cáo kết quả trước ngày 15/12. "


def build(n: int) -> list[Article]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        if i % 10 == 0:
            body = rng.choice(NEW).format(n=100 + i, d=rng.randint(1, 20), topic=TOPICS[(i // 10) % 2])
        else:
            body = rng.choice(OLD)
        text = body + "\n\n" + FILLER * rng.randint(2, 8)
        article = Article(url=f"https://bench.example.vn/{i}.htm", title=f"Tin {i}", text=text,
                          source=f"s{i % 7}", published=datetime(2026, 11, 21, 8, 0, tzinfo=TZ))
        article.doc_numbers = find_doc_numbers(text)
        article.topics = tag_topics(text, title=article.title)
        article.cluster_id = f"c{i}"
        article.store_outcome = "new"
        out.append(article)
    return out


def receiver() -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(self.headers.get("Idempotency-Key", ""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    articles = build(args.n)
    server, seen = receiver()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.mkdir()
        for name in ("sources.yaml", "rules.yaml"):
            (config / name).write_text((PROJECT_ROOT / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
        (config / "newswatch.yaml").write_text("quiet_hours: null\n", encoding="utf-8")
        url = f"json://127.0.0.1:{server.server_address[1]}/hook"
        settings = load_settings(config_dir=config, data_dir=Path(tmp) / "data", env={"NEWSWATCH_NOTIFY_URLS": url})
        monitor = Monitor(settings)
        times = []
        start = time.perf_counter()
        alerts = 0
        for article in articles:
            t = time.perf_counter()
            alerts += len(monitor.on_article(article))
            times.append((time.perf_counter() - t) * 1000)
        elapsed = time.perf_counter() - start
        t = time.perf_counter()
        counts = deliver_pending(settings, limit=100000)
        deliver_s = time.perf_counter() - t
        sent_rows = len(store.outbox_status(monitor.db, status="sent"))
    server.shutdown()
    print(json.dumps({
        "bench": "monitor_alerts", "articles": args.n, "alerts": alerts,
        "evaluate_articles_per_s": round(args.n / elapsed, 1),
        "evaluate_p50_ms": round(statistics.median(times), 2),
        "evaluate_p95_ms": round(statistics.quantiles(times, n=20)[18], 2),
        "delivered": counts["sent"], "deliver_per_s": round(counts["sent"] / deliver_s, 1) if deliver_s else None,
        "receiver_unique_keys": len(set(seen)), "receiver_requests": len(seen), "sent_rows": sent_rows,
    }))


if __name__ == "__main__":
    main()
