"""Test sites for the crawl tests: realistic article pages, feeds, sitemaps, listings and failure cases."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from newswatch.demo.server import Reply, SiteServer

PARAGRAPHS = [
    "Thủ tướng Chính phủ vừa ký ban hành Chỉ thị về đẩy mạnh chuyển đổi số quốc gia, yêu cầu các bộ, ngành, "
    "địa phương tập trung triển khai quyết liệt các nhiệm vụ, giải pháp trọng tâm trong năm nay.",
    "Theo Chỉ thị, các cơ quan nhà nước phải hoàn thành việc cung cấp dịch vụ công trực tuyến toàn trình, kết nối "
    "và chia sẻ dữ liệu giữa các hệ thống thông tin, cơ sở dữ liệu quốc gia, bảo đảm an toàn thông tin mạng.",
    "Bộ Khoa học và Công nghệ được giao chủ trì, phối hợp với các bộ, ngành hướng dẫn, đôn đốc, kiểm tra việc thực "
    "hiện; định kỳ hằng quý báo cáo Thủ tướng Chính phủ kết quả triển khai và những khó khăn, vướng mắc.",
    "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương rà soát, đơn giản hóa thủ tục hành chính, nâng cao "
    "chất lượng phục vụ người dân và doanh nghiệp, lấy người dân làm trung tâm của chuyển đổi số.",
    "Các doanh nghiệp công nghệ số được khuyến khích tham gia phát triển nền tảng số, hạ tầng số, góp phần xây dựng "
    "Chính phủ số, kinh tế số và xã hội số theo mục tiêu đã đề ra trong chiến lược quốc gia.",
]


SUBJECTS = ["Bộ Khoa học và Công nghệ", "Ủy ban nhân dân thành phố Hà Nội", "Văn phòng Chính phủ", "Bộ Tài chính",
            "Sở Thông tin và Truyền thông", "Tỉnh Thanh Hóa", "Bộ Nội vụ", "Ngân hàng Nhà nước", "Bộ Y tế",
            "Hiệp hội doanh nghiệp phần mềm", "Bộ Giáo dục và Đào tạo", "Tổng cục Thống kê"]
VERBS = ["đã tổ chức hội nghị triển khai", "vừa ban hành kế hoạch về", "đang khẩn trương hoàn thiện đề án",
         "báo cáo kết quả thực hiện", "kiến nghị tháo gỡ vướng mắc trong", "đề xuất bổ sung nguồn lực cho",
         "phối hợp kiểm tra tiến độ", "công bố số liệu mới nhất về"]
OBJECTS = ["dịch vụ công trực tuyến toàn trình", "cơ sở dữ liệu quốc gia về dân cư", "hạ tầng số ở vùng sâu vùng xa",
           "đào tạo nhân lực công nghệ thông tin", "an toàn thông tin mạng", "kinh tế số trong nông nghiệp",
           "thanh toán không dùng tiền mặt", "hồ sơ sức khỏe điện tử", "học bạ số", "chữ ký số cho người dân"]


def unique_body(seed: str, paragraphs: int = 6) -> str:
    """Paragraphs of plausible Vietnamese news text, different for every seed (so dedupe sees distinct stories)."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, "
                     f"với {rng.randint(3, 97)} nhiệm vụ cụ thể và mốc hoàn thành trước ngày {rng.randint(1, 28)} "
                     f"tháng {rng.randint(1, 12)} năm {rng.randint(2026, 2030)}." for _ in range(rng.randint(2, 4))]
        out.append("<p>" + " ".join(sentences) + "</p>")
    return "\n".join(out)


