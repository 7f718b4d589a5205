"""Attachments of an official entry or an article: find their links, read their text within bounds,
check the document's number and date against it, and add the text to the article.

* :func:`attachment_links` reads a page's attachment links (PDF, DOC, DOCX; "Tệp đính kèm", "Tải về" …)
  with BeautifulSoup, leaving out the links of "Tin liên quan" / "Văn bản liên quan" boxes, menus and
  footers: those belong to other articles;
* :func:`read_attachment` reads one downloaded file in a child process bounded in wall time, CPU time
  and address space (``RLIMIT_AS``), killed on overrun: a hostile PDF cannot hang or exhaust the
  crawler (the readers are :mod:`newswatch.documents.filetext`'s);
* :func:`confirm_attachment` says whether the official text carries the document's number
  ("Số: 1234/QĐ-TTg") and issue date ("Hà Nội, ngày 01 tháng 12 năm 2026");
* :func:`attach_to_article` keeps every attachment's outcome in ``article.extraction["attachments"]``
  and appends the text of the readable ones to the body, after a separator line naming the file, so
  that a search finds words inside the official text.

Downloading is the crawler's job (:mod:`crawlers.attachments`); nothing here touches the network.
"""

from __future__ import annotations

import math
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

from newswatch.documents.model import Attachment, AttachmentStatus
from newswatch.models import ATTACHMENT_SEPARATOR
from newswatch.text.docnumbers import canonicalize_doc_number, find_doc_numbers
from newswatch.text.normalize import normalize_text

if TYPE_CHECKING:
    from bs4 import Tag

    from newswatch.models import Article
    from newswatch.settings import Settings

MB = 1024 * 1024
FILE_EXTENSIONS = (".pdf", ".doc", ".docx")
PAGE_EXTENSIONS = (".htm", ".html", ".aspx", ".asp", ".php", ".jsp", ".shtml", ".vn", "")
MEDIA_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".mp3", ".mp4", ".avi", ".css", ".js")
# link text or label naming an attached file (compared accent-sensitively, lower-case, NFC)
FILE_CUES = re.compile(r"tệp\s+đính\s+kèm|file\s+đính\s+kèm|tài\s+liệu\s+đính\s+kèm|đính\s+kèm|tải\s+về|tải\s+file|"
                       r"tải\s+xuống|văn\s+bản\s+gốc|xem\s+văn\s+bản|toàn\s+văn|download|attachment", re.I)
# class/id of a block holding the attachments
FILE_BLOCK = re.compile(r"attach|dinh-?kem|dinhkem|download|tai-?ve|taive|file-?van-?ban|vbgoc|van-?ban-?goc", re.I)
# headings of boxes whose links belong to other articles or documents
RELATED_CUES = re.compile(r"^\s*(?:tin|bài|văn\s+bản|tin\s+tức)\s+(?:liên\s+quan|khác|cùng\s+chuyên\s+mục|mới)|"
                          r"^\s*(?:đọc|xem)\s+(?:nhiều|thêm)|^\s*có\s+thể\s+bạn\s+quan\s+tâm|^\s*tin\s+nổi\s+bật", re.I)
RELATED_BLOCK = re.compile(r"relat|lien-?quan|lienquan|tin-?khac|other|most-?read|doc-?nhieu|sidebar|"
                           r"(?:^|[-_ ])(?:menu|nav|footer|header|comment|banner|ads?)(?:$|[-_ ])", re.I)
