#!/usr/bin/env bash
# The benchmarks of bundlec: how fast and how small, measured on this machine and printed as the
# table of BENCHMARKS.md (with the machine and its load). Speed is never a pass/fail here: the table
# says which budget holds; the exit status is non-zero only when a step cannot run.
#
#   scripts/bench.sh [--quick] [--rounds N] [--no-wasm] [--no-criterion] [--out DIR] [--write]
#
# Steps (each writes its raw figures under DIR, default target/bench-results/):
#   1. criterion (cargo bench -p bundlec-bench): compile/{minimal,typical,heavy} with bytes and
#      allocations per compile, phases/{parse,canonical_json,serde_json_floor}, scaling/{1..10000}
#   2. the same three specs, written by `bench-inputs`, compiled in a loop inside each host:
#      native (bench-loop), the component in Python wasmtime (scripts/bench/wasmtime_bench.py) and in
#      a Rust wasmtime host (bench/wasmtime-host: used when built, never built here), the
#      browser module in Node (scripts/bench/node_bench.mjs); --rounds N rounds, interleaved, so
#      that a burst of load on this shared machine hits every host alike; medians of round medians
#   3. sizes of both WebAssembly artifacts (raw and gzip -9)
#   4. the probe's /dev walk on a prepared tree of 2,000 device nodes (mknod; needs root) and on
#      this machine's /dev: lstat calls per node (counting Syscalls wrapper; strace -c of the whole
#      command when strace is installed) and time per node
#   5. `bundlec compile` of the typical spec as a process: time (hyperfine, else a spawn loop) and
#      peak RSS (GNU time)
#   6. hostile inputs (scripts/bench/hostile.sh): 100k env keys, labels and errors, each within
#      2 s and 500 MB
# --quick shortens criterion (1 s warm-up, 2 s per benchmark) and runs one round of the hosts.
# --write puts the new tables into BENCHMARKS.md, between its figure markers.
# Missing tools (node, Python wasmtime, wasm-bindgen, strace, hyperfine, GNU time, root) skip
# their rows with the reason in the table; nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