def article_html(title: str, *, published: datetime | None = None, canonical: str | None = None,
                 extra: str = "", charset: str = "utf-8", body: str | None = None) -> str:
    """A realistic article page: header and menu, title, date, lead, body paragraphs, related links, footer."""
    published = published or datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    paragraphs = (f"<p>{PARAGRAPHS[0]}</p>" + unique_body(title)) if body is None else body
    canonical_tag = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>{title}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published.isoformat()}">
{canonical_tag}</head>
<body><header><nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a> <a href="/lien-he">Liên hệ</a></nav></header>
<main><article><h1 class="detail-title">{title}</h1>
<div class="detail-time">{published.strftime('%d/%m/%Y %H:%M')}</div>
<h2 class="detail-sapo">(Chinhphu.vn) - {PARAGRAPHS[0][:120]}</h2>
<div class="detail-content">{paragraphs}{extra}</div></article>
<aside><h3>Tin liên quan</h3><ul><li><a href="/">Trang chủ</a></li></ul></aside></main>
<footer>Cơ quan chủ quản: Văn phòng Chính phủ. Liên hệ quảng cáo.</footer></body></html>"""


def rss(base: str, items: list[tuple[str, str, datetime]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>{format_datetime(date, usegmt=True)}</pubDate></item>" for path, title, date in items)
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin mới</title>
<link>{base}/</link><description>Tin mới nhất</description>{entries}</channel></rss>"""


