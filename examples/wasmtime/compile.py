#!/usr/bin/env python3
"""Compiles a bundlec spec with the bundlec WebAssembly component, hosted by wasmtime.

    pip install wasmtime==50.0.1
    cargo build --profile wasm --target wasm32-wasip2 -p bundlec-component
    python3 examples/wasmtime/compile.py examples/specs/gpu-inference.yaml \
        --inventory examples/inventories/nvidia-2gpu.json --replica 2

Prints config.json on stdout, or the diagnostics on stderr (exit 1). With --outline it prints
what the spec declares instead (services, replica counts, `$S:`/`$E:` references, volume keys).
The `Compiler` class is the whole host: import it to embed bundlec in a Python program.
"""

import argparse
import json
import os
import sys

import wasmtime
from wasmtime import component

HERE = os.path.dirname(os.path.abspath(__file__))
# Cargo's target folder: CARGO_TARGET_DIR when set, as cargo itself reads it.
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(HERE, "..", "..", "target")
DEFAULT_COMPONENT = os.path.join(TARGET, "wasm32-wasip2", "wasm", "bundlec_component.wasm")
INTERFACE = "bundlec:compiler/compiler@0.4.0"


class Compiler:
    """One instance of the component; `compile` and `outline` may be called any number of times."""

    def __init__(self, path=DEFAULT_COMPONENT, fuel=None):
        """`fuel` bounds the work of each call (a runaway call traps instead of hanging)."""
        config = wasmtime.Config()
        config.consume_fuel = fuel is not None
        engine = wasmtime.Engine(config)
        self._fuel = fuel
        self._store = wasmtime.Store(engine)
        if fuel is not None:
            self._store.set_fuel(fuel)
        # The component needs nothing from the host; WASI is linked only because Rust's std
        # imports it. No directory, environment or argument is given to it.
        self._store.set_wasi(wasmtime.WasiConfig())
        linker = component.Linker(engine)
        linker.add_wasip2()
        instance = linker.instantiate(self._store, component.Component.from_file(engine, path))
        interface = instance.get_export_index(self._store, INTERFACE)
        if interface is None:
            raise RuntimeError(f"{path} does not export {INTERFACE}")
        self._compile = instance.get_func(
            self._store, instance.get_export_index(self._store, "compile", interface)
        )
        self._outline = instance.get_func(
            self._store, instance.get_export_index(self._store, "outline", interface)
        )
        self._version = instance.get_func(
            self._store, instance.get_export_index(self._store, "version", interface)
        )

    def version(self):
        return self._version(self._store)

    def compile(self, spec, service=None, replica=None, inventory=None, image_config=None, options=None):
        """Returns (config, diagnostics): config is the config.json text, or None on failure.

        Each diagnostic is a dict with severity, code, message, path, line, column, endLine,
        endColumn, hint (the JSON form of `bundlec compile --diagnostics json`).
        inventory, image_config and options are JSON texts.
        """
        request = component.Record()
        request.spec = spec
        request.service = service
        request.replica = replica
        request.inventory = inventory
        setattr(request, "image-config", image_config)
        request.options = options
        if self._fuel is not None:
            self._store.set_fuel(self._fuel)
        result = self._compile(self._store, request)
        # result<output, list<diagnostic>>: the ok case lifts to a Record, the error case to a list.
        if isinstance(result, list):
            return None, [diagnostic_dict(d) for d in result]
        return result.config, [diagnostic_dict(d) for d in result.diagnostics]

    def outline(self, spec):
        """Returns (outline, diagnostics): outline is a dict in the browser module's form
        (camelCase keys), or None when the spec is not a readable YAML or JSON mapping."""
        if self._fuel is not None:
            self._store.set_fuel(self._fuel)
        result = self._outline(self._store, spec)
        if isinstance(result, list):
            return None, [diagnostic_dict(d) for d in result]
        return outline_dict(result), []


def diagnostic_dict(diagnostic):
    return {
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "endLine": getattr(diagnostic, "end-line"),
        "endColumn": getattr(diagnostic, "end-column"),
        "hint": diagnostic.hint,
    }


def outline_dict(outline):
    def span(record):
        return {
            "line": record.line,
            "column": record.column,
            "endLine": getattr(record, "end-line"),
            "endColumn": getattr(record, "end-column"),
        }

    def references(records):
        return [{"name": r.name, "span": span(r.span)} for r in records]

    def service_dict(service):
        entry = {
            "name": service.name,
            "span": span(service.span),
            "replicas": service.replicas,
            "maxReplicas": getattr(service, "max-replicas"),
            "secrets": references(service.secrets),
            "hostEnv": references(getattr(service, "host-env")),
            "envFiles": references(getattr(service, "env-files")),
            "volumes": [{"kind": v.kind, "key": v.key, "span": span(v.span)} for v in service.volumes],
        }
        profile = getattr(service, "seccomp-profile")
        if profile is not None:  # as the browser module, which leaves it out when absent
            entry["seccompProfile"] = {"name": profile.name, "span": span(profile.span)}
        return entry

    return {
        "format": outline.format,
        "deployment": outline.deployment,
        "hostEnv": references(getattr(outline, "host-env")),
        "services": [service_dict(service) for service in outline.services],
    }


def human(diagnostic):
    where = diagnostic["path"] or "request"
    if diagnostic["line"] is not None:
        where += f" (line {diagnostic['line']}, column {diagnostic['column']})"
    text = f"{diagnostic['severity']}[{diagnostic['code']}] {where}: {diagnostic['message']}"
    if diagnostic["hint"]:
        text += f"\n  hint: {diagnostic['hint']}"
    return text


def report(diagnostics, form):
    if form == "json":
        if diagnostics:
            print(json.dumps(diagnostics, indent=2), file=sys.stderr)
    else:
        for diagnostic in diagnostics:
            print(human(diagnostic), file=sys.stderr)


def read(path):
    if path is None:
        return None
    with open(path, encoding="utf-8") as file:
        return file.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="the deployment spec, YAML or JSON")
    parser.add_argument("--inventory", help="a host inventory JSON file (bundlec probe)")
    parser.add_argument("--image-config", help="an OCI image config JSON file")
    parser.add_argument("--options", help="a compile options JSON file (bundlec schema options)")
    parser.add_argument("--service", help="the service to compile")
    parser.add_argument("--replica", type=int, help="the replica, counted from 1")
    parser.add_argument("--component", default=DEFAULT_COMPONENT, help="the bundlec component .wasm")
    parser.add_argument("--diagnostics", choices=["human", "json"], default="human")
    parser.add_argument("--outline", action="store_true", help="print what the spec declares (JSON) instead of compiling it")
    args = parser.parse_args(argv)

    compiler = Compiler(args.component)
    if args.outline:
        outline, diagnostics = compiler.outline(read(args.spec))
        report(diagnostics, args.diagnostics)
        if outline is None:
            return 1
        print(json.dumps(outline, indent=2))
        return 0
    config, diagnostics = compiler.compile(
        read(args.spec),
        service=args.service,
        replica=args.replica,
        inventory=read(args.inventory),
        image_config=read(args.image_config),
        options=read(args.options),
    )
    report(diagnostics, args.diagnostics)
    if config is None:
        return 1
    sys.stdout.write(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
