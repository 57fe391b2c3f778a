#!/usr/bin/env bash
# Installs the system packages the browser tests need, when they are missing:
# Debian's chromium (headless screenshots, console and network checks) and fonts
# with Vietnamese diacritics. Needs root (or sudo) on a Debian machine.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "cannot install ${need[*]}: not root and no sudo; browser tests will fail" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
