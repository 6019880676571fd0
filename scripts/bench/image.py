#!/usr/bin/env python3
"""`bundlec apply --image` against `umoci unpack` and GNU tar on the same image.

Builds (once, in WORK) an OCI image with umoci from a rootfs copied out of this machine's /usr
(Python's library, GCC's, locales' sources and the docs: a few hundred MB in two gzip layers),
then times, RUNS rounds of each with a warm page cache, the output removed and the disk synced
between runs (untimed):
  bundlec  apply SPEC --image oci:WORK/img:bench --bundle OUT   (verifies digests, syncfs at the end)
  umoci    unpack --image WORK/img:bench OUT
  tar      GNU tar -xzf of each layer blob in order into OUT    (no verification, no whiteouts)
and prints a Markdown table of medians and ratios. Needs root, umoci, GNU tar and a release
build. Usage: sudo scripts/bench/image.py [RUNS] (env: BUNDLEC=target/release/bundlec, WORK=/tmp/bundlec-image-bench)
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BUNDLEC = os.path.abspath(os.environ.get("BUNDLEC", "target/release/bundlec"))
WORK = os.environ.get("WORK", "/tmp/bundlec-image-bench")
LAYERS = [
    ["/usr/lib/python3.11", "/usr/lib/python3", "/usr/lib/gcc", "/usr/share/i18n"],
    ["/usr/share/doc"],
]
SPEC = "version: v1\ndeployment: bench\nservices:\n  app:\n    image: { name: bench }\n    command: { entrypoint: [/bin/true] }\n"


def sh(*args, cwd=WORK):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def build_image():
    if os.path.exists(f"{WORK}/spec.yaml"):  # written last: the image is complete
        return
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    sh("umoci", "init", "--layout", "img")
    sh("umoci", "new", "--image", "img:bench")
    for sources in LAYERS:
        sh("umoci", "unpack", "--image", "img:bench", "work")
        for source in sources:
            if os.path.isdir(source) and not os.path.islink(source):
                target = f"{WORK}/work/rootfs{source}"
                os.makedirs(os.path.dirname(target), exist_ok=True)
                sh("cp", "-a", source, target)
        sh("umoci", "repack", "--image", "img:bench", "work")
        shutil.rmtree(f"{WORK}/work")
    with open(f"{WORK}/spec.yaml", "w") as spec:
        spec.write(SPEC)


def layers():
    """The layer blobs of the bench image, lowest first, and their total sizes."""
    with open(f"{WORK}/img/index.json") as f:
        manifest_digest = json.load(f)["manifests"][0]["digest"]
    blob = lambda digest: f"{WORK}/img/blobs/" + digest.replace(":", "/")
    with open(blob(manifest_digest)) as f:
        manifest = json.load(f)
    paths = [blob(layer["digest"]) for layer in manifest["layers"]]
    return paths, sum(os.path.getsize(p) for p in paths)


def tar_all(out):
    os.makedirs(out)
    for path in layers()[0]:
        subprocess.run(["tar", "-xzf", path, "-C", out, "--same-owner", "--numeric-owner"], check=True)


def clear(out):
    subprocess.run(["rm", "-rf", out], check=True)
    subprocess.run(["rm", "-f", f"{WORK}/.out.lock"], check=True)


def measure(tools, out):
    """Each tool once per round, rounds interleaved so that a busy machine slows all alike; the
    first round warms the page cache and is not counted."""
    times = {name: [] for name, _ in tools}
    for round in range(RUNS + 1):
        for name, run in tools:
            clear(out)
            subprocess.run(["sync"], check=True)
            start = time.perf_counter()
            run(out)
            elapsed = time.perf_counter() - start
            if round > 0:
                times[name].append(elapsed)
    clear(out)
    return [(name, statistics.median(t), min(t), max(t)) for name, t in times.items()]


def main():
    if os.geteuid() != 0:
        sys.exit("run as root: umoci and tar keep owners only as root")
    build_image()
    paths, compressed = layers()
    out = f"{WORK}/out"
    bundlec = lambda out: sh(BUNDLEC, "apply", "spec.yaml", "--image", "oci:img:bench", "--bundle", out, "--state-dir", f"{WORK}/state")
    umoci = lambda out: sh("umoci", "unpack", "--image", "img:bench", out)
    results = measure([("bundlec apply --image", bundlec), ("umoci unpack", umoci), ("GNU tar -xzf, each layer", tar_all)], out)
    sh("umoci", "unpack", "--image", "img:bench", out)
    size = subprocess.run(["du", "-sb", f"{out}/rootfs"], capture_output=True, text=True, check=True).stdout.split()[0]
    files = subprocess.run(["find", f"{out}/rootfs"], capture_output=True, text=True, check=True).stdout.count("\n")
    clear(out)
    print(f"Image: {len(paths)} gzip layers, {compressed / 2**20:.0f} MiB compressed, {int(size) / 2**20:.0f} MiB and {files} entries unpacked; {RUNS} runs each, warm cache.\n")
    print("| Tool | Median | Min | Max | bundlec is |")
    print("|---|---|---|---|---|")
    ours = results[0][1]
    for name, median, low, high in results:
        ratio = "–" if name.startswith("bundlec") else f"{median / ours:.2f}× faster" if median > ours else f"{ours / median:.2f}× slower"
        print(f"| {name} | {median:.2f} s | {low:.2f} s | {high:.2f} s | {ratio} |")


if __name__ == "__main__":
    main()
