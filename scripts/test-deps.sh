#!/usr/bin/env bash
# System packages the tests need beyond Python: Debian's Chromium for the end-to-end app test.
# Installed only when missing, so repeated `make test` runs cost nothing.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser test ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: install it (apt-get install chromium) or the browser test will skip" >&2
  fi
fi
