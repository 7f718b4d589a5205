"""Scrapy settings of the newswatch crawler; every politeness and resilience choice is explicit.

Per-source overrides (``Source.politeness``, ``Source.headers``, ``render_js``) are applied by the
spider when it is created (:meth:`crawlers.spiders.source.SourceSpider.from_crawler`); one
crawler per source runs in the process, so an override never leaks into another source.

Scrapy 2.19 on the asyncio reactor does not enforce ``CONCURRENT_REQUESTS_PER_DOMAIN`` when
``DOWNLOAD_DELAY`` is 0 and AutoThrottle is off (stack-notes P1): AutoThrottle is therefore always
on, with a small start delay, which restores the per-domain limit.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from scrapy.settings import default_settings as scrapy_defaults

from newswatch.settings import DEFAULT_USER_AGENT, find_chromium

BOT_NAME = "newswatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = os.environ.get("NEWSWATCH_USER_AGENT", DEFAULT_USER_AGENT)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "vi,en;q=0.7",
}

# --- Politeness ---------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32  # across all sites of one crawler (one crawler = one source)
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0  # AutoThrottle computes the delay from the site's latency
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around the delay AutoThrottle computes
AUTOTHROTTLE_ENABLED = True  # also what makes the per-domain limit hold on 2.19 (stack-notes P1)
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
AUTOTHROTTLE_DEBUG = False

# --- Resilience -----------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a news page or feed larger than 8 MB is not one
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated response is an error ("truncated"), never half an article
RETRY_ENABLED = True
RETRY_TIMES = 2  # bounded: three attempts in all
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NEWSWATCH_RETRY_BACKOFF_BASE = 1.0  # seconds; doubled per attempt, with jitter; Retry-After wins
NEWSWATCH_RETRY_BACKOFF_MAX = 30.0
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 8  # a redirect loop ends here and is recorded as "redirect_loop"
METAREFRESH_ENABLED = True
COOKIES_ENABLED = False
DNS_TIMEOUT = 15
REFERER_ENABLED = True
HTTPCACHE_ENABLED = False  # incremental state lives in the state DB, not in a response cache

# --- Pipeline -------------------------------------------------------------------------------------
# Scrapy runs a callback's output through CONCURRENT_ITEMS asyncio worker tasks per response (default
# 100): 100 tasks and queue hand-offs per article page that yields one item. The pipelines are
# synchronous, so more than a few buys nothing (-2 to -3 ms main-process CPU per article).
CONCURRENT_ITEMS = 4
ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.enrich.EnrichPipeline": 300,
    "pipelines.store.StorePipeline": 400,
    "pipelines.monitor.MonitorPipeline": 500,
}
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's RetryMiddleware retries at once; ours waits with exponential backoff between attempts
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    # If-None-Match / If-Modified-Since on feeds, sitemaps and listings from the crawl state
    "crawlers.middlewares.ConditionalRequestMiddleware": 560,
}
EXTENSIONS = {
    "crawlers.extensions.RunRecorder": 500,
}
# A crawler process opens no listening port (below), so Scrapy's telnet console and remote-control server
# are left out of its base list, not merely disabled: Scrapy imports every key of EXTENSIONS, None or not,
# and their modules bring aiohttp and twisted.conch (~7 MB) into every crawl process.
LISTENING_EXTENSIONS = frozenset({"scrapy.extensions.telnet.TelnetConsole",
                                  "scrapy.extensions.remote_control.RemoteControl"})
EXTENSIONS_BASE = {k: v for k, v in scrapy_defaults.EXTENSIONS_BASE.items() if k not in LISTENING_EXTENSIONS}

# --- JavaScript (only sources with render_js: true get the Playwright download handler) -----------
HEADLESS_SHELLS = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell")


def render_browser() -> str | None:
    """The browser that renders ``render_js`` pages: ``NEWSWATCH_CHROMIUM``, else Debian's headless shell, else Chromium.

    ``chromium-headless-shell`` is Chromium's rendering engine without the browser UI (Playwright's own
    "headless shell"): the same pages render, at about 215 MB PSS instead of 350 MB for full Chromium in
    headless mode. Without it, :func:`newswatch.settings.find_chromium` decides.
    """
    if os.environ.get("NEWSWATCH_CHROMIUM"):
        return find_chromium()
    shell = next((path for path in HEADLESS_SHELLS if Path(path).exists()), None)
    return shell or shutil.which("chromium-headless-shell") or find_chromium()


PLAYWRIGHT_BROWSER_TYPE = "chromium"
# Chromium keeps only the last --disable-features, and Playwright puts its own list before ours: so ours
# repeats Playwright's (1.65, chromiumSwitches in playwright/driver/package/lib/coreBundle.js; re-check on
# upgrade) and adds the omnibox popup WebUI, which headless Chromium 156 otherwise preloads in a renderer
# of its own (~80 MB PSS) that no crawl ever uses.
_PLAYWRIGHT_DISABLED_FEATURES = [
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying",
    "AimEnabled", "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
]
CHROMIUM_DISABLED_FEATURES = [*_PLAYWRIGHT_DISABLED_FEATURES, "WebUIOmniboxPopup", "WebUIOmniboxAimPopup"]
# The same holds for --enable-features (Playwright's two, same file): ours adds the network service in the
# browser process instead of a utility process of its own (~10 MB PSS less for the browser's process tree).
_PLAYWRIGHT_ENABLED_FEATURES = ["CDPScreenshotNewSurface", "SkipListAccountsWithoutGaiaCookies"]
CHROMIUM_ENABLED_FEATURES = [*_PLAYWRIGHT_ENABLED_FEATURES, "NetworkServiceInProcess2"]
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    **({"executable_path": path} if (path := render_browser()) else {}),
    "args": ["--no-sandbox", "--disable-gpu", "--in-process-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
             "--disable-extensions", "--renderer-process-limit=2", "--js-flags=--max-old-space-size=256",
             "--disable-features=" + ",".join(CHROMIUM_DISABLED_FEATURES),
             "--enable-features=" + ",".join(CHROMIUM_ENABLED_FEATURES)],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "crawlers.middlewares.abort_heavy_request"
# Playwright's Node.js driver only relays DevTools messages: V8's interpreter (no JIT) and a 1 MB young
# generation keep it ~20 MB smaller for ~7 ms CPU a page (crawlers.handlers); NODE_OPTIONS set by the user win
NEWSWATCH_DRIVER_NODE_OPTIONS = "--jitless --max-semi-space-size=1"
NEWSWATCH_CONTEXT_PAGES = 50  # pages per browser context: then it is closed and replaced (crawlers.handlers)

# --- newswatch --------------------------------------------------------------------------------------
NEWSWATCH_EXTRACT_WORKERS = os.environ.get("NEWSWATCH_EXTRACT_WORKERS", "")  # "" = cores - 1, 1..4
NEWSWATCH_STORE_BATCH = 16  # articles per store transaction (pipelines.store); 1 = one transaction per article
NEWSWATCH_STORE_BATCH_WAIT = 0.05  # seconds a batch waits for more articles before it is written
NEWSWATCH_MAX_ARTICLES = 5000  # article requests per source and run (a sitemap of 100k URLs is not one run)
NEWSWATCH_RUN_ID = None  # set by `newswatch crawl`; `scrapy crawl` records its own run
NEWSWATCH_FULL = False

# no listening ports from a crawler process: neither the telnet console nor the remote-control server
# (not even loaded: LISTENING_EXTENSIONS)
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
