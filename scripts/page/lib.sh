# Shared steps of the page scripts (sourced, not run): the browser module and the npm packages.

# web/pkg: the bundlec compiler for the browser, without the WASI component the page does not need.
build_wasm() {
  scripts/wasm/build.sh --web-only
}

# web/node_modules, installed from the lock file when missing or older than it.
npm_packages() {
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund)
  fi
}
