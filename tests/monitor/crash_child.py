"""Child process for the crash tests: commit alerts, then wait to be killed, or start sending and be killed.

Usage: crash_child.py TMP_DIR WEBHOOK_URL before|during
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from monitor_helpers import RULES_FOR_DELIVERY, directive, make_settings

from monitor.delivery import deliver_pending
from monitor.engine import Monitor


def main() -> None:
    tmp, url, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    settings = make_settings(Path(tmp), RULES_FOR_DELIVERY, notify=[url])
    monitor = Monitor(settings)
    created = [a for n in (61, 62, 63) for a in monitor.on_article(directive(n))]
    print(f"COMMITTED {len(created)}", flush=True)
    if mode == "before":
        time.sleep(300)  # killed here, before anything is sent
    else:
        deliver_pending(settings)  # the receiver holds the first request; killed while waiting for it
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main()
