"""Official document listings for the demo and fixture sites, in the layouts of the real portals.

Two listing layouts (see :mod:`newswatch.official_layouts`):

* :func:`gridview_listing` — vanban.chinhphu.vn's "Hệ thống văn bản" GridView: one ``<tr>`` per
  document with ``span.code``, ``span.issued-date``, ``span.substract`` and ``div.bl-doc-file`` links;
* :func:`table_listing` — a ministry portal's "Văn bản chỉ đạo điều hành" table read by its column
  headings (Số ký hiệu, Ngày ban hành, Trích yếu, Người ký, Tải về), with a "Trang sau" link.

:func:`detail_page` renders a document's own page with its "thuộc tính" table (label/value rows)
and its attachment links; :func:`serve_documents` puts a set of documents, their pages and their
PDF/DOCX files on a :class:`~newswatch.demo.server.SiteServer`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from newswatch.demo.files import DOCX_TYPE, PDF_TYPE, docx_bytes, pdf_bytes
from newswatch.demo.server import SiteServer


@dataclass
class DemoDocument:
    """One document of an official listing, as the listing row and its page print it."""

    number: str
    date: str  # as printed: "01/12/2026" or "ngày 01 tháng 12 năm 2026"
    trich_yeu: str
    doc_type: str = ""
    issuer: str = ""
    signer: str = ""
    slug: str = ""  # its page: /van-ban/<slug>.htm ("" = no page of its own)
    files: list[str] = field(default_factory=list)  # attachment paths, .pdf or .docx
    body: list[str] = field(default_factory=list)  # the attachment's text
    row_signer: bool = True  # whether the listing row shows the signer (else only the page does)
    page: str = ""  # its page's path when not /van-ban/<slug>.htm (vanban.chinhphu.vn: /?pageid=27160&docid=N)

    @property
    def path(self) -> str | None:
        return self.page or (f"/van-ban/{self.slug}.htm" if self.slug else None)


def _e(text: str) -> str:
    return html.escape(text or "", quote=True)


def _page(title: str, main: str) -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{_e(title)}</title></head>
<body><header><nav><a href="/">Trang chủ</a> <a href="/van-ban">Văn bản</a> <a href="/lien-he">Liên hệ</a></nav></header>
<main>{main}</main><footer>Cổng thông tin điện tử. Bản quyền thuộc cơ quan chủ quản.</footer></body></html>"""


def _file_links(doc: DemoDocument) -> str:
    return "".join(f'<a href="{_e(f)}" download>Tải về {_e(f.rsplit(".", 1)[-1].upper())}</a> ' for f in doc.files)


def table_listing(docs: list[DemoDocument], *, title: str = "Văn bản chỉ đạo điều hành",
                  next_page: str | None = None, previous_page: str | None = None) -> str:
    """A ministry portal's table of documents, with its column headings and a "Trang sau" link."""
    rows = []
    for doc in docs:
        number = f'<a href="{_e(doc.path)}">{_e(doc.number)}</a>' if doc.path else _e(doc.number)
        summary = f'<a href="{_e(doc.path)}">{_e(doc.trich_yeu)}</a>' if doc.path else _e(doc.trich_yeu)
        rows.append(f"<tr><td>{number}</td><td>{_e(doc.date)}</td><td>{summary}</td>"
                    f"<td>{_e(doc.signer) if doc.row_signer else ''}</td><td>{_file_links(doc)}</td></tr>")
    pager = ""
    if previous_page:
        pager += f'<a href="{_e(previous_page)}">Trang trước</a> '
    if next_page:
        pager += f'<a class="next" rel="next" href="{_e(next_page)}">Trang sau</a>'
    return _page(title, f"""<h1>{_e(title)}</h1><table class="table-vanban"><thead><tr><th>Số ký hiệu</th>
<th>Ngày ban hành</th><th>Trích yếu</th><th>Người ký</th><th>Tải về</th></tr></thead><tbody>{''.join(rows)}</tbody>
</table><div class="pagination">{pager}</div>""")


def gridview_listing(docs: list[DemoDocument], *, files_base: str = "") -> str:
    """vanban.chinhphu.vn's GridView: span.code in the detail link, span.issued-date, span.substract, files."""
    rows = ['<tr class="grid-header"><th>Số ký hiệu</th><th>Ngày ban hành</th><th>Trích yếu</th></tr>']
    for i, doc in enumerate(docs, start=1):
        files = "".join(f'<div class="bl-doc-file"><a href="{_e(files_base + f)}" target="_blank" download>'
                        f"Tài liệu đính kèm</a></div>" for f in doc.files)
        code = f'<span class="code">{i}. {_e(doc.number)}</span>'
        summary = f'<span class="substract">{_e(doc.trich_yeu)}</span>'
        if doc.path:
            code, summary = (f"<a href='{_e(doc.path)}'>{code}</a>", f"<a href='{_e(doc.path)}'>{summary}</a>")
        rows.append(f"""<tr><td>{code}</td><td><span class="issued-date">{_e(doc.date)}</span></td>
<td>{summary}<div class="bl-doc-files">{files}</div></td></tr>""")
    return _page("Hệ thống văn bản", f"""<h1>Hệ thống văn bản</h1>
<table id="ctrl_191017_163_grvDocument" class="search-result">{''.join(rows)}</table>
<div id="document_page_info">1 - {len(docs)} | {len(docs)}</div>""")


def detail_page(doc: DemoDocument, *, files_base: str = "") -> str:
    """A document's own page: its "thuộc tính" table (label / value rows) and its attachment links."""
    rows = [("Số ký hiệu", doc.number), ("Ngày ban hành", doc.date), ("Loại văn bản", doc.doc_type),
            ("Cơ quan ban hành", doc.issuer), ("Người ký", doc.signer), ("Trích yếu", doc.trich_yeu)]
    table = "".join(f'<tr><td class="col1">{_e(label)}</td><td>{_e(value)}</td></tr>' for label, value in rows if value)
    files = "".join(f'<li><a href="{_e(files_base + f)}">Tệp đính kèm: {_e(f.rsplit("/", 1)[-1])}</a></li>'
                    for f in doc.files)
    return _page(f"{doc.doc_type} {doc.number}", f"""<h1>{_e(doc.doc_type)} {_e(doc.number)}</h1>
<div class="thuoc-tinh"><h2>Thuộc tính văn bản</h2><table>{table}</table></div>
<div class="tep-dinh-kem"><h2>Tải về</h2><ul>{files}</ul></div>""")


def attachment_lines(doc: DemoDocument) -> list[str]:
    """The text of a document's attachment: its heading, number, date, trích yếu, body and signer."""
    return [(doc.issuer or "").upper(), f"Số: {doc.number}", f"Hà Nội, {doc.date}", (doc.doc_type or "").upper(),
            doc.trich_yeu, *doc.body, doc.signer]


def serve_documents(server: SiteServer, docs: list[DemoDocument], *, files_server: SiteServer | None = None,
                    files_base: str = "") -> None:
    """Serve each document's page (when it has one) and its PDF/DOCX files (on ``files_server`` when given)."""
    files_at = files_server or server
    for doc in docs:
        if doc.path:
            server.add(doc.path, detail_page(doc, files_base=files_base))
        for path in doc.files:
            if path.endswith(".pdf"):
                files_at.add(path, pdf_bytes(attachment_lines(doc)), PDF_TYPE)
            elif path.endswith(".docx"):
                files_at.add(path, docx_bytes(attachment_lines(doc)), DOCX_TYPE)
