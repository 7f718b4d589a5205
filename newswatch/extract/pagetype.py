"""Page types: what kind of article a page is, decided on its markup, and the tree repairs each needs.

Vietnamese outlets publish more than ordinary news: photo reportage (the captions are the story),
"Top 10" list articles (item descriptions in the captions under numbered headings), live coverage
(timestamped entries), video pages (a player and a summary), e-magazine longform (full-width
sections), Q&A interviews, infographics (one large image, a few lines), bodies split by inline
"Xem thêm"/"Tin liên quan" boxes, and older portals laid out with tables. :func:`detect_page_type`
names the type from evidence on the page; :func:`captions_to_paragraphs` turns story captions into
paragraphs (their photo credit cut, credit-only captions dropped) on the types where captions carry
the story; :func:`unwrap_layout_tables` turns layout tables into plain blocks so that only real data
tables (figures, lists of documents) reach the text as tables.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newswatch.extract.dom import ClassIndex, remove, text_length, text_of
from newswatch.extract.metadata import PageMeta

PAGE_TYPES = ("news", "photo", "list", "live", "video", "emagazine", "interview", "infographic", "split",
              "table_portal")
CAPTION_TYPES = frozenset(("photo", "list", "infographic"))  # captions carry the story on these pages
# A photo credit at the end of a caption: "… (Ảnh: Minh Sơn/Vietnam+)", "… - Ảnh: NGUYỄN KHÁNH", "… Ảnh: TTXVN".
CREDIT = re.compile(r"\s*[-–(\[]?\s*(?:ảnh|ảnh minh họa|ảnh minh hoạ|nguồn ảnh|đồ họa|đồ hoạ|photo|video|clip)"
                    r"\s*:\s*[^()\[\]:]{0,60}?[)\]]?\s*\.?\s*$", re.I)
_CREDIT_ONLY = re.compile(r"^[(\[]?\s*(?:ảnh minh h[oọ]a|ảnh minh ho[aạ]|minh họa|ảnh|photo|video)?\s*[)\]]?\.?$", re.I)
MIN_STORY_CAPTION_WORDS = 6  # a caption with fewer words (after its credit) is a credit or a label
_PHOTO_TITLE = re.compile(r"^\s*(?:\[?\s*(?:ảnh|photo|chùm ảnh|phóng sự ảnh|photo ?story)\s*[\]:]|"
                          r"(?:chùm ảnh|phóng sự ảnh|photo ?story)\b)", re.I)
_PHOTO_URL = re.compile(r"/(?:anh|photo|photos|hinh-anh|multimedia/anh)/|[/-](?:anh|photo)-", re.I)
_NUMBERED = re.compile(r"^\s*(?:top\s+)?(\d{1,2})\s*[.):/–-]\s*\S")
# "Trực tiếp: …", "[Trực tiếp] …", "Tường thuật trực tiếp …", "… (cập nhật liên tục)" — but not "đầu tư trực tiếp
# nước ngoài" (foreign direct investment) or "gặp gỡ trực tiếp" (in person).
_LIVE_TITLE = re.compile(r"^\s*[\[(]?\s*(?:trực tiếp|tường thuật|live)\b|tường thuật trực tiếp|trực tiếp\s*[:\])]|"
                         r"cập nhật liên tục", re.I)
_LIVE_URL = re.compile(r"(?:^https?://[^/]+|/)(?:truc-tiep|tuong-thuat|live)[-/]|tuong-thuat-truc-tiep", re.I)
_CLOCK = re.compile(r"^\s*\d{1,2}\s*[:hg]\s*\d{2}\s*$")
_VIDEO_URL = re.compile(r"(?:^https?://video\.|/video/|/videos/|-video-|/clip/)", re.I)
_INFOGRAPHIC = re.compile(r"info-?graphics?|inforgraphic|\binfo\b", re.I)
_EMAGAZINE = re.compile(r"e-?magazine|longform|long-form|sp-layout|megastory|spotlight-story", re.I)
_QUESTION_PREFIX = re.compile(r"^\s*(?:pv|p\.v|phóng viên|hỏi|câu hỏi|nhà báo)\s*[:.\-–]", re.I)
_CAPTION_CLASS = ("PhotoCMS_Caption", "desc_cation", "caption", "image-caption", "photo-caption", "figcaption",
                  "pCaption", "expNoEdit")


def credit_free(text: str) -> str:
    """A caption without its photo credit ("Ảnh: …", "(Ảnh: …)") — "" when the caption was a credit alone."""
    stripped = CREDIT.sub("", text).strip(" -–")
    return "" if _CREDIT_ONLY.match(stripped) else stripped


def _is_story(text: str) -> bool:
    return len(text.split()) >= MIN_STORY_CAPTION_WORDS


def caption_blocks(tree: HtmlElement, index: ClassIndex) -> list[tuple[HtmlElement, str]]:
    """Captioned images of the page: (the block to replace, its caption text with the credit)."""
    found: dict[HtmlElement, str] = {}
    for figure in tree.iter("figure"):
        caption = figure.find(".//figcaption")
        if caption is not None:
            found[figure] = text_of(caption)
    for table in tree.iter("table"):
        if table.find(".//img") is None or table.find(".//table") is not None or text_length(table) > 600:
            continue
        found[table] = text_of(table)
    for element in index.find(_CAPTION_CLASS):
        if any(a in found for a in element.iterancestors()) or element.tag == "figcaption":
            continue
        block = element
        for ancestor in element.iterancestors():  # the image block: the caption and its picture
            if ancestor.find(".//img") is not None:
                block = ancestor if text_length(ancestor) <= text_length(element) + 20 else block
                break
        if block is not element or element.getprevious() is not None:
            found[block] = text_of(element)
    return list(found.items())


def detect_page_type(tree: HtmlElement, index: ClassIndex, meta: PageMeta, url: str,
                     captions: list[tuple[HtmlElement, str]]) -> str:
    """The page's type (one of :data:`PAGE_TYPES`), from structured data, its title, URL and markup."""
    title = meta.title or ""
    kinds = {str(k).lower() for item in meta.jsonld for k in (
        item.get("@type") if isinstance(item.get("@type"), list) else [item.get("@type")])}
    if "liveblogposting" in kinds or _LIVE_TITLE.search(title) or _LIVE_URL.search(url) or _clock_entries(index) >= 3:
        return "live"
    if _INFOGRAPHIC.search(title.split(":")[0]) or "infographic" in url.lower():
        return "infographic"
    if _EMAGAZINE.search(url) or _EMAGAZINE.search(_frame_classes(tree, meta)):
        return "emagazine"
    numbered = _numbered_headings(tree)
    if numbered >= 3:
        return "list"
    story = [text for _, text in captions if _is_story(credit_free(text))]
    if len(story) >= 2 and (_PHOTO_TITLE.search(title) or _PHOTO_URL.search(url)):
        return "photo"
    if len(story) >= 3:
        paragraph_chars = sum(map(len, map(str.strip, tree.xpath(
            "//p[not(ancestor::figure) and not(ancestor::table)]//text()"))))
        if sum(len(t) for t in story) >= 0.5 * paragraph_chars:
            return "photo"
    if (meta.og_type or "").startswith("video") or ("videoobject" in kinds and not meta.jsonld_article) or (
            _VIDEO_URL.search(url) and tree.find(".//video") is not None):
        return "video"
    if _interview_questions(tree) >= 2:
        return "interview"
    if _layout_table_around_title(tree, meta):
        return "table_portal"
    return "news"  # "split" is decided by the furniture pass, which finds the inline boxes


