#!/usr/bin/env python3
"""Seeds each fuzz target's corpus from the repository's own inputs.

Every seed is named by the SHA-1 of its bytes, as libFuzzer names what it adds, so seeding again
adds nothing twice. Usage: seed.py REPO_ROOT CORPUS_ROOT TARGET...
"""

import hashlib
import json
import sys
from pathlib import Path


def spec_seeds(repo):
    patterns = [
        "tests/golden/*/spec.yaml",
        "tests/golden/*/spec.json",
        "tests/errors/*/spec.yaml",
        "examples/specs/*.yaml",
        "web/page/examples/*.yaml",
    ]
    for pattern in patterns:
        for path in sorted(repo.glob(pattern)):
            yield path.read_bytes()


def inventory_seeds(repo):
    # Test cases name their inventory; the named files are these.
    for pattern in ["tests/inventories/*.json", "examples/inventories/*.json", "web/page/inventories/*.json"]:
        for path in sorted(repo.glob(pattern)):
            yield path.read_bytes()


def options_seeds(repo):
    yield b"{}"
    inventories = repo / "tests/inventories"
    # Every field at once: with these the options target's fixed spec (fuzz/src/lib.rs) compiles.
    yield json.dumps({
        "gpuIndices": [1],
        "hostNetwork": False,
        "hostname": "trainer-1",
        "env": {"WORLD_SIZE": "4", "LANG": "C.UTF-8"},
        "args": ["--epochs", "1"],
        "cwd": "/work",
        "volumes": {"data": "/var/lib/bundlec/volumes/data", "/scratch": "/var/lib/bundlec/anon/1f3a", "models": "/mnt/s3/models"},
        "secrets": {"db/password": "s3cret-pa55"},
        "hostEnv": {"HOME": "/home/operator"},
        "socket": "/run/acme/agent.sock",
        "passwd": (inventories / "etc-basic.passwd").read_text(),
        "group": (inventories / "etc-basic.group").read_text(),
        "masterAddr": "trainer-0.train.svc",
        "socketIfname": "ib0",
        "rootfs": "/var/lib/bundlec/images/trainer/rootfs",
    }).encode()
    for case in sorted(repo.glob("tests/*/*/case.json")):
        fields = json.loads(case.read_text())
        options = dict(fields.get("options", {}))
        # As the corpus loader does: `passwd`/`group` name identity files given as options text.
        for key in ("passwd", "group"):
            if key in fields:
                options[key] = (inventories / f"{fields[key]}.{key}").read_text()
        if options:
            yield json.dumps(options).encode()


def cdi_spec_seeds(repo):
    # The CDI specs of the inventories, as JSON and as the YAML the probe reads; the reference's.
    for pattern in ["tests/inventories/*.json", "examples/inventories/*.json", "web/page/inventories/*.json"]:
        for path in sorted(repo.glob(pattern)):
            for entry in json.loads(path.read_text()).get("cdi", []):
                yield json.dumps(entry["spec"]).encode()
    for path in sorted((repo / "../shared/reference/cdi").glob("*.json")):
        if path.name not in ("schema.json", "defs.json"):
            yield path.read_bytes()


SEEDS = {
    "compile_spec": spec_seeds,
    "render_human": spec_seeds,
    "inventory": inventory_seeds,
    "options": options_seeds,
    "cdi_spec": cdi_spec_seeds,
}


def main():
    repo, corpus_root, targets = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    for target in targets:
        corpus = corpus_root / target
        corpus.mkdir(parents=True, exist_ok=True)
        seeds = list(SEEDS[target](repo))
        # Inputs that once failed are replayed first on every run.
        seeds += [p.read_bytes() for p in sorted((repo / "fuzz/regressions" / target).glob("*")) if p.is_file()]
        for seed in seeds:
            (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
