"""Sources are configuration: ``config/sources.yaml`` (or any file given with ``--sources``).

The minimal form is a name and at least one of ``feeds``, ``sitemaps``, ``listings``::

    sources:
      - name: baochinhphu
        feeds: [https://baochinhphu.vn/rss/home.rss]

A source of ``kind: official_listing`` reads an official document listing (vanban.chinhphu.vn,
the gazette, a ministry's "Văn bản" page) row by row instead of following article links; its
``official`` block names a layout preset (:mod:`newswatch.official_layouts`) or gives selectors::

      - name: vanban-chinhphu
        kind: official_listing
        listings: [https://vanban.chinhphu.vn/he-thong-van-ban?classid=0&mode=1]
        official: {layout: vanban_chinhphu}

Everything else has a default: allowed domains come from the URLs, the schedule from the
source's tier, politeness from ``defaults``. An optional ``profile`` gives site selectors for
extraction where they beat the generic extractor.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from newswatch.config import load_yaml_model
from newswatch.durations import duration_seconds
from newswatch.errors import ConfigError, ConfigProblem
from newswatch.official_layouts import LAYOUTS

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("is not an absolute http(s) URL; write it in full, e.g. https://baochinhphu.vn/rss/home.rss")
    return url


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Schedule(Strict):
    """When a source is crawled: a fixed interval, a cron expression, or adaptive to its cadence."""

    interval: float | None = Field(None, description="seconds between polls, or a duration string")
    cron: str | None = None
    adaptive: bool = False
    min_interval: float | None = None
    max_interval: float | None = None

    @field_validator("interval", "min_interval", "max_interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float | None:
        return None if value is None else duration_seconds(value)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError("must have five fields (minute hour day month weekday), e.g. '*/10 * * * *'")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        kinds = sum([self.interval is not None, self.cron is not None, self.adaptive])
        if kinds > 1:
            raise ValueError("give only one of interval, cron, adaptive")
        return self


class Politeness(Strict):
    """Per-source overrides of the crawler's politeness settings."""

    download_delay: float | None = Field(None, ge=0)
    concurrency: int | None = Field(None, ge=1, le=32)
    autothrottle_target: float | None = Field(None, gt=0)
    obey_robots: bool | None = None


class Profile(Strict):
    """Site selectors for extraction (CSS). Any selector that matches nothing falls back to the generic extractor."""

    title: str | None = None
    lead: str | None = None
    body: str | None = None
    date: str | None = None
    date_format: str | None = Field(None, description="strptime format of the date text, e.g. '%d/%m/%Y %H:%M'")
    author: str | None = None
    section: str | None = None
    drop: list[str] = Field(default_factory=list, description="selectors removed before extraction")


def _problem(message: str, fix: str) -> PydanticCustomError:
    """A validation error whose fix is printed after the message ("... Fix: ...")."""
    return PydanticCustomError("config", "{message}", {"message": message, "fix": fix})


SELECTOR_KEYS = ("row", "number", "date", "signer", "trich_yeu", "doc_type", "issuer", "detail_link", "attachments",
                 "next_page", "published")


def check_selector(value: str) -> None:
    """Raise ValueError when ``value`` is not a CSS selector parsel can run (``::attr(x)`` and ``::text`` allowed)."""
    from cssselect import SelectorError
    from parsel.csstranslator import HTMLTranslator

    try:
        HTMLTranslator().css_to_xpath(value)
    except (SelectorError, ValueError, TypeError) as exc:
        raise ValueError(str(exc) or "unreadable") from None


