#!/usr/bin/env bash
# The WebAssembly tests: build both artifacts, check their sizes, run the wasm-bindgen tests of the
# JS API in Node, run the example host, and the parity and property checks (parity.py).
# Exits non-zero on any failure. A missing tool fails the run under CI=true and skips it elsewhere;
# the Python wasmtime package is installed (pinned, examples/wasmtime/requirements.txt) when missing.
set -uo pipefail
cd "$(dirname "$0")/../.."

WASM_BINDGEN_VERSION=0.2.130 # keep in step with `wasm-bindgen = "=…"` in Cargo.toml
in_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }
passed=0
failed=()

step() {
  local name=$1
  shift
  printf '\n== wasm: %s\n' "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed+=("$name")
    echo "FAILED: $name"
  fi
}

# Tools first: under CI a missing one is a failure, elsewhere the whole run is skipped.
if ! python3 -c 'import wasmtime' 2>/dev/null; then
  python3 -m pip install --quiet -r examples/wasmtime/requirements.txt || true
fi
missing=()
command -v node >/dev/null || missing+=("node")
command -v python3 >/dev/null || missing+=("python3")
python3 -c 'import wasmtime.component' 2>/dev/null || missing+=("the Python wasmtime package (pip install -r examples/wasmtime/requirements.txt)")
[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ] ||
  missing+=("wasm-bindgen-cli $WASM_BINDGEN_VERSION")
command -v wasm-bindgen-test-runner >/dev/null || missing+=("wasm-bindgen-test-runner")
installed_targets=$(rustup target list --installed 2>/dev/null)
for target in wasm32-unknown-unknown wasm32-wasip2; do
  grep -qx "$target" <<<"$installed_targets" || missing+=("the Rust target $target")
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing: %s\n' "${missing[@]}"
  if in_ci; then
    echo "wasm: 0 passed, 1 failed"
    exit 1
  fi
  echo "skipping the WebAssembly tests (scripts/setup.sh installs what is missing)"
  echo "wasm: 0 passed, 0 failed, 1 skipped"
  exit 0
fi

step "build" ./scripts/wasm/build.sh
step "sizes" ./scripts/wasm/sizes.sh
step "wasm-bindgen tests (JS API shape, Node)" \
  env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p bundlec-web

example() {
  local out
  out=$(python3 examples/wasmtime/compile.py examples/specs/gpu-inference.yaml \
    --inventory examples/inventories/nvidia-2gpu.json --replica 2) || return 1
  grep -q '"ociVersion": "1.2.1"' <<<"$out" || { echo "no config from the example host"; return 1; }
  # A spec with an error: exit 1 and a diagnostic naming the code.
  local bad status
  bad=$(printf 'version: v1\ndeployment: demo\nservices:\n  api:\n    image: {name: x}\n    privilegd: true\n' |
    python3 examples/wasmtime/compile.py /dev/stdin 2>&1 >/dev/null)
  status=$?
  [ "$status" = 1 ] && grep -q 'unknown-field' <<<"$bad" || { echo "expected exit 1 and unknown-field, got $status: $bad"; return 1; }
  echo "examples/wasmtime/compile.py: ok"
}
step "example host (examples/wasmtime/compile.py)" example
step "parity and properties (component in wasmtime, browser module in Node, native)" python3 scripts/wasm/parity.py

printf '\n'
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}"
fi
echo "wasm: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
