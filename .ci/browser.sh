#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (never `playwright install`).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing; installing Debian's chromium package..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
test -x /usr/bin/chromium || { echo "ERROR: /usr/bin/chromium could not be installed" >&2; exit 1; }
echo "browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
