"""The current alert rules: the rule file, reloaded when it changes, and the last good copy when it is malformed.

A malformed file is rejected with the file, rule and key named; the monitor keeps the last good
rules, kept in the state DB so that a fresh crawl process has them too.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from monitor import store
from monitor.config import RuleSet, load_rules, load_rules_text
from newswatch.errors import ConfigError
from newswatch.settings import Settings
from newswatch.state.db import StateDB, open_state

log = logging.getLogger(__name__)
LAST_GOOD_KEY = "rules:last_good"


class RuleLoader:
    """The current rules: reloaded when the file changes; the last good ones when it is malformed."""

    def __init__(self, settings: Settings, path: str | Path | None = None, db: StateDB | None = None) -> None:
        self.path = Path(path or settings.rules_file)
        self.db = db or open_state(settings.state_url)
        self._stamp: tuple[int, int] | None = None
        self._rules: RuleSet | None = None
        self.error: ConfigError | None = None

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def current(self) -> RuleSet:
        stamp = self._file_stamp()
        if self._rules is not None and stamp == self._stamp:
            return self._rules
        self._stamp = stamp
        try:
            rules = load_rules(self.path)
        except ConfigError as exc:
            self.error = exc
            fallback = self._rules or self._last_good()
            log.error("rule file rejected, keeping %s rules:\n%s",
                      "the last good" if fallback else "no", exc)
            self._rules = fallback or RuleSet(source=str(self.path))
            return self._rules
        self.error = None
        if self._rules is not None and self._rules.digest != rules.digest:
            log.info("rules reloaded from %s (%d rules)", self.path, len(rules.rules))
        self._rules = rules
        self._remember(rules)
        return rules

    def _remember(self, rules: RuleSet) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
            with self.db.begin() as conn:
                current = store.get_state(conn, LAST_GOOD_KEY)
                if current is None or json.loads(current).get("digest") != rules.digest:
                    store.set_state(conn, LAST_GOOD_KEY, json.dumps({"digest": rules.digest, "text": text,
                                                                     "path": str(self.path)}, ensure_ascii=False))
        except Exception:
            log.exception("could not keep a copy of the good rule file")

    def _last_good(self) -> RuleSet | None:
        try:
            with self.db.connect() as conn:
                raw = store.get_state(conn, LAST_GOOD_KEY)
            if raw is None:
                return None
            saved = json.loads(raw)
            return load_rules_text(saved["text"], f"{saved.get('path', 'rules.yaml')} (last good copy)")
        except Exception:
            log.exception("the last good rules kept in the state DB are unusable")
            return None
