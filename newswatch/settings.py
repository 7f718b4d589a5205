"""Service settings: non-secret defaults from ``config/newswatch.yaml``, secrets and URLs from the environment.

Environment variables (never committed files) carry everything that differs per machine:

==========================  =====================================================================
``NEWSWATCH_CONFIG_DIR``    folder with ``sources.yaml``, ``rules.yaml``, ``newswatch.yaml``
``NEWSWATCH_DATA_DIR``      where the embedded store, crawl state, spool and job store live
``NEWSWATCH_STORE``         ``sqlite`` (default) or ``elasticsearch``
``NEWSWATCH_ES_URL``        Elasticsearch URL; setting it selects the Elasticsearch store
``NEWSWATCH_ES_INDEX``      index/alias prefix (default ``newswatch``)
``NEWSWATCH_STATE_URL``     SQLAlchemy URL of the operational state (default SQLite in the data dir)
``NEWSWATCH_REDIS_URL``     Redis of the distributed crawl queue: the scheduler enqueues, ``newswatch queue worker`` crawls
``NEWSWATCH_CHROMIUM``      path of a Chromium binary for pages that need JavaScript
``NEWSWATCH_USER_AGENT``    the crawler's user agent
``NEWSWATCH_NOTIFY_URLS``   apprise URLs, space separated, for alert delivery
``NEWSWATCH_USERS``         ``name:argon2hash`` pairs, comma separated, allowed to log in
``NEWSWATCH_SECRET_KEY``    key signing session cookies and CSRF tokens
``NEWSWATCH_HOST/PORT``     where ``newswatch serve`` listens (default 127.0.0.1:8080)
``NEWSWATCH_TRUSTED_PROXIES`` addresses/networks of reverse proxies whose forwarded-address headers are
                            believed (comma or space separated; replaces ``trusted_proxies`` of the YAML)
==========================  =====================================================================
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newswatch.config import load_yaml_model

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch; press-office monitor)"


class QuietHours(BaseModel):
    """Hours (in the configured ``timezone``) during which non-urgent notifications are held."""

    model_config = ConfigDict(extra="forbid")
    start: str = Field("22:00", pattern=r"^\d{2}:\d{2}$")
    end: str = Field("06:30", pattern=r"^\d{2}:\d{2}$")


def check_networks(values: list[str]) -> list[str]:
    """Each value an IPv4/IPv6 address or network (``10.0.0.0/8``, ``::1``), else a ValueError naming it."""
    for value in values:
        try:
            ipaddress.ip_network(str(value).strip(), strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network; write e.g. 10.0.0.0/8 or 127.0.0.1") from None
    return [str(v).strip() for v in values]


class LoginLimits(BaseModel):
    """Brute-force protection of the login form: failures allowed, then lockouts that double each time."""

    model_config = ConfigDict(extra="forbid")
    account_failures: int = Field(5, ge=1, description="failed logins of one user name before it is locked")
    address_failures: int = Field(20, ge=1, description="failed logins from one client address before it is locked")
    lockout_seconds: int = Field(30, ge=1, description="first lockout; each further failure doubles it")
    max_lockout_seconds: int = Field(900, ge=1, description="longest lockout")
    forget_after_seconds: int = Field(3600, ge=60, description="failures are forgotten after this long without one")


class Briefing(BaseModel):
    """The daily briefing: at ``time`` (local, HH:MM) one message with the last 24 hours' directives,
    most-reported stories and silent sources, to ``NEWSWATCH_NOTIFY_URLS`` plus ``notify``."""

    model_config = ConfigDict(extra="forbid")
    time: str = Field("07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    notify: list[str] = Field(default_factory=list, description="extra targets for the briefing only")
    top_stories: int = Field(5, ge=1, le=50)


class AttachmentBounds(BaseModel):
    """Bounds of one attachment (PDF, DOC, DOCX) of an official entry or an article: its download and the
    child process reading its text (:class:`newswatch.documents.attachments.AttachmentLimits`)."""

    model_config = ConfigDict(extra="forbid")
    max_mb: float = Field(25, gt=0, le=1024, description="largest file downloaded, in MB; larger ones are cut off")
    timeout_seconds: float = Field(30, gt=0, le=600, description="download, and text extraction (wall and CPU)")
    max_memory_mb: int = Field(512, ge=64, le=16384, description="address space of the process reading the text")
    max_pages: int = Field(300, ge=1, description="PDF pages read")
    max_chars: int = Field(500_000, ge=1000, description="characters of text kept per attachment and per article")
    max_files: int = Field(10, ge=0, le=100, description="attachments read per article or official entry")


class ServiceFile(BaseModel):
    """The contents of ``config/newswatch.yaml``: tunables that are safe to commit."""

    model_config = ConfigDict(extra="forbid")
    timezone: str = TIMEZONE
    official_poll_seconds: int = Field(60, ge=10, description="poll interval of official sources")
    adaptive_min_seconds: int = Field(300, ge=30)
    adaptive_max_seconds: int = Field(6 * 3600, ge=60)
    crawl_timeout_seconds: int = Field(900, ge=30)
    schedule_jitter_seconds: int = Field(15, ge=0)
    misfire_grace_seconds: int = Field(300, ge=1)
    worker_heartbeat_seconds: int = Field(30, ge=2, description="distributed crawl workers: a worker silent "
                                          "this long is dead and its crawl goes back to the queue")
    leader_lease_seconds: int = Field(15, ge=3, description="scheduler lease of several instances: "
                                      "another takes over within 4/3 of it after the leader dies")
    quiet_hours: QuietHours | None = Field(default_factory=QuietHours)
    briefing: Briefing | None = Field(default_factory=Briefing)  # null: no daily briefing
    allowed_networks: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128", "10.0.0.0/8",
                                                                 "172.16.0.0/12", "192.168.0.0/16"])
    # reverse proxies whose X-Forwarded-For / Forwarded headers are believed; nobody's by default
    trusted_proxies: list[str] = Field(default_factory=list)
    login: LoginLimits = Field(default_factory=LoginLimits)
    attachments: AttachmentBounds = Field(default_factory=AttachmentBounds)

    @field_validator("allowed_networks", "trusted_proxies")
    @classmethod
    def _valid_networks(cls, values: list[str]) -> list[str]:
        return check_networks(values)


class Settings(BaseModel):
    """Everything a newswatch process needs to know about where things are."""

    model_config = ConfigDict(extra="forbid")
    config_dir: Path
    data_dir: Path
    store: Literal["sqlite", "elasticsearch"] = "sqlite"
    es_url: str | None = None
    es_index: str = "newswatch"
    state_url: str
    redis_url: str | None = None  # NEWSWATCH_REDIS_URL: crawls go to the distributed queue (newswatch.distributed)
    chromium_path: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    notify_urls: list[str] = Field(default_factory=list)
    users: dict[str, str] = Field(default_factory=dict)
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8080
    service: ServiceFile = Field(default_factory=ServiceFile)

    @property
    def sources_file(self) -> Path:
        return self.config_dir / "sources.yaml"

    @property
    def rules_file(self) -> Path:
        return self.config_dir / "rules.yaml"

    @property
    def articles_db(self) -> Path:
        return self.data_dir / "articles.db"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def default_config_dir() -> Path:
    """``./config`` when run from a checkout, else the one beside the installed package."""
    here = Path.cwd() / "config"
    if (here / "sources.yaml").exists():
        return here
    return PROJECT_ROOT / "config"


def find_chromium() -> str | None:
    """The Chromium to drive through Playwright: the environment's, Debian's, or None (Playwright's own)."""
    explicit = os.environ.get("NEWSWATCH_CHROMIUM")
    if explicit:
        return explicit
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _parse_users(raw: str) -> dict[str, str]:
    users = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        name, _, hashed = pair.partition(":")
        if name and hashed:
            users[name] = hashed
    return users


def load_settings(
    *, config_dir: str | Path | None = None, data_dir: str | Path | None = None, env: dict[str, str] | None = None
) -> Settings:
    """Build Settings from arguments, then the environment, then ``newswatch.yaml``, then defaults."""
    env = dict(os.environ if env is None else env)
    cfg_dir = Path(config_dir or env.get("NEWSWATCH_CONFIG_DIR") or default_config_dir()).resolve()
    dat_dir = Path(data_dir or env.get("NEWSWATCH_DATA_DIR") or Path.cwd() / "data").resolve()
    service_file = cfg_dir / "newswatch.yaml"
    service = load_yaml_model(service_file, ServiceFile, empty_ok=True) if service_file.exists() else ServiceFile()
    proxies = env.get("NEWSWATCH_TRUSTED_PROXIES")
    if proxies is not None:
        from newswatch.errors import ConfigError

        try:
            service.trusted_proxies = check_networks(proxies.replace(",", " ").split())
        except ValueError as exc:
            raise ConfigError.single("environment", "NEWSWATCH_TRUSTED_PROXIES", str(exc),
                                     "list proxy addresses or networks, comma separated, e.g. 127.0.0.1,10.0.0.5.") from None
    es_url = env.get("NEWSWATCH_ES_URL") or None
    store = env.get("NEWSWATCH_STORE") or ("elasticsearch" if es_url else "sqlite")
    if store not in ("sqlite", "elasticsearch"):
        from newswatch.errors import ConfigError

        raise ConfigError.single("environment", "NEWSWATCH_STORE", f"{store!r} is not a store.",
                                 "set it to 'sqlite' or 'elasticsearch'.")
    return Settings(
        config_dir=cfg_dir,
        data_dir=dat_dir,
        store=store,  # type: ignore[arg-type]
        es_url=es_url or ("http://127.0.0.1:9200" if store == "elasticsearch" else None),
        es_index=env.get("NEWSWATCH_ES_INDEX", "newswatch"),
        state_url=env.get("NEWSWATCH_STATE_URL") or f"sqlite:///{dat_dir / 'state.db'}",
        redis_url=env.get("NEWSWATCH_REDIS_URL") or None,
        chromium_path=find_chromium(),
        user_agent=env.get("NEWSWATCH_USER_AGENT", DEFAULT_USER_AGENT),
        notify_urls=env.get("NEWSWATCH_NOTIFY_URLS", "").split(),
        users=_parse_users(env.get("NEWSWATCH_USERS", "")),
        secret_key=env.get("NEWSWATCH_SECRET_KEY") or secrets.token_hex(32),
        host=env.get("NEWSWATCH_HOST", "127.0.0.1"),
        port=int(env.get("NEWSWATCH_PORT", "8080")),
        service=service,
    )
