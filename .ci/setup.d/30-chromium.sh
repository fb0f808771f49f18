#!/usr/bin/env bash
# Debian's Chromium for the dashboard's end-to-end tests (tests/web/test_web_browser.py, which
# drive /usr/bin/chromium through Playwright and skip, saying why, only when it is absent).
# Installs `chromium` (and the DejaVu fonts, so pages and screenshots have glyphs) when missing.
# Idempotent: with /usr/bin/chromium present it does nothing.
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "30-chromium: installing chromium (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null || true
