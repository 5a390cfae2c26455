#!/usr/bin/env bash
# make e2e: the browser journeys (e2e/) in Debian's chromium, driven by Playwright for Python. Installs the chromium
# package when it is missing (never a browser download); where it cannot be installed, says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM="${WUYE_E2E_CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x "$CHROMIUM" ]]; then
  echo "== installing Debian's chromium for the browser journeys =="
  SUDO=""
  [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null && SUDO="sudo -n"
  if ! { $SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
         || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; }; }; then
    echo "== browser journeys skipped: chromium is not at $CHROMIUM and apt-get could not install it =="
    exit 0
  fi
fi
mkdir -p var/e2e
echo "== browser journeys (chromium $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}')); failures kept in var/e2e/ =="
DATABASE_URL= .venv/bin/pytest e2e -p no:cacheprovider "$@"
