"""The web UI and JSON API (FastAPI + Jinja2, server-rendered) for the press office and analysts."""
