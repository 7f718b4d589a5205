"""Which discovery entries (feeds, sitemaps, listing pages, robots.txt) a crawl has finished with.

An entry's validators (ETag, Last-Modified and the hash of its body) tell the next run "nothing new
here": a ``304`` or the same body hash ends the entry without reading it. So they are saved only
once the entry is *finished*: every article it listed has an outcome committed to the crawl state
(stored, not an article, gone, or failed with a recorded reason; transient failures are retried
by the crawl state itself) and every entry it led to (the child sitemaps of a sitemap index or a
robots.txt, the next pages of a listing) is finished too. A crawl that ends early (SIGKILL, Ctrl-C,
the service's timeout or shutdown, the article limit) leaves the validators of its unfinished
entries as they were: the next run, and the poller, read those entries again and request what is
still missing.

:class:`EntryProgress` only keeps the bookkeeping; the spider tells it what each entry listed
(:meth:`EntryProgress.open`), which URL outcomes are committed (:meth:`EntryProgress.settle`) and
which child entries ended without being read (:meth:`EntryProgress.child_done`,
:meth:`EntryProgress.child_failed`), and saves the validators of the entries it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OpenEntry:
    """An entry read in this run whose validators wait for its articles and child entries."""

    url: str
    kind: str
    values: dict[str, Any]  # the crawl_entries columns to save once finished (etag, last_modified, content_hash)
    waiting_urls: set[str] = field(default_factory=set)
    waiting_children: set[str] = field(default_factory=set)
    blocked: bool = False  # something it listed cannot be finished in this run (article limit, failed child)

    @property
    def finished(self) -> bool:
        return not self.blocked and not self.waiting_urls and not self.waiting_children


class EntryProgress:
    """Open entries of one crawl, what each still waits for, and which of them just finished."""

    def __init__(self) -> None:
        self._open: dict[str, OpenEntry] = {}
        self._waiters: dict[str, set[str]] = {}  # article URL -> open entries waiting for it
        self._parent: dict[str, str] = {}  # child entry URL -> the open entry waiting for it

    def open(self, url: str, kind: str, values: dict[str, Any], *, waiting_urls: Iterable[str] = (),
             children: Iterable[str] = (), blocked: bool = False) -> list[OpenEntry]:
        """Record what the entry at ``url`` listed; returns the entries finished by it (itself when it waits for nothing)."""
        entry = OpenEntry(url, kind, values, set(waiting_urls), set(children), blocked)
        self._open[url] = entry
        for article in entry.waiting_urls:
            self._waiters.setdefault(article, set()).add(url)
        for child in entry.waiting_children:
            self._parent[child] = url
        if entry.blocked:
            self._block_parents(url)
        return self._finish_if_done(entry)

    def is_child(self, url: str) -> bool:
        """Whether an open entry waits for the entry at ``url``."""
        return url in self._parent

    def settle(self, urls: Iterable[str]) -> list[OpenEntry]:
        """These article URLs have a committed outcome; returns the entries that are now finished."""
        done: list[OpenEntry] = []
        for url in urls:
            for entry_url in self._waiters.pop(url, ()):
                entry = self._open.get(entry_url)
                if entry is not None:
                    entry.waiting_urls.discard(url)
                    done.extend(self._finish_if_done(entry))
        return done

    def child_done(self, url: str) -> list[OpenEntry]:
        """The child entry at ``url`` needed no reading (``304``, same body, permanently gone)."""
        return self._release(url)

    def child_failed(self, url: str) -> None:
        """The child entry at ``url`` could not be read (timeout, 5xx...): its parents stay unfinished."""
        self._block_parents(url)

    def fail_url(self, url: str) -> None:
        """The article at ``url`` failed for a reason that may pass: the entries that listed it stay unfinished."""
        for entry_url in self._waiters.get(url, ()):
            entry = self._open.get(entry_url)
            if entry is not None:
                entry.blocked = True
                self._block_parents(entry_url)

    def unfinished(self) -> list[str]:
        """URLs of the entries that are still open (their validators are not saved)."""
        return sorted(self._open)

    # --- internals -----------------------------------------------------------------------------------

    def _finish_if_done(self, entry: OpenEntry) -> list[OpenEntry]:
        if not entry.finished or self._open.get(entry.url) is not entry:
            return []
        del self._open[entry.url]
        return [entry, *self._release(entry.url)]

    def _release(self, child: str) -> list[OpenEntry]:
        parent_url = self._parent.pop(child, None)
        parent = self._open.get(parent_url) if parent_url else None
        if parent is None:
            return []
        parent.waiting_children.discard(child)
        return self._finish_if_done(parent)

    def _block_parents(self, url: str) -> None:
        seen: set[str] = set()
        while url in self._parent and url not in seen:
            seen.add(url)
            url = self._parent[url]
            parent = self._open.get(url)
            if parent is None:
                return
            parent.blocked = True
