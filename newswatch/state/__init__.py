"""Operational state (crawl state, run history, alerts, the notification outbox, users) in one SQL database."""

from newswatch.state.db import StateDB, metadata, open_state

__all__ = ["StateDB", "metadata", "open_state"]
