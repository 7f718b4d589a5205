"""Benchmark of attachment reading: PDF libraries compared on Vietnamese text, and the bounded reader's throughput.

    .venv/bin/python bench/attachments.py [--files 20] [--pages 20]

Prints ONE JSON line:

* ``libraries``: for pypdfium2, pypdf and pdfminer.six, on two PDFs of the same official text (a
  Vietnamese decision) made by two producers — fpdf2 with DejaVu Sans, and Chromium's print-to-PDF with
  Liberation Serif (the way Word/"Microsoft Print to PDF" files position Vietnamese glyphs; skipped when
  no Chromium is installed) — ``word_recall`` (share of the text's words found whole in the
  extraction: a word split as "Ch ươ ng" is lost to search) and ``pages_per_s``;
* ``reader``: :func:`newswatch.documents.attachments.read_attachment` end to end (child process start,
  limits, extraction, JSON back) on ``--files`` PDFs of ``--pages`` pages and as many DOCX:
  ``files_per_s``, ``mb_per_s``, and ``peak_child_rss_mb`` (largest resident set of a reader child).

The files are made in memory at run time (fpdf2, python-docx: the ``test`` extra).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "documents"))

from attachment_files import docx_file, official_lines, text_pdf  # noqa: E402

from newswatch.documents.attachments import AttachmentLimits, read_attachment  # noqa: E402

ISSUED = date(2026, 12, 1)
WORDS = "truy xuất nguồn gốc sầu riêng và kho dữ liệu khí tượng thủy văn"


def chromium_pdf(pages: int) -> bytes | None:
    """The official text printed to PDF by headless Chromium (Liberation Serif), or None without Chromium."""
    binary = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if binary is None:
        return None
    lines = official_lines("1234/QĐ-TTg", ISSUED, WORDS)
    body = "".join(f"<p>{line}</p>" for line in lines)
    html = ('<html><head><meta charset="utf-8"><style>body{font-family:"Liberation Serif","Times New Roman",serif;'
            'font-size:13pt} .p{page-break-after:always}</style></head><body>'
            + "".join(f'<div class="p">{body}</div>' for _ in range(pages)) + "</body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp) / "van-ban.html", Path(tmp) / "van-ban.pdf"
        page.write_text(html, encoding="utf-8")
        subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", page.as_uri()], capture_output=True, timeout=120, check=False)
        return out.read_bytes() if out.exists() else None


def extract_pypdfium2(body: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(body)
    texts = []
    for page in pdf:
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
    return "\n".join(texts), len(pdf)


def extract_pypdf(body: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages), len(reader.pages)


def extract_pdfminer(body: bytes) -> tuple[str, int]:
    import logging

    from pdfminer.high_level import extract_text

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    text = extract_text(io.BytesIO(body))
    return text, text.count("\x0c") or 1


LIBRARIES = {"pypdfium2": extract_pypdfium2, "pypdf": extract_pypdf, "pdfminer.six": extract_pdfminer}


def word_recall(expected: list[str], text: str) -> float:
    """Share of the expected words (with their diacritics) that appear as whole words in the extraction."""
    found = set(re.findall(r"\w+", text.lower()))
    words = [w for line in expected for w in re.findall(r"\w+", line.lower())]
    return round(sum(w in found for w in words) / len(words), 4)


def compare(pdfs: dict[str, bytes]) -> dict[str, dict[str, dict[str, float]]]:
    expected = official_lines("1234/QĐ-TTg", ISSUED, WORDS)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, extract in LIBRARIES.items():
        out[name] = {}
        for producer, body in pdfs.items():
            started = time.perf_counter()
            text, pages = extract(body)
            elapsed = time.perf_counter() - started
            out[name][producer] = {"word_recall": word_recall(expected, text),
                                   "pages_per_s": round(pages / elapsed, 1)}
    return out


def reader(kind: str, bodies: list[bytes], limits: AttachmentLimits) -> dict[str, float]:
    started = time.perf_counter()
    ok = 0
    for index, body in enumerate(bodies):
        got = read_attachment(body, url=f"https://mst.gov.vn/uploads/{index}.{kind}", content_type=None, limits=limits)
        ok += got.status.value == "ok"
    elapsed = time.perf_counter() - started
    size = sum(len(b) for b in bodies)
    return {"files": len(bodies), "ok": ok, "files_per_s": round(len(bodies) / elapsed, 2),
            "mb_per_s": round(size / 1048576 / elapsed, 2), "mean_file_kb": round(size / len(bodies) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20, help="files of each kind read through the bounded reader")
    parser.add_argument("--pages", type=int, default=20, help="pages of each PDF")
    args = parser.parse_args()
    limits = AttachmentLimits()
    pdf_bodies = [text_pdf(f"{1000 + i}/QĐ-TTg", ISSUED, WORDS, pages=args.pages) for i in range(args.files)]
    docx_bodies = [docx_file(f"{i}/KH-BKHCN", ISSUED, WORDS, paragraphs=30 * args.pages // 4)
                   for i in range(args.files)]
    read = {"pdf": reader("pdf", pdf_bodies, limits), "docx": reader("docx", docx_bodies, limits)}
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # before Chromium is a child too
    pdfs = {"fpdf2-dejavu": text_pdf("1234/QĐ-TTg", ISSUED, WORDS, pages=args.pages)}
    printed = chromium_pdf(args.pages)
    if printed is not None:
        pdfs["chromium-liberation-serif"] = printed
    result = {
        "bench": "attachments",
        "libraries": compare(pdfs),
        "reader": read,
        "peak_child_rss_mb": round(peak, 1),
        "pages_per_pdf": args.pages,
        "limits": {"max_memory_mb": limits.max_memory // 1048576, "timeout_s": limits.timeout},
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
