"""Crawling articles with attachments over loopback: the files' text is searchable; every bad file is
recorded with its status and reason, bounded, and the crawl goes on."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from crawl_sites import article_html, rss, write_sources
from documents.attachment_files import (
    corrupt_pdf,
    docx_file,
    encrypted_pdf,
    official_lines,
    scanned_pdf,
    text_pdf,
    word97_doc,
)

from newswatch.cli import cli
from newswatch.settings import PROJECT_ROOT

BIG = 30 * 1024 * 1024


class StreamingFile(BaseHTTPRequestHandler):
    """Serves a 30 MB "PDF" made on the fly, without Content-Length: only the bytes received can stop it."""

    protocol_version = "HTTP/1.0"
    sent = 0

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if not self.path.endswith(".pdf"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.end_headers()
        chunk = b"%PDF-1.7\n" + b"0" * (64 * 1024 - 9)
        try:
            for _ in range(BIG // len(chunk)):
                self.wfile.write(chunk)
                type(self).sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            return


@pytest.fixture
def streaming_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StreamingFile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def attachment_block(links: list[tuple[str, str]]) -> str:
    """A ministry portal's "Tệp đính kèm" block (mst.gov.vn-style), plus a related box whose PDF is another's."""
    anchors = "".join(f'<li><a href="{href}" target="_blank">{text}</a></li>' for href, text in links)
    return (f'<div class="attachment-file"><span class="title">Tệp đính kèm:</span><ul>{anchors}</ul></div>'
            '<div class="box-tin-lien-quan"><div class="box-title">Tin liên quan</div><ul>'
            '<li><a href="/uploads/2026/11/qd-999-ttg.pdf">Quyết định 999/QĐ-TTg</a></li></ul></div>')


def search(data: Path, query: str) -> list[str]:
    args = ["--config-dir", str(PROJECT_ROOT / "config"), "--data-dir", str(data), "search", query, "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [hit["url"] for hit in json.loads(result.output)["hits"]]


def test_attachments_are_read_searchable_and_bad_ones_recorded(site, run_crawl, streaming_server,
                                                              tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = site.base_url
    stream_base = f"http://127.0.0.1:{streaming_server.server_address[1]}"
    now = datetime.now(UTC).replace(microsecond=0)
    issued = date(2026, 12, 1)
    files_host = base.replace("127.0.0.1", "localhost")  # the files on another host than the pages (allowed_domains)
    good = "/tin-tuc/quyet-dinh-1234-qd-ttg-phe-duyet-chuong-trinh-197261201.htm"
    bad = "/tin-tuc/bo-cong-bo-cac-van-ban-huong-dan-197261202.htm"
    press = "/thoi-su/bao-chi-dua-tin-quyet-dinh-102261203.htm"
    site.add(good, article_html("Quyết định 1234/QĐ-TTg phê duyệt Chương trình chuyển đổi số quốc gia", published=now,
                                extra=attachment_block([(files_host + "/uploads/2026/12/qd-1234-ttg.signed.pdf",
                                                         "qd-1234-ttg.signed.pdf"),
                                                        ("/DownloadFile.aspx?FileName=ke-hoach-45.docx", "Kế hoạch 45"),
                                                        ("/uploads/2026/12/cong-van-88.doc", "Tải về")])))
    site.add("/uploads/2026/12/cong-van-88.doc",
             word97_doc("\n".join(official_lines("88/CV-BKHCN", issued, "đường dây nóng phòng chống thiên tai"))),
             "application/msword")
    site.add("/uploads/2026/12/qd-1234-ttg.signed.pdf", text_pdf("1234/QĐ-TTg", issued, "truy xuất nguồn gốc sầu riêng"),
             "application/pdf")
    site.add("/DownloadFile.aspx", docx_file("45/KH-BKHCN", issued, "kho dữ liệu khí tượng thủy văn"),
             "application/octet-stream")
    plain = text_pdf("77/QĐ-BKHCN", issued, "nội dung")
    site.add("/uploads/hong.pdf", corrupt_pdf(plain), "application/pdf")
    site.add("/uploads/mat-khau.pdf", encrypted_pdf(plain), "application/pdf")
    site.add("/uploads/ban-scan.pdf", scanned_pdf(), "application/pdf")
    refused = f"http://127.0.0.1:{closed_port()}/uploads/khong-ket-noi.pdf"
    site.add(bad, article_html("Bộ Khoa học và Công nghệ công bố các văn bản hướng dẫn thi hành", published=now,
                               extra=attachment_block([(f"{stream_base}/uploads/rat-lon.pdf", "rat-lon.pdf"),
                                                       ("/uploads/hong.pdf", "hong.pdf"),
                                                       ("/uploads/mat-khau.pdf", "mat-khau.pdf"),
                                                       ("/uploads/ban-scan.pdf", "ban-scan.pdf"),
                                                       ("/uploads/da-xoa.pdf", "da-xoa.pdf"),
                                                       (refused, "khong-ket-noi.pdf")])))
    site.add(press, article_html("Báo chí đưa tin về Quyết định phê duyệt chương trình", published=now,
                                 extra='<p>Tải về: <a href="/uploads/bao-chi.pdf">toàn văn</a></p>'))
    site.add("/uploads/bao-chi.pdf", plain, "application/pdf")
    site.add("/rss/van-ban.rss", rss(base, [(good, "Quyết định 1234", now), (bad, "Văn bản hướng dẫn", now)]),
             "application/rss+xml")
    site.add("/rss/thoi-su.rss", rss(base, [(press, "Báo chí đưa tin", now)]), "application/rss+xml")
    sources = write_sources(tmp_path / "sources.yaml", [
        {"name": "bokhcn", "tier": "ministry", "feeds": [f"{base}/rss/van-ban.rss"]},
        {"name": "baochi", "tier": "press", "feeds": [f"{base}/rss/thoi-su.rss"]}])
    data = tmp_path / "data"

    result = run_crawl(sources, data, settings={"LOG_LEVEL": "INFO"}, timeout=180)  # INFO: the stats are logged

    items = {item["url"]: item for item in result.items}
    assert set(items) == {base + good, base + bad, base + press}  # every article stored, whatever its files did
    ok = items[base + good]
    files = {a["filename"]: a for a in ok["extraction"]["attachments"]}
    doc_tool = shutil.which("antiword") or shutil.which("catdoc")  # installed by scripts/install-system-deps.sh
    assert {name: a["status"] for name, a in files.items()} == {
        "qd-1234-ttg.signed.pdf": "ok", "ke-hoach-45.docx": "ok", "cong-van-88.doc": "ok" if doc_tool else "unsupported"}
    assert "truy xuất nguồn gốc sầu riêng" in ok["text"] and "kho dữ liệu khí tượng thủy văn" in ok["text"]
    if doc_tool:
        assert "đường dây nóng phòng chống thiên tai" in ok["text"]
    else:
        assert "antiword" in files["cong-van-88.doc"]["reason"]
    assert files["qd-1234-ttg.signed.pdf"]["number_confirmed"] is True  # the headline's number is in the official text
    assert files["ke-hoach-45.docx"]["number_confirmed"] is False
    assert site.count("/uploads/2026/11/qd-999-ttg.pdf") == 0  # "Tin liên quan" is another article's

    outcomes = {a["filename"]: (a["status"], a["reason"]) for a in items[base + bad]["extraction"]["attachments"]}
    assert outcomes["rat-lon.pdf"][0] == "too_large", outcomes
    assert str(25 * 1024 * 1024) in outcomes["rat-lon.pdf"][1]
    assert StreamingFile.sent > 25 * 1024 * 1024  # it was streamed past the bound (no Content-Length to refuse it by)
    assert outcomes["hong.pdf"][0] == "corrupt"
    assert outcomes["mat-khau.pdf"][0] == "encrypted"
    assert outcomes["ban-scan.pdf"] == ("no_text_layer", outcomes["ban-scan.pdf"][1])
    assert "no OCR is done" in outcomes["ban-scan.pdf"][1]
    assert outcomes["da-xoa.pdf"] == ("failed", "HTTP 404")
    assert outcomes["khong-ket-noi.pdf"][0] == "failed" and "Connection" in outcomes["khong-ket-noi.pdf"][1]

    # press sources do not download attachments unless they say so
    assert "attachments" not in items[base + press]["extraction"] and site.count("/uploads/bao-chi.pdf") == 0

    # words found only inside the attachments find the article
    assert search(data, "sầu riêng") == [base + good]
    assert search(data, "khi tuong thuy van") == [base + good]  # accent-folded, from the DOCX
    log = result.stderr  # with --json, the crawl's log: each bad file with its status and reason, and the stats
    for name, (status, reason) in outcomes.items():
        assert f"{name}: {status}: {reason}" in log
    counts = {"ok": 3 if doc_tool else 2, "too_large": 1, "corrupt": 1, "encrypted": 1, "no_text_layer": 1, "failed": 2}
    for status, count in counts.items():
        assert re.search(rf"'newswatch/attachments/{status}': {count}\b", log), status
