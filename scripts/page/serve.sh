#!/usr/bin/env bash
# Builds the spec preview page and serves it on http://127.0.0.1:8080/ (PORT=N to change it).
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts/page/build.sh web/dist
exec node web/page/serve.mjs web/dist "${PORT:-8080}"
