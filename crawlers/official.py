"""Reading official document listings: one :class:`~newswatch.documents.model.OfficialEntry` per row.

Pure functions over HTML (no Scrapy engine), shared by the spider and the poller:

- :func:`parse_listing` — a listing page (vanban.chinhphu.vn, the gazette, a ministry's "Văn bản"
  table) → its entries, the rows it could not read (with a reason) and its next pages;
- :func:`merge_detail` — a document's own page (its "thuộc tính" label/value table and its
  attachment links) fills what the row left empty;
- :func:`entry_key` — the URL that identifies an entry in the crawl state and the archive;
- :func:`entry_article` — the :class:`~newswatch.models.Article` an entry becomes, so that an
  official document goes through the same pipelines (store, register, monitor) as a press report.

A row's number is canonicalised with :func:`~newswatch.text.docnumbers.canonicalize_doc_number`; a
row whose number is missing or unreadable is returned as a :class:`RowProblem` (the spider logs and
counts it) and never stops the page. Dates are Vietnamese ("01/12/2026", "01-12-2026", "ngày 01
tháng 12 năm 2026", "[Ban hành: 01/12/2026]") unless the source gives a ``date_format``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from urllib.parse import quote, urljoin, urlsplit

from parsel import Selector

from crawlers.discovery import normalize_url
from newswatch.documents.model import OFFICIAL_METHOD, OfficialEntry
from newswatch.models import Article
from newswatch.official_layouts import LABELS
from newswatch.sources import OfficialListing
from newswatch.text.dates import parse_vi_datetime
from newswatch.text.docnumbers import canonicalize_doc_number, find_doc_numbers
from newswatch.text.issuers import REGISTRY
from newswatch.text.normalize import fold, normalize_text

FILE_EXT = re.compile(r"\.(pdf|docx?|rtf|odt|zip|rar)(?:$|[?#])", re.I)
NEXT_WORDS = {"trang sau", "tiep", "trang tiep", "sau", "»", "›", ">", ">>", "next"}
DOWNLOAD_WORDS = ("tai ve", "tep dinh kem", "file dinh kem", "dinh kem", "download", "van ban goc")
# Cyrillic letters that some portals print in place of Latin ones ("NĐ-CР" with a Cyrillic Er)
_LOOKALIKES = str.maketrans("АВЕКМНОРСТХаеорсху", "ABEKMHOPCTXaeopcxy")
_NUMBER_LABEL = re.compile(r"^\s*(?:s[ốo]\s*,?\s*k[ýy]\s*hi[ệe]u|k[ýy]\s*hi[ệe]u|s[ốo]\s*hi[ệe]u|s[ốo])\s*[:.]?\s*",
                           re.I)
_SEQUENCE = re.compile(r"^\s*\d{1,3}\.\s+(?=\d)")  # "12. 134/2025/QH15": the grid's row number
_DETAIL_FIELDS = ("number", "date", "effective", "signer", "trich_yeu", "doc_type", "issuer")


@dataclass
class RowProblem:
    """A listing row that is not turned into an entry, and why (``number_missing``, ``number_unreadable``)."""

    reason: str
    text: str
    listing_url: str


@dataclass
class ListingPage:
    entries: list[OfficialEntry] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


# --- small readers -------------------------------------------------------------------------------------

def clean(text: str | None) -> str:
    """Whitespace-normalised, NFC text with Cyrillic look-alike letters made Latin."""
    return re.sub(r"\s+", " ", normalize_text(text or "").translate(_LOOKALIKES)).strip()


def _texts(node: Selector, selector: str | None) -> list[str]:
    """What ``selector`` gives under ``node``: attributes for ``::attr()``, else each element's whole text."""
    if not selector:
        return []
    out: list[str] = []
    for part in _split(selector):
        if "::" in part:
            out.extend(clean(v) for v in node.css(part).getall())
        else:
            out.extend(clean(" ".join(el.xpath(".//text()").getall())) for el in node.css(part))
    return [v for v in out if v]


def _split(selector: str) -> list[str]:
    """A selector group ("a, b::attr(href)") as its parts (parsel cannot mix ``::attr`` across a group)."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def _first(node: Selector, selector: str | None) -> str:
    values = _texts(node, selector)
    return values[0] if values else ""


def parse_number(text: str) -> tuple[str, str | None]:
    """(the number as printed, its canonical form or None) from a "Số ký hiệu" cell ("Ký hiệu: 07/CT-TTg")."""
    printed = _SEQUENCE.sub("", _NUMBER_LABEL.sub("", clean(text))).strip(" .;,")
    return printed, canonicalize_doc_number(printed) if printed else None


def parse_date(text: str, fmt: str | None = None, tz: tzinfo | None = None) -> datetime | None:
    """A listing's date: with ``fmt`` first (strptime), else any Vietnamese date form; naive dates get ``tz``."""
    text = clean(text)
    if not text:
        return None
    if fmt:
        try:
            parsed = datetime.strptime(text, fmt)
            return parsed.replace(tzinfo=tz) if tz is not None and parsed.tzinfo is None else parsed
        except ValueError:
            pass
    found = parse_vi_datetime(text, tz) if tz is not None else parse_vi_datetime(text)
    return found.value if found else None


