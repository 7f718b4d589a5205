#!/usr/bin/env bash
# Installs the Debian packages newswatch needs: Chromium for pages that need JavaScript
# (Playwright drives it through executable_path; `playwright install chromium` is the
# alternative on machines that can download browsers) and fonts for readable screenshots.
set -euo pipefail
if [ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || [ -n "${NEWSWATCH_CHROMIUM:-}" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium (for JavaScript pages and the UI tests)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null
else
  echo "No apt-get: install Chromium yourself and set NEWSWATCH_CHROMIUM, or run '.venv/bin/playwright install chromium'." >&2
fi
