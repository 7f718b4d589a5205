"""Attachment files made at test time: official texts as PDF (text layer, scanned, encrypted, corrupt) and DOCX.

The official layout is the one every Vietnamese state document prints (Nghị định 30/2020/NĐ-CP): a
header table with the issuer and "Số: …" on the left, the national motto and "Hà Nội, ngày … tháng …
năm …" on the right, then the type, the trích yếu, the body. PDFs use DejaVu Sans (Debian's
fonts-dejavu-core), which covers Vietnamese; pypdf encrypts, python-docx writes DOCX.
"""

from __future__ import annotations

import io
import struct
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
    """``body`` encrypted (AES-256) with a user password, or with an owner password only when ``password`` is
    empty (opens without one, printing and copying "restricted": how portals often publish signed PDFs)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    writer.encrypt(user_password=password, owner_password=(password or "chu-so-huu") + "-owner", algorithm="AES-256",
                   permissions_flag=0 if not password else -1)
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


# --- a legacy Word 97 .doc ([MS-CFB] container, [MS-DOC] FIB and piece table) ---------------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def _dir_entry(name: str, kind: int, left: int = NOSTREAM, right: int = NOSTREAM, child: int = NOSTREAM,
               start: int = ENDOFCHAIN, size: int = 0) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00"
    entry = raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw) if name else 0, kind, 1)
    entry += struct.pack("<III", left, right, child) + b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16
    entry += struct.pack("<IIIx", start, size, 0)[:12]
    return entry.ljust(128, b"\x00")


def _ole(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file of two streams (each >= 4096 bytes: no mini stream), the first with the second as
    its left sibling in the directory tree."""
    names = list(streams)
    layout: dict[str, tuple[int, int]] = {}  # sector 0: the FAT, sector 1: the directory
    next_sector = 2
    for name in names:
        data = streams[name]
        count = -(-len(data) // SECTOR)
        layout[name] = (next_sector, count)
        next_sector += count
    assert next_sector <= 128  # one FAT sector
    fat = [FATSECT, ENDOFCHAIN]
    for name in names:
        start, count = layout[name]
        fat += [start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    entries = [_dir_entry("Root Entry", 5, child=1)]
    entries.append(_dir_entry(names[0], 2, left=2, start=layout[names[0]][0], size=len(streams[names[0]])))
    entries.append(_dir_entry(names[1], 2, start=layout[names[1]][0], size=len(streams[names[1]])))
    entries.append(_dir_entry("", 0))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    assert len(header) == 512, len(header)
    out = header + struct.pack("<128I", *fat) + b"".join(entries)
    for name in names:
        data = streams[name]
        out += data.ljust(layout[name][1] * SECTOR, b"\x00")
    return out


def word97_doc(text: str) -> bytes:
    """A minimal Word 97 .doc: a FIB, the text in UTF-16 and a one-piece table in ``1Table`` (no style sheet)."""
    body = text.replace("\n", "\r")
    if not body.endswith("\r"):
        body += "\r"
    encoded = body.encode("utf-16-le")
    fc = 0x800
    fib = bytearray(fc)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0x6027, 0x042A, 0)
    struct.pack_into("<H", fib, 0x0A, 0x0200 | 0x1000)  # fWhichTblStm (1Table), fExtChar
    struct.pack_into("<H", fib, 0x0C, 0x00BF)
    struct.pack_into("<II", fib, 0x18, fc, fc + len(encoded))
    struct.pack_into("<H", fib, 0x20, 0x000E)
    struct.pack_into("<H", fib, 0x3E, 0x0016)
    struct.pack_into("<I", fib, 0x40, fc + len(encoded))
    struct.pack_into("<I", fib, 0x4C, len(body))  # ccpText
    struct.pack_into("<H", fib, 0x98, 0x005D)
    clx = b"\x02" + struct.pack("<I", 16) + struct.pack("<ii", 0, len(body)) + struct.pack("<HIH", 0, fc, 0)
    table = clx.ljust(4096, b"\x00")
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))
    word = (bytes(fib) + encoded).ljust(max(4096, fc + len(encoded)), b"\x00")
    return _ole({"WordDocument": word, "1Table": table})