def _links(node: Selector, selector: str | None, base: str) -> list[str]:
    """Absolute URLs from a selector that gives ``href`` values, or from the ``<a>`` elements it selects."""
    if not selector:
        return []
    urls: list[str] = []
    for part in _split(selector):
        if "::" in part:
            values = node.css(part).getall()
        else:
            values = [v for el in node.css(part) for v in ([el.attrib.get("href")] if el.root.tag == "a"
                                                          else el.css("a::attr(href)").getall())]
        urls.extend(urljoin(base, v.strip()) for v in values if v and v.strip()
                    and not v.strip().startswith(("javascript:", "mailto:", "#")))
    return list(dict.fromkeys(urls))


def _file_links(node: Selector, base: str) -> list[str]:
    """Attachment links of a cell or a detail page: files by extension, or links labelled "Tải về"/"Tệp đính kèm"."""
    urls = []
    for a in node.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        label = fold(clean(" ".join(a.xpath(".//text()").getall()) + " " + (a.attrib.get("title") or ""))).lower()
        if FILE_EXT.search(href) or "download" in a.attrib or any(w in label for w in DOWNLOAD_WORDS):
            urls.append(urljoin(base, href))
    return list(dict.fromkeys(urls))


def _label(text: str) -> str | None:
    """The entry field a column heading or a detail label names ("Số, ký hiệu:" → number)."""
    key = re.sub(r"\s+", " ", fold(clean(text)).lower().strip(" :.*"))
    return LABELS.get(key)


# --- listing pages ---------------------------------------------------------------------------------------

def parse_listing(html: str, page_url: str, config: OfficialListing, source: str,
                  tz: tzinfo | None = None) -> ListingPage:
    """The entries, unreadable rows and next pages of one listing page."""
    doc = Selector(text=html or "<html/>")
    sel = config.selectors
    page = ListingPage()
    columns: dict[int, str] = {}
    for row in doc.css(sel["row"]):
        cells = row.xpath("./th|./td")
        if config.layout == "table" and row.xpath("./th") and not row.xpath("./td"):
            columns = {i: f for i, c in enumerate(cells) if (f := _label(" ".join(c.xpath(".//text()").getall())))}
            continue
        if config.layout == "table" and not columns:
            continue
        values = _row_values(row, cells, columns, sel, page_url)
        if values is None:
            continue  # a heading or pager row: nothing in it
        result = _entry(values, page_url, config, source, tz)
        if isinstance(result, RowProblem):
            page.problems.append(result)
        else:
            page.entries.append(result)
    nexts = _links(doc, sel.get("next_page"), page_url) or _next_by_text(doc, page_url)
    page.next_pages = [u for u in nexts if normalize_url(u) != normalize_url(page_url)]
    return page


def _next_by_text(doc: Selector, page_url: str) -> list[str]:
    """A pager link labelled "Trang sau" / "Tiếp" / "»" when no next-page selector matched."""
    for a in doc.css("a[href]"):
        label = fold(clean(" ".join(a.xpath(".//text()").getall()) or a.attrib.get("title", ""))).lower()
        href = a.attrib["href"].strip()
        if label in NEXT_WORDS and href and not href.startswith(("javascript:", "#")):
            return [urljoin(page_url, href)]
    return []


def _row_values(row: Selector, cells: list[Selector], columns: dict[int, str], sel: dict[str, str],
                page_url: str) -> dict[str, object] | None:
    values: dict[str, object] = {}
    for name in ("number", "date", "signer", "trich_yeu", "doc_type", "issuer", "published"):
        if sel.get(name):
            values[name] = _first(row, sel[name])
    detail = _links(row, sel.get("detail_link"), page_url)
    files = _links(row, sel.get("attachments"), page_url)
    for index, name in columns.items():  # the "table" layout: cells by their column heading
        if index >= len(cells) or values.get(name):
            continue
        cell = cells[index]
        if name == "attachments":
            files = files or _file_links(cell, page_url)
            continue
        values[name] = clean(" ".join(cell.xpath(".//text()").getall()))
        if name in ("number", "trich_yeu") and not detail:
            detail = [urljoin(page_url, h) for h in cell.css("a::attr(href)").getall()
                      if h and not h.startswith(("javascript:", "#")) and not FILE_EXT.search(h)]
    if columns and not files:
        files = _file_links(row, page_url)
    if not any(values.values()) and not files:
        return None
    files = [f for f in files if f not in detail]
    values["detail_url"] = detail[0] if detail else None
    values["attachment_urls"] = files
    values["row_text"] = clean(" ".join(row.xpath(".//text()").getall()))[:200]
    return values


