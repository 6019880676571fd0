#!/usr/bin/env bash
# Builds both WebAssembly faces of bundlec with the size-tuned `wasm` profile, installing nothing:
#   web/pkg/                     the browser module (wasm-bindgen --target web) and its .d.ts
#   target/wasm32-wasip2/wasm/bundlec_component.wasm   the WASI component (core/wit/bundlec.wit)
# `--web-only` builds just the browser module (what the preview page needs).
set -euo pipefail
cd "$(dirname "$0")/../.."

need() { command -v "$1" >/dev/null || { echo "build.sh: \`$1\` is missing (scripts/setup.sh installs it)" >&2; exit 1; }; }
need cargo
need wasm-bindgen

cargo build --profile wasm --target wasm32-unknown-unknown -p bundlec-web
# The wasm profile keeps the target_features section wasm-bindgen reads for this crate
# (Cargo.toml: strip = "debuginfo"); the name and producers sections go here instead.
wasm-bindgen --target web --remove-name-section --remove-producers-section \
  --out-dir web/pkg "${CARGO_TARGET_DIR:-target}"/wasm32-unknown-unknown/wasm/bundlec_web.wasm
[ "${1:-}" = --web-only ] && exit 0

# A wasm32-wasip2 cdylib is linked into a component by the toolchain (wasm-component-ld).
# The component's core is built at opt-level "s", not the profile's "z": its size budget
# (700 KB) has room, and a Rust wasmtime host then runs a compile at about 1.6x native instead
# of 2.4x (issue 14, BENCHMARKS.md). The browser module (600 KB budget) keeps "z".
cargo build --profile wasm --target wasm32-wasip2 -p bundlec-component \
  --config 'profile.wasm.package.bundlec-core.opt-level="s"'

echo "built web/pkg/bundlec_web_bg.wasm and ${CARGO_TARGET_DIR:-target}/wasm32-wasip2/wasm/bundlec_component.wasm"
