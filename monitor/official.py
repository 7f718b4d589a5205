"""An official listing entry as the monitor reads it: the document's own issuance, not a report of it.

An article whose ``extraction["method"]`` is :data:`~newswatch.documents.model.OFFICIAL_METHOD`
carries an :class:`~newswatch.documents.model.OfficialEntry` in ``extraction["official"]`` (one row
of an official "Văn bản" listing). The monitor reads it from that entry alone — never from the
source's name, never from the words of its trích yếu:

* the entry's own number is issued on the entry's issue date (the entry is read by
  :mod:`newswatch.documents.entries`, shared with the register);
* every other number in it is cited (the number a trích yếu amends, replaces or implements);
* its key is the document's key (canonical number, plus ``@year`` of the issue date when the
  number has none): the same key a press report of the document gets, so the two meet on one alert;
* :func:`reference` is what an alert keeps of it: the official link, the source and its title.

The reading itself is :meth:`monitor.signal.Judge.judge`'s; the alert's confirmation is the
engine's (:meth:`monitor.engine.Monitor.confirm`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newswatch.documents.entries import document_key, entry_of, official_url, own_number
from newswatch.models import Article

log = logging.getLogger(__name__)


@dataclass
class OfficialRef:
    """What an alert keeps of the official entry of its document."""

    key: str
    number: str
    url: str
    source: str
    source_title: str
    article_id: str
    article_url: str
    title: str
    issue_date: str | None = None
    signer: str | None = None
    trich_yeu: str | None = None
    listing_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def reference(article: Article, titles: Any = None) -> OfficialRef | None:
    """The :class:`OfficialRef` of an official entry article (None for any other article).

    ``titles`` maps a source name to its title (:meth:`monitor.rules.base.RuleContext.source_title`).
    """
    entry = entry_of(article)
    if entry is None:
        return None
    number = own_number(article, entry)
    source = entry.source or article.source
    title = titles(source) if callable(titles) else source
    return OfficialRef(key=document_key(number, entry), number=number.canonical, url=official_url(article, entry),
                       source=source, source_title=title or source, article_id=article.id, article_url=article.url,
                       title=article.title, issue_date=entry.issue_date.isoformat() if entry.issue_date else None,
                       signer=entry.signer, trich_yeu=entry.trich_yeu, listing_url=entry.listing_url)


@lru_cache(maxsize=8)
def _titles(path: str, mtime: float) -> dict[str, str]:
    from newswatch.sources import load_sources

    return {s.name: s.title or s.name for s in load_sources(path)}


def source_titles(sources_file: Path | str | None) -> Any:
    """A function: source name -> its title in the sources file (the name itself when unknown or unreadable)."""

    def title(name: str) -> str:
        if not sources_file:
            return name
        path = Path(sources_file)
        try:
            return _titles(str(path), path.stat().st_mtime).get(name, name)
        except Exception as exc:  # a missing or broken sources file must not stop an alert
            log.warning("source titles unavailable from %s (%s)", path, exc)
            return name

    return title