def _entry(values: dict[str, object], page_url: str, config: OfficialListing, source: str,
           tz: tzinfo | None) -> OfficialEntry | RowProblem:
    raw = str(values.get("number") or "")
    printed, canonical = parse_number(raw)
    if not printed:  # an empty cell, or only its label ("Ký hiệu:")
        return RowProblem("number_missing", str(values["row_text"]), page_url)
    if canonical is None:
        return RowProblem("number_unreadable", printed or raw, page_url)
    issued = parse_date(str(values.get("date") or ""), config.date_format, tz)
    entry = OfficialEntry(
        number=printed, listing_url=page_url, source=source, canonical=canonical,
        doc_type_name=str(values.get("doc_type") or "") or None,
        issuer_name=str(values.get("issuer") or "") or None,
        issue_date=issued.date() if issued else None,
        signer=str(values.get("signer") or "") or None,
        trich_yeu=str(values.get("trich_yeu") or "") or None,
        detail_url=values.get("detail_url") or None,  # type: ignore[arg-type]
        attachment_urls=list(values.get("attachment_urls") or []),  # type: ignore[call-overload]
    )
    entry.published = parse_date(str(values.get("published") or ""), config.published_format, tz)
    return entry


# --- detail pages ----------------------------------------------------------------------------------------

def needs_detail(entry: OfficialEntry, config: OfficialListing) -> bool:
    """Whether the entry's own page should be read: it has one, and the row left something out (or always)."""
    if entry.detail_url is None or config.detail == "never":
        return False
    if config.detail == "always":
        return True
    return not (entry.signer and entry.doc_type_name and entry.issuer_name and entry.trich_yeu
                and entry.issue_date and entry.attachment_urls)


def detail_fields(html: str) -> dict[str, str]:
    """The label/value pairs of a document page ("thuộc tính"): ``<td>label</td><td>value</td>`` rows,
    ``span.name`` + ``div.value`` rows, ``<dt>``/``<dd>``, or "Label: value" lines."""
    doc = Selector(text=html or "<html/>")
    found: dict[str, str] = {}
    for el in doc.xpath("//td|//th|//dt|//span|//div|//strong|//b|//label|//li|//p"):
        own = clean(" ".join(el.xpath("./text()").getall()))
        name = _label(own) if own and len(own) < 40 else None
        if name is None:
            if el.root.tag in ("li", "p", "div"):  # "Người ký: …" or "<strong>Người ký:</strong> …" on one line
                _label_line(el, own, found)
            continue
        if name in found:
            continue
        sibling = el.xpath("following-sibling::*[1]")
        value = clean(" ".join(sibling.xpath(".//text()").getall())) if sibling else ""
        if not value and ":" in own:
            value = own.partition(":")[2].strip()
        if value and _label(value) is None:
            found[name] = value
    return found


def _label_line(el: Selector, own: str, found: dict[str, str]) -> None:
    head = own if ":" in own[:40] else clean(" ".join(el.xpath("./*[1]//text()").getall()))
    if ":" not in head[:40] or el.xpath(".//li|.//p|.//div|.//tr"):
        return
    name = _label(head.partition(":")[0])
    if name is None or name in found:
        return
    value = clean(" ".join(el.xpath(".//text()").getall())).partition(":")[2].strip()
    if value and len(value) < 600:
        found[name] = value


def merge_detail(entry: OfficialEntry, html: str, page_url: str, config: OfficialListing,
                 tz: tzinfo | None = None) -> OfficialEntry:
    """Fill what the row left empty from the document's page (the row's own values win); returns ``entry``."""
    fields = detail_fields(html)
    if fields.get("number") and not entry.canonical:
        entry.number, entry.canonical = parse_number(fields["number"])
    entry.doc_type_name = entry.doc_type_name or fields.get("doc_type") or None
    if fields.get("issuer") and not entry.issuer_name:
        entry.issuer_name = _issuer_case(fields["issuer"])
    entry.signer = entry.signer or fields.get("signer") or None
    if fields.get("trich_yeu") and len(fields["trich_yeu"]) > len(entry.trich_yeu or ""):
        entry.trich_yeu = fields["trich_yeu"]  # the page's trích yếu is the full one; listings shorten it
    if entry.issue_date is None and fields.get("date"):
        issued = parse_date(fields["date"], config.date_format, tz)
        entry.issue_date = issued.date() if issued else None
    if entry.effective_date is None and fields.get("effective"):
        effective = parse_date(fields["effective"], config.date_format, tz)
        entry.effective_date = effective.date() if effective else None
    if not entry.attachment_urls:
        entry.attachment_urls = _file_links(Selector(text=html or "<html/>"), page_url)
    return entry


