#!/usr/bin/env bash
# Installs the Debian packages newswatch needs: Chromium for pages that need JavaScript
# (Playwright drives it through executable_path; `playwright install chromium` is the
# alternative on machines that can download browsers), its headless shell (the crawler renders
# with it when present: ~135 MB less per browser) and fonts for readable screenshots; PostgreSQL
# (the shared operational state of several instances; the tests start their own cluster) and
# redis-server (the distributed crawl queue; the tests start their own server). Installed
# packages are not touched again, and no service is enabled or started by this script. antiword
# and catdoc read legacy Word .doc attachments; fonts-dejavu-core gives the tests a Vietnamese TTF
# for the PDFs they make.
set -euo pipefail
have_chromium() { [ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || [ -n "${NEWSWATCH_CHROMIUM:-}" ]; }
have_shell() { [ -x /usr/lib/chromium/chromium-headless-shell ] || [ -n "${NEWSWATCH_CHROMIUM:-}" ]; }
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }
have_redis() { command -v redis-server >/dev/null 2>&1; }
have_doc_tools() { command -v antiword >/dev/null 2>&1 && command -v catdoc >/dev/null 2>&1; }
have_dejavu() { [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; }
if have_chromium && have_shell && have_postgres && have_redis && have_doc_tools && have_dejavu; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get: install Chromium (set NEWSWATCH_CHROMIUM, or run '.venv/bin/playwright install chromium')," \
       "a PostgreSQL server and redis-server yourself." >&2
  exit 0
fi
$SUDO apt-get update -qq
install() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
if ! have_chromium; then
  echo "Installing Debian's chromium (for JavaScript pages and the UI tests)..."
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null
fi
if ! have_shell; then
  install chromium-headless-shell \
    || echo "No chromium-headless-shell package here: JavaScript pages render with the full Chromium." >&2
fi
if ! have_postgres; then
  echo "Installing Debian's postgresql (shared state of several instances; the tests start their own cluster)..."
  install postgresql
fi
if ! have_redis; then
  echo "Installing Debian's redis-server (the distributed crawl queue; the tests start their own server)..."
  install redis-server
fi
if ! have_doc_tools; then
  echo "Installing Debian's antiword and catdoc (text of legacy Word .doc attachments)..."
  install antiword catdoc
fi
if ! have_dejavu; then
  install fonts-dejavu-core
fi
