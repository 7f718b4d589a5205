"""The text of one attached file (PDF, DOCX, legacy DOC), read from its bytes: one job per format.

The format is sniffed from the bytes (magic numbers), never taken from the file name or the
``Content-Type`` a portal sends (portals serve PDFs as ``application/octet-stream`` and HTML error
pages under ``.pdf`` names):

* PDF (``%PDF-``) with **pypdfium2** (Google's PDFium, the engine of Chromium's viewer): its text
  layer only; pages without one (scans) are counted and no OCR is done;
* DOCX (a ZIP holding ``word/document.xml``) with **python-docx**: paragraphs and tables in document
  order (an official text's "Số: …/QĐ-TTg" and "Hà Nội, ngày …" sit in the header table);
* legacy DOC (an OLE2 compound file) with Debian's ``antiword``, else ``catdoc``, in a subprocess.

This module is what runs in the bounded child process (``python -m newswatch.documents.filetext``,
started by :func:`newswatch.documents.attachments.read_attachment`): it sets its own address-space and
CPU limits first, reads the file from stdin, and writes one JSON object (``status``, ``reason``,
``text``, ``pages``) to stdout. It imports nothing heavy at module level, so the child starts fast.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # an encrypted Office 2007+ file is an OLE container
DOC_TOOLS = ("antiword", "catdoc")
DOC_PACKAGE = "antiword"  # the Debian package scripts/install-system-deps.sh installs (catdoc is the fallback)


@dataclass
class FileText:
    """What was read from one file: a status of :class:`~newswatch.documents.model.AttachmentStatus`."""

    status: str
    reason: str = ""
    text: str = ""
    pages: int | None = None
    kind: str = ""  # pdf | docx | doc | ""


def sniff(body: bytes) -> str:
    """``pdf``, ``docx``, ``doc``, ``encrypted-office``, ``zip``, ``html``, ``rtf`` or ``unknown``."""
    head = body[:1024]
    if PDF_MAGIC in head:  # some producers put junk (a BOM, a newline) before the header
        return "pdf"
    if body.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return "zip"
        return "docx" if "word/document.xml" in names else "zip"
    if body.startswith(OLE_MAGIC):
        return "encrypted-office" if OLE_ENCRYPTED in body[:1 << 20] else "doc"
    text = head.lstrip().lower()
    if text.startswith(b"{\\rtf"):
        return "rtf"
    if text.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in text[:300]:
        return "html"
    return "unknown"


def _clean(text: str) -> str:
    """Lines stripped, runs of blank lines collapsed; form feeds and NULs gone."""
    lines = [line.strip() for line in text.replace("\x00", "").replace("\x0c", "\n").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def read_pdf(body: bytes, *, max_pages: int, max_chars: int) -> FileText:
    """The text layer of a PDF's pages (up to ``max_pages``), with pypdfium2."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return FileText("encrypted", "encrypted PDF: it needs a password to open", kind="pdf")
        return FileText("corrupt", f"not a readable PDF ({exc})", kind="pdf")
    try:
        total = len(pdf)
        texts: list[str] = []
        empty = 0
        size = 0
        for index in range(min(total, max_pages)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            if len(text.strip()) < 3:
                empty += 1
            texts.append(text)
            size += len(text)
            if size >= max_chars:
                break
    finally:
        pdf.close()
    read = len(texts)
    text = _clean("\n\n".join(texts))[:max_chars]
    if total == 0:
        return FileText("corrupt", "a PDF without pages", pages=0, kind="pdf")
    if not text:
        return FileText("no_text_layer", f"scanned PDF: none of its {total} page(s) has a text layer; "
                        "no OCR is done", pages=total, kind="pdf")
    notes = []
    if empty:
        notes.append(f"{empty} of {read} page(s) read have no text layer (scanned; no OCR is done)")
    if read < total:
        notes.append(f"only the first {read} of {total} pages were read (bound: {max_pages} pages, "
                     f"{max_chars} characters)")
    return FileText("ok", "; ".join(notes), text, pages=total, kind="pdf")


def _docx_blocks(document: object, max_chars: int) -> list[str]:
    """Paragraph and table text in document order (merged table cells once), up to about ``max_chars``."""
    from docx.table import Table

    blocks: list[str] = []
    size = 0
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            for row in block.rows:
                seen: list[object] = []
                cells = []
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.append(cell._tc)
                    value = cell.text.strip()
                    if value:
                        cells.append(value)
                if cells:
                    blocks.append("\n".join(cells))
                    size += len(blocks[-1]) + 1
        else:
            blocks.append(block.text)
            size += len(block.text) + 1
        if size >= max_chars:
            break
    return blocks


def read_docx(body: bytes, *, max_chars: int, max_unpacked: int) -> FileText:
    """The paragraphs and tables of a DOCX, with python-docx (a ZIP whose parts unpack past the bound is refused)."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > max_unpacked:
                return FileText("too_large", f"DOCX unpacks to {unpacked} bytes, over the bound of {max_unpacked}",
                                kind="docx")
        import docx

        document = docx.Document(io.BytesIO(body))
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, PackageNotFoundError, lxml's XMLSyntaxError on a damaged part …
        if _near_memory_bound():
            raise MemoryError(str(exc)) from exc  # lxml reports a failed allocation as a syntax error
        return FileText("corrupt", f"not a readable DOCX ({type(exc).__name__}: {exc})"[:300], kind="docx")
    text = _clean("\n".join(_docx_blocks(document, max_chars)))
    if not text:
        return FileText("no_text_layer", "DOCX without text (only images?); no OCR is done", kind="docx")
    return FileText("ok", "", text[:max_chars], kind="docx")


def doc_tool() -> str | None:
    """The first of antiword, catdoc found on PATH."""
    return next((tool for tool in DOC_TOOLS if shutil.which(tool)), None)


def read_doc(body: bytes, *, max_chars: int, timeout: float) -> FileText:
    """A legacy Word file through antiword (catdoc when antiword is missing or refuses it)."""
    tools = [tool for tool in DOC_TOOLS if shutil.which(tool)]
    if not tools:
        return FileText("unsupported", f"legacy Word .doc needs the '{DOC_PACKAGE}' (or 'catdoc') Debian package, "
                        "which is not installed (scripts/install-system-deps.sh installs it)", kind="doc")
    with tempfile.TemporaryDirectory(prefix="nw-doc-") as tmp:
        path = os.path.join(tmp, "attachment.doc")
        with open(path, "wb") as handle:
            handle.write(body)
        errors = []
        for tool in tools:
            cmd = [tool, "-m", "UTF-8.txt", "-w", "0", path] if tool == "antiword" else [tool, "-d", "utf-8", "-w", path]
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                return FileText("timeout", f"{tool} took longer than {timeout:.0f} s", kind="doc")
            text = _clean(proc.stdout.decode("utf-8", "replace"))
            if proc.returncode == 0 and text:
                return FileText("ok", "", text[:max_chars], kind="doc")
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            errors.append(f"{tool}: {message[-1] if message else f'exit status {proc.returncode}'}")
    return FileText("corrupt", "not a readable Word .doc (" + "; ".join(errors)[:250] + ")", kind="doc")


def read_file(body: bytes, *, max_pages: int = 500, max_chars: int = 2_000_000, timeout: float = 30.0,
              max_unpacked: int = 200 * 1024 * 1024) -> FileText:
    """The text of one file, whatever its name says, within the page/character bounds (no process bounds here)."""
    kind = sniff(body)
    if kind == "pdf":
        return read_pdf(body, max_pages=max_pages, max_chars=max_chars)
    if kind == "docx":
        return read_docx(body, max_chars=max_chars, max_unpacked=max_unpacked)
    if kind == "doc":
        return read_doc(body, max_chars=max_chars, timeout=timeout)
    if kind == "encrypted-office":
        return FileText("encrypted", "encrypted Word document: it needs a password to open", kind="docx")
    if not body:
        return FileText("corrupt", "empty file")
    described = {"zip": "a ZIP archive", "html": "an HTML page, not a file", "rtf": "an RTF document",
                 "unknown": "not a PDF, DOC or DOCX"}[kind]
    status = "corrupt" if kind in ("html", "unknown") else "unsupported"
    return FileText(status, f"{described} (first bytes {body[:8]!r}); PDF, DOCX and DOC are read")


# --- the bounded child process ---------------------------------------------------------------------

_memory_bound = 0  # the address-space limit this process set on itself (0: none)


def _near_memory_bound() -> bool:
    """Whether this process came close to its address-space bound (a reader error is then a failed allocation)."""
    if not _memory_bound:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmPeak:")), 0)
    except OSError:
        return False
    return peak >= 0.8 * _memory_bound


def _limit(max_memory: int, cpu_seconds: int) -> None:
    import resource

    global _memory_bound
    if max_memory > 0:
        _memory_bound = max_memory
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    if cpu_seconds > 0:  # SIGXCPU at the soft limit kills the child; SIGKILL one second later
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="read one file's text from stdin, bounded; JSON to stdout")
    parser.add_argument("--max-memory", type=int, default=0, help="address-space limit in bytes (0: none)")
    parser.add_argument("--cpu", type=int, default=0, help="CPU seconds (0: none)")
    parser.add_argument("--max-pages", type=int, default=500)
    parser.add_argument("--max-chars", type=int, default=2_000_000)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    body = sys.stdin.buffer.read()
    _limit(args.max_memory, args.cpu)
    try:
        result = read_file(body, max_pages=args.max_pages, max_chars=args.max_chars, timeout=args.timeout,
                           max_unpacked=max(args.max_memory // 2, 1 << 20) if args.max_memory else 200 << 20)
    except MemoryError:
        result = FileText("too_large", f"reading it needed more than the memory bound ({args.max_memory >> 20} MB)")
    except Exception as exc:  # a reader bug on a hostile file must still answer
        if _near_memory_bound():
            result = FileText("too_large", f"reading it needed more than the memory bound ({args.max_memory >> 20} MB)")
        else:
            result = FileText("corrupt", f"the reader failed on it ({type(exc).__name__}: {exc})"[:300])
    out = json.dumps(result.__dict__, ensure_ascii=False).encode("utf-8")
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
