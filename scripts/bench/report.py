#!/usr/bin/env python3
"""Turns the raw figures of scripts/bench.sh (a results directory) into the Markdown tables of
BENCHMARKS.md: the machine, the budgets and whether each holds, then every figure with the
command that reproduces it. Medians throughout; ratios are of medians.

Usage: report.py RESULTS_DIR
"""

import json
import os
import re
import statistics
import sys

BUDGETS = {
    "typical_us": 50.0,
    "wasmtime_ratio": 1.5,
    "wasmtime_rs_guest_ratio": 1.6,
    "node_ratio": 2.5,
    "scaling_ratio": 1.2,
    "floor_ratio": 4.0,
    "lstat_per_node": 1.05,
}


def load_json(path):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def read_text(path):
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError:
        return ""


def us(value, digits=1):
    if value is None:
        return "n/a"
    if value >= 10_000:
        return f"{value / 1000:,.1f} ms"
    return f"{value:,.{digits}f} µs"


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def fmt_ratio(value):
    return "n/a" if value is None else f"{value:.2f}x"


def verdict(value, budget):
    if value is None:
        return "not measured"
    return "**holds**" if value <= budget else "**misses**"


class Results:
    def __init__(self, directory):
        self.dir = directory
        self.machine = load_json(os.path.join(directory, "machine.json")) or {}
        self.skipped = [line for line in read_text(os.path.join(directory, "skipped.txt")).splitlines() if line]
        self.criterion = {}
        crit_dir = os.path.join(directory, "criterion")
        if os.path.isdir(crit_dir):
            for name in os.listdir(crit_dir):
                estimates = load_json(os.path.join(crit_dir, name))
                if estimates:
                    # nanoseconds -> microseconds
                    self.criterion[name[: -len(".json")]] = estimates["median"]["point_estimate"] / 1000
        self.allocations = {
            m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"allocations/(\w+): (\d+) bytes in (\d+) allocations", read_text(os.path.join(directory, "criterion.txt")))
        }
        self.hosts = {}
        self.rounds = {}
        for line in read_text(os.path.join(directory, "hosts.jsonl")).splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if "median_us" not in row:  # wasmtime-bench's `guest_us` lines: derived, not measured
                continue
            self.hosts.setdefault((row["host"], row["spec"]), []).append(row["median_us"])
            self.rounds[(row["host"], row["spec"], row.get("round"))] = row["median_us"]
        self.sizes = [line.split() for line in read_text(os.path.join(directory, "sizes.txt")).splitlines() if line.strip()]

    def crit(self, key):
        return self.criterion.get(key)

    def host(self, host, spec):
        values = self.hosts.get((host, spec))
        return statistics.median(values) if values else None

    def host_spread(self, host, spec):
        values = self.hosts.get((host, spec))
        if not values or len(values) < 2:
            return ""
        return f" ({us(min(values))} – {us(max(values))})"

    def host_ratio(self, host, spec, base="native"):
        """Median over rounds of host/base, each ratio taken within one round (same load)."""
        ratios = [value / self.rounds[(base, spec, rnd)] for (h, sp, rnd), value in self.rounds.items()
                  if h == host and sp == spec and self.rounds.get((base, spec, rnd))]
        return statistics.median(ratios) if ratios else None

    def guest_ratio(self, host, spec, base="native"):
        """Median over rounds of (spec - call floor) / base, all three from one round."""
        ratios = []
        for (h, sp, rnd), value in self.rounds.items():
            floor, native = self.rounds.get((host, "call-floor", rnd)), self.rounds.get((base, spec, rnd))
            if h == host and sp == spec and floor is not None and native:
                ratios.append((value - floor) / native)
        return statistics.median(ratios) if ratios else None

    def file(self, name):
        return load_json(os.path.join(self.dir, name))

    def count(self, name):
        text = read_text(os.path.join(self.dir, name)).strip()
        return int(text) if text.isdigit() else None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    r = Results(sys.argv[1])
    m = r.machine
    out = []
    say = out.append

    samples = [float(line.split()[0]) for line in read_text(os.path.join(r.dir, "load.txt")).splitlines() if line.strip()]
    during = f", 1-min load {min(samples):.2f}–{max(samples):.2f} at the {len(samples)} steps" if samples else ""
    load = f"load average {' '.join(m.get('load_before', ['?']))} before, {' '.join(m.get('load_after', ['?']))} after (1, 5, 15 min){during}"
    say(f"Machine: {m.get('nproc', '?')} CPUs, {m.get('cpu', '?')}, Linux {m.get('kernel', '?')}; {load}; "
        f"{m.get('rustc', '')}; Node {m.get('node', '?')}; wasmtime-py {m.get('wasmtime_py', '?')}; commit {m.get('commit', '?')}; "
        f"{m.get('date', '')}{'; --quick' if m.get('quick') else ''}; host rounds: {m.get('rounds', '?')}.")
    say("")

    typical = r.crit("compile-typical")
    native_raw = {spec: r.host("native", spec) for spec in ("minimal", "typical", "heavy")}
    wasmtime_ratio = r.host_ratio("wasmtime", "typical")
    rs_guest_ratio = r.guest_ratio("wasmtime-rs", "typical")
    node_ratio = r.host_ratio("node", "typical")
    per_service = {n: ratio(r.crit(f"scaling-{n}"), n) for n in (1, 10, 100, 1000, 10000)}
    scaling_ratio = ratio(per_service[10000], per_service[10])
    floor_ratio = ratio(typical, r.crit("phases-serde_json_floor"))
    tree = r.file("probe-tree.json")
    lstat_tree = tree["lstat_per_node"] if tree else None

    say("### Budgets (medians, this machine)")
    say("")
    say("| Budget | Measured | Verdict |")
    say("|---|---|---|")
    say(f"| typical compile <= 50 µs native (criterion `compile/typical`) | {us(typical)} | {verdict(typical, BUDGETS['typical_us'])} |")
    say(f"| component in wasmtime <= 1.5x native (typical) | {fmt_ratio(wasmtime_ratio)} | {verdict(wasmtime_ratio, BUDGETS['wasmtime_ratio'])} |")
    say(f"| component guest time <= 1.6x native (typical in the Rust wasmtime host minus its call floor) | {fmt_ratio(rs_guest_ratio)} | "
        f"{verdict(rs_guest_ratio, BUDGETS['wasmtime_rs_guest_ratio'])} |")
    say(f"| browser module in Node <= 2.5x native (typical) | {fmt_ratio(node_ratio)} | {verdict(node_ratio, BUDGETS['node_ratio'])} |")
    say(f"| per-service time at N=10000 within 1.2x of N=10 | {fmt_ratio(scaling_ratio)} | {verdict(scaling_ratio, BUDGETS['scaling_ratio'])} |")
    say(f"| compile <= 4x the serialization floor (typical) | {fmt_ratio(floor_ratio)} | {verdict(floor_ratio, BUDGETS['floor_ratio'])} |")
    say(f"| probe <= 1.05 lstat per device node (2,000-node tree) | {'n/a' if lstat_tree is None else f'{lstat_tree:.3f}'} | {verdict(lstat_tree, BUDGETS['lstat_per_node'])} |")
    say("")

    say("### Compile, native (criterion, pre-parsed inventory and options)")
    say("")
    say("| Spec | Time per compile | Bytes allocated per compile | Allocations per compile | Config bytes |")
    say("|---|---|---|---|---|")
    config_bytes = {}
    for line in read_text(os.path.join(r.dir, "hosts.jsonl")).splitlines():
        try:
            row = json.loads(line)
            if "config_bytes" in row:
                config_bytes[row["spec"]] = row["config_bytes"]
        except ValueError:
            pass
    for spec in ("minimal", "typical", "heavy"):
        alloc = r.allocations.get(spec)
        say(f"| {spec} | {us(r.crit(f'compile-{spec}'))} | {'n/a' if not alloc else f'{alloc[0]:,}'} | "
            f"{'n/a' if not alloc else f'{alloc[1]:,}'} | {config_bytes.get(spec, 'n/a')} |")
    say("")
    say("Reproduce: `cargo bench -p bundlec-bench --bench compile -- compile/` (the allocation lines are printed first).")
    say("")

    parse, serialize, floor = r.crit("phases-parse"), r.crit("phases-canonical_json"), r.crit("phases-serde_json_floor")
    say("### Where the time goes (typical spec, native)")
    say("")
    say("| Phase | Median | Share of compile |")
    say("|---|---|---|")
    if typical and parse and serialize:
        compiling = typical - parse - serialize
        say(f"| parse the spec (`spec::parse`) | {us(parse)} | {parse / typical:.0%} |")
        say(f"| compile the sections (the rest) | {us(compiling)} | {compiling / typical:.0%} |")
        say(f"| serialize (`canonical::to_json`) | {us(serialize)} | {serialize / typical:.0%} |")
        say(f"| **compile, total** | {us(typical)} | 100% |")
        say(f"| floor: `serde_json::to_string_pretty` of the same `Spec` | {us(floor)} | total = {fmt_ratio(floor_ratio)} the floor |")
    else:
        say("| (criterion did not run) | n/a | n/a |")
    say("")
    say("Reproduce: `cargo bench -p bundlec-bench --bench compile -- 'compile/typical|phases/'`.")
    say("")

    say("### Scaling: N services compiled one after another (`compile_all`, one parse)")
    say("")
    say("| N | Time for all | Per service | Per service vs N=10 |")
    say("|---|---|---|---|")
    for n in (1, 10, 100, 1000, 10000):
        say(f"| {n:,} | {us(r.crit(f'scaling-{n}'))} | {us(per_service[n])} | {fmt_ratio(ratio(per_service[n], per_service[10]))} |")
    say("")
    say("Reproduce: `cargo bench -p bundlec-bench --bench compile -- scaling/`.")
    say("")

    say("### The same specs in each host (per-compile median inside the host, after warm-up)")
    say("")
    say("Each call takes the spec, inventory and options as text (`compile_raw`), as the bindings do; "
        "native here is therefore slower than criterion's pre-parsed `compile`. "
        "Parenthesized: the lowest and highest round median. A ratio is the median over rounds of the ratio within a round "
        "(the hosts run one after another in each round, so a burst of load hits them alike).")
    say("")
    say("| Spec | Native (`bench-loop`) | Component in wasmtime-py | vs native | Component in wasmtime, Rust host | vs native "
        "| Browser module in Node | vs native |")
    say("|---|---|---|---|---|---|---|---|")
    for spec in ("minimal", "typical", "heavy"):
        native, wt, rs, node = native_raw[spec], r.host("wasmtime", spec), r.host("wasmtime-rs", spec), r.host("node", spec)
        say(f"| {spec} | {us(native)}{r.host_spread('native', spec)} | {us(wt)}{r.host_spread('wasmtime', spec)} | {fmt_ratio(r.host_ratio('wasmtime', spec))} | "
            f"{us(rs)}{r.host_spread('wasmtime-rs', spec)} | {fmt_ratio(r.host_ratio('wasmtime-rs', spec))} | "
            f"{us(node)}{r.host_spread('node', spec)} | {fmt_ratio(r.host_ratio('node', spec))} |")
    say(f"| host floor: `version()` | – | {us(r.host('wasmtime', 'version()'), 2)} | | {us(r.host('wasmtime-rs', 'version()'), 2)} | "
        f"| {us(r.host('node', 'version()'), 2)} | |")
    say(f"| host floor: compile of an empty spec (one diagnostic back) | – | {us(r.host('wasmtime', 'call-floor'))} | | "
        f"{us(r.host('wasmtime-rs', 'call-floor'), 2)} | | | |")
    for spec in ("minimal", "typical", "heavy"):
        cells = []
        for host in ("wasmtime", "wasmtime-rs"):
            floor_call, value = r.host(host, "call-floor"), r.host(host, spec)
            guest = value - floor_call if floor_call is not None and value is not None else None
            cells.append(f"{us(guest)} | {fmt_ratio(r.guest_ratio(host, spec))}")
        say(f"| {spec} minus the host's floor (time in the guest) | – | {cells[0]} | {cells[1]} | | |")
    say("")
    say("Reproduce: `cargo run --release -p bundlec-bench --bin bench-inputs -- DIR`, then "
        "`target/release/bench-loop DIR`, `python3 scripts/bench/wasmtime_bench.py DIR`, `node scripts/bench/node_bench.mjs DIR` "
        "(after `scripts/wasm/build.sh`), `bench/wasmtime-host/target/release/wasmtime-bench DIR` "
        "(after `cargo build --release` in bench/wasmtime-host, bench/wasmtime-host/README.md).")
    say("")

    if r.sizes:
        say("### WebAssembly sizes (profile `wasm`)")
        say("")
        say("| Artifact | Raw | gzip -9 |")
        say("|---|---|---|")
        for name, raw, gz in r.sizes:
            say(f"| {name} | {int(raw):,} B | {int(gz):,} B |")
        say("")
        say("Reproduce: `scripts/wasm/build.sh && scripts/wasm/sizes.sh`.")
        say("")

    say("### Probe: the /dev walk")
    say("")
    say("| Tree | Device nodes | lstat calls (walk) | lstat per node | stat-family syscalls, whole command (strace -c -f) | per node | Walk time per node | Whole `bundlec probe` |")
    say("|---|---|---|---|---|---|---|---|")
    dev = r.file("probe-dev.json")
    tree_cmd = r.file("probe-tree-cmd.json")
    for label, data, strace, cmd in (("prepared, 2,000 nodes", tree, r.count("strace-tree.count"), tree_cmd), ("this machine's /dev", dev, r.count("strace-dev.count"), None)):
        if not data:
            say(f"| {label} | n/a | n/a | n/a | n/a | n/a | n/a | n/a |")
            continue
        nodes = data["device_nodes"]
        strace_cell = "n/a" if strace is None else f"{strace:,}"
        strace_per = "n/a" if strace is None else f"{strace / nodes:.3f}"
        cmd_cell = "–" if not cmd else f"{cmd['median_ms']:.2f} ms"
        say(f"| {label} | {nodes:,} ({data['links']} links) | {data['lstat']:,} | {data['lstat_per_node']:.3f} | {strace_cell} | {strace_per} | "
            f"{data['median_per_node_us']:.2f} µs | {cmd_cell} |")
    say("")
    say("Reproduce: `sudo scripts/bench/make-dev-tree.sh /tmp/t 2000 && cargo run --release -p bundlec-bench --example probe_scan -- /tmp/t` "
        "(and `-- /` for this machine); `strace -f -c -o s.txt target/release/bundlec probe --root /tmp/t -o /tmp/inv.json`.")
    say("")

    say("### The whole command: `bundlec compile typical.yaml` (release build, a process per compile)")
    say("")
    compile_hf = r.file("cli-compile.hyperfine.json")
    floor_hf = r.file("cli-floor.hyperfine.json")
    if compile_hf:
        compile_ms = compile_hf["results"][0]["median"] * 1000
        floor_ms = floor_hf["results"][0]["median"] * 1000 if floor_hf else None
        tool = "hyperfine -N"
    else:
        compile_cmd, floor_cmd = r.file("cli-compile.json"), r.file("cli-floor.json")
        compile_ms = compile_cmd["median_ms"] if compile_cmd else None
        floor_ms = floor_cmd["median_ms"] if floor_cmd else None
        tool = "scripts/bench/measure_cmd.py"
    rss = [int(line) for line in read_text(os.path.join(r.dir, "cli-rss.txt")).split() if line.isdigit()]
    say("| Figure | Median |")
    say("|---|---|")
    say(f"| wall time, `bundlec compile` ({tool}) | {'n/a' if compile_ms is None else f'{compile_ms:.2f} ms'} |")
    say(f"| wall time, `bundlec --version` (process start floor) | {'n/a' if floor_ms is None else f'{floor_ms:.2f} ms'} |")
    say(f"| peak RSS (GNU time %M, {len(rss)} runs) | {'n/a' if not rss else f'{statistics.median(rss) / 1024:.1f} MiB'} |")
    say("")
    say("Reproduce: `hyperfine -N --warmup 20 'target/release/bundlec compile DIR/typical.yaml --inventory DIR/inventory.json "
        "--volume data=/v/data --volume /cache=/v/cache -o /tmp/config.json'`; `/usr/bin/time -v` of the same.")
    if r.skipped:
        say("")
        say("Skipped: " + "; ".join(r.skipped) + ".")
    print("\n".join(out))


if __name__ == "__main__":
    main()
