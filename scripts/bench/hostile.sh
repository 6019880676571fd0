#!/usr/bin/env bash
# Large and hostile inputs through the whole `bundlec compile` command (release build): every phase
# must stay linear, so each case finishes within 2 s and 500 MB (issue 9). Prints one Markdown
# table row per case: wall time, peak RSS, stderr bytes, exit status and the verdict.
#
#   scripts/bench/hostile.sh [--bin PATH] [--out DIR]
#
# Cases (generated here, so their sizes are explicit):
#   env-100k         100,000 env keys in the spec
#   image-env-100k   100,000 Env entries in the image config
#   labels-100k      100,000 labels (annotations)
#   errors-100k      100,000 bad env keys: 100,000 diagnostics, human and JSON
#   unknown-100k     100,000 unknown service keys, each with a did-you-mean search
#   long-line-7mb    two errors on one 7 MB line (human output must show a bounded window)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin= out=
while [ $# -gt 0 ]; do
  case $1 in
  --bin) bin=${2:?}; shift ;;
  --out) out=${2:?}; shift ;;
  -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "hostile.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "$bin" ]; then
  cargo build --release -q -p bundlec
  bin=$TARGET/release/bundlec
fi
bin=$(realpath "$bin")
OUT=${out:-$TARGET/bench-results/hostile}
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "hostile.sh: GNU time (/usr/bin/time) is needed" >&2; exit 1; }

python3 - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
N = 100_000
head = "version: v1\ndeployment: hostile\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n"
def write(name, text):
    open(f"{out}/{name}", "w").write(text)
write("env-100k.yaml", head + "    env:\n" + "".join(f"      K{i}: v{i}\n" for i in range(N)))
write("image-env-100k.yaml", head)
json.dump({"Env": [f"K{i}=v{i}" for i in range(N)], "Cmd": ["/bin/true"]}, open(f"{out}/image-env-100k.json", "w"))
write("labels-100k.yaml", head + "    labels:\n" + "".join(f"      l{i}: v{i}\n" for i in range(N)))
write("errors-100k.yaml", head + "    env:\n" + "".join(f"      \"K{i}=x\": v\n" for i in range(N)))
write("unknown-100k.yaml", head + "".join(f"    privilegd{i}: true\n" for i in range(N)))
filler = "x" * (7 * 1024 * 1024)
write("long-line-7mb.yaml", head + '    env: { "=a": b, FILL: "' + filler + '", "=c": d }\n')
EOF

# name|expected exit status|arguments
cases=(
  "env-100k|0|compile env-100k.yaml"
  "image-env-100k|0|compile image-env-100k.yaml --image-config image-env-100k.json"
  "labels-100k|0|compile labels-100k.yaml"
  "errors-100k (human)|1|compile errors-100k.yaml"
  "errors-100k (json)|1|compile errors-100k.yaml --diagnostics json"
  "unknown-100k (human)|1|compile unknown-100k.yaml"
  "long-line-7mb (human)|1|compile long-line-7mb.yaml"
)
failed=0
echo "| Case | Wall time | Peak RSS | stderr | Exit | Within 2 s and 500 MB |"
echo "|---|---|---|---|---|---|"
for entry in "${cases[@]}"; do
  IFS='|' read -r name expected rest <<<"$entry"
  read -ra args <<<"$rest"
  set +e
  (cd "$OUT" && /usr/bin/time -f '%e %M' -o time.txt "$bin" "${args[@]}" -o config.json 2>stderr.txt)
  status=$?
  set -e
  read -r seconds kib < <(tail -n 1 "$OUT/time.txt")
  mib=$((kib / 1024))
  bytes=$(wc -c <"$OUT/stderr.txt")
  verdict=$(python3 -c "print('holds' if $seconds <= 2 and $mib <= 500 else 'misses')")
  if [ "$status" != "$expected" ]; then
    verdict="wrong exit status (expected $expected)"
    failed=1
  fi
  echo "| $name | ${seconds} s | ${mib} MiB | ${bytes} B | $status | $verdict |"
done
exit $failed
