#!/usr/bin/env bash
# Speed against size of the WebAssembly builds at several opt-levels: builds the component and the
# browser module with CARGO_PROFILE_WASM_OPT_LEVEL=LEVEL into target/bench-wasm-LEVEL/ (the shipped
# artifacts of scripts/wasm/build.sh are untouched), then prints for each level the raw and gzip
# sizes and the per-compile medians of the typical spec in wasmtime-py and in Node, beside native.
# Slow: two full wasm builds per level (about 2 minutes each on 2 cores).
#
#   scripts/bench/wasm-opt-levels.sh [LEVEL...]      (default: z s 3)
# The level replaces [profile.wasm]'s own opt-level; its per-package settings in Cargo.toml still
# apply, so the row of the level Cargo.toml sets is the shipped build.
set -euo pipefail
cd "$(dirname "$0")/../.."
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(z s 3)
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q --release -p bundlec-bench --bins
"$target/release/bench-inputs" "$work/inputs" >/dev/null
median() { python3 -c 'import json,sys; rows = [json.loads(l) for l in sys.stdin]; print(next(r["median_us"] for r in rows if r["spec"] == "typical"))'; }
printf '| opt-level | browser raw / gzip | component raw / gzip | Node typical | wasmtime-py typical | native typical |\n|---|---|---|---|---|---|\n'
for level in "${levels[@]}"; do
  dir=$target/bench-wasm-$level
  for triple in wasm32-wasip2:bundlec-component wasm32-unknown-unknown:bundlec-web; do
    CARGO_PROFILE_WASM_OPT_LEVEL=$level cargo build -q --profile wasm --target "${triple%%:*}" -p "${triple##*:}" --target-dir "$dir" >&2
  done
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "$dir/pkg" \
    "$dir/wasm32-unknown-unknown/wasm/bundlec_web.wasm"
  component=$dir/wasm32-wasip2/wasm/bundlec_component.wasm
  web=$dir/pkg/bundlec_web_bg.wasm
  size() { echo "$(wc -c <"$1") / $(gzip -9c "$1" | wc -c) B"; }
  node_us=$(node scripts/bench/node_bench.mjs "$work/inputs" "$dir/pkg" --specs typical | median)
  wasmtime_us=$(python3 scripts/bench/wasmtime_bench.py "$work/inputs" --component "$component" --specs typical | median)
  native_us=$("$target/release/bench-loop" "$work/inputs" --specs typical | median)
  printf '| %s | %s | %s | %s µs | %s µs | %s µs |\n' "$level" "$(size "$web")" "$(size "$component")" "$node_us" "$wasmtime_us" "$native_us"
done
