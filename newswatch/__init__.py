"""newswatch: crawl Vietnamese ministry and press sites, keep a clean searchable archive,
and alert a press office when a new government directive appears."""

__version__ = "0.1.0"
