"""Attachment links of real-portal layouts: which links are this page's files, and which belong to others."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.documents.attachments import attachment_links, filename_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"


def links(name: str, base: str) -> list[str]:
    return attachment_links((FIXTURES / name).read_bytes(), base)


def test_government_document_portal_gives_its_files_once_without_related_documents() -> None:
    assert links("vanban_chinhphu.html", "https://vanban.chinhphu.vn/?pageid=27160&docid=212345") == [
        "https://datafiles.chinhphu.vn/cpp/files/vbpq/2026/12/1234-ttg.signed.pdf",  # icon and name: one link
        "https://datafiles.chinhphu.vn/cpp/files/vbpq/2026/12/1234-ttg-phuluc.doc",
    ]  # not the "Văn bản liên quan" PDF, the menu's guide or the footer's rules


def test_ministry_portal_attachment_block_query_named_files_and_viewer() -> None:
    assert links("bo_portal.html", "https://mst.gov.vn/tin-tuc/trien-khai-197261202.htm") == [
        "https://mst.gov.vn/Lists/VanBan/Attachments/912/KH 45-BKHCN.docx",  # in the body, resolved against <base>
        "https://mst.gov.vn/uploads/2026/12/qd-1234-ttg.signed.pdf",  # "Tệp đính kèm:" (and the pdf.js viewer's file)
        "https://mst.gov.vn/DownloadFile.aspx?FileName=phu-luc-kem-theo.docx&id=88",  # the file named in the query
    ]  # not images, not an article whose slug says "pdf", not "Tin liên quan", the sidebar or the footer


def test_gazette_download_button_without_extension_but_not_the_view_page() -> None:
    assert links("congbao.html", "https://congbao.chinhphu.vn/van-ban/quyet-dinh-so-1234-qd-ttg-45678.htm") == [
        "https://congbao.chinhphu.vn/tai-ve-van-ban-so-1234-qd-ttg-45678",
    ]  # "Xem văn bản" is a page; the second "Tải về" differs only by its fragment; "Văn bản khác" is another's


def test_press_article_links_its_document_not_the_related_box() -> None:
    assert links("baochinhphu.html", "https://baochinhphu.vn/phe-duyet-102261201.htm") == [
        "https://datafiles.chinhphu.vn/cpp/files/vbpq/2026/12/1234-ttg.signed.pdf",
    ]  # "Xem toàn văn … tại đây" leads to the portal's page, not to a file


@pytest.mark.parametrize(("html", "expected"), [
    ('<p><a href="/files/QD%201234.PDF">QĐ</a></p>', ["https://x.vn/files/QD%201234.PDF"]),
    ('<p><a href="/getfile?id=7">Tải file</a></p>', ["https://x.vn/getfile?id=7"]),
    ('<p><a href="/bai-viet-ve-file-pdf.html">pdf</a><a href="/a.png">Tải về</a></p>', []),
    ('<p><a href="mailto:a@x.vn">Tải về</a><a href="#">Tải về</a><a href="">x.pdf</a></p>', []),
    ('<div class="file-dinh-kem"><a href="/download/88">Quyết định 88</a></div>', ["https://x.vn/download/88"]),
    ('<p><a href="/van-ban/chi-tiet.aspx?ItemID=5">Xem văn bản</a></p>', []),
    ('<p><a href="/viewer?url=https://cdn.x.vn/a.pdf">Xem</a></p>', ["https://cdn.x.vn/a.pdf"]),
    # a box whose title is wrapped (box-head > h3 > a): the whole box is another's
    ('<div class="box"><div class="box-head"><h3><a href="/tin-lien-quan">Tin liên quan</a></h3></div>'
     '<ul><li><a href="/a.pdf">A</a></li></ul></div><div class="tepdinhkem"><a href="/b.pdf">B</a></div>',
     ["https://x.vn/b.pdf"]),
    # a list item whose link text starts like a box title is not one
    ('<ul><li><a href="/tin-moi-ve-so-hoa.htm">Tin mới về số hóa</a></li></ul><p><a href="/c.pdf">C</a></p>',
     ["https://x.vn/c.pdf"]),
])
def test_link_rules(html: str, expected: list[str]) -> None:
    assert attachment_links(f"<html><body><main>{html}</main></body></html>", "https://x.vn/bai.htm") == expected


def test_filename_from_disposition_query_or_path() -> None:
    assert filename_of("https://x.vn/a/qd-1234.signed.pdf") == "qd-1234.signed.pdf"
    assert filename_of("https://x.vn/DownloadFile.aspx?FileName=phu%20luc.docx") == "phu luc.docx"
    assert filename_of("https://x.vn/tai-ve/5", "attachment; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf") \
        == "Quyết định.pdf"
