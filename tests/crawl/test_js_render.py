"""A source with ``render_js: true``: an article whose body exists only after its script ran, through Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path

import pytest
from crawl_sites import rss, unique_body, write_sources

from newswatch.settings import find_chromium

pytestmark = pytest.mark.browser

INJECTED = ("Nội dung này chỉ xuất hiện sau khi trình duyệt chạy mã JavaScript của trang, "
            "Thủ tướng yêu cầu các bộ, ngành hoàn thành kết nối dữ liệu trước cuối năm.")


def js_article(title: str) -> str:
    paragraphs = [INJECTED, *(p.removeprefix("<p>").removesuffix("</p>") for p in unique_body(title).split("\n"))]
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2026-11-20T08:00:00+07:00">
</head><body><header><a href="/">Trang chủ</a></header><main><h1>{title}</h1><div id="noi-dung"></div></main>
<script>
const paragraphs = {json.dumps(paragraphs, ensure_ascii=False)};
window.addEventListener("DOMContentLoaded", () => {{
  document.getElementById("noi-dung").innerHTML = paragraphs.map(p => "<p>" + p + "</p>").join("");
}});
</script></body></html>"""


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine")
def test_js_only_article_is_rendered_and_extracted(site, run_crawl, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    path = "/tin/bai-viet-chi-hien-thi-bang-javascript-2001.htm"
    site.add(path, js_article("Bài viết hiển thị bằng JavaScript"))
    site.add("/rss.xml", rss(site.base_url, [(path, "JS", datetime.now(UTC))]), "application/rss+xml")
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "jsnews", "feeds": [f"{site.base_url}/rss.xml"], "render_js": True,
        "article_pattern": r"-\d{4}\.htm$"}])
    result = run_crawl(sources, tmp_path / "data", settings={"DOWNLOAD_TIMEOUT": 30}, timeout=180)
    assert result.summary["sources"]["jsnews"]["errors"] == {}, result.stderr[-3000:]
    assert len(result.items) == 1
    assert INJECTED in result.items[0]["text"]
    # the raw HTML does not contain the paragraph as text: only the browser made it
    assert f"<p>{INJECTED}" not in site.pages[path].body.decode()


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine")
def test_more_pages_than_one_browser_context_holds(site, run_crawl, tmp_path: Path) -> None:
    """Contexts rotate every NEWSWATCH_CONTEXT_PAGES pages, whatever order the scheduler downloads them in.

    The context used to be picked when a request was created: Scrapy's LIFO queue then downloaded a
    later context's page first, and the earlier context's pages waited for a context slot forever.
    """
    from datetime import UTC, datetime

    paths = [f"/tin/bai-viet-hien-thi-bang-javascript-so-{i}-{3000 + i}.htm" for i in range(7)]
    for i, path in enumerate(paths):
        site.add(path, js_article(f"Bài viết số {i} hiển thị bằng JavaScript"))
    site.add("/rss.xml", rss(site.base_url, [(p, "JS", datetime.now(UTC)) for p in paths]), "application/rss+xml")
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "jsnews", "feeds": [f"{site.base_url}/rss.xml"], "render_js": True,
        "article_pattern": r"-\d{4}\.htm$"}])
    result = run_crawl(sources, tmp_path / "data", settings={"DOWNLOAD_TIMEOUT": 30, "NEWSWATCH_CONTEXT_PAGES": 2},
                       timeout=180)
    assert result.summary["sources"]["jsnews"]["errors"] == {}, result.stderr[-3000:]
    assert len(result.items) == len(paths)
    assert all(INJECTED in item["text"] for item in result.items)


def _browsers_started_by(ancestor: int) -> list[int]:
    """Chromium browser processes (not its helpers) whose ancestors include ``ancestor``."""
    parents: dict[int, int] = {}
    commands: dict[int, list[str]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(name)] = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
                commands[int(name)] = Path(f"/proc/{name}/cmdline").read_text().split("\0")
    found = []
    for pid, command in commands.items():
        if "chrom" not in Path(command[0]).name or any(arg.startswith("--type=") for arg in command):
            continue
        up = parents.get(pid)
        while up and up != ancestor:
            up = parents.get(up)
        if up == ancestor:
            found.append(pid)
    return found


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine")
def test_crawl_survives_the_browser_dying(site, run_crawl, tmp_path: Path) -> None:
    """A page that takes the browser down (with --single-process, any renderer crash does) costs no article.

    scrapy-playwright launches a new browser when the old one disconnected and retries the pages that
    were on it; the page whose request killed the browser is rendered again by the new one. The pages
    being opened when it died, or waiting for a slot in its context, are given up and retried too
    (without ``SharedPlaywrightHandler``'s handling, about one run in four waited until the timeout).
    """
    from datetime import UTC, datetime

    from newswatch.demo.server import Reply

    paths = [f"/tin/bai-viet-truoc-va-sau-su-co-trinh-duyet-{i}-{4000 + i}.htm" for i in range(6)]
    for i, path in enumerate(paths):
        site.add(path, js_article(f"Bài viết số {i} trước và sau sự cố trình duyệt"))
    killed: list[int] = []
    crash_page = js_article("Bài viết làm trình duyệt dừng đột ngột")

    def kill_browser(_headers: dict[str, str]) -> Reply:
        if not killed:
            killed.extend(_browsers_started_by(os.getpid()))
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
        return Reply(crash_page.encode())

    site.route(paths[3], kill_browser)
    site.add("/rss.xml", rss(site.base_url, [(p, "JS", datetime.now(UTC)) for p in paths]), "application/rss+xml")
    sources = write_sources(tmp_path / "sources.yaml", [{
        "name": "jsnews", "feeds": [f"{site.base_url}/rss.xml"], "render_js": True,
        "article_pattern": r"-\d{4}\.htm$"}])
    result = run_crawl(sources, tmp_path / "data", settings={"DOWNLOAD_TIMEOUT": 30}, timeout=180)
    assert killed, "the browser was not found"
    assert result.summary["sources"]["jsnews"]["status"] == "ok", result.stderr[-3000:]
    assert result.summary["sources"]["jsnews"]["errors"] == {}, result.stderr[-3000:]
    assert len(result.items) == len(paths)
    assert all(INJECTED in item["text"] for item in result.items)
