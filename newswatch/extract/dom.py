"""One lxml parse per page and the small DOM helpers the extractor modules share."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import is_dubious_html, repair_faulty_html

from newswatch.errors import ExtractionError
from newswatch.text.normalize import clean_line

LOG = logging.getLogger(__name__)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# trafilatura's parser options. lxml.html's own parser picks each element's class in Python
# (HtmlElementClassLookup: form, input, label … classes), which costs more than any other step of
# walking the tree; a C-level lookup gives every element the HtmlElement API trafilatura uses.
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                     remove_pis=True)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))


def parse_html(text: str, report: dict[str, object] | None = None) -> HtmlElement:
    """The page's tree, parsed as trafilatura's ``load_html`` parses it (comments and processing instructions
    removed, the same repairs), with a fast element class lookup. A page nested deeper than the parser
    allows is flattened first; ``report["flattened_wrappers"]`` then says how many tags went."""
    text = _XML_DECL.sub("", text, count=1)
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning)
    tree = None
    try:
        tree = fromstring(text, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        pass
    except etree.LxmlError as exc:
        LOG.debug("lxml could not parse the text: %s", exc)
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(text.encode("utf8", "surrogatepass"), parser=_PARSER)
        except etree.LxmlError as exc:
            LOG.debug("lxml could not parse the bytes: %s", exc)
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        raise ExtractionError("not an HTML page: the markup could not be parsed")
    if _too_deep(_PARSER):
        # libxml2 stops at 256 levels and drops the rest of the page: flatten the wrappers and parse again
        flat, dropped = flatten_deep_nesting(text)
        LOG.info("page nested deeper than the parser allows: %d wrapper tags removed", dropped)
        tree = fromstring(flat, parser=_PARSER)
        if report is not None:
            report["flattened_wrappers"] = dropped
    return tree


def _too_deep(parser: HTMLParser) -> bool:
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


MAX_DEPTH = 120  # element depth kept when a page nests deeper than the parser's 256 levels
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*?(/?)>")
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"))
# Tags a pure wrapper may still be: dropping them would merge paragraphs or lose meaning.
_BLOCK_TAGS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead",
                         "tbody", "tfoot", "tr", "td", "th", "blockquote", "figure", "figcaption", "pre", "a", "time",
                         "title", "script", "style", "html", "head", "body", "article", "main", "header", "footer",
                         "nav", "aside", "form"))
HARD_DEPTH = 200  # beyond this depth every tag goes (a pathological page with no pure wrappers)


def flatten_deep_nesting(text: str) -> tuple[str, int]:
    """The markup with its deepest wrapper chains collapsed; two passes over the tags, linear time.

    10,000 ``<div>`` around an article must not cost the article: libxml2 refuses documents deeper
    than 256 levels and returns only what came before. Tags are matched on a stack first. Then, past
    :data:`MAX_DEPTH` kept levels, a pure wrapper — an element whose only content is one child element
    — is dropped with its closing tag, so the chain collapses while the page's own structure (blocks
    with several children or with text, and their classes) stays; past :data:`HARD_DEPTH` every tag goes.
    """
    tokens = [(m.start(), m.end(), m.group(2).lower(), bool(m.group(1)),
               bool(m.group(3)) or m.group(2).lower() in _VOID) for m in _TAG.finditer(text)]
    partner: dict[int, int] = {}
    pops: dict[int, list[int]] = {}
    stack: list[int] = []
    for i, (_, _, name, closing, void) in enumerate(tokens):
        if void and not closing:
            continue
        if not closing:
            stack.append(i)
            continue
        for depth in range(len(stack) - 1, max(-1, len(stack) - 50), -1):
            if tokens[stack[depth]][2] == name:
                partner[stack[depth]], partner[i] = i, stack[depth]
                pops[i] = stack[depth:]
                del stack[depth:]
                break

    def blank(a: int, b: int) -> bool:
        return not text[a:b].strip()

    drop: set[int] = set()
    kept_depth = 0
    for i, (_, end, name, closing, void) in enumerate(tokens):
        if closing:
            kept_depth -= sum(1 for j in pops.get(i, ()) if j not in drop)
            continue
        if void:
            continue
        close = partner.get(i)
        if kept_depth >= HARD_DEPTH:
            pure = True
        elif kept_depth >= MAX_DEPTH and close is not None and i + 1 < len(tokens):
            child, child_close = i + 1, partner.get(i + 1)
            pure = (not tokens[child][3] and child_close is not None and blank(end, tokens[child][0])
                    and child_close + 1 == close and blank(tokens[child_close][1], tokens[close][0]))
        else:
            pure = False
        if pure and (name not in _BLOCK_TAGS or kept_depth >= HARD_DEPTH):
            drop.add(i)
            if close is not None:
                drop.add(close)
        else:
            kept_depth += 1
    out: list[str] = []
    position = 0
    for i in sorted(drop):
        out.append(text[position:tokens[i][0]])
        position = tokens[i][1]
    out.append(text[position:])
    return "".join(out), len(drop)


@lru_cache(maxsize=512)
def _selector(css: str) -> CSSSelector | None:
    try:
        return CSSSelector(css)
    except Exception as exc:  # cssselect raises several types for bad selectors
        LOG.warning("ignoring invalid CSS selector %r: %s", css, exc)
        return None


def select(tree: HtmlElement, css: str | None) -> list[HtmlElement]:
    """Elements matching a CSS selector (none for an empty or invalid selector)."""
    if not css:
        return []
    selector = _selector(css)
    return list(selector(tree)) if selector is not None else []


def select_one(tree: HtmlElement, css: str | None) -> HtmlElement | None:
    found = select(tree, css)
    return found[0] if found else None


def text_of(element: HtmlElement | None) -> str:
    """The element's text, whitespace collapsed and normalised (NFC, look-alikes)."""
    if element is None:
        return ""
    return clean_line(" ".join(element.itertext()))


