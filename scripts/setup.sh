#!/usr/bin/env bash
# Installs what the test suite needs, each thing only when it is missing:
# Rust wasm targets, wasm-bindgen-cli (pinned to the crate's version), runc, busybox-static,
# umoci and skopeo (the image tests and bench), Chromium (Debian's), the page's npm packages (from the lock file), wasmtime for Python, and
# the nightly toolchain with cargo-fuzz for scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with `wasm-bindgen = "=…"` in web/Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130
# Keep in step with examples/wasmtime/requirements.txt.
WASMTIME_PY_REQUIREMENT=examples/wasmtime/requirements.txt

say() { printf '[setup] %s\n' "$*"; }

installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32-wasip2; do
  if ! grep -qx "$target" <<<"$installed_targets"; then
    say "adding Rust target $target"
    rustup target add "$target"
  fi
done

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes several minutes)"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  say "installing the nightly Rust toolchain (for cargo-fuzz)"
  rustup toolchain install nightly --profile minimal
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (takes a few minutes)"
  cargo install cargo-fuzz --locked
fi

missing_packages=()
command -v runc >/dev/null || missing_packages+=(runc)
[ -x /bin/busybox ] || missing_packages+=(busybox-static)
command -v umoci >/dev/null || missing_packages+=(umoci)
command -v skopeo >/dev/null || missing_packages+=(skopeo)
command -v chromium >/dev/null || missing_packages+=(chromium)
if [ ${#missing_packages[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_packages[@]}" >/dev/null
fi

if [ -f web/package-lock.json ] && [ ! -d web/node_modules ]; then
  say "installing npm packages from web/package-lock.json"
  (cd web && npm ci --no-audit --no-fund)
fi

if [ -f "$WASMTIME_PY_REQUIREMENT" ] && ! python3 -c 'import wasmtime' 2>/dev/null; then
  say "installing wasmtime for Python"
  python3 -m pip install --quiet -r "$WASMTIME_PY_REQUIREMENT"
fi
