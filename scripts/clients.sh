#!/usr/bin/env bash
# The TypeScript client's tools (clients/typescript): Node.js from apt when missing, then the
# pinned npm packages from its lockfile.
set -euo pipefail
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js is missing; installing Debian's nodejs and npm packages..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
echo "node: $(node --version), npm: $(npm --version)"
cd "$(dirname "$0")/../clients/typescript"
npm ci --no-audit --no-fund --silent
