"""What every rule type shares: the common keys, the finding a rule reports, and the two contracts.

A rule type is one module in :mod:`monitor.rules` that defines a pydantic configuration model with
a ``type`` literal, registered in :data:`monitor.rules.RULE_TYPES`, and implements one of:

* :class:`ArticleRule` — ``evaluate(article, ctx)``: the findings in one newly stored article
  (``new_directive``, ``match``); the engine calls it for every article, the dry run for every
  archived one;
* :class:`PeriodicRule` — ``check(view, now)``: the conditions that hold now, read through a
  :class:`PeriodicView` (``source_silence``); the engine runs every periodic rule on a schedule and
  resolves the alerts whose condition no longer holds.

A new type needs its module and one line in ``RULE_TYPES``: nothing else in the engine changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newswatch import durations
from newswatch.models import Article

Severity = Literal["high", "normal", "low", "ops"]
# How a person reads a severity (the UI as is; a notification's subject shouts "high": [KHẨN])
SEVERITY_LABELS = {"high": "Khẩn", "normal": "Thông thường", "low": "Tham khảo", "ops": "Vận hành"}

def parse_duration(value: str | int | float | None) -> timedelta | None:
    """A rule's duration key ('30m', '6h', '2d', '1w', or seconds) as a timedelta; None stays None."""
    return None if value is None else durations.parse_duration(value)


class RuleConfig(BaseModel):
    """Keys every rule has (see docs/monitor.md, "Rule reference")."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    enabled: bool = True
    severity: Severity = "normal"
    notify: list[str] = Field(default_factory=list, description="apprise URLs added to NEWSWATCH_NOTIFY_URLS")
    notify_default: bool = Field(True, description="also deliver to the URLs of NEWSWATCH_NOTIFY_URLS")
    digest: Literal["none", "hourly", "daily"] = "none"
    quiet_hours: bool = Field(True, description="hold non-urgent notifications during quiet hours")
    realert: str | None = Field(None, description="window after which the same key may alert again")

    @field_validator("realert")
    @classmethod
    def _check_realert(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_duration(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a duration; {durations.HINT}") from None
        return value

    @field_validator("notify")
    @classmethod
    def _check_notify(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if "://" not in url:
                raise ValueError(f"{url!r} is not an apprise URL (scheme://...), e.g. 'mailto://user:pass@host'")
        return urls

    @property
    def realert_window(self) -> timedelta | None:
        return parse_duration(self.realert)

    @property
    def urgent(self) -> bool:
        """Urgent notifications go through quiet hours."""
        return self.severity == "high" or not self.quiet_hours

    periodic: ClassVar[bool] = False  # True for rule types evaluated on a schedule, not per article


@dataclass
class Finding:
    """One thing a rule found in one article (or one source): what an alert is made of."""

    rule: str
    key: str  # what "already alerted" means for this rule (directive key, cluster id, source)
    headline: str
    evidence: str = ""
    doc_number: str | None = None
    doc_type: str | None = None
    doc_type_name: str | None = None
    doc_issuer: str | None = None
    doc_issue_date: str | None = None
    doc_year: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class RuleContext:
    """What rules may use besides the article: the topic tagger and the search-query parser."""

    tag_topics: Any = None  # callable(text, title=None) -> list[str], or None if unavailable
    source_titles: Any = None  # callable(source name) -> its title (monitor.official.source_titles), or None

    def source_title(self, name: str) -> str:
        """A source's title for a person ("Cổng thông tin điện tử Chính phủ"), else its name."""
        if self.source_titles is None:
            return name
        return str(self.source_titles(name) or name)

    def sentence_topics(self, sentence: str) -> set[str]:
        if self.tag_topics is None:
            return set()
        try:
            return set(self.tag_topics(sentence))
        except Exception:  # the tagger's failure must not drop an article
            return set()


def article_published(article: Article) -> Any:
    """The time the article speaks from: its publication time, else when it was fetched.

    An official listing entry speaks from when it was fetched, if later than the date the listing
    gives it (:func:`newswatch.documents.entries.speaks_from`): last year's row read by a first crawl is not news.
    """
    from newswatch.documents.entries import entry_of, speaks_from

    if entry_of(article) is not None:
        return speaks_from(article)
    return article.published or article.fetched_at


class ArticleRule(RuleConfig, ABC):
    """A rule evaluated on each newly stored article."""

    @abstractmethod
    def evaluate(self, article: Article, ctx: RuleContext) -> list[Finding]:
        """The findings in this article (one per key)."""


class PeriodicView(Protocol):
    """What a periodic rule may read: the sources, the archive's recent history, the crawl runs."""

    def source_names(self) -> list[str]: ...

    def latest_by_source(self) -> Mapping[str, datetime]: ...

    def published_since(self, since: datetime) -> Mapping[str, list[datetime]]: ...

    def consecutive_failures(self) -> Mapping[str, int]: ...


class PeriodicRule(RuleConfig, ABC):
    """A rule evaluated on a schedule: its findings are the conditions that hold at ``now``."""

    periodic: ClassVar[bool] = True

    @abstractmethod
    def check(self, view: PeriodicView, now: datetime) -> list[Finding]:
        """The conditions that hold now (each keyed; an alert whose key is no longer found is resolved)."""
