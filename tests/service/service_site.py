"""A small official news site on loopback for the service tests: an RSS feed and article pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from newswatch.demo.server import Reply, SiteServer

PARAGRAPHS = [
    "Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số {number}/CT-TTg ngày {day} về đẩy mạnh chuyển đổi số quốc gia, "
    "phát triển chính phủ số, kinh tế số và xã hội số trong giai đoạn tới.",
    "Chỉ thị yêu cầu các bộ, ngành, địa phương tập trung triển khai đồng bộ các nhiệm vụ, giải pháp, bảo đảm hạ tầng "
    "số, dữ liệu số và nguồn nhân lực số; hoàn thành các chỉ tiêu về dịch vụ công trực tuyến toàn trình.",
    "Bộ Khoa học và Công nghệ chủ trì, phối hợp với các cơ quan liên quan theo dõi, đôn đốc, kiểm tra việc thực hiện "
    "Chỉ thị, định kỳ hằng quý báo cáo Thủ tướng Chính phủ kết quả thực hiện.",
    "Các bộ trưởng, thủ trưởng cơ quan ngang bộ, chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương "
    "chịu trách nhiệm trước Thủ tướng Chính phủ về kết quả chuyển đổi số trong phạm vi quản lý.",
]


def article_html(title: str, number: int, published: datetime) -> str:
    day = published.strftime("%d/%m/%Y")
    body = "".join(f"<p>{p.format(number=number, day=day)}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published.isoformat()}"></head>
<body><header><nav><a href="/">Trang chủ</a></nav></header>
<main><article><h1>{title}</h1><time datetime="{published.isoformat()}">{published:%d/%m/%Y %H:%M}</time>
<div class="content">{body}</div></article></main><footer>Cổng thông tin thử nghiệm</footer></body></html>"""


class OfficialSite:
    """A feed at ``/rss.xml``; :meth:`publish` adds a directive article and updates the feed."""

    def __init__(self, article_delay: float = 0.0) -> None:
        self.server = SiteServer().start()
        self.items: list[tuple[str, str, datetime]] = []
        self.article_delay = article_delay  # seconds each article page takes to answer

    def publish(self, number: int, *, feed: bool = True) -> str:
        """Add directive ``number``; ``feed=False`` leaves the feed for :meth:`update_feed` (many at once)."""
        published = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        path = f"/tin/chi-thi-{number}-ve-chuyen-doi-so.htm"
        title = f"Thủ tướng ban hành Chỉ thị số {number}/CT-TTg về đẩy mạnh chuyển đổi số"
        html = article_html(title, number, published)
        if self.article_delay:
            body, delay = html.encode("utf-8"), self.article_delay
            self.server.route(path, lambda _headers: Reply(body, delay=delay))
        else:
            self.server.add(path, html)
        self.items.insert(0, (path, title, published))
        if feed:
            self._feed()
        return self.server.url(path)

    def update_feed(self) -> None:
        self._feed()

    def _feed(self) -> None:
        items = "".join(f"<item><title>{t}</title><link>{self.server.url(p)}</link>"
                        f"<pubDate>{format_datetime(d)}</pubDate></item>" for p, t, d in self.items)
        self.server.add("/rss.xml", f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                    f"<title>Tin chính phủ</title><link>{self.server.base_url}/</link>{items}"
                                    "</channel></rss>", content_type="application/rss+xml; charset=utf-8")

    def make_slow(self, seconds: float) -> None:
        """Answer the feed only after ``seconds`` (a crawl that hangs)."""
        self.server.route("/rss.xml", lambda _headers: Reply(b"<rss/>", delay=seconds,
                                                              content_type="application/rss+xml"))

    def sources_yaml(self, path: Path, name: str = "localgov", interval: str = "1h") -> Path:
        path.write_text(f"""sources:
  - name: {name}
    title: Cổng thử nghiệm
    tier: official
    feeds: [{self.server.url('/rss.xml')}]
    article_pattern: '/tin/[^/]+\\.htm$'
    schedule: {{interval: {interval}}}
""", encoding="utf-8")
        return path

    def stop(self) -> None:
        self.server.stop()


def wait_for(condition: Callable[[], object], timeout: float = 90.0, what: str = "condition") -> object:
    """Poll ``condition`` until it returns something true (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
