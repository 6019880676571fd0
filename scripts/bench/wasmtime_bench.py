#!/usr/bin/env python3
"""Per-compile time of the bundlec component in wasmtime (Python wasmtime 50.0.1), measured inside
the host: one instance, warm-up, then batches of compiles timed with perf_counter; the median per
compile over the batches. The same method as bench-loop (native) and node_bench.mjs (browser module).

Usage: wasmtime_bench.py INPUTS_DIR [--component PATH] [--specs minimal,typical,heavy]
       [--batches 31] [--batch-ms 20] [--warmup-ms 300]
Prints one JSON line per spec, one for `version()` (a call returning a short string), and one for
`call-floor`: compile of an empty spec, which the guest refuses at once with one diagnostic. The
floor is what this host (wasmtime-py lowers and lifts component values in Python, over ctypes)
spends per compile call whatever the guest does; a spec's median minus the floor estimates the time
inside the guest.
INPUTS_DIR is written by `cargo run -p bundlec-bench --bin bench-inputs -- DIR`.
"""

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "wasmtime"))
from compile import Compiler  # noqa: E402  (examples/wasmtime/compile.py: the whole host)


def measure(call, batches, batch_s, warmup_s):
    """Median, min and max seconds per call, and the calls per batch."""
    start = time.perf_counter()
    warm = 0
    while time.perf_counter() - start < warmup_s or warm < 10:
        call()
        warm += 1
    each = (time.perf_counter() - start) / warm
    per_batch = max(1, round(batch_s / each))
    samples = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(per_batch):
            call()
        samples.append((time.perf_counter() - start) / per_batch)
    return statistics.median(samples), min(samples), max(samples), per_batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs")
    parser.add_argument("--component", default=os.path.join(ROOT, "target", "wasm32-wasip2", "wasm", "bundlec_component.wasm"))
    parser.add_argument("--specs", default="minimal,typical,heavy")
    parser.add_argument("--batches", type=int, default=31)
    parser.add_argument("--batch-ms", type=float, default=20)
    parser.add_argument("--warmup-ms", type=float, default=300)
    args = parser.parse_args()

    def read(name):
        with open(os.path.join(args.inputs, name), encoding="utf-8") as file:
            return file.read()

    inventory = read("inventory.json")
    compiler = Compiler(args.component)
    settings = (args.batches, args.batch_ms / 1000, args.warmup_ms / 1000)
    for name in args.specs.split(","):
        spec = read(f"{name}.yaml")
        # `<spec>.options.json` when the spec has its own (heavy's passwd), else `options.json`.
        own = os.path.join(args.inputs, f"{name}.options.json")
        options = read(f"{name}.options.json") if os.path.exists(own) else read("options.json")
        config, diagnostics = compiler.compile(spec, inventory=inventory, options=options)
        if config is None:
            print(f"wasmtime_bench: {name} does not compile: {diagnostics}", file=sys.stderr)
            return 1
        median, low, high, per_batch = measure(lambda: compiler.compile(spec, inventory=inventory, options=options), *settings)
        print(json.dumps({"host": "wasmtime", "spec": name, "median_us": round(median * 1e6, 3), "min_us": round(low * 1e6, 3),
                          "max_us": round(high * 1e6, 3), "batches": args.batches, "per_batch": per_batch, "config_bytes": len(config.encode())}))
    for name, call in (("version()", compiler.version), ("call-floor", lambda: compiler.compile(""))):
        median, low, high, per_batch = measure(call, *settings)
        print(json.dumps({"host": "wasmtime", "spec": name, "median_us": round(median * 1e6, 3), "min_us": round(low * 1e6, 3),
                          "max_us": round(high * 1e6, 3), "batches": args.batches, "per_batch": per_batch}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
