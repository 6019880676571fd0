#!/usr/bin/env bash
# Builds bench/containerd/main.go against Debian's containerd 1.6 sources (GOPATH mode, offline)
# and runs it on the inputs `bench-inputs DIR` wrote. Installs nothing; see README.md for the
# packages it needs.
#
#   bench/containerd/run.sh INPUTS_DIR [containerd-bench options: --specs, --modes, --batches,
#                                       --batch-ms, --warmup-ms, --dump OUTDIR]
set -euo pipefail
inputs=${1:?usage: run.sh INPUTS_DIR [options]}
shift
here=$(cd "$(dirname "$0")" && pwd)
gocode=${GOCODE:-/usr/share/gocode}

command -v go >/dev/null || { echo "run.sh: go is missing (apt-get install golang-go)" >&2; exit 2; }
for pkg in github.com/containerd/containerd/oci github.com/containerd/containerd/contrib/seccomp \
  github.com/opencontainers/runc/libcontainer/user gopkg.in/yaml.v3; do
  [ -d "$gocode/src/$pkg" ] || {
    echo "run.sh: $gocode/src/$pkg is missing (golang-github-containerd-containerd-dev," \
      "golang-gopkg-yaml.v3-dev)" >&2
    exit 2
  }
done
for f in inventory.json options.json; do
  [ -f "$inputs/$f" ] || { echo "run.sh: $inputs/$f is missing (run bench-inputs $inputs)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/containerd-bench"
cp "$here/main.go" "$work/src/containerd-bench/"
# GOCACHE is kept between runs (it only holds build outputs) so that a second run starts quickly.
export GO111MODULE=off GOPATH="$work:$gocode" GOPROXY=off GOFLAGS= \
  GOCACHE=${GOCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bundlec-containerd-bench}
(cd "$work" && nice -n 10 go build -o "$work/containerd-bench" containerd-bench)
echo "{\"go\":\"$(go env GOVERSION)\",\"containerd\":\"$(dpkg-query -W -f '${Version}' \
  golang-github-containerd-containerd-dev 2>/dev/null || echo unknown)\",\"yaml\":\"gopkg.in/yaml.v3 $(dpkg-query -W \
  -f '${Version}' golang-gopkg-yaml.v3-dev 2>/dev/null || echo unknown)\",\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >&2
"$work/containerd-bench" "$inputs" "$@"
