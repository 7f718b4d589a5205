"""Presets of CSS selectors for the known official document listings (``official.layout`` in a source).

A source of kind ``official_listing`` names one of these layouts instead of writing selectors; any
selector it does give overrides the preset's. The selectors follow Scrapy/parsel: a plain CSS
selector takes the element's whole text, ``::attr(name)`` an attribute. They were written from
public descriptions of the live pages (crawlers and notes that read them in 2026); the real sites
change their markup, so ``config/sources.yaml`` says they must be verified against the live pages.

``vanban_chinhphu``
    vanban.chinhphu.vn, "Hệ thống văn bản": an ASP.NET GridView
    (``table[id$=_grvDocument]``, also ``table.search-result``), one ``<tr>`` per document with
    ``span.code`` (số ký hiệu, inside the link to the detail page ``/?pageid=27160&docid=…``),
    ``span.issued-date`` (dd/mm/yyyy), ``span.substract`` (trích yếu) and ``div.bl-doc-file a``
    (the signed PDF/DOC on datafiles.chinhphu.vn). The detail page is a table of
    ``<td class="col1">label</td><td>value</td>`` rows (Loại văn bản, Cơ quan ban hành, Người ký …).
    Its next pages are ``__doPostBack`` form posts, not links: only the first page (the newest 50
    documents) is read, which a 60 s poll keeps up with.
``congbao``
    congbao.chinhphu.vn, "Văn bản đăng công báo": cards ``div.item--vb`` with ``span.kh``
    ("Ký hiệu: …"), ``a.sapo`` (``title`` = trích yếu, ``href`` = the document's page
    ``/van-ban/<slug>-<id>.htm``) and ``span.days`` ("[Ban hành: dd/mm/yyyy]"); pages
    ``/van-ban-dang-cong-bao/trang-N.htm``. Its detail page lists label/value pairs
    (``div.document--focus div.row``: ``span.name`` + ``div.value``).
``table``
    a ministry portal's "Văn bản" / "Văn bản chỉ đạo điều hành" table, read by its column headings
    (Số ký hiệu / Số hiệu, Ngày ban hành, Trích yếu, Người ký, Loại văn bản, Cơ quan ban hành,
    Tải về / Tệp đính kèm) rather than by classes, which differ from portal to portal.
"""

from __future__ import annotations

LAYOUTS: dict[str, dict[str, str]] = {
    "vanban_chinhphu": {
        "row": "table[id$=_grvDocument] tr, table.search-result tr",
        "number": "span.code",
        "date": "span.issued-date",
        "trich_yeu": "span.substract",
        "detail_link": "a[href*='docid=']::attr(href)",
        "attachments": "div.bl-doc-file a::attr(href)",
    },
    "congbao": {
        "row": "div.item--vb",
        "number": "span.kh",
        "date": "span.days",
        "trich_yeu": "a.sapo::attr(title)",
        "detail_link": "a.sapo::attr(href)",
        "attachments": "a[href$='.pdf']::attr(href), a[href$='.doc']::attr(href), a[href$='.docx']::attr(href)",
        "next_page": "a[rel=next]::attr(href), .pagination a.next::attr(href)",
    },
    "table": {
        "row": "table tr",
        "next_page": "a[rel=next]::attr(href), .pagination a.next::attr(href), a.next::attr(href)",
    },
}

# Column headings (accent-folded, lower case) of a listing table and of a detail page's "thuộc tính"
# table, and the OfficialEntry field each one fills.
LABELS: dict[str, str] = {
    "so ky hieu": "number", "so, ky hieu": "number", "so hieu": "number", "ky hieu": "number",
    "so van ban": "number", "so/ky hieu": "number", "so / ky hieu": "number",
    "ngay ban hanh": "date", "ngay ky": "date", "ngay van ban": "date",
    "ngay hieu luc": "effective", "ngay co hieu luc": "effective",
    "nguoi ky": "signer", "nguoi ky duyet": "signer",
    "trich yeu": "trich_yeu", "trich yeu noi dung": "trich_yeu", "ten van ban": "trich_yeu",
    "loai van ban": "doc_type", "hinh thuc van ban": "doc_type",
    "co quan ban hanh": "issuer", "don vi ban hanh": "issuer", "noi ban hanh": "issuer",
    "tai ve": "attachments", "tep dinh kem": "attachments", "file dinh kem": "attachments",
    "van ban dinh kem": "attachments", "tai lieu dinh kem": "attachments", "tep tin": "attachments",
    "ngay dang": "published", "ngay dang cong bao": "published",
}
