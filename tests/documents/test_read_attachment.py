"""Reading attached files in the bounded child process: real PDFs and DOCX made at test time, and hostile ones."""

from __future__ import annotations

import shutil
import time
from datetime import date

import pytest
from attachment_files import (
    bloated_docx,
    corrupt_pdf,
    docx_file,
    encrypted_pdf,
    official_lines,
    scanned_pdf,
    text_pdf,
    word97_doc,
)

from monitor.evidence import DEFAULT_ISSUANCE_PHRASES
from monitor.signal import Judge
from newswatch.documents.attachments import (
    MB,
    AttachmentLimits,
    attach_to_article,
    confirm_attachment,
    read_attachment,
)
from newswatch.documents.model import Attachment, AttachmentStatus
from newswatch.models import Article
from newswatch.settings import load_settings
from newswatch.text.enrich import enrich_article

ISSUED = date(2026, 12, 1)
LIMITS = AttachmentLimits()


def read(body: bytes, name: str = "file.pdf", limits: AttachmentLimits = LIMITS) -> Attachment:
    return read_attachment(body, url=f"https://mst.gov.vn/uploads/{name}", content_type="application/octet-stream",
                           limits=limits)


def test_pdf_text_layer_in_vietnamese_with_number_and_date_confirmed() -> None:
    got = read(text_pdf("1234/QĐ-TTg", ISSUED, "truy xuất nguồn gốc sầu riêng", pages=3), "qd-1234.signed.pdf")
    assert got.status is AttachmentStatus.OK, got.reason
    assert (got.filename, got.pages) == ("qd-1234.signed.pdf", 3)
    assert "truy xuất nguồn gốc sầu riêng" in got.text  # diacritics intact, words in order
    assert "Hà Nội, ngày 01 tháng 12 năm 2026" in got.text
    confirmed = confirm_attachment(got, "1234/qd-ttg", ISSUED)  # as a user or a listing may type it
    assert (confirmed.number_confirmed, confirmed.date_confirmed) == (True, True)
    other = confirm_attachment(got, "1235/QĐ-TTg", date(2026, 12, 2))
    assert (other.number_confirmed, other.date_confirmed) == (False, False)
    assert confirm_attachment(got, None, None).number_confirmed is None  # nothing to check


def test_docx_paragraphs_and_header_table() -> None:
    got = read(docx_file("45/KH-BKHCN", ISSUED, "kho dữ liệu khí tượng thủy văn"), "download?id=9")
    assert got.status is AttachmentStatus.OK, got.reason  # sniffed from the bytes, whatever the URL says
    assert "kho dữ liệu khí tượng thủy văn" in got.text
    assert "Số: 45/KH-BKHCN" in got.text  # the header table is read
    checked = confirm_attachment(got, "45/KH-BKHCN", ISSUED)
    assert checked.number_confirmed and checked.date_confirmed


def test_scanned_pdf_is_recorded_without_text_and_says_no_ocr() -> None:
    got = read(scanned_pdf(pages=2))
    assert got.status is AttachmentStatus.NO_TEXT_LAYER
    assert "no OCR is done" in got.reason and got.pages == 2 and got.text == ""
    assert confirm_attachment(got, "1234/QĐ-TTg", ISSUED).number_confirmed is None


def test_encrypted_corrupt_and_html_as_pdf() -> None:
    plain = text_pdf("1234/QĐ-TTg", ISSUED, "nội dung mật")
    encrypted = read(encrypted_pdf(plain))
    assert encrypted.status is AttachmentStatus.ENCRYPTED and "password" in encrypted.reason
    restricted = read(encrypted_pdf(plain, password=""))  # an owner password only: readable, as in a viewer
    assert restricted.status is AttachmentStatus.OK and "nội dung mật" in restricted.text
    broken = read(corrupt_pdf(plain))
    assert broken.status is AttachmentStatus.CORRUPT and "PDF" in broken.reason
    page = read(b"<!DOCTYPE html><html><body>Trang kh\xc3\xb4ng t\xe1\xbb\x93n t\xe1\xba\xa1i</body></html>")
    assert page.status is AttachmentStatus.CORRUPT and "HTML page" in page.reason
    archive = read(b"PK\x03\x04" + b"\x00" * 100, "van-ban.zip")
    assert archive.status in (AttachmentStatus.UNSUPPORTED, AttachmentStatus.CORRUPT)


def test_over_the_byte_bound_is_not_read() -> None:
    got = read(b"%PDF-1.7\n" + b"0" * (2 * MB), limits=AttachmentLimits(max_bytes=1 * MB))
    assert got.status is AttachmentStatus.TOO_LARGE and str(1 * MB) in got.reason and got.size == 2 * MB + 9


def test_memory_bound_kills_a_reader_that_would_blow_up() -> None:
    """A 200 KB DOCX whose XML unpacks to 60 MB: parsing it needs far more than 250 MB of address space."""
    bomb = bloated_docx(60)
    assert len(bomb) < 1 * MB
    got = read(bomb, "bomb.docx", AttachmentLimits(max_memory=250 * MB))
    assert got.status is AttachmentStatus.TOO_LARGE and "memory bound (250 MB)" in got.reason
    tighter = read(bomb, "bomb.docx", AttachmentLimits(max_memory=100 * MB))  # refused before parsing: unpacks too big
    assert tighter.status is AttachmentStatus.TOO_LARGE


def test_time_bound_stops_a_slow_reader() -> None:
    bomb = bloated_docx(60)
    started = time.monotonic()
    got = read(bomb, "bomb.docx", AttachmentLimits(timeout=1.0, max_memory=2048 * MB))
    assert got.status is AttachmentStatus.TIMEOUT and "1 s" in got.reason
    assert time.monotonic() - started < 10  # the child was killed at its bound, not waited for


