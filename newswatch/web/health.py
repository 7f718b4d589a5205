"""Source health in words a press office reads: one Vietnamese reason per failing source.

The crawler records errors as stable codes with counts (``{"dns": 4, "http_404": 2}``, see
``crawlers.spiders.source.failure_reason``). :func:`failure_reason` turns the main one into a
sentence naming the site: "DNS: không phân giải được baochinhphu.vn — 4 URL". The raw codes and
the run log stay one click away on the source's own page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

REASONS: dict[str, str] = {
    "dns": "DNS: không phân giải được {host}",
    "connection": "Không kết nối được tới {host}",
    "timeout": "Quá thời gian chờ khi tải từ {host}",
    "truncated": "Trang tải về bị cắt ngang ({host})",
    "too_large": "Trang quá lớn, đã bỏ qua ({host})",
    "robots_disallowed": "robots.txt của {host} không cho phép thu thập",
    "redirect_loop": "Chuyển hướng vòng lặp ({host})",
    "offsite": "Liên kết trỏ ra ngoài trang nguồn ({host})",
    "render_failed": "Trình duyệt không dựng được trang ({host})",
    "http_403": "{host} từ chối truy cập (HTTP 403)",
    "http_404": "Không tìm thấy trang trên {host} (HTTP 404)",
    "http_429": "{host} báo gửi yêu cầu quá nhiều (HTTP 429)",
    "no_report": "Tiến trình thu thập không báo kết quả (bị dừng giữa chừng?)",
    "crawler_crashed": "Trình thu thập gặp lỗi khi khởi động",
    "pipeline_error": "Lỗi khi xử lý bài viết sau khi tải",
    "extraction_failed": "Không trích xuất được nội dung bài ({host})",
}


def source_host(source: Any) -> str:
    """The main domain of a source (from its first feed, sitemap or listing URL), for messages."""
    if source is None:
        return "trang nguồn"
    for attr in ("feeds", "sitemaps", "listings", "start_urls"):
        for url in getattr(source, attr, None) or []:
            host = urlsplit(str(getattr(url, "url", url))).hostname
            if host:
                return host.removeprefix("www.")
    domains = getattr(source, "allowed_domains", None) or []
    return str(domains[0]) if domains else str(getattr(source, "name", "trang nguồn"))


def describe(code: str, host: str) -> str:
    if code in REASONS:
        return REASONS[code].format(host=host)
    if code.startswith("http_5"):
        return f"Máy chủ {host} lỗi (HTTP {code[5:]})"
    if code.startswith("http_"):
        return f"{host} trả lỗi HTTP {code[5:]}"
    if code.startswith("failed_"):
        return f"Lỗi khi tải từ {host} ({code[7:]})"
    return f"{code} ({host})"


def failure_reason(errors: dict[str, int], source: Any = None) -> str:
    """One sentence for the most frequent error, with its URL count and how many other errors there were."""
    if not errors:
        return ""
    host = source_host(source)
    code, count = max(errors.items(), key=lambda kv: (kv[1], kv[0]))
    text = f"{describe(code, host)} — {count} URL"
    others = sum(errors.values()) - count
    if others:
        text += f" (và {others} lỗi khác)"
    return text
