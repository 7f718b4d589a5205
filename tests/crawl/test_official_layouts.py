"""The layout presets read listing and document pages shaped like the real portals' (no network, no crawl)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crawlers.official import detail_fields, entry_article, entry_key, merge_detail, parse_listing
from newswatch.demo.official import DemoDocument, gridview_listing
from newswatch.sources import OfficialListing

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# congbao.chinhphu.vn, "Văn bản đăng công báo": cards with "Ký hiệu: …", a link whose title is the trích yếu,
# "[Ban hành: dd/mm/yyyy]" and a next-page link; the document page lists label/value rows, issuers in capitals.
CONGBAO_LISTING = """<html><body><div class="box--list">
<div class="item--vb"><div class="top"><span class="kh">Ký hiệu: 356/2026/NĐ-CP</span></div>
<div class="middle"><a class="sapo" href="/van-ban/nghi-dinh-so-356-2026-nd-cp-468371.htm"
 title="Quy định chi tiết một số điều của Luật Bảo vệ dữ liệu cá nhân">Quy định chi tiết một số điều…</a></div>
<div class="bot"><span class="days">[Ban hành: 28/11/2026]</span></div></div>
<div class="item--vb"><div class="top"><span class="kh">Ký hiệu: 1580/QĐ-TTg</span></div>
<div class="middle"><a class="sapo" href="/van-ban/quyet-dinh-so-1580-qd-ttg-468402.htm"
 title="Phê duyệt Đề án phát triển nguồn nhân lực số">Phê duyệt Đề án…</a></div>
<div class="bot"><span class="days">[Ban hành: 27/11/2026]</span></div></div>
<div class="item--vb"><div class="top"><span class="kh">Ký hiệu: </span></div>
<div class="middle"><a class="sapo" href="/van-ban/so-cong-bao-1234.htm" title="Số Công báo 1234">Số 1234</a></div></div>
</div><div class="pagination"><a href="/van-ban-dang-cong-bao/trang-2.htm" rel="next">Trang sau</a></div></body></html>"""

CONGBAO_DETAIL = """<html><body><div class="document--focus">
<div class="row"><span class="name">Số, ký hiệu</span><div class="value"><span class="child-value">356/2026/NĐ-CP</span></div></div>
<div class="row"><span class="name">Loại văn bản</span><div class="value"><span class="child-value">Nghị định</span></div></div>
<div class="row"><span class="name">Cơ quan ban hành</span><div class="value"><span class="child-value">CHÍNH PHỦ</span></div></div>
<div class="row"><span class="name">Ngày ban hành</span><div class="value"><span class="child-value">28/11/2026</span></div></div>
<div class="row"><span class="name">Ngày hiệu lực</span><div class="value"><span class="child-value">01/01/2027</span></div></div>
<div class="row"><span class="name">Người ký</span><div class="value"><span class="child-value">Trần Hồng Hà</span></div></div>
</div><div class="attach"><a href="https://congbao.chinhphu.vn/tai-ve/356-2026-nd-cp.pdf">Tải về</a></div></body></html>"""


def test_congbao_cards_and_document_page() -> None:
    config = OfficialListing(layout="congbao")
    page = parse_listing(CONGBAO_LISTING, "https://congbao.chinhphu.vn/van-ban-dang-cong-bao.htm", config, "congbao", TZ)
    assert [(e.number, e.issue_date, e.trich_yeu) for e in page.entries] == [
        ("356/2026/NĐ-CP", date(2026, 11, 28), "Quy định chi tiết một số điều của Luật Bảo vệ dữ liệu cá nhân"),
        ("1580/QĐ-TTg", date(2026, 11, 27), "Phê duyệt Đề án phát triển nguồn nhân lực số")]
    assert [p.reason for p in page.problems] == ["number_missing"]  # the gazette issue card has no number
    assert page.next_pages == ["https://congbao.chinhphu.vn/van-ban-dang-cong-bao/trang-2.htm"]
    decree = page.entries[0]
    assert decree.detail_url == "https://congbao.chinhphu.vn/van-ban/nghi-dinh-so-356-2026-nd-cp-468371.htm"

    merge_detail(decree, CONGBAO_DETAIL, decree.detail_url, config, TZ)
    assert (decree.doc_type_name, decree.issuer_name, decree.signer) == ("Nghị định", "Chính phủ", "Trần Hồng Hà")
    assert decree.effective_date == date(2027, 1, 1)
    assert decree.attachment_urls == ["https://congbao.chinhphu.vn/tai-ve/356-2026-nd-cp.pdf"]
    article = entry_article(decree, entry_key(decree), tz=TZ)
    assert article.title == "Nghị định 356/2026/NĐ-CP Quy định chi tiết một số điều của Luật Bảo vệ dữ liệu cá nhân"
    assert article.published == datetime(2026, 11, 28, tzinfo=TZ)


def test_vanban_chinhphu_grid_rows() -> None:
    docs = [DemoDocument("134/2025/QH15", "10/12/2025", "Luật Trí tuệ nhân tạo", page="/?pageid=27160&docid=216334",
                         files=["https://datafiles.chinhphu.vn/cpp/files/vbpq/2026/01/luat134.signed.pdf"]),
            DemoDocument("17/2026/NĐ-CР", "05-12-2026", "Sửa đổi Nghị định về dịch vụ công trực tuyến")]  # Cyrillic Р
    html = gridview_listing(docs)
    page = parse_listing(html, "https://vanban.chinhphu.vn/he-thong-van-ban?classid=1&mode=1",
                         OfficialListing(layout="vanban_chinhphu"), "vanban", TZ)
    law, decree = page.entries
    assert (law.number, law.canonical) == ("134/2025/QH15", "134/2025/QH15")  # the grid's "1." row number is gone
    assert law.detail_url == "https://vanban.chinhphu.vn/?pageid=27160&docid=216334"
    assert law.attachment_urls == ["https://datafiles.chinhphu.vn/cpp/files/vbpq/2026/01/luat134.signed.pdf"]
    assert decree.canonical == "17/2026/NĐ-CP" and decree.issue_date == date(2026, 12, 5)  # Latin P, dd-mm-yyyy
    assert decree.detail_url is None and page.problems == [] and page.next_pages == []
    assert entry_article(law, entry_key(law), tz=TZ).title == "Luật 134/2025/QH15 Trí tuệ nhân tạo"


def test_detail_labels_in_tables_lists_and_lines() -> None:
    html = """<table><tr><td class="col1">Số ký hiệu</td><td>07/CT-TTg</td></tr>
