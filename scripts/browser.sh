#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (never `playwright install`) and check
# every page with axe-core, pinned in tests/system/e2e/axe/package-lock.json.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing; installing Debian's chromium package..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
test -x /usr/bin/chromium || { echo "ERROR: /usr/bin/chromium could not be installed" >&2; exit 1; }
echo "browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js is missing; installing Debian's nodejs and npm packages..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
cd "$(dirname "$0")/../tests/system/e2e/axe"
npm ci --no-audit --no-fund --silent
echo "axe-core: $(node -p 'require("axe-core/package.json").version')"
