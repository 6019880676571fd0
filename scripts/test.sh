#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: installs what is missing, then
# formatting, lints for the native and both wasm targets, native tests (core, CLI, probe,
# runc acceptance, golden corpus, OCI schema, properties), a fuzz smoke run and the WebAssembly tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "setup"
./scripts/setup.sh

step "rustfmt"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check

step "clippy: native"
cargo clippy --workspace --exclude bundlec-web --exclude bundlec-component --all-targets -- -D warnings

step "clippy: wasm32-unknown-unknown"
cargo clippy -p bundlec-core -p bundlec-web --target wasm32-unknown-unknown -- -D warnings

step "clippy: wasm32-wasip2"
cargo clippy -p bundlec-core -p bundlec-component --target wasm32-wasip2 -- -D warnings

step "native tests"
cargo test --workspace --exclude bundlec-web --exclude bundlec-component

step "fuzz: a few seconds of every target"
./scripts/fuzz.sh --smoke

step "webassembly: build, sizes, API shape, parity"
./scripts/wasm/test.sh

step "spec preview page: end-to-end in headless Chromium"
./scripts/page/test.sh