class OfficialListing(Strict):
    """How to read an official document listing: a layout preset and/or CSS selectors (see README, Configuration).

    Selectors are relative to one row (``row``); a plain selector takes the element's text,
    ``::attr(name)`` an attribute. ``detail`` says when the row's detail page is fetched:
    ``when_missing`` (a field of the row is empty: signer, type, issuer, trích yếu or attachments),
    ``always`` or ``never``.
    """

    layout: str | None = Field(None, description="a preset: " + ", ".join(LAYOUTS))
    row: str | None = None
    number: str | None = None
    date: str | None = None
    date_format: str | None = Field(None, description="strptime format of the date text, e.g. '%d/%m/%Y'")
    signer: str | None = None
    trich_yeu: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    detail_link: str | None = None
    attachments: str | None = None
    next_page: str | None = None
    published: str | None = Field(None, description="the gazette's publication time, when the listing gives one")
    published_format: str | None = None
    issuer_name: str | None = Field(None, description="the issuer of every document of the listing, when the rows "
                                                      "do not say (a ministry's own page)")
    detail: Literal["when_missing", "always", "never"] = "when_missing"

    @field_validator("layout")
    @classmethod
    def _layout(cls, value: str | None) -> str | None:
        if value is not None and value not in LAYOUTS:
            raise _problem("is not a known layout",
                           f"use one of {', '.join(LAYOUTS)}, or leave layout out and give the selectors "
                           "(row, number, date …).")
        return value

    @field_validator(*SELECTOR_KEYS)
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                check_selector(value)
            except ValueError as exc:
                raise _problem(f"is not a CSS selector ({exc})",
                               "write a CSS selector such as 'td.so-hieu' or 'a.title::attr(href)'.") from None
        return value

    @field_validator("date_format", "published_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None and not re.search(r"%[dmYyjbB]", value):
            raise _problem("has no date directive",
                           "write a strptime format such as '%d/%m/%Y' or leave it out (Vietnamese dates are "
                           "recognised without one).")
        return value

    @model_validator(mode="after")
    def _complete(self) -> OfficialListing:
        selectors = self.selectors
        if self.layout is None and not (selectors.get("row") and selectors.get("number")):
            raise _problem("needs a layout or the selectors row and number",
                           f"add 'layout: {next(iter(LAYOUTS))}' (or one of {', '.join(LAYOUTS)}), or give "
                           "row: and number: selectors.")
        return self

    @property
    def selectors(self) -> dict[str, str]:
        """The layout's selectors overridden by the ones given here."""
        merged = dict(LAYOUTS.get(self.layout or "", {}))
        merged.update({key: getattr(self, key) for key in SELECTOR_KEYS if getattr(self, key) is not None})
        return merged


class Source(Strict):
    name: str
    kind: Literal["news", "official_listing"] = "news"
    title: str | None = None
    tier: Literal["official", "ministry", "press"] = "press"
    enabled: bool = True
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    listings: list[str] = Field(default_factory=list)
    allowed_domains: list[str] = Field(default_factory=list)
    article_pattern: str | None = Field(None, description="regex an article URL matches")
    exclude_patterns: list[str] = Field(default_factory=list)
    listing_depth: int = Field(2, ge=0, le=20, description="how many pagination pages to follow")
    render_js: bool = False
    schedule: Schedule | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    politeness: Politeness = Field(default_factory=Politeness)
    profile: Profile | None = None
    official: OfficialListing | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    attachments: bool | None = Field(None, description="download and read the PDF/DOC/DOCX attached to articles "
                                     "(default: yes for official and ministry sources, no for press)")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError("must be lower-case letters, digits, '-' or '_' (e.g. 'baochinhphu')")
        return value

    @field_validator("feeds", "sitemaps", "listings")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            try:
                _check_url(url)
            except ValueError as exc:
                raise ValueError(f"{url!r} {exc}") from None
        return urls

    @field_validator("article_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"is not a valid regular expression ({exc})") from None
        return value

    @field_validator("exclude_patterns")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
        return values

    @model_validator(mode="after")
    def _entry_points(self) -> Source:
        if not (self.feeds or self.sitemaps or self.listings):
            raise ValueError("needs at least one of feeds, sitemaps, listings (absolute URLs)")
        if self.kind == "official_listing":
            if self.feeds or self.sitemaps:
                raise _problem("an official_listing source reads only listing pages, not feeds or sitemaps",
                               "move the feeds/sitemaps to a second source of kind news, or list the pages "
                               "under listings.")
            if not self.listings:
                raise _problem("an official_listing source needs listings", "add the listing page URLs under listings.")
            if self.official is None:
                raise _problem("an official_listing source needs an official block",
                               f"add 'official: {{layout: {next(iter(LAYOUTS))}}}' (layouts: {', '.join(LAYOUTS)}).")
        elif self.official is not None:
            raise _problem("official is only read for sources of kind official_listing",
                           "add 'kind: official_listing', or remove the official block.")
        if not self.allowed_domains:
            self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})
        return self

    @property
    def start_urls(self) -> list[str]:
        return [*self.feeds, *self.sitemaps, *self.listings]

    @property
    def reads_attachments(self) -> bool:
        """Whether articles' attachments are downloaded and read: ``attachments``, else by tier."""
        return self.attachments if self.attachments is not None else self.tier in ("official", "ministry")

    @property
    def effective_schedule(self) -> Schedule:
        """The configured schedule, or the tier default: official and ministry sources every 60 s, press adaptive."""
        if self.schedule is not None:
            return self.schedule
        if self.tier in ("official", "ministry"):
            return Schedule(interval=60)
        return Schedule(adaptive=True)


class SourcesFile(Strict):
    sources: list[Source]

    @model_validator(mode="after")
    def _unique(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice; names must be unique")
            seen.add(source.name)
        return self


def load_sources(path: str | Path) -> list[Source]:
    """Load and validate a sources file; raise ConfigError naming file, key and fix."""
    return load_yaml_model(path, SourcesFile).sources


def select_sources(sources: list[Source], names: list[str] | tuple[str, ...], file: str | Path) -> list[Source]:
    """The sources named (all enabled ones when ``names`` is empty); unknown names are an error."""
    if not names:
        return [s for s in sources if s.enabled]
    by_name = {s.name: s for s in sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise ConfigError([ConfigProblem(str(file), "sources", f"no source named {n!r}.", f"use one of: {known}.")
                           for n in unknown])
    return [by_name[n] for n in names]