NO_DOC_TOOL = pytest.mark.skipif(shutil.which("antiword") is None and shutil.which("catdoc") is None,
                                 reason="antiword/catdoc not installed (scripts/install-system-deps.sh)")


@NO_DOC_TOOL
def test_legacy_word_doc_text_in_vietnamese() -> None:
    body = word97_doc("\n".join(official_lines("88/CV-BKHCN", ISSUED, "đường dây nóng phòng chống thiên tai")))
    got = read(body, "cong-van-88.doc")
    assert got.status is AttachmentStatus.OK, got.reason
    assert "đường dây nóng phòng chống thiên tai" in got.text and "Số: 88/CV-BKHCN" in got.text
    checked = confirm_attachment(got, "88/CV-BKHCN", ISSUED)
    assert checked.number_confirmed and checked.date_confirmed


@NO_DOC_TOOL
def test_ole_file_that_is_not_a_word_document_is_corrupt() -> None:
    got = read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "cong-van.doc")
    assert got.status is AttachmentStatus.CORRUPT and ".doc" in got.reason


def test_doc_without_its_tool_is_unsupported_naming_the_package(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))  # the child finds neither antiword nor catdoc
    got = read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "cong-van.doc")
    assert got.status is AttachmentStatus.UNSUPPORTED and "antiword" in got.reason


def test_attach_to_article_appends_ok_text_bounded_and_keeps_every_outcome() -> None:
    article = Article(url="https://mst.gov.vn/a.htm", title="Quyết định 1234/QĐ-TTg", text="Thân bài.")
    ok = Attachment(url="https://x/a.pdf", filename="a.pdf", text="Điều 1. Sầu riêng " * 50)
    scanned = Attachment(url="https://x/b.pdf", filename="b.pdf", status=AttachmentStatus.NO_TEXT_LAYER,
                         reason="scanned PDF; no OCR is done")
    second = Attachment(url="https://x/c.docx", filename="c.docx", text="Phụ lục khí tượng")
    attach_to_article(article, [ok, scanned, second], max_chars=300)
    assert [a["status"] for a in article.extraction["attachments"]] == ["ok", "no_text_layer", "ok"]
    assert article.text.startswith("Thân bài.") and "Tệp đính kèm: a.pdf" in article.text
    assert "b.pdf" not in article.text  # nothing to append from a scan
    assert "Phụ lục khí tượng" not in article.text  # the 300-character budget went to the first file
    assert article.own_text == "Thân bài."
    assert Attachment.from_dict(article.extraction["attachments"][1]).reason == "scanned PDF; no OCR is done"
    attach_to_article(article, [second])  # the page read again: its attachments replace the earlier ones
    assert article.text.count("Tệp đính kèm:") == 1 and article.text.endswith("Phụ lục khí tượng")


def test_limits_come_from_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "newswatch.yaml").write_text("attachments:\n  max_mb: 5\n  timeout_seconds: 12\n", encoding="utf-8")
    limits = AttachmentLimits.from_settings(load_settings(config_dir=tmp_path, data_dir=tmp_path / "d", env={}))
    assert (limits.max_bytes, limits.timeout, limits.max_memory) == (5 * MB, 12.0, 512 * MB)
    (tmp_path / "newswatch.yaml").write_text("attachments:\n  max_mb: 0\n  max_memroy_mb: 9\n", encoding="utf-8")
    from newswatch.errors import ConfigError

    with pytest.raises(ConfigError) as error:
        load_settings(config_dir=tmp_path, data_dir=tmp_path / "d", env={})
    message = str(error.value)
    assert "newswatch.yaml" in message and "attachments.max_mb" in message and "max_memroy_mb" in message


def test_an_attached_decree_is_searchable_text_but_its_citations_are_not_the_articles_numbers() -> None:
    """A ministry article with the decision attached: the decision's 'Căn cứ …' lines cite other documents,
    but the article reports one number; enrichment and the directive reading see only the article's own text."""
    article = Article(
        url="https://mst.gov.vn/quyet-dinh-1234.htm", title="Bộ KH&CN ban hành Quyết định 1234/QĐ-BKHCN",
        text="Bộ trưởng Bộ Khoa học và Công nghệ vừa ký Quyết định số 1234/QĐ-BKHCN ban hành Kế hoạch "
             "chuyển đổi số năm 2027 của Bộ.")
    decision = Attachment(url="https://mst.gov.vn/files/1234.pdf", filename="1234-QD-BKHCN.pdf", text=(
        "BỘ KHOA HỌC VÀ CÔNG NGHỆ\nSố: 1234/QĐ-BKHCN\nHà Nội, ngày 01 tháng 12 năm 2026\nQUYẾT ĐỊNH\n"
        "Căn cứ Nghị định số 55/2025/NĐ-CP ngày 02 tháng 3 năm 2025 của Chính phủ quy định chức năng, "
        "nhiệm vụ, quyền hạn và cơ cấu tổ chức của Bộ Khoa học và Công nghệ;\n"
        "Căn cứ Quyết định số 749/QĐ-TTg ngày 03 tháng 6 năm 2020 của Thủ tướng Chính phủ;"))
    attach_to_article(article, [decision])
    enrich_article(article, force=True)
    assert "55/2025/NĐ-CP" in article.text  # search finds words inside the official text
    assert article.canonical_doc_numbers == ["1234/QĐ-BKHCN"]
    judge = Judge(article, date(2026, 12, 2), DEFAULT_ISSUANCE_PHRASES, 30)
    assert [judge.judge(number).issued for number in article.doc_numbers] == [True]