def text_length(element: HtmlElement) -> int:
    """Characters of text in the element, whitespace around each text node not counted."""
    return sum(len(t.strip()) for t in element.itertext())


class MetaTags:
    """The page's ``<meta property|name|itemprop=… content=…>`` tags, read in one pass."""

    def __init__(self, tree: HtmlElement) -> None:
        self._by_name: dict[tuple[str, str], list[str]] = {}
        for node in tree.iter("meta"):
            content = node.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "itemprop"):
                name = node.get(attr)
                if name:
                    self._by_name.setdefault((attr, name), []).append(content)

    def content(self, *keys: str) -> str | None:
        """The first non-empty content among ``keys`` (each tried as property, name, then itemprop)."""
        for key in keys:
            for attr in ("property", "name", "itemprop"):
                for raw in self._by_name.get((attr, key), ()):
                    value = clean_line(raw)
                    if value:
                        return value
        return None


class ClassIndex:
    """One pass over the page's elements: document order and elements by class token.

    Walking an lxml.html tree from Python is the costly part of extraction (each element gets a
    Python proxy); the modules share this single walk instead of each iterating the tree.
    """

    def __init__(self, tree: HtmlElement) -> None:
        self.elements: list[HtmlElement] = [el for el in tree.iter() if isinstance(el.tag, str)]
        self.order: dict[HtmlElement, int] = {el: i for i, el in enumerate(self.elements)}
        self.meta = MetaTags(tree)
        self.by_token: dict[str, list[HtmlElement]] = {}
        self.by_class: dict[str, list[HtmlElement]] = {}  # by the whole class attribute
        for element in self.elements:
            classes = element.get("class")
            if classes:
                self.by_class.setdefault(classes, []).append(element)
                for token in classes.split():
                    self.by_token.setdefault(token, []).append(element)

    def find(self, tokens: tuple[str, ...] | list[str], tags: tuple[str, ...] = ()) -> list[HtmlElement]:
        """Elements carrying any of ``tokens``, in the order of ``tokens``; optionally only these tags."""
        found: list[HtmlElement] = []
        for token in tokens:
            for element in self.by_token.get(token, ()):
                if (not tags or element.tag in tags) and element not in found:
                    found.append(element)
        return found

    def containing(self, *parts: str) -> list[HtmlElement]:
        """Elements with a class token containing any of ``parts`` (e.g. "date"), in no particular order."""
        found: dict[HtmlElement, None] = {}
        for token, elements in self.by_token.items():
            lowered = token.lower()
            if any(part in lowered for part in parts):
                found.update(dict.fromkeys(elements))
        return list(found)


def remove(element: HtmlElement) -> None:
    """Remove an element but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
