"""The safety net: a cleaner that removes furniture must never throw the article away with it.

Two checks after the body is cleaned. :func:`safety_net` compares the cleaned text with the page's
own article container (the deepest block holding three quarters of the paragraph text): when the
text is much shorter, it finds out why (the extractor left blocks out, or the cut rules removed
them), takes the container's paragraphs through the same cut rules, and keeps them when they hold
clearly more. :func:`short_article` is the last step before "no article": a page with a headline, a
date and real text keeps it (the sapo plus a short body, or plain trafilatura on the untouched page).
What was done is returned for ``Article.extraction``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trafilatura
from lxml.html import HtmlElement

from newswatch.extract.body import article_container, paragraphs_from_element
from newswatch.extract.dom import parse_html
from newswatch.extract.furniture import Cleaned
from newswatch.text.normalize import normalize_text

LOG = logging.getLogger(__name__)
SHORT_SHARE = 0.5  # cleaned text (with the lead) under this share of the container's own text is suspect
MIN_GAIN = 1.2  # the container's cleaned paragraphs must hold this much more to replace the text
# Page types whose story is in blocks trafilatura leaves out (timestamps and entry headings of live
# coverage, section headings of longform, data tables of table portals): the container decides
# whenever it holds more.
CONTAINER_TYPES = frozenset(("live", "emagazine"))
MIN_BODY_CHARS = 120  # a body shorter than this is no article, unless the page is dated and titled
CONTAINED_SHARE = 0.9  # the container must hold this share of the text already kept

Clean = Callable[[list[str]], Cleaned]


def _chars(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


def safety_net(tree: HtmlElement, cleaned: Cleaned, clean: Clean, *, lead: str | None, page_type: str,
               vietnamese: bool) -> tuple[Cleaned, dict[str, object]] | None:
    """The container's cleaned paragraphs and a report, when they hold clearly more than ``cleaned``.

    Only on Vietnamese pages: the container check relies on their conventions (sapo, caption credits,
    end markers) to tell the article from what shares its block; on other pages the body container
    often holds share bars, photo credits and lists the article does not own.
    """
    if not vietnamese:
        return None
    container = article_container(tree)
    if container is None or container.tag == "body":
        return None
    chars = _chars(cleaned.paragraphs)
    own = visible_chars(container)
    preferred = page_type in CONTAINER_TYPES
    if not preferred and chars + len(lead or "") >= SHORT_SHARE * own:
        return None
    alternative = clean(paragraphs_from_element(container))
    alt_chars = _chars(alternative.paragraphs)
    if alt_chars <= (chars + 20 if preferred else MIN_GAIN * chars):
        return None
    held = set(alternative.paragraphs)
    if _chars([p for p in cleaned.paragraphs if p in held]) < CONTAINED_SHARE * chars:
        return None  # the container is another block (a second story, a feed): the text is not in it
    removed = _chars(cleaned.removed)
    if preferred:
        reason = f"{page_type} page: the article container's blocks (timestamps, headings) hold more than the extractor kept"
    elif removed >= 0.5 * (alt_chars - chars):
        reason = f"the cut rules removed {removed} characters the article container holds"
    else:
        reason = f"the extractor kept {chars} of the {own} characters in the article container"
    LOG.info("safety net (%s): %d -> %d characters", reason, chars, alt_chars)
    return alternative, {"reason": reason, "chars_before": chars, "chars_after": alt_chars,
                         "container_chars": own, "container": _describe(container)}


def visible_chars(element: HtmlElement) -> int:
    """Characters of the element's visible text outside links (no script or style), counted on normalised
    text: an NFD page has a combining mark for each tone."""
    texts = element.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript "
                          "or ancestor::a or ancestor::template)]")
    return len(normalize_text(" ".join(" ".join(texts).split())))


def _describe(element: HtmlElement) -> str:
    classes = ".".join((element.get("class") or "").split()[:3])
    return f"{element.tag}.{classes}" if classes else element.tag


def short_article(text: str, lead: str | None, page: str, url: str,
                  clean: Clean) -> tuple[str, str | None, str | None]:
    """(text, lead, note) for a dated, titled page whose cleaned body is under :data:`MIN_BODY_CHARS`.

    Real text is kept: a short body with its sapo (an infographic, a video summary); else plain
    trafilatura on the untouched page, through the same cut rules; else the sapo alone becomes the
    text. The note says which; it is None when nothing could be kept.
    """
    lead_chars = len(lead or "")
    if text and len(text) + lead_chars >= MIN_BODY_CHARS:
        return text, lead, f"short body kept with its sapo ({len(text)} + {lead_chars} characters)"
    plain = _plain_trafilatura(page, url)
    if plain:
        paragraphs = clean(plain.splitlines()).paragraphs
        candidate = "\n\n".join(paragraphs)
        if len(candidate) > len(text) and len(candidate) + lead_chars >= MIN_BODY_CHARS:
            return candidate, lead, (f"the cleaned body had {len(text)} characters; plain trafilatura on the "
                                     f"untouched page kept {len(candidate)}")
    if lead and lead_chars >= MIN_BODY_CHARS:
        return lead if not text else f"{lead}\n\n{text}", None, "the sapo is the text"
    return text, lead, None


def _plain_trafilatura(page: str, url: str) -> str | None:
    try:
        return trafilatura.extract(parse_html(page), url=url or None, include_comments=False, include_tables=True)
    except Exception as exc:  # trafilatura raises assorted errors on odd trees
        LOG.warning("trafilatura failed on %s: %s", url, exc)
        return None