def complete_entry(entry: OfficialEntry, config: OfficialListing) -> OfficialEntry:
    """Fill the type and issuer neither the row nor the page printed: from the number (QĐ-TTg → Quyết định,
    Thủ tướng Chính phủ), else the listing's own issuer (``issuer_name``: a ministry's page of its documents)."""
    type_name, issuer = type_and_issuer(entry)
    entry.doc_type_name = entry.doc_type_name or type_name
    entry.issuer_name = entry.issuer_name or issuer or config.issuer_name
    return entry


def _issuer_case(name: str) -> str:
    """The gazette prints issuers in capitals ("THỦ TƯỚNG CHÍNH PHỦ"): keep the registry's name when it is one."""
    if name.isupper():
        folded = fold(name).lower()
        for issuer in REGISTRY.values():
            if fold(issuer.name).lower() == folded:
                return issuer.name
        return name.capitalize()
    return name


# --- the entry as an article --------------------------------------------------------------------------------

def entry_key(entry: OfficialEntry) -> str:
    """The entry's identity: its page, else its first attachment, else the listing's site plus its number.

    The last form (``https://site/?so_ky_hieu=112%2FTB-VPCP&ngay_ban_hanh=2026-11-20``) is not a page of
    the site; it only names the entry, stable across runs and listing pages.
    """
    if entry.detail_url:
        return normalize_url(entry.detail_url)
    if entry.attachment_urls:
        return normalize_url(entry.attachment_urls[0])
    parts = urlsplit(entry.listing_url)  # no page, no file: the site plus the number (and date) as a query
    query = f"so_ky_hieu={quote(entry.canonical or entry.number, safe='')}"
    if entry.issue_date:
        query += f"&ngay_ban_hanh={entry.issue_date.isoformat()}"
    return normalize_url(f"{parts.scheme}://{parts.netloc}/?{query}")


def type_and_issuer(entry: OfficialEntry) -> tuple[str, str | None]:
    """(type name, issuer name): as the listing printed them, else read from the number (QĐ-TTg → Quyết định, Thủ tướng)."""
    number = None
    canonical = entry.canonical or entry.number
    # the trích yếu first: a National Assembly number is a law or a resolution by the words before it
    for text in (f"{entry.trich_yeu or ''} số {canonical}", canonical, f"Văn bản số {canonical}"):
        found = [n for n in find_doc_numbers(text) if n.canonical == canonical]
        if found:
            number = found[0]
            break
    type_name = entry.doc_type_name or (number.type_name if number else "Văn bản")
    issuer = entry.issuer_name
    if issuer is None and number is not None and number.issuer in REGISTRY:
        issuer = REGISTRY[number.issuer].name
    return type_name, issuer


def entry_article(entry: OfficialEntry, url: str, *, tz: tzinfo, fetched_url: str | None = None,
                  fetched_at: datetime | None = None) -> Article:
    """The article an entry becomes: title "<type> <number> <trích yếu>", a one-sentence lead, text = trích yếu.

    ``published`` is the gazette's publication time when the listing gives one, else the issue date
    at 00:00 in the source's time zone. The caller adds attachment text and runs enrichment.
    """
    type_name, issuer = type_and_issuer(entry)
    number = entry.number
    summary = entry.trich_yeu or ""
    shown = summary
    if fold(shown).lower().startswith(fold(type_name).lower() + " "):
        shown = shown[len(type_name):].strip()  # "Luật 134/2025/QH15 Trí tuệ nhân tạo", not "Luật … Luật …"
    title = " ".join(p for p in (type_name, number, shown) if p)
    day = entry.issue_date.strftime("%d/%m/%Y") if entry.issue_date else None
    subject = issuer or "Cơ quan có thẩm quyền"
    lead = f"{subject} ban hành {type_name} số {number}{' ngày ' + day if day else ''}"  # the date after the number
    lead += f"; người ký: {entry.signer}." if entry.signer else "."
    published = entry.published
    if published is None and entry.issue_date is not None:
        published = datetime.combine(entry.issue_date, time(0, 0), tzinfo=tz)
    official = entry.to_dict()
    return Article(
        url=url, title=title, text=summary, source=entry.source, published=published, lead=lead,
        section=type_name, extraction={"method": OFFICIAL_METHOD, "official": official,
                                       "date_source": "official-listing"},
        fetched_url=fetched_url or entry.detail_url or entry.listing_url, fetched_at=fetched_at,
    )


def listing_keys(html: str, page_url: str, config: OfficialListing, source: str) -> list[str]:
    """The keys of the entries on a listing page (what the poller compares with the crawl state)."""
    return [entry_key(e) for e in parse_listing(html, page_url, config, source).entries]

