#!/usr/bin/env bash
# Prepares ROOT/dev with COUNT device nodes (default 2000) for the probe benchmark, with mknod (root):
# half directly in dev/, half in ten subdirectories dev/grp0..grp9 (as /dev/dri, /dev/bus/usb are);
# every fourth node is a block device, the rest character devices, all with distinct numbers.
# 2,000 nodes in 11 directories: an lstat per node is 2,000, one per entry would be 2,010.
# Usage: make-dev-tree.sh ROOT [COUNT]
set -euo pipefail
root=${1:?usage: make-dev-tree.sh ROOT [COUNT]}
count=${2:-2000}
[ "$(id -u)" = 0 ] || { echo "make-dev-tree.sh: mknod needs root" >&2; exit 1; }
rm -rf "$root/dev"
mkdir -p "$root/dev"
flat=$((count / 2))
for ((i = 0; i < count; i++)); do
  if ((i < flat)); then
    path="$root/dev/node$i"
  else
    group=$(((i - flat) % 10))
    mkdir -p "$root/dev/grp$group"
    path="$root/dev/grp$group/node$i"
  fi
  if ((i % 4 == 3)); then
    mknod -m 0660 "$path" b 259 "$i"
  else
    mknod -m 0666 "$path" c 240 "$i"
  fi
done
echo "$root/dev: $count device nodes"
