"""The one decision a rule makes on an article, shared by the live run and the dry run.

A copy of a story the rule has alerted on attaches to that story's alerts, unless it reports
another document; otherwise the rule's findings stand, to become new alerts or to attach to an
alert of the same key (which the caller finds out: the live run inside its transaction).

An official listing entry (:mod:`monitor.official`) also names the document it publishes
(``Decision.official``): an alert of the rule on that document's key is confirmed by it, whether
or not the entry is a finding itself (a gazette may post a row after the rule's age limit, or word
its trích yếu off the rule's topics: it is still the same document).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor import official
from monitor.official import OfficialRef
from monitor.rules.base import ArticleRule, Finding, RuleContext
from newswatch import localtime
from newswatch.models import Article


@dataclass
class Decision:
    """What one rule does with one article: attach it to the story's alerts, or these findings (new or attach)."""

    findings: list[Finding]
    attach_to_story: bool = False
    official: OfficialRef | None = None  # the document an official entry publishes: confirms its alert


def decide(rule: ArticleRule, article: Article, ctx: RuleContext, story_keys: set[str] | None) -> Decision:
    """The one decision the live run (:meth:`Monitor.on_article`) and the dry run both make.

    ``story_keys`` are the keys of the rule's alerts on the article's story cluster (``None``:
    the rule has not alerted on this story). A copy of an alerted story attaches to its alerts,
    unless it reports another document (stories written from one template can still be two
    directives); whether a finding's key already has an alert is the caller's to find out
    (the live run does it inside its transaction).
    """
    findings = rule.evaluate(article, ctx)
    ref = official.reference(article, ctx.source_title) if getattr(rule, "type", "") == "new_directive" else None
    if story_keys is not None:
        findings = [f for f in findings if f.doc_number and f.key not in story_keys]
        if not findings:
            return Decision([], attach_to_story=True, official=ref)
    return Decision(findings, official=ref)


def article_ref(article: Article) -> dict[str, Any]:
    published = localtime.utc(article.published) if article.published else None
    return {"id": article.id, "url": article.url, "source": article.source, "title": article.title,
            "published": published.isoformat() if published else None, "cluster_id": article.cluster_id}
