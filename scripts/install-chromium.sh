#!/usr/bin/env bash
# Installs Debian's Chromium for the browser end-to-end tests (internal/web
# browser tests drive /usr/bin/chromium headless through chromedp). Idempotent:
# does nothing when the binary is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "install-chromium: $(/usr/bin/chromium --version)"
