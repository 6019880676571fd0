#!/usr/bin/env bash
# Where a compile's instructions go: builds bench-loop (release, with line tables, not stripped,
# into target/bench-profile so the shipped release build is untouched), runs SPEC (default typical)
# ITERS times (default 200) under valgrind's callgrind, and prints the top functions by inclusive
# and by self instruction counts. Counts are deterministic, unlike times on a shared machine.
#
#   scripts/bench/profile.sh [SPEC] [ITERS]      (SPEC: minimal, typical, typical-unconfined or heavy)
set -euo pipefail
cd "$(dirname "$0")/../.."
spec=${1:-typical}
iters=${2:-200}
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is missing (apt-get install -y valgrind)" >&2; exit 1; }
target=${CARGO_TARGET_DIR:-target}/bench-profile
CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build -q --release -p bundlec-bench --bin bench-loop --bin bench-inputs --target-dir "$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$target/release/bench-inputs" "$work" >/dev/null
out=$target/callgrind.$spec.out
valgrind --tool=callgrind --callgrind-out-file="$out" "$target/release/bench-loop" "$work" --spec "$spec" --iters "$iters" 2>"$work/valgrind.log"
total=$(sed -n 's/.*Collected : //p' "$work/valgrind.log")
echo "$spec: $total instructions for $((iters + 1)) compiles ($((total / (iters + 1))) per compile_raw); data: $out"
echo
# callgrind_annotate lists a function once per source file its inlined code came from: an
# inclusive figure is the largest of its rows, a self figure the sum of them.
summarize() { # MODE (inclusive|self) FILTER_REGEX COUNT
  python3 -c '
import re, sys, collections
mode, keep, count = sys.argv[1], re.compile(sys.argv[2]), int(sys.argv[3])
rows = collections.defaultdict(list)
total = None
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
    if not m:
        continue
    value, where = int(m.group(1).replace(",", "")), m.group(2)
    if where.startswith("PROGRAM TOTALS"):
        total = value
        continue
    name = re.sub(r" \[[^]]*\]$", "", where.split(":", 1)[1] if ":" in where else where)
    rows[name].append(value)
agg = {name: (max(v) if mode == "inclusive" else sum(v)) for name, v in rows.items() if keep.search(name)}
for name, value in sorted(agg.items(), key=lambda kv: -kv[1])[:count]:
    print(f"{100 * value / total:6.2f}%  {name[:150]}")
' "$@"
}
echo "-- inclusive, bundlec_core functions (share of all instructions)"
callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$out" 2>/dev/null | summarize inclusive 'bundlec_core::' 25
echo
echo "-- self (exclusive), all functions"
callgrind_annotate --auto=no --threshold=100 "$out" 2>/dev/null | summarize self '.' 20