def build_news_site(site: SiteServer, now: datetime | None = None) -> dict[str, str]:
    """A site with a feed, a sitemap index (plain + Google News sitemap), a paginated listing, and bad pages.

    Returns the interesting paths by role.
    """
    now = now or datetime.now(UTC).replace(microsecond=0)
    base = site.base_url
    day = timedelta(days=1)
    paths = {
        "feed_a": "/tin/chinh-phu-ban-hanh-chi-thi-ve-chuyen-doi-so-1001.htm",
        "feed_b": "/tin/thu-tuong-chu-tri-hoi-nghi-chinh-phu-so-1002.htm",
        "robots_blocked": "/private/ban-tin-noi-bo-khong-cong-khai-1003.htm",
        "missing": "/tin/bai-da-bi-go-bo-khoi-trang-1004.htm",
        "flaky": "/tin/may-chu-tam-thoi-qua-tai-roi-phuc-hoi-1005.htm",
        "slow": "/tin/trang-phan-hoi-rat-cham-qua-thoi-gian-cho-1006.htm",
        "moved": "/tin/duong-dan-cu-da-chuyen-sang-dia-chi-moi-1007.htm",
        "moved_to": "/tin/duong-dan-moi-cua-bai-viet-da-chuyen-1008.htm",
        "loop": "/tin/vong-lap-chuyen-huong-khong-ket-thuc-1009.htm",
        "truncated": "/tin/phan-hoi-bi-cat-ngang-giua-chung-1010.htm",
        "cp1258": "/tin/trang-ma-hoa-windows-1258-cu-1011.htm",
        "sitemap_a": "/tin/bo-khoa-hoc-cong-nghe-huong-dan-chuyen-doi-so-1012.htm",
        "sitemap_b": "/tin/dia-phuong-day-manh-dich-vu-cong-truc-tuyen-1013.htm",
        "gnews": "/tin/cong-bao-dang-tai-nghi-dinh-moi-ve-du-lieu-1014.htm",
        "list_a": "/tin/lao-dong-thu-do-tin-thoi-su-trong-ngay-1015.htm",
        "list_b": "/tin/ha-noi-trien-khai-chuyen-doi-so-cap-xa-1016.htm",
        "page2_a": "/tin/tin-trang-hai-cua-chuyen-muc-thoi-su-1017.htm",
        "page3_a": "/tin/tin-trang-ba-vuot-do-sau-cho-phep-1018.htm",
        "not_article": "/toa-soan/thong-tin-ve-toa-soan-va-ban-bien-tap-1019.htm",
        "bomb": "/tin/trang-nen-gzip-giai-nen-qua-lon-1020.htm",
    }
    site.add("/robots.txt", f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap-index.xml\n", "text/plain")
    for role in ("feed_a", "feed_b", "robots_blocked", "moved_to", "sitemap_a", "sitemap_b", "gnews", "list_a",
                 "list_b", "page2_a", "page3_a"):
        title = f"Bài viết {role.replace('_', ' ')} về chuyển đổi số"
        site.add(paths[role], article_html(title, canonical=f"{base}{paths[role]}?utm_source=rss"))
    site.add(paths["not_article"], "<html><head><title>Giới thiệu</title></head><body><h1>Giới thiệu tòa soạn</h1>"
             "<p>Báo điện tử. Tổng biên tập. Địa chỉ: 16 Lê Hồng Phong, Hà Nội.</p><p>Điện thoại: 024.</p></body></html>")
    calls = {"flaky": 0}

    def flaky(_headers: dict[str, str]) -> Reply:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            return Reply(b"<html><body>Internal Server Error</body></html>", 500, conditional=False)
        return Reply(article_html("Máy chủ phục hồi sau lỗi tạm thời").encode())

    site.route(paths["flaky"], flaky)
    site.route(paths["slow"], lambda h: Reply(article_html("Trang chậm").encode(), delay=5.0))
    site.route(paths["moved"], lambda h: Reply(b"", 301, headers={"Location": base + paths["moved_to"]}))
    site.route(paths["loop"], lambda h: Reply(b"", 302, headers={"Location": base + paths["loop"] + "?again=1"}))
    site.route(paths["loop"] + "?again=1", lambda h: Reply(b"", 302, headers={"Location": base + paths["loop"]}))
    site.route(paths["truncated"], lambda h: Reply(article_html("Trang bị cắt").encode(), truncate=True))
    bomb = gzip.compress(b" " * (9 * 1024 * 1024), compresslevel=9)  # 9 KB that decompress past DOWNLOAD_MAXSIZE
    site.route(paths["bomb"], lambda h: Reply(bomb, headers={"Content-Encoding": "gzip"}, conditional=False))
    cp_title = "Thủ tướng yêu cầu đẩy mạnh chuyển đổi số trong cơ quan nhà nước"
    site.add(paths["cp1258"], encode_cp1258(article_html(cp_title, charset="windows-1258")),
             "text/html")
    feed_items = [(paths[r], r, now - i * day / 24) for i, r in enumerate(
        ("feed_a", "feed_b", "robots_blocked", "missing", "flaky", "slow", "moved", "loop", "truncated", "cp1258",
         "bomb"))]
    site.add("/rss/home.rss", rss(base, [(p + "?utm_source=rss&utm_medium=feed", t, d) for p, t, d in feed_items]),
             "application/rss+xml; charset=utf-8")
    site.add("/sitemap-index.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemaps/articles-1.xml</loc></sitemap>
<sitemap><loc>{base}/sitemaps/google-news.xml</loc></sitemap></sitemapindex>""", "application/xml")
    site.add("/sitemaps/articles-1.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}{paths['sitemap_a']}</loc><lastmod>{(now - day).isoformat()}</lastmod></url>
<url><loc>{base}{paths['sitemap_b']}</loc><lastmod>{(now - 2 * day).isoformat()}</lastmod></url>
<url><loc>{base}{paths['feed_a']}</loc><lastmod>{(now - 3 * day).isoformat()}</lastmod></url>
</urlset>""", "application/xml")
    site.add("/sitemaps/google-news.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}{paths['gnews']}</loc><news:news><news:publication><news:name>Demo</news:name>
<news:language>vi</news:language></news:publication><news:publication_date>{now.isoformat()}</news:publication_date>
<news:title>Công báo đăng tải nghị định mới</news:title></news:news></url></urlset>""", "application/xml")
    nav = ('<nav><a href="/">Trang chủ</a><a href="/thoi-su">Thời sự</a><a href="/lien-he">Liên hệ</a>'
           '<a href="/tag/chuyen-doi-so">#chuyển đổi số</a></nav>')
    site.add("/thoi-su", f"""<html><body>{nav}<h1>Thời sự</h1>
<div class="list_news"><h2><a href="{paths['list_a']}">Tin thời sự trong ngày</a></h2>
<h2><a href="{paths['list_b']}?utm_campaign=home">Hà Nội triển khai chuyển đổi số cấp xã</a></h2>
<h2><a href="{paths['not_article']}">Thông tin về tòa soạn</a></h2></div>
<div class="__MB_ARTICLE_PAGING"><a href="/thoi-su/trang-2">2</a></div></body></html>""")
    site.add("/thoi-su/trang-2", f"""<html><body>{nav}<h1>Thời sự - trang 2</h1>
<div class="list_news"><h2><a href="{paths['page2_a']}">Tin trang hai</a></h2></div>
<div class="__MB_ARTICLE_PAGING"><a href="/thoi-su">1</a><a href="/thoi-su/trang-3">3</a></div></body></html>""")
    site.add("/thoi-su/trang-3", f"""<html><body>{nav}<h1>Thời sự - trang 3</h1>
<div class="list_news"><h2><a href="{paths['page3_a']}">Tin trang ba</a></h2></div></body></html>""")
    site.add("/lien-he", "<html><body><h1>Liên hệ</h1><p>Email: toasoan@example.vn</p></body></html>")
    return paths


def encode_cp1258(text: str) -> bytes:
    """Encode as windows-1258 the way old Vietnamese sites did: base letter (â, ơ, ư...) plus a combining tone mark."""
    import unicodedata

    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                marks.remove(mark)
                break
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def write_sources(path: Path, sources: list[dict[str, Any]]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def official_documents() -> tuple[list[Any], list[Any]]:
    """The documents of the ministry's "Văn bản chỉ đạo điều hành" fixture listing: (page 1, page 2).

    Page 1: a decision with its own page and a PDF + DOCX (type and issuer only on its page), a
    directive without a page whose date is written out ("ngày 03 tháng 12 năm 2026") and one DOCX, a
    row whose number is not a document number, and a circular whose signer only its page names.
    Page 2: a notice with neither page nor file, and a công văn with a page and a DOCX.
    """
    from newswatch.demo.official import DemoDocument

    page1 = [
        DemoDocument("1234/QĐ-TTg", "01/12/2026", "Phê duyệt Chương trình chuyển đổi số quốc gia giai đoạn 2026 - 2030",
                     doc_type="Quyết định", issuer="Thủ tướng Chính phủ", signer="Nguyễn Chí Dũng",
                     slug="quyet-dinh-1234-qd-ttg", files=["/files/2026/12/1234-qd-ttg.signed.pdf",
                                                           "/files/2026/12/1234-qd-ttg.docx"],
                     body=["Dieu 1. Phe duyet Chuong trinh chuyen doi so quoc gia voi muc tieu hatangsomo.",
                           "Điều 2. Bộ Khoa học và Công nghệ chủ trì triển khai nền tảng dữ liệu liênthôngsố."]),
        DemoDocument("07/CT-TTg", "ngày 03 tháng 12 năm 2026", "Về đẩy mạnh chuyển đổi số, phát triển Chính phủ số",
                     signer="Phạm Minh Chính", files=["/files/2026/12/07-ct-ttg.docx"],
                     body=["Chỉ thị yêu cầu các bộ, ngành hoàn thành dịch vụ công trực tuyến toàn trình."]),
        DemoDocument("Số: ABC/không rõ", "02/12/2026", "Văn bản thử nghiệm có số ký hiệu không đọc được",
                     signer="Không rõ"),
        DemoDocument("15/2026/TT-BKHCN", "28/11/2026", "Quy định về nền tảng số quốc gia", doc_type="Thông tư",
                     issuer="Bộ Khoa học và Công nghệ", signer="Bùi Thế Duy", slug="thong-tu-15-2026-tt-bkhcn",
                     files=["/files/2026/11/15-2026-tt-bkhcn.pdf"], row_signer=False,
                     body=["Thong tu nay quy dinh ve nen tang so quoc gia."]),
    ]
    page2 = [
        DemoDocument("112/TB-VPCP", "20/11/2026", "Kết luận của Thủ tướng Chính phủ tại hội nghị về chuyển đổi số",
                     signer="Trần Văn Sơn"),
        DemoDocument("2345/BKHCN-CĐS", "18/11/2026", "Hướng dẫn triển khai chữ ký số cho người dân",
                     doc_type="Công văn", issuer="Bộ Khoa học và Công nghệ", signer="Nguyễn Huy Dũng",
                     slug="cong-van-2345-bkhcn-cds", files=["/files/2026/11/2345-bkhcn-cds.docx"]),
    ]
    return page1, page2


def build_official_site(site: SiteServer) -> dict[str, Any]:
    """A ministry portal's "Văn bản chỉ đạo điều hành" table over two pages, document pages and their files."""
    from newswatch.demo.official import serve_documents, table_listing

    page1, page2 = official_documents()
    site.add("/van-ban-chi-dao-dieu-hanh", table_listing(page1, next_page="/van-ban-chi-dao-dieu-hanh/trang-2"))
    site.add("/van-ban-chi-dao-dieu-hanh/trang-2", table_listing(page2, previous_page="/van-ban-chi-dao-dieu-hanh"))
    serve_documents(site, page1 + page2)
    return {"listing": site.url("/van-ban-chi-dao-dieu-hanh"), "docs": page1 + page2}
