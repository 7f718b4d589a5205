#!/usr/bin/env bash
# Installs the Debian packages newswatch needs: Chromium for pages that need JavaScript
# (Playwright drives it through executable_path; `playwright install chromium` is the
# alternative on machines that can download browsers), its headless shell (the crawler renders
# with it when present: ~135 MB less per browser) and fonts for readable screenshots.
set -euo pipefail
have_chromium() { [ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || [ -n "${NEWSWATCH_CHROMIUM:-}" ]; }
have_shell() { [ -x /usr/lib/chromium/chromium-headless-shell ] || [ -n "${NEWSWATCH_CHROMIUM:-}" ]; }
if have_chromium && have_shell; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium and chromium-headless-shell (for JavaScript pages and the UI tests)..."
  $SUDO apt-get update -qq
  if ! have_chromium; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium-headless-shell >/dev/null \
    || echo "No chromium-headless-shell package here: JavaScript pages render with the full Chromium." >&2
else
  echo "No apt-get: install Chromium yourself and set NEWSWATCH_CHROMIUM, or run '.venv/bin/playwright install chromium'." >&2
fi
