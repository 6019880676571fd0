#!/usr/bin/env python3
"""Runs a command many times and prints its median wall time: scripts/bench.sh's stand-in for
hyperfine. Each run is a spawn timed with perf_counter, from before the spawn to the reaped exit.
(Peak memory is not measured here: a child of Python inherits Python's RSS high-water mark across
exec, so bench.sh reads it with GNU time, /usr/bin/time -f %M, instead.)
Usage: measure_cmd.py RUNS WARMUP -- CMD [ARG...]   (stdout and stderr of CMD are discarded)
Prints one JSON line: {"median_ms", "min_ms", "max_ms", "runs"}.
"""

import json
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = child.wait()
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"measure_cmd: {' '.join(command)} exited {status}")
    return elapsed * 1000


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    runs, warmup, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[4:]
    for _ in range(warmup):
        run_once(command)
    times = [run_once(command) for _ in range(runs)]
    print(json.dumps({"median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3), "max_ms": round(max(times), 3), "runs": runs}))


if __name__ == "__main__":
    main()
