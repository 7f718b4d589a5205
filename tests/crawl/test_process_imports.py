"""A crawl process loads what crawling needs: not the notification senders, templates or password hashing.

Every crawl is a process of its own (and a JavaScript source adds a browser to it), so what it imports
is memory it holds for the whole run: apprise, Jinja2 and Markdown (≈ 4 MB) are for delivering
notifications, argon2 and itsdangerous (≈ 3 MB) for the web service's logins.
"""

from __future__ import annotations

import json
import subprocess
import sys

from newswatch.settings import PROJECT_ROOT

SERVICE_ONLY = ["apprise", "jinja2", "markdown", "argon2", "itsdangerous"]

CRAWL_IMPORTS = """
import json, sys
import crawlers.settings, crawlers.spiders.source, pipelines.monitor
from monitor.engine import Monitor
from newswatch.state import db
db._import_table_modules()  # what creating the state schema loads
print(json.dumps(sorted(name for name in %r if name in sys.modules)))
"""


def test_a_crawl_process_does_not_load_the_service_only_libraries() -> None:
    result = subprocess.run([sys.executable, "-c", CRAWL_IMPORTS % SERVICE_ONLY], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=60, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
