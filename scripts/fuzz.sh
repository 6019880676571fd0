#!/usr/bin/env bash
# Fuzzes every input reader of bundlec with cargo-fuzz (nightly), one target after the other.
#
#   scripts/fuzz.sh [SECONDS]        each target for SECONDS (default 60)
#   scripts/fuzz.sh --runs N         each target for N executions
#   scripts/fuzz.sh --smoke          each target for a few seconds: the step of scripts/test.sh
#   any of them, then TARGET...      only these targets
#
# Seeds fuzz/corpus/<target>/ from the test corpus (and fuzz/regressions/) first, prints each
# target's executions and coverage, and exits non-zero on any crash, timeout or out-of-memory;
# the input that failed is left in fuzz/artifacts/<target>/. Full libFuzzer output goes to
# $FUZZ_LOG_DIR/fuzz-<target>.log (default fuzz/logs). FUZZ_SANITIZER=address builds with ASan
# (and LeakSanitizer) instead of none. See FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(compile_spec inventory options render_human cdi_spec)
SMOKE_SECONDS=5

limit=(-max_total_time=60)
smoke=false
case "${1:-}" in
  --smoke) smoke=true; limit=(-max_total_time="$SMOKE_SECONDS"); shift ;;
  --runs) limit=(-runs="${2:?--runs needs a count}"); shift 2 ;;
  '' | -*) ;;
  *) [[ $1 =~ ^[0-9]+$ ]] && { limit=(-max_total_time="$1"); shift; } ;;
esac
if [ $# -gt 0 ]; then
  for target in "$@"; do
    [[ " ${TARGETS[*]} " == *" $target "* ]] || { echo "fuzz: no target \`$target\` (${TARGETS[*]})" >&2; exit 2; }
  done
  TARGETS=("$@")
fi

# Without the tools the smoke step fails under CI (scripts/setup.sh installs them) and is skipped,
# loudly, on a developer's machine.
missing=()
rustup run nightly rustc --version >/dev/null 2>&1 || missing+=("the nightly toolchain")
cargo fuzz --version >/dev/null 2>&1 || missing+=("cargo-fuzz")
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: missing ${missing[*]}: run scripts/setup.sh" >&2
  if $smoke && [ "${CI:-}" != true ]; then
    echo "fuzz: SKIPPED the smoke run" >&2
    exit 0
  fi
  exit 1
fi

# No sanitizer by default: the core forbids unsafe code, and ASan ran 5.6x fewer executions a
# second (FUZZING.md). Release optimizations with debug assertions and overflow checks on.
cargo +nightly fuzz build -O --debug-assertions --sanitizer "${FUZZ_SANITIZER:-none}"
bin=fuzz/target/x86_64-unknown-linux-gnu/release

python3 scripts/fuzz/seed.py . fuzz/corpus "${TARGETS[@]}"

log_dir=${FUZZ_LOG_DIR:-fuzz/logs}
mkdir -p "$log_dir"
dict_of() {
  case $1 in
    inventory) echo fuzz/dict/inventory.dict ;;
    options) echo fuzz/dict/options.dict ;;
    *) echo fuzz/dict/yaml.dict ;;
  esac
}

failed=()
for target in "${TARGETS[@]}"; do
  mkdir -p "fuzz/artifacts/$target"
  log="$log_dir/fuzz-$target.log"
  started=$SECONDS
  status=0
  "$bin/$target" "fuzz/corpus/$target" "${limit[@]}" \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -dict="$(dict_of "$target")" -artifact_prefix="fuzz/artifacts/$target/" \
    >"$log" 2>&1 || status=$?
  # A run that fails while loading its corpus prints no coverage line.
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)
  printf '%-13s %s executions, %s exec/s, %s, %ss\n' \
    "$target" "${runs:-?}" "${speed:-?}" "${coverage:-no coverage line}" "$((SECONDS - started))"
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target FAILED (exit $status); its log is $log:" >&2
    grep -E 'ERROR|panicked|SUMMARY|Test unit written|timeout|out-of-memory' "$log" | head -20 >&2 || true
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
