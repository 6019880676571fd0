# Shared steps of the page scripts (sourced, not run): the browser module and the npm packages.

# web/pkg: the bundlec compiler for the browser (wasm-bindgen --target web), as scripts/wasm/build.sh
# builds it, without the WASI component the page does not need.
build_wasm() {
  command -v wasm-bindgen >/dev/null || { echo "wasm-bindgen is missing (scripts/setup.sh installs it)" >&2; return 1; }
  cargo build --release --target wasm32-unknown-unknown -p bundlec-web
  wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --out-dir web/pkg target/wasm32-unknown-unknown/release/bundlec_web.wasm
}

# web/node_modules, installed from the lock file when missing or older than it.
npm_packages() {
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund)
  fi
}