quick=0 rounds=5 wasm=1 criterion=1 out= write=0
while [ $# -gt 0 ]; do
  case $1 in
  --quick) quick=1 rounds=1 ;;
  --rounds) rounds=${2:?--rounds needs a number}; shift ;;
  --no-wasm) wasm=0 ;;
  --no-criterion) criterion=0 ;;
  --write) write=1 ;;
  --out) out=${2:?--out needs a directory}; shift ;;
  -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${out:-$TARGET/bench-results}
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
step() {
  printf '\n== bench: %s\n' "$*" >&2
  cut -d' ' -f1-3 /proc/loadavg >>"$OUT/load.txt"
}
skip() { echo "$1" >>"$OUT/skipped.txt"; echo "skipped: $1" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
: >"$OUT/skipped.txt"

# ---- the machine ----------------------------------------------------------------------------
python3 - "$OUT/machine.json" "$quick" "$rounds" <<'EOF'
import json, os, platform, re, subprocess, sys, time
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
lscpu = dict(line.split(":", 1) for line in run("lscpu").splitlines() if ":" in line)
model = lscpu.get("Model name", platform.processor()).strip()
if "Hypervisor vendor" in lscpu:
    model += f" ({lscpu['Hypervisor vendor'].strip()} guest)"
json.dump({
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "nproc": os.cpu_count(), "cpu": model,
    "kernel": platform.release(), "load_before": open("/proc/loadavg").read().split()[:3],
    "rustc": run("rustc", "--version"), "node": run("node", "--version"),
    "wasmtime_py": run(sys.executable, "-c", "import importlib.metadata as m; print(m.version('wasmtime'))"),
    "commit": run("git", "describe", "--always", "--dirty"), "quick": sys.argv[2] == "1", "rounds": int(sys.argv[3]),
}, open(sys.argv[1], "w"), indent=1)
EOF

# ---- builds ---------------------------------------------------------------------------------
step "build (release): bundlec, bench-inputs, bench-loop, noop, probe_scan"
cargo build --release -q -p bundlec -p bundlec-bench --bins
cargo build --release -q -p bundlec-bench --example probe_scan
BIN=$TARGET/release
COMPONENT=$TARGET/wasm32-wasip2/wasm/bundlec_component.wasm
WEB_PKG=$ROOT/web/pkg
if [ "$wasm" = 1 ]; then
  if have wasm-bindgen; then
    step "build: both WebAssembly artifacts (scripts/wasm/build.sh, profile wasm)"
    ./scripts/wasm/build.sh >&2 || { skip "wasm: scripts/wasm/build.sh failed"; wasm=0; }
  elif [ -f "$COMPONENT" ] && [ -f "$WEB_PKG/bundlec_web_bg.wasm" ]; then
    skip "wasm: wasm-bindgen is missing; measured the artifacts already built (may be stale)"
  else
    skip "wasm: wasm-bindgen is missing and no artifacts are built (scripts/setup.sh)"
    wasm=0
  fi
fi

INPUTS=$OUT/inputs
"$BIN/bench-inputs" "$INPUTS" >/dev/null

# ---- 1. criterion ---------------------------------------------------------------------------
if [ "$criterion" = 1 ]; then
  step "criterion: cargo bench -p bundlec-bench (about $([ "$quick" = 1 ] && echo 1 || echo 4) minutes)"
  touch "$OUT/.criterion-start"
  args=()
  [ "$quick" = 1 ] && args=(--warm-up-time 1 --measurement-time 2)
  cargo bench -q -p bundlec-bench --bench compile -- "${args[@]}" | tee "$OUT/criterion.txt" >&2
  mkdir -p "$OUT/criterion"
  for group in compile phases scaling; do
    for dir in "$TARGET/criterion/$group"/*/; do
      estimates=$dir/new/estimates.json
      [ "$estimates" -nt "$OUT/.criterion-start" ] && cp "$estimates" "$OUT/criterion/$group-$(basename "$dir").json"
    done
  done
else
  skip "criterion: --no-criterion"
fi

# ---- 2. per-compile medians inside each host ----------------------------------------------------
step "hosts: $rounds round(s) of native, wasmtime (Python, Rust), node"
hosts=(native)
if [ "$wasm" = 1 ]; then
  if python3 -c 'import wasmtime.component' 2>/dev/null && [ -f "$COMPONENT" ]; then
    hosts+=(wasmtime)
  else
    skip "wasmtime: the Python wasmtime package (pip install -r examples/wasmtime/requirements.txt) or the component is missing"
  fi
  # bench/wasmtime-host is its own workspace and wasmtime a long build (about 8 minutes on 2
  # cores): this script runs the binary when it is built ($WASMTIME_BENCH, else either target
  # directory) and does not build it.
  wasmtime_rs=
  for candidate in "${WASMTIME_BENCH:-}" "$TARGET/release/wasmtime-bench" "$ROOT/bench/wasmtime-host/target/release/wasmtime-bench"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then wasmtime_rs=$candidate; break; fi
  done
  if [ -n "$wasmtime_rs" ] && [ -f "$COMPONENT" ]; then
    hosts+=(wasmtime-rs)
  else
    skip "wasmtime-rs: bench/wasmtime-host is not built (cd bench/wasmtime-host && cargo build --release) or the component is missing"
  fi
  if have node && [ -f "$WEB_PKG/bundlec_web_bg.wasm" ]; then
    hosts+=(node)
  else
    skip "node: node or web/pkg is missing"
  fi
fi
# containerd's oci.GenerateSpec doing the same job (bench/containerd/README.md), interleaved with
# the others.
if have go && [ -d /usr/share/gocode/src/github.com/containerd/containerd/oci ]; then
  hosts+=(containerd)
else
  skip "containerd: go or Debian's golang-github-containerd-containerd-dev is missing (bench/containerd/README.md)"
fi
batches=$([ "$quick" = 1 ] && echo 15 || echo 31)
for ((round = 1; round <= rounds; round++)); do
  for host in "${hosts[@]}"; do
    echo "   round $round: $host" >&2
    case $host in
    native) "$BIN/bench-loop" "$INPUTS" --batches "$batches" ;;
    wasmtime) python3 scripts/bench/wasmtime_bench.py "$INPUTS" --component "$COMPONENT" --batches "$batches" ;;
    wasmtime-rs) "$wasmtime_rs" "$INPUTS" --component "$COMPONENT" --batches "$batches" ;;
    node) node scripts/bench/node_bench.mjs "$INPUTS" "$WEB_PKG" --batches "$batches" ;;
    containerd)
      # Its lines in microseconds, as the others'; `containerd` is the full job (the parses
      # included), `containerd-generate` GenerateSpec and the JSON alone.
      bench/containerd/run.sh "$INPUTS" --batches "$batches" 2>>"$OUT/containerd.log" |
        python3 -c 'import json, sys
for line in sys.stdin:
    row = json.loads(line)
    row["host"] = "containerd" if row["mode"] == "full" else "containerd-" + row["mode"]
    row["median_us"] = row["median_ns"] / 1000
    print(json.dumps(row))' ||
        skip "containerd: bench/containerd/run.sh failed (containerd.log)" ;;
    esac | sed "s/^{/{\"round\":$round,/" >>"$OUT/hosts.jsonl"
  done
done

# ---- 3. sizes -------------------------------------------------------------------------------
if [ "$wasm" = 1 ]; then
  for file in "$WEB_PKG/bundlec_web_bg.wasm" "$COMPONENT"; do
    [ -f "$file" ] && echo "$(basename "$file") $(wc -c <"$file") $(gzip -9c "$file" | wc -c)" >>"$OUT/sizes.txt"
  done
fi

# ---- 4. probe -------------------------------------------------------------------------------
step "probe: the /dev walk"
stat_calls() { # strace -c output -> calls of the stat family
  awk '$NF ~ /^(newfstatat|fstatat64|lstat|lstat64|stat|stat64|statx)$/ { n += $4 } END { print n + 0 }' "$1"
}
if [ "$(id -u)" = 0 ]; then
  TREE=$(mktemp -d /tmp/bundlec-bench-tree.XXXXXX)
  trap 'rm -rf "$TREE"' EXIT
  scripts/bench/make-dev-tree.sh "$TREE" 2000 >&2
  "$BIN/examples/probe_scan" "$TREE" --runs 21 >"$OUT/probe-tree.json"
  python3 scripts/bench/measure_cmd.py 30 3 -- "$BIN/bundlec" probe --root "$TREE" -o "$OUT/probe-tree-inventory.json" >"$OUT/probe-tree-cmd.json"
else
  skip "probe tree: mknod needs root"
fi
"$BIN/examples/probe_scan" / --runs 21 >"$OUT/probe-dev.json"
if have strace; then
  # -o writes to a file in $OUT: never point it at a device (an atomic write would replace it).
  [ -n "${TREE:-}" ] && strace -f -c -o "$OUT/strace-tree.txt" "$BIN/bundlec" probe --root "$TREE" -o "$OUT/probe-tree-inventory.json" 2>/dev/null &&
    stat_calls "$OUT/strace-tree.txt" >"$OUT/strace-tree.count"
  strace -f -c -o "$OUT/strace-dev.txt" "$BIN/bundlec" probe -o "$OUT/probe-dev-inventory.json" 2>/dev/null &&
    stat_calls "$OUT/strace-dev.txt" >"$OUT/strace-dev.count"
else
  skip "strace: not installed (apt-get install -y strace); lstat counted by the Syscalls wrapper only"
fi

# ---- 5. the whole command -----------------------------------------------------------------------
step "command: bundlec compile typical.yaml"
compile=("$BIN/bundlec" compile "$INPUTS/typical.yaml" --inventory "$INPUTS/inventory.json"
  --volume data=/var/lib/bundlec/volumes/bench/data --volume /cache=/var/lib/bundlec/volumes/bench/cache
  -o "$OUT/typical-config.json")
"${compile[@]}"
runs=$([ "$quick" = 1 ] && echo 50 || echo 300)
if have hyperfine; then
  hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$OUT/cli-compile.hyperfine.json" "${compile[*]}" >&2
  hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$OUT/cli-floor.hyperfine.json" "$BIN/bundlec --version" >&2
  hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$OUT/cli-noop.hyperfine.json" "$BIN/noop" >&2
  # The same compile to stdout: no output file, so no fsync of it and its folder (-o's durability).
  stdout_compile=("${compile[@]:0:${#compile[@]}-2}")
  hyperfine -N --style none --warmup 20 --runs "$runs" --output=null --export-json "$OUT/cli-stdout.hyperfine.json" "${stdout_compile[*]}" >&2
else
  skip "hyperfine: not installed (apt-get install -y hyperfine); timed with scripts/bench/measure_cmd.py"
  python3 scripts/bench/measure_cmd.py "$runs" 20 -- "${compile[@]}" >"$OUT/cli-compile.json"
  python3 scripts/bench/measure_cmd.py "$runs" 20 -- "$BIN/bundlec" --version >"$OUT/cli-floor.json"
  python3 scripts/bench/measure_cmd.py "$runs" 20 -- "$BIN/noop" >"$OUT/cli-noop.json"
fi
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
  for _ in $(seq 21); do /usr/bin/time -f %M -a -o "$OUT/cli-rss.txt" "${compile[@]}"; done
else
  skip "peak memory: GNU time is missing (apt-get install -y time)"
fi

step "hostile inputs: 100k env keys, labels, errors (scripts/bench/hostile.sh)"
scripts/bench/hostile.sh --bin "$BIN/bundlec" --out "$OUT/hostile" | tee "$OUT/hostile.md" >&2

python3 - "$OUT/machine.json" <<'EOF'
import json, sys
machine = json.load(open(sys.argv[1]))
machine["load_after"] = open("/proc/loadavg").read().split()[:3]
json.dump(machine, open(sys.argv[1], "w"), indent=1)
EOF

step "table ($OUT/table.md)"
python3 scripts/bench/report.py "$OUT" | tee "$OUT/table.md"
if [ "$write" = 1 ]; then
  python3 - "$OUT/table.md" BENCHMARKS.md <<'EOF'
import sys
table, page = open(sys.argv[1]).read().strip(), open(sys.argv[2]).read()
begin = page.index("<!-- bench.sh --write replaces")
begin = page.index("\n", begin) + 1
end = page.index("<!-- end of the figures -->")
open(sys.argv[2], "w").write(page[:begin] + table + "\n" + page[end:])
EOF
  echo "BENCHMARKS.md: figures replaced" >&2
fi
