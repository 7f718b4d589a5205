"""The body's paragraphs: from the source profile's body selector when it matches, else from trafilatura."""

from __future__ import annotations

import logging
import re

import trafilatura
from lxml.html import HtmlElement

from newswatch.extract.dom import ClassIndex, remove, select, text_length, text_of
from newswatch.sources import Profile

LOG = logging.getLogger(__name__)
_PARAGRAPH_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "td", "th", "dd", "dt"}
# Class names of article-body containers (the ones trafilatura looks for first).
_BODY_CLASS = re.compile(r"article(?:-|__)?body|articleBody|ArticleContent|article__content|article-?text|"
                         r"(?:entry|page|text|article|art|post)[-_]content|post-?body|body-text|story-?(?:body|content)")
_CHUNK_TAGS = frozenset(("div", "section", "article", "main"))
MIN_CHUNK_CHARS = 200  # a body chunk holds paragraphs; a teaser card with the same class holds a line or two
THIN_MARKUP_RATIO = 5  # trafilatura's fast result over the page's <p> text above which the full mode decides
_SKIP_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "input", "select", "textarea", "svg",
              "video", "audio", "object", "embed", "template")


def paragraphs_from_element(element: HtmlElement) -> list[str]:
    """Block-level paragraphs of an element: each p/h*/li/… one paragraph, loose text between them too."""
    for node in list(element.iter(*_SKIP_TAGS)):
        remove(node)
    out: list[str] = []

    def walk(node: HtmlElement) -> None:
        if not isinstance(node.tag, str):
            return
        if node.tag in _PARAGRAPH_TAGS and not any(
                isinstance(c.tag, str) and c.tag in ("p", "div", "table", "ul", "ol") for c in node.iterdescendants()):
            text = text_of(node)
            if text:
                out.append(text)
        else:
            if node.text and node.text.strip():
                out.append(node.text.strip())
            for child in node:
                walk(child)
                continue
        if node.tail and node.tail.strip() and node is not element:
            out.append(node.tail.strip())

    walk(element)
    return out


def profile_body(tree: HtmlElement, profile: Profile | None) -> tuple[list[str] | None, HtmlElement | None]:
    """Paragraphs of the profile's body element (after its drop selectors), or None when it does not match."""
    if not profile or not profile.body:
        return None, None
    found = select(tree, profile.body)
    if not found:
        return None, None
    element = found[0]
    for css in profile.drop:
        for node in select(element, css):
            if node is not element:
                remove(node)
    return paragraphs_from_element(element), element


def join_split_body(tree: HtmlElement, index: ClassIndex) -> int:
    """Move the later chunks of a body split into same-class containers into the first; return how many.

    Some CMSs (wired.com, Condé Nast) cut the body into several ``div.article__body`` with ads or
    newsletter boxes between them; trafilatura takes the first body container it finds and would
    lose the rest of the article. Chunks must be substantial (teaser cards share classes too).
    """
    joined = 0
    for classes, elements in index.by_class.items():
        if len(elements) < 2 or not _BODY_CLASS.search(classes):
            continue
        chunks = [e for e in elements if e.tag in _CHUNK_TAGS and _in_tree(e, tree)
                  and text_length(e) >= MIN_CHUNK_CHARS]
        if len(chunks) < 2 or any(_nested(a, b) for a in chunks for b in chunks if a is not b):
            continue
        if any(_BODY_CLASS.search(a.get("class") or "") for a in _common_ancestors(chunks[0], chunks[-1])):
            continue  # the chunks are sections of a body container that holds them all
        first = chunks[0]
        for chunk in chunks[1:]:
            if chunk.text and chunk.text.strip():
                last = first[-1] if len(first) else None
                if last is None:
                    first.text = (first.text or "") + chunk.text
                else:
                    last.tail = (last.tail or "") + chunk.text
            first.extend(list(chunk))
            joined += 1
    return joined


