"""Crawl benchmark: fetch ceiling, extraction ceiling, end-to-end ``newswatch crawl``, recrawl, peak memory.

Usage::

    .venv/bin/python bench/crawl.py [--articles 2000] [--js-pages 5] [--extract-sample 0] [--keep DIR]

A loopback :class:`~newswatch.demo.server.SiteServer` (in this process) serves N synthetic Vietnamese
article pages in the demo sites' page styles (:mod:`newswatch.demo.sites`) with unique bodies, plus a
robots.txt whose ``Sitemap:`` line points at a sitemap index (urlsets of 500 URLs with lastmod), a Google
News sitemap and an RSS feed of the newest 50, and a paginated listing. Then it measures, in order:

1. ``fetch_ceiling_pages_s`` — Scrapy alone (child process, no extraction, no pipelines, no robots.txt,
   32 requests in flight, no AutoThrottle) fetching the N article URLs; and the same fetch with the
   project's politeness settings (``crawlers.settings``: 4 per domain, AutoThrottle) for comparison;
2. ``extract_ceiling_pages_s`` — :func:`newswatch.extract.extract_article` on the same bodies, in this
   process, one core;
3. ``end_to_end_articles_s`` — ``newswatch crawl --sources FILE --data-dir DIR --json`` in a child process
   on a fresh data directory (the real path: discovery, process pool, all five pipelines, SQLite store,
   monitor, crawl state, run record); articles stored / wall-clock seconds of the child;
4. ``recrawl_s`` — the same command again (incremental): its duration and how many article pages the
   server saw requested again (``recrawl_articles_fetched``, expected 0);
5. ``peak_rss_mb_with_js`` — a crawl of a fresh data directory with the same source plus a
   ``render_js: true`` source of ``--js-pages`` pages whose body only exists after JavaScript ran
   (the browser of :func:`crawlers.settings.render_browser`: ``NEWSWATCH_CHROMIUM``, else Debian's headless shell,
   else Debian's Chromium).

Memory is sampled from ``/proc`` every 0.2 s over the crawl child and all its descendants (extraction
workers, forkserver, Chromium and its helpers): ``peak_rss_mb`` is the peak of the summed ``VmRSS``
(counts pages shared between processes once per process, so it over-states), ``peak_pss_mb`` the peak of
the summed ``Pss`` from ``smaps_rollup`` (shared pages divided among their users: the tree's real
footprint). ``peak_pss_by_process_mb`` splits the PSS peak by kind of process at that moment (crawl main
process, extraction worker, forkserver, resource tracker, Playwright's Node.js driver, each kind of Chromium
process). ``ru_maxrss_children_mb`` is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest
single descendant process so far.

CPU time is read from ``/proc/PID/stat`` of the same process tree (``end_to_end_cpu_ms_per_article``, split
into the crawl's main process — Scrapy, spider, pipelines — and its extraction workers), and this
process's own CPU time during the crawl is the site server's (``site_server_cpu_ms_per_article``).
``cpu_bound_limit_articles_s`` = cores x articles / (crawl + server CPU seconds): what the crawl could do
on otherwise idle cores. Wall-clock figures depend on what else runs on the machine; the load average
is reported with them. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newswatch.demo.server import SiteServer  # noqa: E402
from newswatch.demo.sites import VN, _Published, _render_article, slugify  # noqa: E402
from newswatch.demo.stories import DemoStory  # noqa: E402

STYLES = ("chinhphu", "phapluat", "truyenhinh", "laodong", "bokhcn")
ARTICLE_PATTERN = r"/tin/[a-z0-9-]+-\d{6}\.htm$"
SITEMAP_SIZE = 500
LISTING_SIZE = 20
FEED_SIZE = 50

SUBJECTS = ["Bộ Khoa học và Công nghệ", "Ủy ban nhân dân thành phố Hà Nội", "Văn phòng Chính phủ", "Bộ Tài chính",
            "Sở Thông tin và Truyền thông", "Ủy ban nhân dân tỉnh Thanh Hóa", "Bộ Nội vụ", "Ngân hàng Nhà nước",
            "Bộ Y tế", "Hiệp hội Phần mềm và Dịch vụ công nghệ thông tin", "Bộ Giáo dục và Đào tạo",
            "Tổng cục Thống kê", "Bộ Công Thương", "Bộ Nông nghiệp và Môi trường", "Ủy ban nhân dân tỉnh Nghệ An",
            "Thành phố Hồ Chí Minh", "Bộ Giao thông vận tải", "Bộ Xây dựng", "Kiểm toán Nhà nước", "Bộ Tư pháp"]
VERBS = ["đã tổ chức hội nghị triển khai", "vừa ban hành kế hoạch về", "đang khẩn trương hoàn thiện đề án",
         "báo cáo kết quả thực hiện", "kiến nghị tháo gỡ vướng mắc trong", "đề xuất bổ sung nguồn lực cho",
         "phối hợp kiểm tra tiến độ", "công bố số liệu mới nhất về", "lấy ý kiến rộng rãi về dự thảo",
         "tổng kết một năm thực hiện", "giao chỉ tiêu cụ thể cho các đơn vị về", "đánh giá cao nỗ lực trong"]
OBJECTS = ["dịch vụ công trực tuyến toàn trình", "cơ sở dữ liệu quốc gia về dân cư", "hạ tầng số ở vùng sâu vùng xa",
           "đào tạo nhân lực công nghệ thông tin", "an toàn thông tin mạng", "kinh tế số trong nông nghiệp",
           "thanh toán không dùng tiền mặt", "hồ sơ sức khỏe điện tử", "học bạ số", "chữ ký số cho người dân",
           "giải ngân vốn đầu tư công", "cải cách thủ tục hành chính", "phát triển nhà ở xã hội",
           "chuyển đổi năng lượng xanh", "xuất khẩu nông sản", "bảo vệ môi trường lưu vực sông"]
TAILS = ["với {n} nhiệm vụ cụ thể và mốc hoàn thành trước ngày {d} tháng {m} năm {y}",
         "nhằm bảo đảm tiến độ đã đề ra, trong đó {n} đơn vị được nêu tên cụ thể",
         "sau khi rà soát {n} hồ sơ tồn đọng từ các năm trước",
         "theo báo cáo gửi Thủ tướng Chính phủ ngày {d} tháng {m}",
         "với tổng kinh phí dự kiến khoảng {n} tỷ đồng từ ngân sách và nguồn xã hội hóa"]
TITLE_HEADS = ["Đẩy mạnh", "Tháo gỡ vướng mắc về", "Hoàn thiện cơ chế cho", "Kiểm tra tiến độ", "Tăng tốc",
               "Nâng cao hiệu quả", "Rà soát toàn diện", "Thí điểm mô hình mới về"]


def make_story(i: int, when: datetime) -> DemoStory:
    """One synthetic article: a unique title and 6-9 paragraphs of plausible, distinct Vietnamese news text."""
    rng = random.Random(i)
    subject = rng.choice(SUBJECTS)
    title = f"{subject}: {rng.choice(TITLE_HEADS).lower()} {rng.choice(OBJECTS)} ({i})"
    paragraphs = []
    for _ in range(rng.randint(6, 9)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            tail = rng.choice(TAILS).format(n=rng.randint(3, 97), d=rng.randint(1, 28), m=rng.randint(1, 12),
                                            y=rng.randint(2026, 2030))
            sentences.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, {tail}.")
        paragraphs.append(" ".join(sentences))
    lead = f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)} trong bối cảnh nhiều địa phương còn chậm triển khai."
    return DemoStory(site=STYLES[i % len(STYLES)], title=title, lead=lead, paragraphs=paragraphs,
                     author=rng.choice(["Minh Anh", "Thu Hà", "Quang Huy", "Lan Phương", None]), published=when)


def build_site(server: SiteServer, n: int, now: datetime) -> list[str]:
    """Serve ``n`` articles plus robots.txt, sitemap index, Google News sitemap, RSS and listings; return article URLs."""
    from newswatch.demo.sites import _e

    base = server.base_url
    items: list[_Published] = []
    for i in range(n):  # newest first
        when = (now - timedelta(minutes=7 * i)).astimezone(VN)
        story = make_story(i, when)
        path = f"/tin/{slugify(story.title)[:60].strip('-')}-{100000 + i}.htm"
        items.append(_Published(story, path, base + path))
    for i, item in enumerate(items):
        related = [items[j] for j in range(i + 1, min(i + 4, n))]
        server.add(item.path, _render_article(item.story.site, item.story, item.url, related),
                   modified=item.story.published)
    chunks = [items[k:k + SITEMAP_SIZE] for k in range(0, n, SITEMAP_SIZE)]
    index = ""
    for number, chunk in enumerate(chunks, start=1):
        urls = "".join(f"<url><loc>{_e(p.url)}</loc><lastmod>{p.story.published.isoformat()}</lastmod></url>"  # type: ignore[union-attr]
                       for p in chunk)
        server.add(f"/sitemaps/articles-{number}.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                   f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', "application/xml")
        index += f"<sitemap><loc>{base}/sitemaps/articles-{number}.xml</loc></sitemap>"
    latest = items[:FEED_SIZE]
    news = "".join(
        f"<url><loc>{_e(p.url)}</loc><news:news><news:publication><news:name>Bench</news:name><news:language>vi"
        f"</news:language></news:publication><news:publication_date>{p.story.published.isoformat()}"  # type: ignore[union-attr]
        f"</news:publication_date><news:title>{_e(p.story.title)}</news:title></news:news></url>" for p in latest)
    server.add("/sitemaps/google-news.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps'
               f'.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{news}</urlset>',
               "application/xml")
    index += f"<sitemap><loc>{base}/sitemaps/google-news.xml</loc></sitemap>"
    server.add("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns='
               f'"http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>', "application/xml")
    server.add("/robots.txt", f"User-agent: *\nDisallow: /admin/\n\nSitemap: {base}/sitemap.xml\n", "text/plain")
    rss_items = "".join(
        f"<item><title>{_e(p.story.title)}</title><link>{_e(p.url)}?utm_source=rss</link><guid>{_e(p.url)}</guid>"
        f"<pubDate>{format_datetime(p.story.published.astimezone(UTC), usegmt=True)}</pubDate></item>"  # type: ignore[union-attr]
        for p in latest)
    server.add("/rss/home.rss", f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench'
               f"</title><link>{base}/</link><description>Tin mới</description>{rss_items}</channel></rss>",
               "application/rss+xml; charset=utf-8")
    pages = [items[k:k + LISTING_SIZE] for k in range(0, min(n, LISTING_SIZE * 5), LISTING_SIZE)]
    for number, page in enumerate(pages, start=1):
        entries = "".join(f'<div class="list_news"><h2><a href="{_e(p.path)}">{_e(p.story.title)}</a></h2>'
                          f'<p class="sapo">{_e(p.story.lead)}</p></div>' for p in page)
        nxt = f'<a rel="next" href="/thoi-su/trang-{number + 1}">{number + 1}</a>' if number < len(pages) else ""
        server.add("/thoi-su" if number == 1 else f"/thoi-su/trang-{number}",
                   f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thời sự - trang {number}</title>'
                   f"</head><body><main><h1>Thời sự</h1>{entries}<div class=\"paging\">{nxt}</div></main></body></html>")
    return [p.url for p in items]


def build_js_site(server: SiteServer, count: int, now: datetime) -> None:
    """``count`` pages whose body is written by JavaScript (the demo's ``congtinh`` style) and their RSS feed."""
    from newswatch.demo.sites import _e

    items = []
    for i in range(count):
        when = (now - timedelta(hours=i)).astimezone(VN)
        story = make_story(900000 + i, when)
        story.site = "congtinh"
        path = f"/tin-tuc/{slugify(story.title)[:60].strip('-')}-{2000 + i}.html"
        server.add(path, _render_article("congtinh", story, server.url(path), []), modified=when)
        items.append((path, story))
    rss_items = "".join(f"<item><title>{_e(s.title)}</title><link>{server.url(p)}</link>"
                        f"<pubDate>{format_datetime(s.published.astimezone(UTC), usegmt=True)}</pubDate></item>"  # type: ignore[union-attr]
                        for p, s in items)
    server.add("/rss/tin-tuc.rss", f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>JS'
               f"</title><link>{server.base_url}/</link><description>x</description>{rss_items}</channel></rss>",
               "application/rss+xml; charset=utf-8")
    server.add("/robots.txt", "User-agent: *\nDisallow: /admin/\n", "text/plain")


# --- memory -------------------------------------------------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        out.setdefault(ppid, []).append(int(name))
    return out


def _tree(pid: int) -> list[int]:
    children = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (fields 14 and 15 of /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _kb(path: str, key: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def process_kind(pid: int, root: int) -> str:
    """What a process of the crawl's tree is, from its command line: the key of the per-process breakdown."""
    if pid == root:
        return "crawl main process"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            # NUL-separated, except Chromium's helpers: they rewrite theirs as one space-separated string
            args = fh.read().decode("utf-8", "replace").replace("\0", " ").split()
    except OSError:
        return "other"
    program = Path(args[0]).name if args else ""
    if "chrom" in program:
        kind = next((arg.removeprefix("--type=") for arg in args if arg.startswith("--type=")), "browser")
        service = next((arg.rsplit(".", 1)[-1] for arg in args if arg.startswith("--utility-sub-type=")), "")
        return f"chromium {kind} {service}".rstrip()
    if program == "node":
        return "playwright driver (node)"
    joined = " ".join(args)
    if "resource_tracker" in joined:
        return "resource tracker"
    if "forkserver" in joined:
        return "forkserver" if _parent(pid) == root else "extraction worker"
    return "other"


class TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process and all its descendants from /proc until stopped.

    It also keeps the last CPU time seen of every process of the tree (``cpu_s``: the tree's CPU seconds,
    less what a process spent after the last sample before it ended) and of the root alone (``main_cpu_s``),
    and the PSS of each kind of process at the moment of the peak (``peak_pss_by_kind_kb``).
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = self.peak_pss_kb = self.peak_procs = 0
        self.ticks: dict[int, int] = {}
        self.peak_pss_by_kind_kb: dict[str, int] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = _tree(self.pid)
            rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
            per_process = {p: _kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids}
            pss = sum(per_process.values())
            for p in pids:
                self.ticks[p] = max(self.ticks.get(p, 0), _cpu_ticks(p))
            if pss > self.peak_pss_kb:
                self.peak_pss_by_kind_kb = {}
                for p, kb in per_process.items():
                    kind = process_kind(p, self.pid)
                    self.peak_pss_by_kind_kb[kind] = self.peak_pss_by_kind_kb.get(kind, 0) + kb
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_procs = max(self.peak_procs, len(pids))
            self._stop_event.wait(self.interval)

    @property
    def cpu_s(self) -> float:
        return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")

    @property
    def main_cpu_s(self) -> float:
        return self.ticks.get(self.pid, 0) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def ru_maxrss_children_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


# --- the measurements ---------------------------------------------------------------------------------------

def run_child(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[subprocess.CompletedProcess[str], float,
                                                                          TreeMemory]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    memory = TreeMemory(proc.pid)
    memory.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        memory.stop()
    elapsed = time.perf_counter() - started
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), elapsed, memory


def fetch_ceiling(urls: list[str], workdir: Path, *, project_settings: bool) -> dict[str, Any]:
    """Scrapy alone over the article URLs in a child process (this file's ``--fetch-child`` mode)."""
    url_file = workdir / "urls.txt"
    url_file.write_text("\n".join(urls), encoding="utf-8")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--fetch-child", str(url_file)]
    if project_settings:
        cmd.append("--project-settings")
    proc, elapsed, _ = run_child(cmd, dict(os.environ), timeout=600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"fetch child failed: {proc.stderr[-3000:]}")
    result = json.loads(lines[-1])
    result["wall_s"] = round(elapsed, 2)
    return result


def fetch_child(url_file: str, project_settings: bool) -> None:
    """Child: fetch every URL with Scrapy, parse nothing, print pages and seconds as JSON."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = Path(url_file).read_text(encoding="utf-8").split()
    counts = {"pages": 0, "bytes": 0, "first": 0.0, "last": 0.0}

    class FetchOnly(scrapy.Spider):
        name = "fetch_only"

        async def start(self):  # type: ignore[no-untyped-def]
            counts["first"] = time.perf_counter()
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response):  # type: ignore[no-untyped-def]
            counts["pages"] += 1
            counts["bytes"] += len(response.body)
            counts["last"] = time.perf_counter()

    if project_settings:
        from newswatch.crawl.runner import scrapy_settings

        settings = scrapy_settings(log_level="WARNING")
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("EXTENSIONS", {}, priority="cmdline")
        settings.set("DOWNLOADER_MIDDLEWARES", {}, priority="cmdline")
        settings.set("ROBOTSTXT_OBEY", False, priority="cmdline")
    else:
        settings = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 32,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                    "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False, "RETRY_ENABLED": False}
    process = CrawlerProcess(settings)
    process.crawl(FetchOnly)
    process.start()
    seconds = max(counts["last"] - counts["first"], 1e-9)
    print(json.dumps({"pages": counts["pages"], "seconds": round(seconds, 3),
                      "pages_s": round(counts["pages"] / seconds, 1),
                      "mean_kb": round(counts["bytes"] / max(counts["pages"], 1) / 1024, 1)}))


def extract_ceiling(server: SiteServer, urls: list[str], sample: int) -> dict[str, Any]:
    """``newswatch.extract.extract_article`` on the served bodies, in this process (one core)."""
    import statistics

    from newswatch.extract import extract_article

    chosen = urls if not sample or sample >= len(urls) else urls[:: max(1, len(urls) // sample)][:sample]
    bodies = [(url, server.pages[url[len(server.base_url):]].body) for url in chosen]
    extract_article(bodies[0][1], bodies[0][0])  # warm-up: imports, htmldate
    times = []
    failures = 0
    started = time.perf_counter()
    for url, body in bodies:
        t0 = time.perf_counter()
        try:
            extract_article(body, url, source="bench")
        except Exception:
            failures += 1
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    times.sort()
    return {"pages": len(bodies), "pages_s": round(len(bodies) / total, 1),
            "ms_median": round(statistics.median(times) * 1000, 2),
            "ms_p95": round(times[int(0.95 * (len(times) - 1))] * 1000, 2),
            "ms_mean": round(total / len(bodies) * 1000, 2), "failures": failures}


def write_sources(path: Path, sources: list[dict[str, Any]]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def crawl(sources_file: Path, data_dir: Path, extra: list[str], timeout: float) -> dict[str, Any]:
    """``newswatch crawl --json`` in a child process, with its wall time and the memory of its process tree."""
    cmd = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources_file), "--data-dir", str(data_dir),
           "--json", *extra]
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(ROOT / "config")}
    env.pop("NEWSWATCH_STATE_URL", None)
    server_cpu = time.process_time()
    proc, elapsed, memory = run_child(cmd, env, timeout)
    server_cpu = time.process_time() - server_cpu  # this process: the loopback site server and the sampler
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"crawl failed (rc={proc.returncode}): {proc.stderr[-4000:]}")
    summary = json.loads(lines[-1])
    return {"summary": summary, "wall_s": elapsed, "peak_rss_mb": round(memory.peak_rss_kb / 1024, 1),
            "peak_pss_mb": round(memory.peak_pss_kb / 1024, 1), "peak_processes": memory.peak_procs,
            "peak_pss_by_process_mb": {kind: round(kb / 1024, 1) for kind, kb in
                                       sorted(memory.peak_pss_by_kind_kb.items(), key=lambda item: -item[1])},
            "cpu_s": round(memory.cpu_s, 2), "main_cpu_s": round(memory.main_cpu_s, 2),
            "server_cpu_s": round(server_cpu, 2),
            "returncode": proc.returncode, "stderr_tail": proc.stderr[-2000:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--js-pages", type=int, default=5, help="JS-only pages of the render_js source (0: skip)")
    parser.add_argument("--extract-sample", type=int, default=0, help="extract only this many pages (0: all)")
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="Scrapy setting for the end-to-end crawls (passed to newswatch crawl --set)")
    parser.add_argument("--politeness", type=json.loads, default=None,
                        help='politeness overrides of the bench source as JSON, e.g. \'{"concurrency": 8}\'')
    parser.add_argument("--fetch-child", help=argparse.SUPPRESS)
    parser.add_argument("--project-settings", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fetch_child:
        fetch_child(args.fetch_child, args.project_settings)
        return

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newswatch-bench-crawl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    server = SiteServer().start()
    js_server = SiteServer().start()
    try:
        t0 = time.perf_counter()
        urls = build_site(server, args.articles, now)
        build_s = time.perf_counter() - t0
        extra = [arg for pair in args.overrides for arg in ("--set", pair)]
        source: dict[str, Any] = {
            "name": "bench", "feeds": [server.url("/rss/home.rss")], "sitemaps": [server.url("/robots.txt")],
            "listings": [server.url("/thoi-su")], "listing_depth": 2, "article_pattern": ARTICLE_PATTERN}
        if args.politeness:
            source["politeness"] = args.politeness
        sources_file = write_sources(workdir / "sources.yaml", [source])

        fetch = fetch_ceiling(urls, workdir, project_settings=False)
        fetch_polite = fetch_ceiling(urls, workdir, project_settings=True)
        extraction = extract_ceiling(server, urls, args.extract_sample)

        server.clear_log()
        load_before = os.getloadavg()[0]
        first = crawl(sources_file, workdir / "data", extra, timeout=1800)
        first_article_gets = len([r for r in server.requests_for("/tin/") if r.status == 200])
        stored = first["summary"]["totals"]["articles_new"]
        ru_after_first = ru_maxrss_children_mb()

        server.clear_log()
        load_after_first = os.getloadavg()[0]
        second = crawl(sources_file, workdir / "data", extra, timeout=600)
        refetched = len(server.requests_for("/tin/"))
        entry_statuses = [f"{r.path} {r.status}" for r in server.log if not r.path.startswith("/tin/")]

        js: dict[str, Any] | None = None
        if args.js_pages > 0:
            from crawlers.settings import render_browser

            build_js_site(js_server, args.js_pages, now)
            js_sources = write_sources(workdir / "sources-js.yaml", [source, {
                "name": "bench-js", "feeds": [js_server.url("/rss/tin-tuc.rss")], "render_js": True,
                "article_pattern": r"/tin-tuc/.+-\d+\.html$"}])
            js = crawl(js_sources, workdir / "data-js", extra, timeout=1800)
            js["chromium"] = render_browser()
            js["rendered_pages"] = len([r for r in js_server.requests_for("/tin-tuc/") if r.status == 200])

        out: dict[str, Any] = {
            "bench": "crawl", "articles": args.articles, "cpu_count": os.cpu_count(),
            "site_build_s": round(build_s, 2), "mean_page_kb": fetch["mean_kb"],
            "fetch_ceiling_pages_s": fetch["pages_s"], "fetch_ceiling_pages": fetch["pages"],
            "fetch_ceiling_settings": "32 in flight, no AutoThrottle, no robots.txt, no pipelines",
            "fetch_project_politeness_pages_s": fetch_polite["pages_s"],
            "extract_ceiling_pages_s": extraction["pages_s"], "extract_ms_median": extraction["ms_median"],
            "extract_ms_p95": extraction["ms_p95"], "extract_pages": extraction["pages"],
            "extract_failures": extraction["failures"],
            "end_to_end_articles_s": round(stored / first["wall_s"], 1),
            "end_to_end_articles_s_run": round(stored / max(first["summary"]["duration_s"], 1e-9), 1),
            "end_to_end_wall_s": round(first["wall_s"], 2), "end_to_end_run_s": first["summary"]["duration_s"],
            "end_to_end_articles_stored": stored, "end_to_end_article_requests": first_article_gets,
            "end_to_end_status": first["summary"]["status"], "end_to_end_errors": first["summary"]["totals"]["errors"],
            "end_to_end_cpu_s": first["cpu_s"], "end_to_end_main_process_cpu_s": first["main_cpu_s"],
            "end_to_end_cpu_ms_per_article": round(first["cpu_s"] * 1000 / max(stored, 1), 1),
            "end_to_end_main_process_cpu_ms_per_article": round(first["main_cpu_s"] * 1000 / max(stored, 1), 1),
            "end_to_end_workers_cpu_ms_per_article": round((first["cpu_s"] - first["main_cpu_s"]) * 1000
                                                           / max(stored, 1), 1),
            "site_server_cpu_ms_per_article": round(first["server_cpu_s"] * 1000 / max(stored, 1), 1),
            "cpu_bound_limit_articles_s": round((os.cpu_count() or 1) * max(stored, 1)
                                                / max(first["cpu_s"] + first["server_cpu_s"], 1e-9), 1),
            "load_avg_1m_before": round(load_before, 2), "load_avg_1m_after": round(load_after_first, 2),
            "recrawl_s": round(second["wall_s"], 2), "recrawl_run_s": second["summary"]["duration_s"],
            "recrawl_articles_fetched": refetched, "recrawl_entry_statuses": entry_statuses,
            "recrawl_articles_new": second["summary"]["totals"]["articles_new"],
            "recrawl_entries_unchanged": second["summary"]["totals"]["entries_unchanged"],
            "peak_rss_mb": first["peak_rss_mb"], "peak_pss_mb": first["peak_pss_mb"],
            "peak_processes": first["peak_processes"], "peak_pss_by_process_mb": first["peak_pss_by_process_mb"],
            "ru_maxrss_children_mb": ru_after_first,
        }
        if js is not None:
            js_src = js["summary"]["sources"].get("bench-js", {})
            out.update({
                "peak_rss_mb_with_js": js["peak_rss_mb"], "peak_pss_mb_with_js": js["peak_pss_mb"],
                "peak_processes_with_js": js["peak_processes"],
                "peak_pss_by_process_mb_with_js": js["peak_pss_by_process_mb"],
                "ru_maxrss_children_mb_with_js": ru_maxrss_children_mb(),
                "js_pages": args.js_pages, "js_articles_stored": js_src.get("articles_new"),
                "js_errors": js_src.get("errors"), "js_run_wall_s": round(js["wall_s"], 2), "chromium": js["chromium"]})
        out["memory_method"] = ("/proc sampled every 0.2 s over the crawl child and all descendants: peak of summed "
                                "VmRSS (peak_rss_mb) and of summed smaps_rollup Pss (peak_pss_mb); "
                                "ru_maxrss_children_mb = getrusage(RUSAGE_CHILDREN).ru_maxrss, largest single process")
        if args.overrides or args.politeness:
            out["overrides"] = {"set": args.overrides, "politeness": args.politeness}
        print(json.dumps(out, ensure_ascii=False))
    finally:
        server.stop()
        js_server.stop()


if __name__ == "__main__":
    main()