SKIP_TAGS = {"nav", "footer", "header", "aside", "form"}
STOP_TAGS = {"body", "html", "main", "article", "[document]"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BOX_TITLE = re.compile(r"title|head", re.I)
VIEWER_PATH = re.compile(r"viewer|pdfjs|pdf\.js|docview", re.I)


@dataclass(frozen=True)
class AttachmentLimits:
    """Bounds of one attachment: bytes downloaded, seconds (download, and extraction), memory of the reader."""

    max_bytes: int = 25 * MB
    timeout: float = 30.0
    max_memory: int = 512 * MB  # address space of the reader process (RLIMIT_AS)
    max_pages: int = 300
    max_chars: int = 500_000  # of one attachment's text, and of all attachments' text appended to a body
    max_files: int = 10  # attachments read per article or entry

    @classmethod
    def from_settings(cls, settings: Settings) -> AttachmentLimits:
        bounds = settings.service.attachments
        return cls(max_bytes=int(bounds.max_mb * MB), timeout=float(bounds.timeout_seconds),
                   max_memory=int(bounds.max_memory_mb * MB), max_pages=bounds.max_pages, max_chars=bounds.max_chars,
                   max_files=bounds.max_files)


# --- links --------------------------------------------------------------------------------------------

def _extension(path: str) -> str:
    return PurePosixPath(unquote(path).lower().rstrip("/")).suffix


def _file_in_query(url: str) -> str | None:
    """The value of a query parameter that names a PDF/DOC/DOCX (``?file=/uploads/qd.pdf``), if any."""
    for _, value in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        if _extension(urlsplit(value).path or value) in FILE_EXTENSIONS:
            return value
    return None


def _text(tag: Tag) -> str:
    return normalize_text(" ".join([tag.get_text(" ", strip=True), str(tag.get("title") or ""),
                                    str(tag.get("download") or "")])).lower()


def _label(tag: Tag) -> str:
    """class and id of a tag, as one string."""
    classes = tag.get("class") or []
    return " ".join([*(classes if isinstance(classes, list) else [str(classes)]), str(tag.get("id") or "")])


def _related_regions(soup: Any) -> set[int]:
    """ids of the elements holding links that are not this page's: "Tin liên quan" boxes and their like.

    A box title is a short string matching :data:`RELATED_CUES`, climbed up to the largest element that
    holds nothing else (``<div class="box-head"><h3><a>Tin liên quan</a></h3></div>``). When it opens its
    container, the container is the box; when it sits inside a body (``<h3>Tin liên quan</h3><ul>…`` in
    the article's own text), the box is what follows it up to the next heading.
    """
    regions: set[int] = set()
    for string in soup.find_all(string=RELATED_CUES):
        text = normalize_text(str(string)).strip()
        title = string.parent
        if title is None or not text or len(text) > 40:
            continue
        climbed = [title]
        while title.parent is not None and title.parent.name not in STOP_TAGS and \
                normalize_text(title.parent.get_text(" ", strip=True)) == text:
            title = title.parent
            climbed.append(title)
        if string.find_parent("a") is not None and not any(
                e.name in HEADING_TAGS or BOX_TITLE.search(_label(e)) for e in climbed):
            continue  # a link whose text starts "Tin mới …" is an item of a list, not a box title
        parent = title.parent
        first = next((c for c in parent.children if getattr(c, "name", None)), None) if parent is not None else None
        if parent is not None and parent.name not in STOP_TAGS and first is title:
            regions.add(id(parent))
            continue
        for sibling in title.find_next_siblings():
            if sibling.name in HEADING_TAGS or sibling.name == title.name:
                break
            regions.add(id(sibling))
    return regions


def _excluded(tag: Tag, regions: set[int]) -> bool:
    for parent in [tag, *tag.parents]:
        if id(parent) in regions or parent.name in SKIP_TAGS:
            return True
        label = _label(parent) if parent.name not in ("html", "body", "[document]") else ""
        if label and RELATED_BLOCK.search(label) and not FILE_BLOCK.search(label):
            return True
    return False


def _in_file_block(tag: Tag) -> bool:
    """Inside a block whose class/id, or whose label just before the link, names attachments."""
    for parent in tag.parents:
        if parent.name in ("body", "html", "[document]"):
            break
        if FILE_BLOCK.search(_label(parent)):
            return True
    previous = tag.find_previous(string=True)
    for _ in range(3):  # "Tệp đính kèm:" printed just before the link (in a <b>, a <td>, a <span>)
        if previous is None:
            break
        if previous.strip():
            return bool(FILE_CUES.search(normalize_text(str(previous))) and len(previous.strip()) < 60)
        previous = previous.find_previous(string=True)
    return False


def _attachment_url(tag: Tag, href: str, base_url: str) -> str | None:
    """The absolute URL of the file this link or frame points to, or None when it is no attachment."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    url = urldefrag(urljoin(base_url, href))[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    ext = _extension(parts.path)
    if ext in MEDIA_EXTENSIONS:
        return None
    if ext in FILE_EXTENSIONS:
        return url
    named = _file_in_query(url)
    if named is not None:
        if VIEWER_PATH.search(parts.path) and ("/" in named or named.startswith("http")):
            return urldefrag(urljoin(url, named))[0]  # a viewer page: the file it shows
        return url  # DownloadFile.aspx?FileName=qd-123.pdf
    if tag.name != "a":
        return None
    cue = bool(FILE_CUES.search(_text(tag))) or _in_file_block(tag)
    if not cue:
        return None
    downloady = re.search(r"download|tai-?ve|taive|getfile|file|attach|dinh-?kem", parts.path + "?" + parts.query, re.I)
    if ext in PAGE_EXTENSIONS and not downloady:
        return None  # "Xem văn bản" leading to another page, not to a file
    return url


def attachment_links(html: str | bytes, base_url: str) -> list[str]:
    """The page's attachment links: absolute, de-duplicated, in page order.

    A link counts when it points to a .pdf/.doc/.docx (in its path, or named in its query string:
    ``DownloadFile.aspx?FileName=qd.pdf``, ``viewer.html?file=/uploads/qd.pdf`` → the file itself), or
    when its text or block says so ("Tệp đính kèm", "File đính kèm", "Tải về", "Tải file", "Văn bản gốc",
    "Xem văn bản") and it does not lead to another web page. Embedded viewers (``iframe``, ``embed``,
    ``object``) count too. Links in menus, footers, ``aside`` and "Tin liên quan"-style boxes do not:
    they are other articles'; neither do images.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    base_tag = soup.find("base", href=True)
    base = urljoin(base_url, str(base_tag["href"])) if base_tag is not None else base_url
    regions = _related_regions(soup)
    found: dict[str, None] = {}
    for tag in soup.find_all(["a", "iframe", "embed", "object"]):
        href = tag.get("href") if tag.name == "a" else tag.get("src") or tag.get("data")
        if not href or _excluded(tag, regions):
            continue
        url = _attachment_url(tag, str(href), base)
        if url is not None:
            found.setdefault(url)
    return list(found)


# --- reading --------------------------------------------------------------------------------------------

def filename_of(url: str, content_disposition: str | None = None) -> str:
    """The file's name: from ``Content-Disposition`` when given, else the URL's path or file-naming query."""
    if content_disposition:
        match = re.search(r"filename\*=(?:UTF-8'')?([^;]+)|filename=\"?([^\";]+)", content_disposition, re.I)
        if match:
            return unquote((match.group(1) or match.group(2)).strip().strip('"'))
    named = _file_in_query(url)
    path = urlsplit(named).path if named else urlsplit(url).path
    return PurePosixPath(unquote(path)).name or urlsplit(url).netloc


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(code).name
    except ValueError:
        return f"signal {code}"


def read_attachment(body: bytes, *, url: str, content_type: str | None, limits: AttachmentLimits,
                    filename: str | None = None) -> Attachment:
    """The text of one downloaded file, read in a bounded child process; never raises.

    The file's kind comes from its bytes, not its name. The child (``python -m
    newswatch.documents.filetext``) gets ``limits.max_memory`` of address space and ``limits.timeout``
    seconds of CPU, and is killed after ``limits.timeout`` seconds of wall time.
    """
    attachment = Attachment(url=url, filename=filename or filename_of(url), content_type=content_type, size=len(body))
    if len(body) > limits.max_bytes:
        return replace(attachment, status=AttachmentStatus.TOO_LARGE,
                       reason=f"{len(body)} bytes, over the bound of {limits.max_bytes} bytes")
    cmd = [sys.executable, "-m", "newswatch.documents.filetext", "--max-memory", str(limits.max_memory),
           "--cpu", str(max(1, math.ceil(limits.timeout))), "--max-pages", str(limits.max_pages),
           "--max-chars", str(limits.max_chars), "--timeout", str(limits.timeout)]
    try:
        proc = subprocess.run(cmd, input=body, capture_output=True, timeout=limits.timeout, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        return replace(attachment, status=AttachmentStatus.TIMEOUT,
                       reason=f"reading its text took longer than {limits.timeout:g} s; the reader was stopped")
    except OSError as exc:
        return replace(attachment, status=AttachmentStatus.FAILED, reason=f"could not start the reader: {exc}")
    return _outcome(attachment, proc, limits)


def _outcome(attachment: Attachment, proc: subprocess.CompletedProcess[bytes], limits: AttachmentLimits) -> Attachment:
    """The child's answer, or why it gave none (killed by its CPU bound, crashed past its memory bound …)."""
    import json

    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:
        name = _signal_name(-proc.returncode)
        if name in ("SIGXCPU", "SIGKILL"):
            return replace(attachment, status=AttachmentStatus.TIMEOUT,
                           reason=f"reading its text used more than {math.ceil(limits.timeout)} s of CPU; "
                                  f"the reader was killed ({name})")
        memory = any(s in stderr for s in ("bad_alloc", "MemoryError", "Cannot allocate", "Out of memory"))
        if memory:
            return replace(attachment, status=AttachmentStatus.TOO_LARGE,
                           reason=f"reading it needed more than the memory bound ({limits.max_memory // MB} MB)")
        return replace(attachment, status=AttachmentStatus.CORRUPT,
                       reason=f"the reader crashed on it ({name}): a damaged file, or one needing more than "
                              f"{limits.max_memory // MB} MB of memory")
    try:
        result = json.loads(proc.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        memory = "MemoryError" in stderr
        status = AttachmentStatus.TOO_LARGE if memory else AttachmentStatus.CORRUPT
        last = stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        reason = (f"reading it needed more than the memory bound ({limits.max_memory // MB} MB)" if memory
                  else f"the reader gave no answer ({last[0][:200]})")
        return replace(attachment, status=status, reason=reason)
    status = AttachmentStatus(result["status"])
    return replace(attachment, status=status, reason=result.get("reason") or "",
                   text=result.get("text") or "", pages=result.get("pages"))


# --- confirmation ----------------------------------------------------------------------------------------

_DATE_WORDS = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*((?:19|20)\d{2})", re.I)
_DATE_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d{2})(?![\d/])")


def dates_in(text: str) -> set[date]:
    """Every calendar date written out in a text: "ngày 01 tháng 12 năm 2026", "01/12/2026"."""
    found: set[date] = set()
    for pattern in (_DATE_WORDS, _DATE_NUMERIC):
        for match in pattern.finditer(text):
            day, month, year = (int(g) for g in match.groups())
            try:
                found.add(date(year, month, day))
            except ValueError:
                continue
    return found


def confirm_attachment(attachment: Attachment, number: str | None, issue_date: date | None) -> Attachment:
    """The attachment with ``number_confirmed`` / ``date_confirmed`` set from its text.

    Each stays ``None`` when there is nothing to check (no number or date given, or no text read);
    otherwise True when the text carries the number (canonically: "Số: 1234/QĐ-TTg" confirms
    "1234/qd-ttg") or the date ("ngày 01 tháng 12 năm 2026", "01/12/2026").
    """
    if attachment.status is not AttachmentStatus.OK or not attachment.text:
        return attachment
    text = normalize_text(attachment.text)
    number_confirmed = attachment.number_confirmed
    date_confirmed = attachment.date_confirmed
    canonical = canonicalize_doc_number(number) if number else None
    if number:
        wanted = canonical or normalize_text(number).strip()
        number_confirmed = any(n.canonical == wanted for n in find_doc_numbers(text)) or (
            canonical is None and wanted.lower() in text.lower())
    if issue_date is not None:
        date_confirmed = issue_date in dates_in(text)
    return replace(attachment, number_confirmed=number_confirmed, date_confirmed=date_confirmed)


# --- the article ------------------------------------------------------------------------------------------

def attach_to_article(article: Article, attachments: list[Attachment], *, max_chars: int | None = None) -> Article:
    """Keep the attachments' outcomes on the article and append the readable ones' text to its body.

    ``article.extraction["attachments"]`` gets every attachment (``Attachment.to_dict``); the text of
    each OK one follows the body after a line ``——— Tệp đính kèm: <file> ———``, all of it bounded by
    ``max_chars`` (default :class:`AttachmentLimits`'s). :attr:`Article.own_text <newswatch.models.Article.own_text>` undoes it; calling
    it again replaces what an earlier call appended.
    """
    budget = AttachmentLimits().max_chars if max_chars is None else max_chars
    article.extraction["attachments"] = [a.to_dict() for a in attachments]
    parts = [article.own_text]  # attached again (a re-read page): replaced, not doubled
    for attachment in attachments:
        if attachment.status is not AttachmentStatus.OK or not attachment.text.strip() or budget <= 0:
            continue
        text = attachment.text.strip()[:budget]
        budget -= len(text)
        parts.append(f"{ATTACHMENT_SEPARATOR}{attachment.filename or attachment.url} ———\n\n{text}")
    article.text = "\n\n".join(p for p in parts if p)
    return article
