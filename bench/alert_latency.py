"""Alert latency: seconds from a directive's publication on a (local) official site to the delivered notification.

Starts the bundled demo sites and ``newswatch serve`` (default settings: official sources polled every
60 s) with a webhook notify URL (apprise ``json://``) pointing at a local receiver, waits for the first
crawl of every demo source, then publishes ``--n`` new directive pages on the demo government
e-newspaper at random moments and records when each notification arrives. Then it measures the CPU
cost of a poll that finds nothing new: in-process (``poll_source`` on an unchanged source, this
thread's CPU time) and, as an upper bound, the service process's CPU over an idle window divided by
the polls it made there (this includes the outbox loop and the web server idling).

Prints one JSON line. Run: ``.venv/bin/python bench/alert_latency.py [--n 5] [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newswatch.demo import start_demo_sites  # noqa: E402


class Receiver:
    """A webhook endpoint recording (arrival time, payload) of every POST."""

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
                receiver.received.append((time.time(), body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def arrival_of(self, needle: str) -> float | None:
        for at, body in self.received:
            try:
                data = json.loads(body)
                text = f"{data.get('title', '')} {data.get('message', '')}"
            except ValueError:
                text = body
            if needle in text:
                return at
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def directive(number: int) -> dict:
    return {
        "title": f"Thủ tướng ban hành Chỉ thị số {number}/CT-TTg về tăng tốc chuyển đổi số quốc gia",
        "lead": f"Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số {number}/CT-TTg về tăng tốc chuyển đổi số quốc gia.",
        "paragraphs": [
            f"Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số {number}/CT-TTg ngày {{date}} về tăng tốc chuyển đổi số "
            "quốc gia, phát triển chính phủ số, kinh tế số và xã hội số.",
            "Chỉ thị yêu cầu các bộ, ngành, địa phương hoàn thành các chỉ tiêu về dịch vụ công trực tuyến toàn trình, "
            "kết nối, chia sẻ dữ liệu giữa các cơ sở dữ liệu quốc gia và bảo đảm an toàn thông tin mạng.",
            "Bộ Khoa học và Công nghệ chủ trì theo dõi, đôn đốc việc thực hiện Chỉ thị, định kỳ hằng quý báo cáo "
            "Thủ tướng Chính phủ kết quả thực hiện.",
        ],
        "section": "Chính sách mới",
    }


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5, help="directive pages to publish (default 5)")
    parser.add_argument("--max-gap", type=float, default=40.0, help="longest random wait between publications (s)")
    parser.add_argument("--idle", type=float, default=60.0, help="idle window for the service CPU figure (s)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    work = Path(tempfile.mkdtemp(prefix="newswatch-bench-latency-"))
    config, data = work / "config", work / "data"
    config.mkdir()
    shutil.copy(ROOT / "config" / "rules.yaml", config / "rules.yaml")
    shutil.copy(ROOT / "config" / "newswatch.yaml", config / "newswatch.yaml")  # default settings: 60 s polls
    sites = start_demo_sites(work / "demo")
    shutil.copy(sites.sources_file, config / "sources.yaml")  # only the demo sources: no internet here
    receiver = Receiver()
    port = free_port()
    env = dict(os.environ, NEWSWATCH_CONFIG_DIR=str(config), NEWSWATCH_DATA_DIR=str(data),
               NEWSWATCH_NOTIFY_URLS=f"json://127.0.0.1:{receiver.port}/hook")
    for var in ("NEWSWATCH_STATE_URL", "NEWSWATCH_ES_URL", "NEWSWATCH_STORE"):
        env.pop(var, None)
    log = (work / "serve.log").open("w")
    serve = subprocess.Popen([sys.executable, "-m", "newswatch", "serve", "--port", str(port), "--log-json"],
                             env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    result: dict = {"bench": "alert_latency", "n": args.n, "poll_seconds": 60}
    try:
        deadline = time.time() + 60
        while True:
            try:
                get_json(f"{base}/healthz")
                break
            except OSError:
                if time.time() > deadline or serve.poll() is not None:
                    raise RuntimeError(f"newswatch serve did not start; see {work / 'serve.log'}") from None
                time.sleep(0.5)
        # Baseline: every demo source crawled once (its existing pages and alerts are not measured).
        started = time.time()
        while True:
            sources = get_json(f"{base}/api/sources")["sources"]
            pending = [s["name"] for s in sources if not s["last_crawl"] or s["last_crawl"]["status"] == "running"]
            if not pending:
                break
            if time.time() - started > 300:
                raise RuntimeError(f"first crawls did not finish: {pending}")
            time.sleep(2)
        result["first_crawls_s"] = round(time.time() - started, 1)
        time.sleep(rng.uniform(0, 60))  # don't start in phase with the 60 s polls

        published: dict[str, float] = {}
        first_number = rng.randint(300, 800)
        for i in range(args.n):
            number = f"{first_number + i}/CT-TTg"
            sites.publish("chinhphu", directive(first_number + i))
            published[number] = time.time()
            if i < args.n - 1:
                time.sleep(rng.uniform(5, args.max_gap))
        deadline = time.time() + 240
        while time.time() < deadline and any(receiver.arrival_of(n) is None for n in published):
            time.sleep(0.5)
        latencies = {n: (receiver.arrival_of(n) or float("nan")) - t for n, t in published.items()}
        delivered = [v for v in latencies.values() if v == v]
        result.update(delivered=len(delivered), missed=[n for n, v in latencies.items() if v != v],
                      latencies_s=[round(v, 1) for v in latencies.values()])
        if delivered:
            result.update(p50_s=round(statistics.median(delivered), 1), p95_s=round(percentile(delivered, 0.95), 1),
                          max_s=round(max(delivered), 1))

        # Idle: the service's CPU over a window with nothing new, per poll made in it (an upper bound).
        from newswatch.state import runs
        from newswatch.state.db import StateDB

        cpu0, t0 = process_cpu(serve.pid), time.time()
        time.sleep(args.idle)
        cpu1, t1 = process_cpu(serve.pid), time.time()
        db = StateDB(f"sqlite:///{data / 'state.db'}")
        window = (datetime.fromtimestamp(t0, UTC), datetime.fromtimestamp(t1, UTC))
        scheduled = runs.recent_runs(db, kind=("poll", "child"), limit=100_000)
        db.dispose()
        unchanged = [r for r in scheduled if r.kind == "poll" and r.status == "unchanged"]
        polls = sum(window[0] <= r.started_at <= window[1] for r in unchanged)
        poll_ms = [r.duration_s * 1000 for r in unchanged if r.duration_s is not None]
        crawls = sum(r.kind == "child" and window[0] <= r.started_at <= window[1] for r in scheduled)
        result.update(idle_window_s=round(t1 - t0, 1), idle_polls=polls, idle_crawls=crawls,
                      service_cpu_s_per_idle_poll=round((cpu1 - cpu0) / polls, 4) if polls else None,
                      idle_poll_ms_p50=round(statistics.median(poll_ms), 1) if poll_ms else None)
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(60)
        except subprocess.TimeoutExpired:
            serve.kill()
        log.close()

    # In-process: CPU of one poll of an unchanged source (this thread only; the demo server runs in others).
    from newswatch.crawl.poll import poll_source
    from newswatch.settings import load_settings
    from newswatch.sources import load_sources
    from newswatch.state.db import open_state

    settings = load_settings(config_dir=config, data_dir=data)
    db = open_state(settings.state_url)
    source = next(s for s in load_sources(config / "sources.yaml") if s.name == "demo-chinhphu")
    poll_source(source, db)
    cpu_before = time.thread_time()
    unchanged = sum(not poll_source(source, db).changed for _ in range(20))
    result["cpu_s_per_idle_poll"] = round((time.thread_time() - cpu_before) / 20, 5)
    result["in_process_polls_unchanged"] = unchanged
    sites.stop()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        result["work_dir"] = str(work)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
