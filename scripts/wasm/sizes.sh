#!/usr/bin/env bash
# Prints the raw and gzip (-9) sizes of both WebAssembly artifacts and fails when one is over
# budget (1 KB = 1000 bytes): browser module <= 600 KB raw and <= 230 KB gzip (raised from 220 KB by issue 11 for the seccomp profile); component <= 700 KB raw.
set -euo pipefail
cd "$(dirname "$0")/../.."

WEB=web/pkg/bundlec_web_bg.wasm
COMPONENT=target/wasm32-wasip2/wasm/bundlec_component.wasm
status=0

# check NAME FILE RAW_BUDGET GZIP_BUDGET (0: no budget)
check() {
  local name=$1 file=$2 raw_budget=$3 gzip_budget=$4 raw gz verdict=ok
  if [ ! -f "$file" ]; then
    echo "$name: $file is missing; run scripts/wasm/build.sh" >&2
    status=1
    return
  fi
  raw=$(wc -c <"$file")
  gz=$(gzip -9c "$file" | wc -c)
  if [ "$raw" -gt "$raw_budget" ] || { [ "$gzip_budget" -gt 0 ] && [ "$gz" -gt "$gzip_budget" ]; }; then
    verdict="OVER BUDGET"
    status=1
  fi
  printf '%-10s %8d bytes raw (budget %d)  %8d bytes gzip (budget %s)  %s  %s\n' \
    "$name" "$raw" "$raw_budget" "$gz" "$([ "$gzip_budget" -gt 0 ] && echo "$gzip_budget" || echo none)" "$verdict" "$file"
}

check browser "$WEB" 600000 230000
check component "$COMPONENT" 700000 0
exit $status