def unwrap_embedded_tweets(tree: HtmlElement) -> int:
    """Turn embedded tweets (``blockquote.twitter-tweet``) into plain quotes; return how many.

    A tweet quoted in an article is part of it, but its "social…embed"/"…widget" wrapper makes
    trafilatura discard it. The wrapper (the ancestors holding nothing but the tweet) is replaced by
    the bare blockquote.
    """
    count = 0
    for quote in list(tree.iter("blockquote")):
        if "twitter-tweet" not in (quote.get("class") or ""):
            continue
        size = text_length(quote)
        wrapper = quote
        for ancestor in quote.iterancestors():
            if ancestor.tag in ("body", "article", "main") or text_length(ancestor) > size + 20:
                break
            wrapper = ancestor
        quote.attrib.pop("class", None)
        quote.attrib.pop("id", None)
        if wrapper is not quote and wrapper.getparent() is not None:
            quote.tail = wrapper.tail
            wrapper.getparent().replace(wrapper, quote)
        count += 1
    return count


def _in_tree(element: HtmlElement, tree: HtmlElement) -> bool:
    return element.getroottree().getroot() is tree


def _common_ancestors(a: HtmlElement, b: HtmlElement) -> list[HtmlElement]:
    above_b = set(b.iterancestors())
    return [x for x in a.iterancestors() if x in above_b]


def _nested(a: HtmlElement, b: HtmlElement) -> bool:
    return any(x is a for x in b.iterancestors())


def trafilatura_lines(tree: HtmlElement, url: str) -> list[str]:
    """Paragraph lines from trafilatura (comments excluded), one per extracted block.

    trafilatura runs in fast mode (its own extractor, no readability/justext comparison): as
    accurate on article pages, for about a fifth less CPU. When the page has little paragraph
    markup (``<p>`` text under a fifth of the result), its extractor has fallen back to whole
    ``<div>`` blocks and may have taken the page's chrome too; then the full mode, which compares
    with readability and justext, decides.
    """
    text = _trafilatura_text(tree, url, fast=True)
    if not text or len(text) > THIN_MARKUP_RATIO * _paragraph_chars(tree):
        text = _trafilatura_text(tree, url, fast=False) or text
    return text.splitlines() if text else []


def _paragraph_chars(tree: HtmlElement) -> int:
    """Characters of text inside ``<p>`` elements (one XPath call, no element proxies)."""
    return sum(map(len, map(str.strip, tree.xpath("//p//text()"))))


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool) -> str | None:
    try:
        return trafilatura.extract(tree, url=url or None, include_comments=False, include_tables=True,
                                   deduplicate=False, with_metadata=False, fast=fast)
    except Exception as exc:  # trafilatura raises assorted errors on odd trees
        LOG.warning("trafilatura failed on %s: %s", url, exc)
        return None


_OUTSIDE_BODY = frozenset(("footer", "nav", "aside", "header", "form"))
_NOT_BODY = re.compile(r"comment|binh-?luan|y-?kien|footer|relate|lien-?quan", re.I)
CONTAINER_SHARE = 0.75  # the article container holds at least this share of the page's paragraph text
_CONTAINER_TAGS = frozenset(("div", "section", "article", "main", "td", "body"))


def article_container(tree: HtmlElement) -> HtmlElement | None:
    """The page's own article container: the deepest block holding three quarters of the paragraph text.

    Paragraphs (``<p>`` of 60 characters or more, outside header/footer/nav/aside) vote with their
    length for every ancestor; the deepest ancestor with at least :data:`CONTAINER_SHARE` of all votes
    is the container. One walk up from each paragraph: cheap, and independent of class names.
    """
    votes: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    total = 0
    for paragraph in tree.iter("p"):
        length = text_length(paragraph)
        if length < 60:
            continue
        ancestors = list(paragraph.iterancestors())
        if any(a.tag in _OUTSIDE_BODY or _NOT_BODY.search(f"{a.get('class') or ''} {a.get('id') or ''}")
               for a in ancestors):
            continue
        total += length
        for level, ancestor in enumerate(reversed(ancestors)):
            if ancestor.tag in _CONTAINER_TAGS:
                votes[ancestor] = votes.get(ancestor, 0) + length
                depth[ancestor] = level
    if not total:
        return None
    enough = [element for element, count in votes.items() if count >= CONTAINER_SHARE * total]
    return max(enough, key=depth.__getitem__) if enough else None
