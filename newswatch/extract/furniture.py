"""Vietnamese page furniture: what surrounds an article and must never reach its text.

Two passes. :func:`prune_tree` works on the HTML before extraction: boxes of related links
headed by a marker ("Bài liên quan", "Đọc thêm", …) or carrying a related-box class, inside the body
or after it, weather widgets and comment forms. :func:`clean_paragraphs` works on the extracted
paragraphs: weather lines, chrome ("aa"), end-of-body markers and everything after them, inline
"Đọc thêm: …" lines, teaser signatures (titles of other articles, ASCII slug lines, a title repeated
as image alt and link), captions and credits, duplicated sapo, the dateline prefix "(LĐTĐ) -" and the
"(Nguồn: …)" line, both kept as metadata.

The rules that are not Vietnamese conventions run on every page: related-box classes, teaser boxes
headed in other languages ("Related", "Read more", "Leggi anche"), hover cards, print-only blocks,
newsletter and social calls to action, teaser signatures and the repeated-paragraph rule.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newswatch.extract.dom import remove, text_length
from newswatch.text.dates import looks_like_date_line
from newswatch.text.normalize import clean_line

END_MARKERS = (
    "bài liên quan", "tin liên quan", "mới nhất", "đọc nhiều", "tin bài khác", "tin khác", "có thể bạn quan tâm",
    "nên xem", "đọc thêm", "xem thêm", "bình luận", "phiên bản di động", "tin cùng chuyên mục", "tin mới",
    "xem nhiều", "tin nổi bật", "bài viết liên quan", "cùng chuyên mục", "tin đọc nhiều", "bạn có thể quan tâm",
    "ý kiến bạn đọc", "gửi bình luận", "các tin khác", "tin tức liên quan", "tin mới nhất", "tin cùng loại",
)
_MARKER_SET = set(END_MARKERS)
# Headings of teaser boxes in other languages (any page): the box goes, the body does not end there.
TEASER_MARKERS = (
    "related", "related articles", "related stories", "related content", "related news", "read more", "read also",
    "also read", "see more", "see also", "more from", "recommended", "don't miss", "don’t miss",
    "you may also like", "you might also like", "more stories", "leggi anche", "lesen sie auch", "mehr zum thema",
    "veja também", "leia também", "lire aussi", "à lire aussi", "lee también", "te puede interesar",
)
_TEASER_MARKERS = frozenset(TEASER_MARKERS)
_MARKER_RE = re.compile(r"^(?:" + "|".join(re.escape(m) for m in END_MARKERS) + r")\s*[:>»›]*\s*$", re.I)
_INLINE_TEASER = re.compile(r"^(?:>>\s*|»\s*)?(?:" + "|".join(re.escape(m) for m in END_MARKERS)
                            + r")\s*[:>»›-]+\s*\S", re.I)
_WEATHER = re.compile(r"^\s*(?:[•·*-]\s*)?(?:[A-ZĐÀ-Ỹ][\w.]*(?:\s+[A-ZĐÀ-Ỹ][\w.]*){0,7})\s+-?\d{1,2}\s?°\s?C\s*$")
_CHROME = re.compile(r"^(?:a\s?a|a-|a\+|d|in|chia sẻ|share|facebook|zalo|twitter|email|print|lưu|copy link|"
                     r"google news|theo dõi|nghe|nghe đọc|tải về|bản in|gửi|thông báo|"
                     r"bạn đã gửi thành công\.?|đăng nhập|họ và tên|họ tên|email của bạn|gửi bình luận|"
                     r"cỡ chữ|\+|-|t\+|t-|x|close|đóng|đang diễn ra|cập nhật|làm mới|live)$", re.I)
_ONLY_SYMBOLS = re.compile(r"^[\W_]*$|^(?:!?\[\]\(\)\s*\|?\s*)+$")
_SLUG = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+){5,}$")
_DATELINE = re.compile(r"^\(\s*([A-ZĐ][A-Za-zĐđÀ-ỹ0-9.&]{1,24}(?:\s[A-ZĐ][A-Za-zĐđ.]{1,10})?)\s*\)\s*[-–:]?\s*")
_PROVENANCE = re.compile(r"^(?:[\w.]{1,20}\s+)?[(\[]?\s*(?:nguồn|theo)\s*:\s*(.{3,120}?)\s*[)\]]?\s*\.?$", re.I)
_CAPTION = re.compile(r"(?:^(?:ảnh|video|clip|đồ họa|đồ hoạ)\s*:|[-–(]\s*ảnh\s*:\s*[^.]{1,60}\)?\.?$|^\(?ảnh minh họa\)?\.?$|^ảnh minh hoạ)", re.I)
# The portal's footer: "Bản quyền thuộc UBND tỉnh…", "Ghi rõ nguồn … khi phát hành lại thông tin từ website này".
_SITE_FOOTER = re.compile(r"^(?:bản quyền|©|copyright\b)|ghi rõ nguồn.{0,60}(?:phát hành lại|trích dẫn|sử dụng)", re.I)
_COMMENT_FORM = re.compile(r"^(?:bình luận|thông báo|bạn đã gửi thành công\.?|gửi|hủy)$", re.I)
_RELATED_CLASS = re.compile(
    r"(?:^|[\s_-])(?:relate[ds]?|related-?\w*|lien-?quan|lienquan|tinlienquan|tin-?khac|tinkhac|"
    r"doc-?them|xem-?them|readmore|read-more|more-news|box-?news|news-?box|inline-?related|detail-?relate|"
    r"quan-?tam|nen-?xem|weather|thoi-?tiet|comment-?form|binh-?luan|box-?comment|social-?share|"
    r"mobile-?version|phien-?ban|admzone|c-banner|adsbygoogle|print-?(?:header|footer|only)|visible-print)(?:$|[\s_-])", re.I)
# Newsletter and social calls to action that English-language papers print in or under the body.
_CALL_TO_ACTION = re.compile(
    r"^(?:subscribe to|sign up (?:for|to)|click here to subscribe|like this story\?|"
    r"follow (?:us|him|her|them|@?\w+(?: \w+){0,4}) on (?:twitter|facebook|instagram|youtube)|"
    r"get (?:the|our) .{0,80}(?:inbox|newsletter))", re.I)
_BULLET = re.compile(r"^[-*•]\s+")  # a list item as trafilatura prints it
_POPUP_CLASS = re.compile(r"(?:^|[\s_-])(?:rollover|tooltip|popover|hover-?card)(?:$|[\s_-])", re.I)
REPEAT_MIN_CHARS = 80  # a repeated line at least this long (a real paragraph) is dropped as a duplicated block
_BLOCKS = ("div", "section", "aside", "ul", "ol", "table", "nav", "footer", "form", "figure", "article", "p",
           "li", "tr", "tbody", "td", "header", "blockquote")


def _norm_marker(text: str) -> str:
    return clean_line(text).rstrip(":>»› ").lower()


def _link_text_len(element: HtmlElement) -> int:
    return sum(text_length(a) for a in element.iter("a"))


def _is_box(element: HtmlElement, marker_len: int) -> bool:
    """A small container whose text, apart from the marker, is mostly link text (a teaser box)."""
    total = text_length(element) - marker_len
    if total <= 0:
        return True
    links = _link_text_len(element)
    return total <= 2500 and links / total >= 0.45


_PRUNE_TAGS = frozenset((*_BLOCKS, "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "a"))


def _marker_box(element: HtmlElement, marker_len: int, root: HtmlElement) -> HtmlElement:
    """The smallest container around a marker heading whose other text is mostly links (a teaser box)."""
    box = element
    while True:
        parent = box.getparent()
        if parent is None or parent is root or parent.tag in ("body", "html", "article", "main"):
            return box
        if not _is_box(parent, marker_len):
            return box
        box = parent


BODY_RESUMES_CHARS = 200  # paragraph text after an inline teaser list that shows the body goes on


def _after_marker(box: HtmlElement) -> tuple[list[HtmlElement], bool]:
    """What a flat end marker ("Xem thêm", "Tin liên quan") takes with it, and whether the body goes on:
    every following sibling, unless the body resumes after the links it heads (an inline box splitting
    the body), then only those links."""
    siblings = list(box.itersiblings())
    position = 0
    while position < len(siblings) and (
            text_length(siblings[position]) == 0 or _is_box(siblings[position], 0)):
        position += 1
    if _body_resumes(siblings[position:]):
        return siblings[:position], True
    return siblings, False


def _is_body_paragraph(element: HtmlElement) -> bool:
    return element.tag == "p" and text_length(element) >= 80 and element.find(".//a") is None


def _body_resumes(rest: list[HtmlElement]) -> bool:
    """The body goes on: what follows opens with two link-free paragraphs of real length in a row, and such
    paragraphs make up at least half of it. A teaser list (a linked title, its sapo, the next linked title)
    never opens so."""
    with_text = [s for s in rest[:12] if text_length(s)][:2]
    if len(with_text) < 2 or not all(map(_is_body_paragraph, with_text)):
        return False
    paragraphs = sum(text_length(s) for s in rest if _is_body_paragraph(s))
    return paragraphs >= max(BODY_RESUMES_CHARS, 0.5 * sum(text_length(s) for s in rest))


def _is_hover_card(span: HtmlElement) -> bool:
    """A card shown on hovering a name in a paragraph (photo, the person's latest stories), not the name."""
    if not _POPUP_CLASS.search(span.get("class") or ""):
        return False
    inner = (e for e in span.iterdescendants("span") if _POPUP_CLASS.search(e.get("class") or ""))
    return next(inner, None) is None and sum(1 for _ in span.iter("a")) >= 2


def prune_tree(tree: HtmlElement, vietnamese: bool, elements: list[HtmlElement] | None = None,
               inline_boxes: list[HtmlElement] | None = None) -> int:
    """Remove related-link boxes and widgets from the tree in place; return how many were removed.

    Marker boxes with the body going on after them (inline "Xem thêm" boxes) are added to ``inline_boxes``.
    """
    doomed: dict[HtmlElement, None] = {}
    body = tree.find("body")
    root = body if body is not None else tree
    for element in elements if elements is not None else root.iter():
        if element.tag not in _PRUNE_TAGS or element in doomed:
            continue
        own = (element.text or "").strip()
        marker = _norm_marker(own) if own and len(own) <= 40 else ""
        if marker and ((marker in _TEASER_MARKERS and element.tag != "a") or (vietnamese and marker in _MARKER_SET)):
            # A marker heading: remove its teaser box; a flat Vietnamese end marker in the body column ends the body.
            box = _marker_box(element, len(own), root)
            doomed[box] = None
            if vietnamese and marker in _MARKER_SET and text_length(box) - len(own) < 10:
                taken, resumes = _after_marker(box)
                doomed.update(dict.fromkeys(taken))
            else:
                resumes = vietnamese and _body_resumes(list(box.itersiblings()))
            if resumes and inline_boxes is not None:
                inline_boxes.append(box)
            continue
        if vietnamese and element.tag == "table" and element.find(".//img") is not None and (
                text_length(element) <= 300):
            doomed[element] = None  # a table-wrapped image and its caption
            continue
        if element.tag in ("a", "span", "strong", "b"):
            if element.tag == "span" and _is_hover_card(element):
                doomed[element] = None
            continue
        kind = element.get("type")
        if not (kind and kind.lower().startswith("related")):  # VCCorp embedded boxes have type="Related…"
            cls, ident = element.get("class"), element.get("id")
            if not (cls or ident) or not _RELATED_CLASS.search(f"{cls or ''} {ident or ''}"):
                continue
        total = text_length(element)
        if total > 800 and _link_text_len(element) < 0.3 * total:
            continue  # a body in a container named "…-read-more": keep text that is not a link list
        doomed[element] = None
    removed = 0
    for element in doomed:
        if element.getparent() is not None and not any(a in doomed for a in element.iterancestors()):
            remove(element)
            removed += 1
    return removed


def link_titles(tree: HtmlElement, page_url: str, elements: list[HtmlElement] | None = None) -> set[str]:
    """Texts of links to other pages of the same site that read like article titles (≥ 5 words)."""
    parts = urlsplit(page_url)
    host = parts.hostname or ""
    page_path = parts.path.rstrip("/")
    titles: set[str] = set()
    for anchor in elements if elements is not None else tree.iter("a"):
        if anchor.tag != "a":
            continue
        href = (anchor.get("href") or "").strip()
        if not href or href[0] == "#" or href.startswith(("javascript:", "mailto:", "tel:")):
            continue
        text = " ".join(" ".join(anchor.itertext()).split())
        if text.count(" ") < 4 or len(text) > 300:
            continue
        if href.startswith(("http://", "https://", "//")):
            target = urlsplit(href if not href.startswith("//") else "https:" + href)
            if host and (target.hostname or "") != host:
                continue
            path = target.path
        else:
            path = urljoin(page_url, href).split("?")[0] if not href.startswith("/") else href.split("?")[0]
            path = urlsplit(path).path if "://" in path else path
        if path.split("#")[0].rstrip("/") == page_path:
            continue
        titles.add(clean_line(text).lower())
    return titles


@dataclass
class Cleaned:
    """Paragraphs of the body, and what the furniture said about the article."""

    paragraphs: list[str] = field(default_factory=list)
    dateline: str | None = None
    provenance: str | None = None
    removed: list[str] = field(default_factory=list)


def _same(a: str, b: str) -> bool:
    return a.lower().strip(" .") == b.lower().strip(" .")


def _recurring_rows(lines: list[str]) -> set[int]:
    """Positions of long lines that recur as part of the article's structure, not as a duplicated block.

    Either the line stands between two short lines that recur too (a weekly meal plan: "Meal 2",
    "Post-workout"), or it recurs three times or more without a long repeat next to it (the same
    interview question put to each guest). A pull quote recurs once; a second copy of a list comes as
    a run of long repeats.
    """
    keys = [line.lower().strip(" .") for line in lines]
    counts = Counter(keys)
    repeated: list[bool] = []
    earlier: set[str] = set()
    for key in keys:
        repeated.append(key in earlier)
        earlier.add(key)

    def long_repeat(position: int) -> bool:
        return repeated[position] and len(lines[position]) >= REPEAT_MIN_CHARS

    rows: set[int] = set()
    for position in range(len(lines)):
        if not long_repeat(position):
            continue
        neighbours = [n for n in (position - 1, position + 1) if 0 <= n < len(lines)]
        in_table = len(neighbours) == 2 and all(repeated[n] and not long_repeat(n) for n in neighbours)
        series = counts[keys[position]] >= 3 and not any(long_repeat(n) for n in neighbours)
        if in_table or series:
            rows.add(position)
    return rows


def clean_paragraphs(lines: list[str], *, title: str | None, lead: str | None, vietnamese: bool,
                     teaser_titles: set[str] = frozenset(), header_values: tuple[str | None, ...] = ()) -> Cleaned:
    """Apply the text-level cut rules to extracted lines."""
    out = Cleaned()
    paragraphs: list[str] = []
    seen: set[str] = set()
    headers = {v.lower() for v in header_values if v}
    title_l = (title or "").lower().strip(" .")
    lead_l = (lead or "").lower().strip(" .")
    lines = [clean_line(line) for line in lines]
    lines = [line for line in lines if line]
    recurring = _recurring_rows(lines)
    real_seen = 0  # paragraphs of real length kept so far
    index = 0
    while index < len(lines):
        line = lines[index]
        lower = line.lower().strip(" .")
        index += 1
        if _ONLY_SYMBOLS.match(line):
            continue
        if len(line) < 250 and _CALL_TO_ACTION.match(line):
            out.removed.append(line)
            continue
        if vietnamese:
            if _WEATHER.match(line) or _CHROME.match(line):
                out.removed.append(line)
                continue
            if _MARKER_RE.match(line):
                if real_seen:
                    out.removed.extend(lines[index - 1:])
                    break
                out.removed.append(line)
                continue
            if _INLINE_TEASER.match(line) and len(line) < 300:
                out.removed.append(line)
                continue
            if _SLUG.match(line):
                out.removed.append(line)
                continue
            provenance = _PROVENANCE.match(line)
            if provenance and len(line) < 160:
                out.provenance = out.provenance or clean_line(provenance.group(1)).rstrip(").")
                continue
            if len(line) < 300 and _CAPTION.search(line):
                out.removed.append(line)
                continue
            if real_seen < 2 and (lower in headers or looks_like_date_line(line)) and len(line) < 80:
                continue
            if _COMMENT_FORM.match(line):
                continue
            if len(line) < 300 and _SITE_FOOTER.search(line):
                out.removed.append(line)
                continue
        # Teaser signature: a title repeated (image alt + link) or the title of another article.
        if index < len(lines) and _same(line, lines[index]) and len(line) < 250:
            out.removed.append(line)
            index += 1
            if index < len(lines) and len(lines[index]) < 600 and lines[index].lower() not in teaser_titles:
                # its one-paragraph sapo, when another teaser or the end follows
                after = lines[index + 1] if index + 1 < len(lines) else None
                if after is None or after.lower() in teaser_titles or (
                        index + 2 < len(lines) and _same(after, lines[index + 2])):
                    out.removed.append(lines[index])
                    index += 1
            continue
        if lower in teaser_titles or line.lower() in teaser_titles or _BULLET.sub("", lower) in teaser_titles:
            out.removed.append(line)
            # a sapo sandwiched between two teaser titles belongs to the teaser list
            if index + 1 < len(lines) and lines[index + 1].lower() in teaser_titles and len(lines[index]) < 600:
                out.removed.append(lines[index])
                index += 1
            continue
        if title_l and lower == title_l:
            continue
        if lead_l:
            line_dateline, core = split_dateline(line)
            if lower == lead_l or (core or "").lower().strip(" .") == lead_l:
                out.dateline = out.dateline or line_dateline
                continue
        if lower in seen and index - 1 not in recurring and (len(line) >= REPEAT_MIN_CHARS or (paragraphs and paragraphs[-1].lower().strip(" .") == lower)):
            # A whole paragraph printed twice is a duplicated block (pull quote, mobile copy); short lines that
            # recur (sub-headings, interview questions, list items of a recipe or a spec sheet) are content.
            continue
        seen.add(lower)
        paragraphs.append(line)
        if len(line) >= 80:
            real_seen += 1
    for position, paragraph in enumerate(paragraphs[:3] if vietnamese and not out.dateline else []):
        match = _DATELINE.match(paragraph)
        if match:
            out.dateline = match.group(1)
            paragraphs[position] = paragraph[match.end():].strip()
            if not paragraphs[position]:
                paragraphs.pop(position)
            break
    out.paragraphs = paragraphs
    return out


_NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]*\.?$")
_INITIAL_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ]\.\s?){1,3}[A-ZĐÀ-Ỹ][a-zà-ỹđ]+$")  # "P.Ngân", "N.T.Hà"


def trailing_author(paragraphs: list[str]) -> str | None:
    """The byline Vietnamese papers print as the body's last line ("Lưu Quý", "Minh Anh (t/h)")."""
    if len(paragraphs) < 2:
        return None
    last = paragraphs[-1].strip()
    name = re.sub(r"\s*\((?:t/h|tổng hợp|theo [^)]{1,40})\)$", "", last, flags=re.I)
    words = name.replace("-", " ").split()
    if 2 <= len(words) <= 5 and len(name) <= 40 and all(_NAME_WORD.match(w) for w in words):
        return name
    if _INITIAL_NAME.match(name):
        return name
    return None


def split_dateline(text: str | None) -> tuple[str | None, str | None]:
    """("(Chinhphu.vn) - Sapo…") → ("Chinhphu.vn", "Sapo…")."""
    if not text:
        return None, text
    match = _DATELINE.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end():].strip() or None
