#!/usr/bin/env bash
# The web role runs nginx in front of gunicorn (scripts/web.sh): install Debian's nginx-light if it is missing.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "nginx is missing; installing Debian's nginx-light package..."
  $SUDO apt-get update -qq
  # The package's own service is never started: scripts/web.sh runs nginx with its own configuration.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
fi
PATH="$PATH:/usr/sbin" nginx -v
