"""Rendering notifications from the Vietnamese Jinja2 templates and sending one through apprise.

Every notification carries its idempotency key three ways, so any receiver can drop a repeat:
in the text ("Mã thông báo: ..."), as HTTP/e-mail headers ``Idempotency-Key`` and
``X-Newswatch-Idempotency-Key`` (apprise ``json://``, ``form://``, ``xml://``, ``mailto://`` ...),
and as an ``idempotency_key`` field of a ``json://`` webhook payload. Services whose format is
plain text get the plain-text template; the others get Markdown, which apprise converts to HTML
for e-mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import apprise
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from monitor.rules.base import SEVERITY_LABELS
from newswatch import localtime
from newswatch.text.issuers import issuer_name

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
IDEMPOTENCY_HEADERS = ("Idempotency-Key", "X-Newswatch-Idempotency-Key")


@pass_context
def _vn_time(context: Any, value: Any) -> str:
    """A time in the configured zone (``tz`` of the render context; stored times are UTC)."""
    if not value:
        return ""
    tz = context.get("tz") or localtime.zone()
    return localtime.human(value, tz, fmt="%H:%M %d/%m/%Y", empty="")


def _vn_date(value: Any) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


@pass_context
def _vn_date_of(context: Any, value: Any) -> str:
    """The local day of a time, ``05/12/2026``."""
    tz = context.get("tz") or localtime.zone()
    return localtime.human(value, tz, fmt="%d/%m/%Y", empty="")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["vn_time"] = _vn_time
    env.filters["vn_date"] = _vn_date
    env.filters["vn_date_of"] = _vn_date_of
    env.filters["issuer_name"] = issuer_name
    return env


@dataclass
class Rendered:
    subject: str
    markdown: str
    text: str


def render(kind: str, context: dict[str, Any], tz: ZoneInfo | str | None = None) -> Rendered:
    """Render ``kind`` (alert | digest | briefing | test) into subject, Markdown body and plain-text body.

    Times are shown in ``tz`` (the configured zone: ``settings.service.timezone``).
    """
    env = environment()
    severity = context.get("severity") or context.get("alert", {}).get("severity", "normal")
    zone = tz if isinstance(tz, ZoneInfo) else localtime.zone(tz)
    label = SEVERITY_LABELS.get(severity, severity)
    ctx = {"severity_label": label.upper() if severity == "high" else label, "tz": zone, **context}
    subject = " ".join(env.get_template(f"{kind}.subject.j2").render(ctx).split())
    return Rendered(subject=subject,
                    markdown=env.get_template(f"{kind}.md.j2").render(ctx).strip() + "\n",
                    text=env.get_template(f"{kind}.txt.j2").render(ctx).strip() + "\n")


class PermanentError(Exception):
    """The target can never work as configured (e.g. not an apprise URL): no point retrying."""


def send(url: str, message: Rendered, idempotency_key: str, *, timeout: float = 20.0,
         urgent: bool = False) -> tuple[bool, str]:
    """Send one notification; returns (delivered, error text). Raises PermanentError for a bad URL."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        raise PermanentError("not a usable apprise URL (unknown scheme or missing parts)")
    headers = getattr(plugin, "headers", None)
    if isinstance(headers, dict):
        for name in IDEMPOTENCY_HEADERS:
            headers[name] = idempotency_key
    extras = getattr(plugin, "payload_extras", None)
    if isinstance(extras, dict):
        extras["idempotency_key"] = idempotency_key
    for attr in ("socket_connect_timeout", "socket_read_timeout"):
        if hasattr(plugin, attr):
            setattr(plugin, attr, timeout)
    as_text = getattr(plugin, "notify_format", None) == apprise.NotifyFormat.TEXT
    body = message.text if as_text else message.markdown
    body_format = apprise.NotifyFormat.TEXT if as_text else apprise.NotifyFormat.MARKDOWN
    notifier = apprise.Apprise()
    notifier.add(plugin)
    with apprise.LogCapture(level=logging.DEBUG) as captured:
        try:
            ok = notifier.notify(body=body, title=message.subject, body_format=body_format,
                                 notify_type=apprise.NotifyType.WARNING if urgent else apprise.NotifyType.INFO)
        except Exception as exc:  # a plugin bug must not kill the worker
            return False, f"{type(exc).__name__}: {exc}"
        logs = captured.getvalue()
    if ok:
        return True, ""
    lines = [line.split(" - ", 2)[-1] for line in logs.splitlines()
             if " - WARNING - " in line or " - ERROR - " in line or "Exception" in line]
    return False, ("; ".join(lines[-3:]) or "delivery failed")[:1000]
