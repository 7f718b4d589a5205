"""The register over real crawls: an official listing with PDF and DOCX files, and two press outlets that report
and cite the same documents on different days, crawled by ``newswatch crawl`` over loopback.

Run 1 crawls the ministry's listing (which does not list Chỉ thị 07/CT-TTg yet) and outlet A, whose report of
the directive raises the alert. Run 2 crawls the listing, now with the directive and its DOCX, and outlet B,
which cites the directive and reports the decision the listing published in run 1. The register then holds one
record per document with its reports and citations in time order, the first publisher, the official link and
the official text searchable; the directive's alert is confirmed, not raised twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crawl_sites import article_html, official_documents, rss, write_sources

from newswatch.demo.official import serve_documents, table_listing
from newswatch.settings import PROJECT_ROOT

VN = timezone(timedelta(hours=7))
LISTING = "/van-ban-chi-dao-dieu-hanh"
DIRECTIVE, DECISION = "07/CT-TTg", "1234/QĐ-TTg"

# Outlet A, 3/12 10:15: the directive reported as just signed (the way baochinhphu.vn words it).
REPORT = ("Thủ tướng Chính phủ Phạm Minh Chính vừa ký ban hành Chỉ thị số 07/CT-TTg ngày 3/12/2026 về đẩy mạnh "
          "chuyển đổi số, phát triển Chính phủ số. Chỉ thị yêu cầu các bộ, ngành, địa phương hoàn thành cung cấp "
          "dịch vụ công trực tuyến toàn trình trước ngày 30/6/2027.")
# Outlet B, 4/12 08:00: a province implements the directive (a citation) and reports the decision of 1/12.
CITATION = ("Thực hiện Chỉ thị số 07/CT-TTg ngày 3/12/2026 của Thủ tướng Chính phủ về đẩy mạnh chuyển đổi số, "
            "UBND tỉnh Ninh Bình yêu cầu các sở, ngành rà soát thủ tục hành chính để đưa lên Cổng dịch vụ công.")
DECISION_REPORT = ("Phó Thủ tướng Nguyễn Chí Dũng vừa ký Quyết định số 1234/QĐ-TTg ngày 1/12/2026 phê duyệt "
                   "Chương trình chuyển đổi số quốc gia giai đoạn 2026 - 2030.")


def _page(title: str, published: datetime, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs) + (
        "<p>Các cơ quan được giao nhiệm vụ báo cáo kết quả thực hiện định kỳ hằng quý về Bộ Khoa học và Công nghệ "
        "để tổng hợp, báo cáo Thủ tướng Chính phủ theo quy định.</p>")
    return article_html(title, published=published, body=body)


def _serve_outlet(site: Any, prefix: str, stories: list[tuple[str, str, datetime, str]]) -> str:
    items = []
    for slug, title, published, text in stories:
        path = f"/{prefix}/{slug}.htm"
        site.add(path, _page(title, published, *text.split("\n")))
        items.append((path, title, published.astimezone(UTC)))
    site.add(f"/{prefix}/rss.xml", rss(site.base_url, items), "application/rss+xml")
    return site.url(f"/{prefix}/rss.xml")


def _serve_listing(site: Any, with_directive: bool) -> None:
    page1, page2 = official_documents()
    shown = [d for d in page1 if with_directive or d.number != DIRECTIVE]
    site.add(LISTING, table_listing(shown, next_page=f"{LISTING}/trang-2"))
    site.add(f"{LISTING}/trang-2", table_listing(page2, previous_page=LISTING))
    serve_documents(site, page1 + page2)


def _cli(data: Path, *args: str) -> Any:
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config")}
    env.pop("NEWSWATCH_STATE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "newswatch", "--data-dir", str(data), *args, "--json"],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    if args[0] == "alerts":  # one JSON object per line
        return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return json.loads(proc.stdout)


def test_the_register_follows_documents_from_press_reports_to_their_official_listing(site, run_crawl,  # type: ignore[no-untyped-def]
                                                                                     tmp_path: Path) -> None:
    official = {"name": "bokhcn-vanban", "kind": "official_listing", "tier": "ministry",
                "listings": [site.url(LISTING)], "listing_depth": 2, "official": {"layout": "table"}}
    outlet_a = _serve_outlet(site, "a", [("thu-tuong-ky-chi-thi-07-ve-chuyen-doi-so", "Thủ tướng ký Chỉ thị về đẩy "
                                          "mạnh chuyển đổi số, phát triển Chính phủ số",
                                          datetime(2026, 12, 3, 10, 15, tzinfo=VN), REPORT)])
    data = tmp_path / "data"

    _serve_listing(site, with_directive=False)
    first = run_crawl(write_sources(tmp_path / "run1.yaml", [official, {"name": "outlet-a", "feeds": [outlet_a]}]),
                      data)
    assert first.returncode == 0, first.stderr[-3000:]
    directive = _cli(data, "documents", "show", DIRECTIVE)
    assert directive["status"] == "reported" and directive["official_url"] is None
    alerts_before = _cli(data, "alerts")

    outlet_b = _serve_outlet(site, "b", [("ninh-binh-thuc-hien-chi-thi-07", "Ninh Bình triển khai Chỉ thị 07 về "
                                          "chuyển đổi số", datetime(2026, 12, 4, 8, 0, tzinfo=VN),
                                          f"{CITATION}\n{DECISION_REPORT}")])
    _serve_listing(site, with_directive=True)
    second = run_crawl(write_sources(tmp_path / "run2.yaml", [official, {"name": "outlet-a", "feeds": [outlet_a]},
                                                              {"name": "outlet-b", "feeds": [outlet_b]}]), data)
    assert second.returncode == 0, second.stderr[-3000:]

    # one record per document; its reports and citations in time order; the press was first
    directive = _cli(data, "documents", "show", DIRECTIVE)
    assert directive["status"] == "confirmed"
    assert [(m["source"], m["kind"]) for m in directive["mentions"]] == [
        ("outlet-a", "reported"), ("outlet-b", "cited"), ("bokhcn-vanban", "official")]
    times = [m["published"] for m in directive["mentions"]]
    assert times == sorted(times)
    assert directive["first_publisher"]["source"] == "outlet-a"
    assert directive["official_url"] and directive["official_source"] == "bokhcn-vanban"
    assert [a["status"] for a in directive["attachments"]] == ["ok"]  # its DOCX, read
    listed = _cli(data, "documents", "--limit", "100")
    numbers = [r["number"] for r in listed["records"]]
    assert len(numbers) == len(set(numbers)) and {DIRECTIVE, DECISION} <= set(numbers)

    decision = _cli(data, "documents", "show", DECISION)
    assert decision["status"] == "confirmed"
    assert sorted((m["source"], m["kind"]) for m in decision["mentions"]) == [
        ("bokhcn-vanban", "official"), ("outlet-b", "reported")]
    assert sorted(a["status"] for a in decision["attachments"]) == ["ok", "ok"]  # its PDF and DOCX

    # the official text is searchable: a word printed only inside the decision's PDF
    hits = _cli(data, "search", "hatangsomo")
    assert [h["url"] for h in hits["hits"]] == [site.url("/van-ban/quyet-dinh-1234-qd-ttg.htm")]

    # the directive's alert, raised by outlet A, is now confirmed with the official link: no second alert
    alerts = _cli(data, "alerts")
    about = [a for a in alerts if a.get("doc_number") == DIRECTIVE]
    assert len(about) == 1, about
    assert about[0]["confirmed"] and about[0]["official_url"] == directive["official_url"]
    assert [a["uid"] for a in alerts_before if a.get("doc_number") == DIRECTIVE] == [about[0]["uid"]]
    assert directive["alert_uid"] == about[0]["uid"]
