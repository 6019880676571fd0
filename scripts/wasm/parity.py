#!/usr/bin/env python3
"""WebAssembly parity: the component (wasmtime) and the browser module (Node) give the native bytes.

- every tests/golden case: both wasm builds give exactly its expected.json, and the same warnings;
- every tests/errors case: both wasm builds fail with the same diagnostics (every field, end
  positions included), those include the case's expected ones, and equal the native
  `bundlec compile --diagnostics json` ones wherever the case's options can be said with the
  command's flags;
- every corpus spec: `outline` gives the same answer in the component, the browser module and the
  native core (web/examples/native_outline.rs), with well-formed ranges;
- every diagnostic has all four of line, column, endLine, endColumn or none, the end not before
  the start;
- the component's imports stay within what Rust's std needs (no files, clocks or sockets);
- properties: --fuzz seeded random and mutated specs never trap, give the same bytes twice, and
  the same result in both builds; their outlines agree in all three.

Run scripts/wasm/build.sh first. Missing tools fail the run under CI=true; elsewhere they skip it.
The closing line is `N passed, N failed`.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEB_PKG = os.path.join(ROOT, "web", "pkg")
# Cargo's target folder: CARGO_TARGET_DIR when set, as cargo itself reads it.
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
COMPONENT = os.path.join(TARGET, "wasm32-wasip2", "wasm", "bundlec_component.wasm")
RUNNER = os.path.join(ROOT, "scripts", "wasm", "web-runner.mjs")
TESTS = os.path.join(ROOT, "tests")
IN_CI = os.environ.get("CI") in ("true", "1")
# What the component may import: the parts of WASI p2 that Rust's std links for stdio, exit,
# environment and HashMap seeds. Anything else (files, clocks, sockets, http) is a regression.
ALLOWED_IMPORT_PREFIXES = ("wasi:io/", "wasi:cli/", "wasi:random/insecure-seed@")
EXPORT = "bundlec:compiler/compiler@0.4.0"
REQUEST_FIELDS = ("spec", "service", "replica", "inventory", "imageConfig", "options")
# Option keys the `bundlec compile` flags can express (see native_args).
CLI_OPTIONS = {"gpuIndices", "hostNetwork", "hostname", "env", "secrets", "volumes", "hostEnv", "passwd", "group"}


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, problems):
        if problems:
            self.failed.append(name)
            print(f"FAIL {name}")
            for problem in problems:
                print("     " + problem.replace("\n", "\n     "))
        else:
            self.passed += 1

    def close(self, skipped=0):
        tail = f", {skipped} skipped" if skipped else ""
        print(f"{self.passed} passed, {len(self.failed)} failed{tail}")
        return 1 if self.failed else 0


# ---- the corpus (tests/CORPUS.md) ----------------------------------------------------------


def read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


def load_case(directory):
    """The request of a corpus case, with JSON documents as text, as every binding receives it."""
    spec_file = "spec.json" if os.path.exists(os.path.join(directory, "spec.json")) else "spec.yaml"
    request = {"spec": read(os.path.join(directory, spec_file))}
    case_path = os.path.join(directory, "case.json")
    fields = json.loads(read(case_path)) if os.path.exists(case_path) else {}
    if "service" in fields:
        request["service"] = fields["service"]
    if "replica" in fields:
        request["replica"] = fields["replica"]
    if "inventory" in fields:
        request["inventory"] = read(os.path.join(TESTS, "inventories", fields["inventory"] + ".json"))
    if "imageConfig" in fields:
        request["imageConfig"] = json.dumps(fields["imageConfig"])
    options = dict(fields.get("options", {}))
    for key in ("passwd", "group"):
        if key in fields:
            options[key] = read(os.path.join(TESTS, "inventories", f"{fields[key]}.{key}"))
    if "options" in fields or options:
        request["options"] = json.dumps(options)
    return {
        "name": os.path.basename(directory),
        "dir": directory,
        "spec_path": os.path.join(directory, spec_file),
        "request": request,
        "expected": read(expected) if os.path.exists(expected := os.path.join(directory, "expected.json")) else None,
    }


def cases(kind):
    root = os.path.join(TESTS, kind)
    if not os.path.isdir(root):
        return []
    return [load_case(os.path.join(root, d)) for d in sorted(os.listdir(root)) if os.path.isdir(os.path.join(root, d))]


# ---- the three compilers -------------------------------------------------------------------


class ComponentRunner:
    """The component in wasmtime, through examples/wasmtime/compile.py; a trap gets a fresh instance."""

    def __init__(self, compiler_class):
        self._class = compiler_class
        self.compiler = compiler_class(COMPONENT, fuel=FUEL)

    def compile(self, request):
        try:
            config, diagnostics = self.compiler.compile(
                request["spec"],
                service=request.get("service"),
                replica=request.get("replica"),
                inventory=request.get("inventory"),
                image_config=request.get("imageConfig"),
                options=request.get("options"),
            )
            return {"ok": config is not None, "config": config, "diagnostics": diagnostics}
        except Exception as error:  # a trap, out of fuel, or a value the host cannot lower
            self.compiler = self._class(COMPONENT, fuel=FUEL)
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            cause = next((line for line in lines if "trap" in line), lines[-1] if lines else "")
            return {"trap": f"{type(error).__name__}: {cause}"}

    def outline(self, spec):
        try:
            outline, diagnostics = self.compiler.outline(spec)
            return {"ok": outline is not None, "outline": outline, "diagnostics": diagnostics}
        except Exception as error:
            self.compiler = self._class(COMPONENT, fuel=FUEL)
            return {"trap": f"{type(error).__name__}: {str(error).strip().splitlines()[-1:]}"}


FUEL = 20_000_000_000  # far above any real compile; a hang becomes a reported trap


def run_web(requests, as_objects=False):
    """All requests through the browser module in one Node process; returns (version, results)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump([{"request": clean(r), "asObjects": as_objects} for r in requests], file)
        path = file.name
    try:
        done = subprocess.run(["node", RUNNER, WEB_PKG, path], capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(path)
    if done.returncode != 0:
        raise RuntimeError(f"node {RUNNER} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    output = json.loads(done.stdout)
    return output["version"], output["results"]


def clean(request):
    return {key: request[key] for key in REQUEST_FIELDS if request.get(key) is not None}


def web_outline(entry):
    return web_result(entry["outline"])


def web_result(entry):
    if "threw" in entry:
        return {"trap": "threw " + entry["threw"]}
    result = dict(entry["result"])
    if entry["undefinedAt"]:
        result["undefined"] = entry["undefinedAt"]
    return result


def native_args(case, workdir):
    """`bundlec compile` arguments and environment for a case, or None when a flag is missing for one of its options."""
    request = case["request"]
    options = json.loads(request.get("options") or "{}")
    if not isinstance(options, dict) or not set(options) <= CLI_OPTIONS:
        return None
    # The command always gives a Compose file's folder as its project folder: a case about a
    # missing one has no command line.
    if '"no-project-dir"' in (case.get("expected") or ""):
        return None
    args = [case["spec_path"], "--diagnostics", "json"]
    if "service" in request:
        args += ["--service", request["service"]]
    if "replica" in request:
        args += ["--replica", str(request["replica"])]
    if "inventory" in request:
        args += ["--inventory", write(workdir, "inventory.json", request["inventory"])]
    if "imageConfig" in request:
        args += ["--image-config", write(workdir, "image.json", request["imageConfig"])]
    try:
        if options.get("hostNetwork") is True:
            args.append("--host-network")
        elif options.get("hostNetwork") not in (None, False):
            return None
        if "hostname" in options:
            args += ["--hostname", options["hostname"]]
        for key, value in options.get("env", {}).items():
            if not key or "=" in key:  # the flag splits at the first `=`
                return None
            args += ["--env", f"{key}={value}"]
        for index in options.get("gpuIndices") or []:
            args += ["--gpu", str(index)]
        for name, path in options.get("volumes", {}).items():
            if not path.startswith("/"):
                return None
            args += ["--volume", f"{name}={path}"]
        for name, value in options.get("secrets", {}).items():
            # @FILE drops one final newline, so the file holds the value and one more.
            args += ["--secret", f"{name}=@" + write(workdir, f"secret-{len(args)}", value + "\n")]
        if "passwd" in options or "group" in options:
            rootfs = os.path.join(workdir, "rootfs")
            os.makedirs(os.path.join(rootfs, "etc"), exist_ok=True)
            for key in ("passwd", "group"):
                if key in options:
                    write(os.path.join(rootfs, "etc"), key, options[key])
            args += ["--rootfs", rootfs]
        env = {str(k): str(v) for k, v in options.get("hostEnv", {}).items()}
    except (AttributeError, TypeError):
        return None
    if any("=" in k or not k or "\0" in k + v for k, v in env.items()):
        return None
    return args, env


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    return path


def native_outlines(specs):
    """`bundlec_core::outline` of each spec, natively (web/examples/native_outline.rs); None when
    the example cannot be built (the reason printed)."""
    build = ["cargo", "build", "-q", "-p", "bundlec-web", "--example", "native_outline"]
    done = subprocess.run(build, cwd=ROOT, capture_output=True, text=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "debug", "examples", "native_outline")
    if done.returncode != 0 or not os.path.exists(binary):
        print(f"cannot build the native outline example:\n{done.stderr[-3000:]}")
        return None
    done = subprocess.run([binary], input=json.dumps(specs), capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        print(f"the native outline example failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return None
    return json.loads(done.stdout)


def native_diagnostics(binary, case):
    with tempfile.TemporaryDirectory() as workdir:
        prepared = native_args(case, workdir)
        if prepared is None:
            return None
        args, env = prepared
        done = subprocess.run([binary, "compile", *args], capture_output=True, text=True, env=env, timeout=60)
        if done.returncode == 0:
            return {"ok": True, "diagnostics": []}
        try:
            return {"ok": False, "diagnostics": json.loads(done.stderr)["diagnostics"], "status": done.returncode}
        except (ValueError, KeyError):
            return {"ok": False, "unreadable": f"exit {done.returncode}: {done.stderr[-2000:]}"}


# ---- checks --------------------------------------------------------------------------------


def trap_problems(label, result):
    problems = []
    if "trap" in result:
        problems.append(f"{label}: {result['trap']}")
    if result.get("undefined"):
        problems.append(f"{label}: undefined (not null) at {', '.join(result['undefined'])}")
    return problems


def position_problems(diagnostics):
    """Each diagnostic has all four of line, column, endLine, endColumn or none; 1-based; end >= start."""
    problems = []
    for d in diagnostics:
        where = [d["line"], d["column"], d["endLine"], d["endColumn"]]
        if all(value is None for value in where):
            continue
        if any(value is None for value in where) or min(where) < 1 or (d["endLine"], d["endColumn"]) < (d["line"], d["column"]):
            problems.append(f"bad range {where} in {located(d)}")
    return problems


def span_problems(outline):
    problems = []
    for service in outline["services"]:
        spans = [service["span"]] + [item["span"] for key in ("secrets", "hostEnv", "volumes") for item in service[key]]
        for span in spans:
            start, end = (span["line"], span["column"]), (span["endLine"], span["endColumn"])
            if min(start) < 1 or end <= start:
                problems.append(f"service {service['name']}: bad span {span}")
        for key in ("secrets", "hostEnv"):
            names = [item["name"] for item in service[key]]
            if len(set(names)) != len(names):
                problems.append(f"service {service['name']}: {key} repeats a name: {names}")
        keys = [volume["key"] for volume in service["volumes"]]
        if len(set(keys)) != len(keys):
            problems.append(f"service {service['name']}: volumes repeat a key: {keys}")
    return problems


def check_outline(component, web, native):
    """The same outline in the component, the browser module and natively (when built)."""
    problems = trap_problems("component outline", component) + trap_problems("browser outline", web)
    if problems:
        return problems
    if component != web:
        problems.append(f"component and browser outlines differ: {json.dumps(component)[:600]}\n vs {json.dumps(web)[:600]}")
    if native is not None and native != component:
        problems.append(f"native and wasm outlines differ: {json.dumps(native)[:600]}\n vs {json.dumps(component)[:600]}")
    if component["ok"]:
        problems += span_problems(component["outline"])
        if component["diagnostics"]:
            problems.append("an outline came with diagnostics")
    elif component["outline"] is not None or not any(d["severity"] == "error" for d in component["diagnostics"]):
        problems.append("a failed outline must have no outline and an error")
    return problems + position_problems(component["diagnostics"])


def located(diagnostic):
    return (diagnostic["code"], diagnostic["path"], diagnostic["line"], diagnostic["column"])


def show(diagnostics):
    return "\n".join(
        f"  {d['severity']} {d['code']} at `{d['path']}` {d['line']}:{d['column']}: {d['message']}" for d in diagnostics
    ) or "  (none)"


def first_difference(expected, actual):
    for number, (a, b) in enumerate(zip(expected.splitlines(), actual.splitlines()), 1):
        if a != b:
            return f"line {number}: expected {a!r}, got {b!r}"
    return f"lengths {len(expected)} and {len(actual)}"


def check_golden(case, component, web, web_objects):
    if case["expected"] is None:
        return ["expected.json is missing"]
    problems = []
    for label, result in (("component", component), ("browser", web), ("browser (objects)", web_objects)):
        problems += trap_problems(label, result)
        if "trap" in result:
            continue
        if not result["ok"]:
            problems.append(f"{label}: the compile failed:\n{show(result['diagnostics'])}")
        elif result["config"] != case["expected"]:
            problems.append(f"{label}: config differs from expected.json ({first_difference(case['expected'], result['config'])})")
    if "trap" not in component:
        problems += position_problems(component["diagnostics"])
    if "trap" not in component and "trap" not in web and component["diagnostics"] != web["diagnostics"]:
        problems.append(f"warnings differ:\ncomponent:\n{show(component['diagnostics'])}\nbrowser:\n{show(web['diagnostics'])}")
    return problems


def check_error(case, component, web, native):
    problems = trap_problems("component", component) + trap_problems("browser", web)
    if case["expected"] is None:
        problems.append("expected.json is missing")
    if problems:
        return problems
    expected = [located(d) for d in json.loads(case["expected"])["diagnostics"]]
    for label, result in (("component", component), ("browser", web)):
        if result["ok"]:
            problems.append(f"{label}: compiled, but the case must fail")
        found = [located(d) for d in result["diagnostics"]]
        for want in expected:
            if want not in found:
                problems.append(f"{label}: missing {want}; got:\n{show(result['diagnostics'])}")
    problems += position_problems(component["diagnostics"])
    if component["diagnostics"] != web["diagnostics"]:
        problems.append(f"diagnostics differ:\ncomponent:\n{show(component['diagnostics'])}\nbrowser:\n{show(web['diagnostics'])}")
    if native is not None:
        if "unreadable" in native:
            problems.append(f"native: {native['unreadable']}")
        elif native["diagnostics"] != component["diagnostics"]:
            problems.append(f"native diagnostics differ:\nnative:\n{show(native['diagnostics'])}\nwasm:\n{show(component['diagnostics'])}")
    return problems


def check_property(first, second, web):
    problems = trap_problems("component", first) + trap_problems("component (again)", second) + trap_problems("browser", web)
    if problems:
        return problems
    if first != second:
        problems.append("component: a second compile gave another result")
    if first != web:
        problems.append(f"component and browser differ: {json.dumps(first)[:600]}\n vs {json.dumps(web)[:600]}")
    if first["ok"]:
        if not first["config"].endswith("}\n"):
            problems.append("config does not end with `}\\n`")
        else:
            json.loads(first["config"])
    elif not any(d["severity"] == "error" for d in first["diagnostics"]):
        problems.append("failed without an error diagnostic")
    return problems + position_problems(first["diagnostics"])


# ---- the property generator ----------------------------------------------------------------

KEYS = [
    "version", "deployment", "services", "image", "name", "command", "entrypoint", "args", "workdir", "env",
    "resources", "cpu", "memory", "pids_limit", "cpuset", "gpu", "vendor", "count", "devices", "path", "storage",
    "type", "source", "target", "readonly", "size", "mode", "capabilities", "cap_drop", "privileged", "user",
    "extra_groups", "hostname", "dns", "extra_hosts", "sysctls", "ulimits", "nofile", "soft", "hard",
    "security_opt", "labels", "network_mode", "scale", "replicas", "privilegd", "rtype", "endpoints", "tmpfs",
]
SCALARS = [
    "v1", "api", "1", "0", "-1", "1.5", "1e400", ".inf", ".nan", "~", "null", "true", "no", "0o777", "0x1F",
    "1777", "99999999999999999999999", "512Mi", "1.5Gi", "5m", "16Ei", "/dev/null", "/tmp/../etc", "'quoted'",
    '"esc\\u0000aped"', "$S:db/password", "$E:HOME", "ALL", "NET_ADMIN", "nvidia", "amd", "1000:1000", "root",
    "héllo", "\u202e", "\U0001F600", "a" * 300, "!!binary MTAwMA==", "*alias", "&anchor x", "[", "{", "}", "]",
    "- item", "|\n  block", ">-\n  folded", "#comment", "\t", "\r", "\ufeff", "---", "...", "? key",
]


def random_yaml(rng, depth=0):
    lines = []
    indent = "  " * depth
    for _ in range(rng.randint(1, 6)):
        key = rng.choice(KEYS)
        roll = rng.random()
        if roll < 0.3 and depth < 6:
            lines.append(f"{indent}{key}:")
            lines.append(random_yaml(rng, depth + 1))
        elif roll < 0.45:
            items = ", ".join(rng.choice(SCALARS) for _ in range(rng.randint(0, 4)))
            lines.append(f"{indent}{key}: [{items}]")
        elif roll < 0.55:
            pairs = ", ".join(f"{rng.choice(KEYS)}: {rng.choice(SCALARS)}" for _ in range(rng.randint(0, 3)))
            lines.append(f"{indent}{key}: {{{pairs}}}")
        elif roll < 0.65:
            lines.append(f"{indent}{key}:")
            for _ in range(rng.randint(1, 3)):
                lines.append(f"{indent}  - {rng.choice(SCALARS)}")
        else:
            lines.append(f"{indent}{key}: {rng.choice(SCALARS)}")
    return "\n".join(lines)


def mutate(rng, text):
    for _ in range(rng.randint(1, 4)):
        if not text:
            return rng.choice(SCALARS)
        lines = text.split("\n")
        op = rng.randrange(9)
        at = rng.randrange(len(text))
        if op == 0:  # delete a span
            text = text[:at] + text[at + rng.randint(1, 40):]
        elif op == 1:  # insert a token
            text = text[:at] + rng.choice(SCALARS + KEYS + [": ", "\n  ", "- "]) + text[at:]
        elif op == 2:  # duplicate a line
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 3:  # swap two lines
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 4:  # re-indent a line
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randint(0, 9) + lines[i].lstrip(" ")
            text = "\n".join(lines)
        elif op == 5:  # replace a scalar after a colon
            i = rng.randrange(len(lines))
            if ": " in lines[i]:
                lines[i] = lines[i].split(": ", 1)[0] + ": " + rng.choice(SCALARS)
            text = "\n".join(lines)
        elif op == 6:  # truncate
            text = text[:at]
        elif op == 7:  # flip one character
            text = text[:at] + chr(rng.choice([0, 9, 10, 13, 34, 38, 42, 58, 91, 123, 0xFEFF, 0x1F600])) + text[at + 1:]
        else:  # insert a random printable byte sequence
            text = text[:at] + "".join(chr(rng.randint(32, 126)) for _ in range(rng.randint(1, 8))) + text[at:]
    return text


def gentle(rng, text):
    """A small change that often still compiles: another digit, or one leaf line less."""
    lines = text.split("\n")
    if rng.random() < 0.5:
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        if digits:
            at = rng.choice(digits)
            return text[:at] + str(rng.randint(0, 9)) + text[at + 1:]
    leaves = [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":") and i > 3]
    if leaves:
        del lines[rng.choice(leaves)]
    return "\n".join(lines)


def pathological(rng):
    n = rng.choice([200, 2000, 20000])
    shapes = [
        "[" * n + "]" * n,
        "{a: " * n + "1" + "}" * n,
        "".join("  " * i + "a:\n" for i in range(min(n, 3000))),
        "version: v1\ndeployment: big\nservices:\n" + "".join(f"  s{i}:\n    image: {{name: x}}\n" for i in range(n // 10)),
        "a: &a [" + ", ".join(["x"] * 50) + "]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i-1}'}, *{'a' if i == 0 else f'b{i-1}'}]\n" for i in range(30)),
        "version: v1\ndeployment: long\nservices:\n  " + "k" * (n * 10) + ":\n    image: {name: x}\n",
        "- " * n + "x",
    ]
    return rng.choice(shapes)


def property_requests(count, seed, corpus):
    rng = random.Random(seed)
    requests = []
    golden = [case for case in corpus if "/golden/" in case["dir"]] or corpus
    for _ in range(count):
        roll = rng.random()
        base = dict(rng.choice(corpus)["request"]) if corpus else {"spec": ""}
        if roll < 0.3 and golden:
            base = dict(rng.choice(golden)["request"])
            base["spec"] = gentle(rng, base["spec"])
        elif roll < 0.55:
            base["spec"] = mutate(rng, base["spec"])
        elif roll < 0.8:
            header = rng.choice(["", "version: v1\ndeployment: fuzz\nservices:\n  api:\n"])
            base = {"spec": header + random_yaml(rng, 2 if header else 0)}
        elif roll < 0.9:
            base["spec"] = pathological(rng)
        else:
            field = rng.choice(["inventory", "imageConfig", "options"])
            base[field] = mutate(rng, base.get(field) or "{}")
        if rng.random() < 0.1:
            base["replica"] = rng.choice([0, 1, 2, 7, 4294967295])
        requests.append(base)
    return requests


# ---- main ----------------------------------------------------------------------------------


def preflight():
    """What stops the run: (missing tools, missing or stale artifacts)."""
    problems = []
    try:
        sys.path.insert(0, os.path.join(ROOT, "examples", "wasmtime"))
        import compile as host  # examples/wasmtime/compile.py

        preflight.host = host
    except ImportError as error:
        problems.append(f"the Python wasmtime package is missing ({error}); pip install -r examples/wasmtime/requirements.txt")
    if shutil.which("node") is None:
        problems.append("node is missing")
    # The inputs of both artifacts: a stale build would compare yesterday's compiler.
    sources = [
        os.path.join(d, f)
        for sub in ("core/src", "core/wit", "core/schema", "web/src", "web/types", "component/src")
        for d, _, files in os.walk(os.path.join(ROOT, sub))
        for f in files
    ]
    newest = max((os.path.getmtime(path) for path in sources), default=0)
    tools, problems = problems, []
    for path in (COMPONENT, os.path.join(WEB_PKG, "bundlec_web.js"), os.path.join(WEB_PKG, "bundlec_web_bg.wasm")):
        if not os.path.exists(path):
            problems.append(f"{os.path.relpath(path, ROOT)} is missing; run scripts/wasm/build.sh")
        elif os.path.getmtime(path) < newest:
            problems.append(f"{os.path.relpath(path, ROOT)} is older than the sources; run scripts/wasm/build.sh")
    return tools, problems


def build_native():
    """The debug `bundlec` binary, built here; None (with the reason printed) when it cannot be built."""
    done = subprocess.run(["cargo", "build", "-q", "-p", "bundlec"], cwd=ROOT, capture_output=True, text=True)
    binary = os.path.join(TARGET, "debug", "bundlec")
    if done.returncode != 0 or not os.path.exists(binary):
        print(f"cannot build the native `bundlec`:\n{done.stderr[-3000:]}")
        return None
    return binary


def main():
    parser = argparse.ArgumentParser(description="bundlec WebAssembly parity")
    parser.add_argument("--fuzz", type=int, default=200, help="property cases (default 200)")
    parser.add_argument("--seed", type=int, default=20260101, help="seed of the property generator")
    parser.add_argument("--no-native", action="store_true", help="skip the native `bundlec` comparison")
    args = parser.parse_args()
    results = Results()

    tools, artifacts = preflight()
    if tools and not IN_CI:
        print("SKIP wasm parity: " + "; ".join(tools))
        return results.close(skipped=1)
    if tools or artifacts:
        results.check("preflight", tools + artifacts)
        return results.close()
    host = preflight.host
    component = ComponentRunner(lambda path, fuel: host.Compiler(path, fuel=fuel))

    # The component's surface.
    import wasmtime
    from wasmtime import component as wc

    engine = wasmtime.Engine()
    loaded = wc.Component.from_file(engine, COMPONENT)
    imports = sorted(loaded.type.imports(engine))
    exports = sorted(loaded.type.exports(engine))
    print("component imports: " + ", ".join(imports))
    surprising = [name for name in imports if not name.startswith(ALLOWED_IMPORT_PREFIXES)]
    results.check("component imports only std's WASI needs", [f"unexpected import {n}" for n in surprising])
    results.check("component exports the compiler", [] if exports == [EXPORT] else [f"exports {exports}"])

    golden, errors = cases("golden"), cases("errors")
    everything = golden + errors
    web_version, web_results = run_web([c["request"] for c in everything])
    _, web_object_results = run_web([c["request"] for c in golden], as_objects=True)
    cargo_version = next(
        line.split('"')[1] for line in read(os.path.join(ROOT, "Cargo.toml")).splitlines() if line.startswith("version =")
    )
    versions = {"component": component.compiler.version(), "browser": web_version, "Cargo.toml": cargo_version}
    results.check("versions agree", [] if len(set(versions.values())) == 1 else [str(versions)])

    if not golden:
        results.check("golden corpus present", ["tests/golden has no case"])
    for index, case in enumerate(golden):
        results.check(
            f"golden/{case['name']}",
            check_golden(case, component.compile(case["request"]), web_result(web_results[index]), web_result(web_object_results[index])),
        )

    native_binary = None if args.no_native else build_native()
    if native_binary is None and not args.no_native:
        results.check("native bundlec builds", ["see above"] if IN_CI else [])
    if not errors:
        results.check("error corpus present", ["tests/errors has no case"])
    compared_natively = 0
    for index, case in enumerate(errors):
        native = native_diagnostics(native_binary, case) if native_binary else None
        compared_natively += native is not None
        results.check(
            f"errors/{case['name']}",
            check_error(case, component.compile(case["request"]), web_result(web_results[len(golden) + index]), native),
        )
    print(f"error cases compared with the native command: {compared_natively} of {len(errors)} (the rest use options it has no flag for)")

    specs = [case["request"]["spec"] for case in everything]
    native_outline = None if args.no_native else native_outlines(specs)
    if native_outline is None and not args.no_native:
        results.check("native outline example builds", ["see above"] if IN_CI else [])
    for index, case in enumerate(everything):
        kind = "golden" if index < len(golden) else "errors"
        results.check(
            f"outline {kind}/{case['name']}",
            check_outline(
                component.outline(case["request"]["spec"]),
                web_outline(web_results[index]),
                native_outline[index] if native_outline else None,
            ),
        )

    if args.fuzz:
        requests = property_requests(args.fuzz, args.seed, everything)
        _, fuzz_web = run_web(requests)
        fuzz_native = None if args.no_native else native_outlines([r["spec"] for r in requests])
        failures_dir = os.path.join(TARGET, "wasm-parity-failures")
        outcomes = {"compiled": 0, "rejected": 0, "trapped": 0}
        for index, request in enumerate(requests):
            first = component.compile(request)
            outcomes["trapped" if "trap" in first else "compiled" if first["ok"] else "rejected"] += 1
            second = component.compile(request)
            problems = check_property(first, second, web_result(fuzz_web[index]))
            problems += check_outline(
                component.outline(request["spec"]), web_outline(fuzz_web[index]), fuzz_native[index] if fuzz_native else None
            )
            if problems:
                os.makedirs(failures_dir, exist_ok=True)
                path = os.path.join(failures_dir, f"seed{args.seed}-case{index}.json")
                with open(path, "w", encoding="utf-8") as file:
                    json.dump(clean(request), file, indent=2)
                problems.append(f"request saved to {os.path.relpath(path, ROOT)}")
            results.check(f"property #{index} (seed {args.seed})", problems)
        print(f"property cases (seed {args.seed}): " + ", ".join(f"{n} {what}" for what, n in outcomes.items()))
    return results.close()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:
        traceback.print_exc()
        print("0 passed, 1 failed")
        sys.exit(1)