<tr><td class="col1">Ngày ban hành</td><td>03-12-2026</td></tr></table>
<ul><li><strong>Người ký:</strong> Nguyễn Văn An</li><li>Cơ quan ban hành: Thủ tướng Chính phủ</li></ul>"""
    assert detail_fields(html) == {"number": "07/CT-TTg", "date": "03-12-2026", "signer": "Nguyễn Văn An",
                                   "issuer": "Thủ tướng Chính phủ"}


def test_a_ministry_table_is_read_by_its_headings_whatever_its_classes() -> None:
    html = """<table class="tbl"><tr><th>STT</th><th>Số hiệu</th><th>Ngày ký</th><th>Tên văn bản</th>
<th>Tệp đính kèm</th></tr>
<tr><td>1</td><td><a href="/vb/chi-tiet/8812">12/QĐ-BKHCN</a></td><td>01/12/2026</td><td>Về việc ban hành Kế hoạch X</td>
<td><a href="/Upload/12-qd.pdf">12-qd.pdf</a></td></tr></table>
<div class="paging"><a href="?page=1">1</a><a href="?page=2">Trang sau</a></div>"""
    page = parse_listing(html, "https://mst.gov.vn/van-ban", OfficialListing(layout="table",
                                                                                issuer_name="Bộ Khoa học và Công nghệ"),
                         "mst", TZ)
    (entry,) = page.entries
    assert (entry.canonical, entry.issue_date, entry.trich_yeu) == ("12/QĐ-BKHCN", date(2026, 12, 1),
                                                                    "Về việc ban hành Kế hoạch X")
    assert entry.detail_url == "https://mst.gov.vn/vb/chi-tiet/8812"
    assert entry.attachment_urls == ["https://mst.gov.vn/Upload/12-qd.pdf"]
    assert page.next_pages == ["https://mst.gov.vn/van-ban?page=2"]  # the pager link labelled "Trang sau"