def _frame_classes(tree: HtmlElement, meta: PageMeta) -> str:
    """Classes of the page's frame: ``html``, ``body`` and the headline's ancestors (not a sidebar teaser's)."""
    frame = [tree, *tree.iter("body")][:2]
    if meta.title_element is not None:
        frame += [meta.title_element, *meta.title_element.iterancestors()]
    return " ".join(f"{e.get('class') or ''} {e.get('id') or ''}" for e in frame)


def _clock_entries(index: ClassIndex) -> int:
    """Elements with a time-ish class holding only a clock time ("09:15") next to an entry's own text (not a
    linked title): the entries of live coverage. A "Tin mới" sidebar with times is links."""
    count = 0
    for token, elements in index.by_token.items():
        if "time" in token or "gio" in token or "Time" in token:
            for element in elements:
                text = "".join(element.itertext())
                if len(text) <= 12 and _CLOCK.match(text) is not None and _with_entry_text(element):
                    count += 1
    return count


def _with_entry_text(clock: HtmlElement) -> bool:
    for level, ancestor in enumerate(clock.iterancestors()):
        own = text_length(ancestor) - sum(text_length(a) for a in ancestor.iter("a"))
        if own >= 60:
            return True
        if level == 2:
            return False
    return False


def _numbered_headings(tree: HtmlElement) -> int:
    """Headings numbered 1, 2, 3 … in order (a list article); linked headings (a "most read" box) do not count."""
    expected, count = 1, 0
    for heading in tree.iter("h2", "h3", "h4"):
        text = text_of(heading)
        match = _NUMBERED.match(text)
        if match and int(match.group(1)) in (expected, expected + 1) and len(text) <= 200 and (
                heading.find(".//a") is None or sum(text_length(a) for a in heading.iter("a")) < 0.5 * len(text)):
            expected, count = int(match.group(1)) + 1, count + 1
    return count


def _interview_questions(tree: HtmlElement) -> int:
    """Paragraphs put as an interviewer's questions ("PV: …", "Phóng viên: …", or a bold line ending in "?")."""
    count = 0
    for paragraph in tree.iter("p"):
        first = paragraph[0] if len(paragraph) and not (paragraph.text or "").strip() else None
        opening = (paragraph.text or "").strip() or (first.text or "" if first is not None else "")
        if _QUESTION_PREFIX.match(opening[:20]):
            count += 1
        elif first is not None and first.tag in ("strong", "b") and len(paragraph) == 1:
            text = " ".join("".join(paragraph.itertext()).split())
            count += text.endswith("?") and 20 <= len(text) <= 400
    return count


