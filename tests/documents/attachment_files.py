"""Attachment files made at test time: official texts as PDF (text layer, scanned, encrypted, corrupt) and DOCX.

The official layout is the one every Vietnamese state document prints (Nghị định 30/2020/NĐ-CP): a
header table with the issuer and "Số: …" on the left, the national motto and "Hà Nội, ngày … tháng …
năm …" on the right, then the type, the trích yếu, the body. PDFs use DejaVu Sans (Debian's
fonts-dejavu-core), which covers Vietnamese; pypdf encrypts, python-docx writes DOCX.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def official_lines(number: str, issued: date, words: str, paragraphs: int = 6) -> list[str]:
    return [
        "THỦ TƯỚNG CHÍNH PHỦ",
        f"Số: {number}",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Hà Nội, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
        "QUYẾT ĐỊNH",
        "Phê duyệt Chương trình chuyển đổi số quốc gia giai đoạn mới",
        "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;",
        *[f"Điều {i}. Các bộ, ngành, địa phương triển khai {words} và báo cáo kết quả thực hiện "
          f"về Bộ Khoa học và Công nghệ trước ngày 15 tháng {i % 12 + 1} hằng năm." for i in range(1, paragraphs + 1)],
        "KT. THỦ TƯỚNG",
        "PHÓ THỦ TƯỚNG",
    ]


def text_pdf(number: str, issued: date, words: str, *, pages: int = 1) -> bytes:
    """A PDF with a text layer (the text of an official decision, repeated over ``pages``)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    for _ in range(pages):
        pdf.add_page()
        for line in official_lines(number, issued, words):
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages are only pictures of text (a scan): no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    pdf = FPDF()
    for index in range(pages):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for row in range(20):
            draw.rectangle((40, 40 + row * 35, 560, 55 + row * 35), fill=(index * 30) % 200)
        pdf.add_page()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.image(buffer, x=10, y=10, w=190)
    return bytes(pdf.output())


def encrypted_pdf(body: bytes, password: str = "mat-khau") -> bytes:
    """``body`` encrypted with a user password (AES-256), as some portals publish."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf(body: bytes) -> bytes:
    """A PDF header followed by damage: the start kept, the middle overwritten, the end (xref, trailer) gone."""
    head = body[:200]
    return head + bytes((i * 37) % 251 for i in range(2000))


def docx_file(number: str, issued: date, words: str, *, paragraphs: int = 6) -> bytes:
    """A DOCX of an official text: the header as a 2x2 table (as Word templates of state documents do)."""
    import docx

    lines = official_lines(number, issued, words, paragraphs)
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 0).text = lines[0], lines[1]
    table.cell(0, 1).text = f"{lines[2]}\n{lines[3]}"
    table.cell(1, 1).text = lines[4]
    for line in lines[5:]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bloated_docx(xml_mb: int = 60) -> bytes:
    """A small DOCX (a few hundred KB) whose document.xml unpacks to ``xml_mb`` MB of paragraphs."""
    base = docx_file("1/QĐ-TTg", date(2026, 1, 1), "x", paragraphs=1)
    paragraph = b"<w:p><w:r><w:t>chuy\xe1\xbb\x83n \xc4\x91\xe1\xbb\x95i s\xe1\xbb\x91 qu\xe1\xbb\x91c gia</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                head = data.partition(b"<w:body>")[0]
                body = paragraph * (xml_mb * 1024 * 1024 // len(paragraph))
                data = head + b"<w:body>" + body + b"</w:body></w:document>"
            dst.writestr(info, data)
    return out.getvalue()
