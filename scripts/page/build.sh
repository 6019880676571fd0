#!/usr/bin/env bash
# Builds the spec preview page as a folder of static files for any web server: web/dist/ (or the
# folder given as $1). Builds the browser module (web/pkg) first, and installs the npm packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/page/lib.sh

npm_packages
build_wasm
node web/page/build.mjs "${1:-web/dist}"