def _layout_table_around_title(tree: HtmlElement, meta: PageMeta) -> bool:
    element = meta.title_element
    if element is None and meta.title:  # no <h1>: the headline is a bold line in a cell
        element = next((e for e in tree.iter("td", "b", "strong", "font", "span", "div", "p")
                        if (e.text or "").strip() == meta.title), None)
    if element is None:
        return False
    cell = next((a for a in element.iterancestors("td", "th")), None)
    return cell is not None and is_layout_table(next(cell.iterancestors("table")))


def captions_to_paragraphs(captions: list[tuple[HtmlElement, str]]) -> tuple[int, int]:
    """Replace each captioned image by a paragraph of its caption (credit cut), or drop it when the caption
    is a credit alone; return (kept, dropped)."""
    kept = dropped = 0
    for block, text in captions:
        parent = block.getparent()
        if parent is None:
            continue
        story = credit_free(text)
        if _is_story(story):
            paragraph = block.makeelement("p", {})
            paragraph.text = story
            paragraph.tail = block.tail
            parent.replace(block, paragraph)
            kept += 1
        else:
            remove(block)
            dropped += 1
    return kept, dropped


_BLOCK_IN_CELL = frozenset(("p", "div", "h1", "h2", "h3", "h4", "ul", "ol", "form", "select", "iframe", "img"))


def is_layout_table(table: HtmlElement) -> bool:
    """A table used for page layout: it nests tables, or a cell holds blocks (paragraphs, headings, menus),
    long text, or it is a single column of rows. An image with its caption is left to the furniture rules."""
    tags = {element.tag for element in table.iter()}
    if sum(1 for _ in table.iter("table")) > 1:
        return True
    if "img" in tags and text_length(table) <= 600:
        return False
    if tags & _BLOCK_IN_CELL:
        return True
    rows = [[c for c in row if c.tag in ("td", "th")] for row in table.iter("tr")]
    if not any(rows):
        return False
    if any(text_length(cell) > 400 for row in rows for cell in row):
        return True
    return max(len(row) for row in rows) < 2 and len(rows) > 1


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn layout tables into plain blocks (table, rows and cells become ``div``); return how many.

    trafilatura writes a table cell by cell; a layout table made the whole page column one "row"
    (headline, date, sapo and body printed a second time). Data tables are left alone.
    """
    layout = [t for t in tree.iter("table") if is_layout_table(t)]
    # The parts of each layout table, found before any is renamed (renaming changes who owns what).
    parts = [element for table in layout for element in
             (table, *(e for e in table.iter("tbody", "thead", "tfoot", "tr", "td", "th") if _owner_table(e) is table))]
    for element in parts:
        element.tag = "div"
        for attribute in ("width", "colspan", "rowspan", "valign", "align", "cellpadding", "cellspacing", "border"):
            element.attrib.pop(attribute, None)
    return len(layout)


def _owner_table(element: HtmlElement) -> HtmlElement | None:
    return next(element.iterancestors("table"), None)


_BREAK_BLOCKS = frozenset(("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "center"))


def breaks_to_paragraphs(tree: HtmlElement) -> int:
    """Give ``<br>``-separated text its paragraphs (old portals print a body as one cell of text and
    ``<br><br>``); return how many elements were rebuilt. Without ``<p>`` markup trafilatura falls back to
    whole blocks and splits the page's data tables cell by cell."""
    rebuilt = 0
    for element in [e for e in tree.iter() if isinstance(e.tag, str)]:
        if sum(1 for c in element if c.tag == "br") < 2 or len((element.text or "").strip()) + sum(
                len((c.tail or "").strip()) for c in element) < 150:
            continue
        _rebuild(element)
        rebuilt += 1
    return rebuilt


def _rebuild(element: HtmlElement) -> None:
    blocks: list[HtmlElement] = []
    current: list[HtmlElement | None] = [None]

    def paragraph() -> HtmlElement:
        if current[0] is None:
            current[0] = element.makeelement("p", {})
            blocks.append(current[0])
        return current[0]

    def add_text(text: str | None) -> None:
        if text and text.strip():
            target = paragraph()
            if len(target):
                target[-1].tail = (target[-1].tail or "") + text
            else:
                target.text = (target.text or "") + text

    children = list(element)
    add_text(element.text)
    element.text = None
    for child in children:
        tail, child.tail = child.tail, None
        element.remove(child)
        if child.tag == "br":
            current[0] = None
        elif child.tag in _BREAK_BLOCKS:
            blocks.append(child)
            current[0] = None
        else:
            paragraph().append(child)
        add_text(tail)
    element.extend(blocks)
