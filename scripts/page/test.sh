#!/usr/bin/env bash
# The page's end-to-end tests in headless Chromium (web/page/tests): builds the browser module
# and the native `bundlec` CLI the page is compared with, then runs `node --test`.
# Screenshots land in web/page/test-output/. Under CI=true nothing may be missing: no skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/page/lib.sh

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "${CI:-}" = true ]; then
    echo "page tests: ${CHROMIUM:-/usr/bin/chromium} is missing (apt-get install -y chromium)" >&2
    exit 1
  fi
  echo "page tests: ${CHROMIUM:-/usr/bin/chromium} is missing; the browser tests will be skipped" >&2
fi

npm_packages
build_wasm
cargo build -q -p bundlec
cd web && node --test page/tests/
