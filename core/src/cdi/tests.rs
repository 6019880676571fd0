//! Reading CDI specs: the fields, the reference's checks, and where each fault is reported.

use super::*;

/// (code, path, line) of each diagnostic of a refused spec.
fn faults(text: &str) -> Vec<(String, String, Option<u32>)> {
    read_cdi_spec(text)
        .unwrap_err()
        .into_iter()
        .map(|d| (d.code, d.path, d.line))
        .collect()
}

const FULL: &str = r#"cdiVersion: 1.1.0
kind: example.com/net.card
annotations: { team: infra }
devices:
  - name: "0"
    annotations: { example.com/slot: "3" }
    containerEdits:
      deviceNodes:
        - { path: /dev/card0, hostPath: /dev/dri/card0, type: c, major: 226, minor: 0, fileMode: 0o660, permissions: rw, uid: 0, gid: 44 }
containerEdits:
  env: [A=1, "B=x=y"]
  hooks:
    - { hookName: createContainer, path: /usr/bin/hook, args: [hook, run], env: [X=1], timeout: 5 }
  mounts:
    - { hostPath: /usr/lib/libx.so.1, containerPath: /usr/lib/libx.so.1, options: [ro, bind], type: bind }
  intelRdt: { closID: gold, l3CacheSchema: "L3:0=f", memBwSchema: "MB:0=50", schemata: ["L2:0=3"], enableMonitoring: true }
  additionalGids: [44, 0]
  netDevices: [{ hostInterfaceName: eth1, name: net1 }]
"#;

#[test]
fn reads_every_field_from_yaml_and_json_alike() {
    let spec = read_cdi_spec(FULL).unwrap();
    assert_eq!(spec.kind, "example.com/net.card");
    let node = &spec.devices[0].container_edits.device_nodes[0];
    assert_eq!(
        (
            node.host_path.as_deref(),
            node.major,
            node.file_mode,
            node.gid
        ),
        (Some("/dev/dri/card0"), Some(226), Some(0o660), Some(44))
    );
    let edits = &spec.container_edits;
    assert_eq!(edits.env, ["A=1", "B=x=y"]);
    assert_eq!(edits.hooks[0].timeout, Some(5));
    assert_eq!(edits.mounts[0].kind.as_deref(), Some("bind"));
    assert_eq!(edits.additional_gids, [44, 0]);
    let rdt = edits.intel_rdt.as_ref().unwrap();
    assert!(rdt.enable_monitoring);
    assert_eq!(rdt.schemata, ["L2:0=3"]);
    assert_eq!(edits.net_devices[0].name, "net1");
    // The JSON the model writes reads back to the same spec, with the reference's names.
    let json = serde_json::to_string_pretty(&spec).unwrap();
    assert!(json.contains("\"additionalGids\"") && json.contains("\"closID\""));
    assert_eq!(read_cdi_spec(&json).unwrap(), spec);
}

/// The reference's own schema test data reads (../shared/reference/cdi).
#[test]
#[allow(clippy::disallowed_methods)] // reference data; the core itself does no I/O
fn reads_the_reference_examples() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/cdi");
    for name in ["minimal.json", "spec-example.json"] {
        let text = std::fs::read_to_string(format!("{dir}/{name}"))
            .unwrap_or_else(|e| panic!("{dir}/{name}: {e}"));
        let spec = read_cdi_spec(&text).unwrap_or_else(|d| panic!("{name}: {d:?}"));
        assert_eq!(spec.kind, "vendor.com/device", "{name}");
    }
}

#[test]
fn unknown_missing_and_mistyped_fields_are_placed() {
    let text = "cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n  - name: x\n    containerEdits:\n      env: [A=1]\n      mount: []\n";
    let errors = read_cdi_spec(text).unwrap_err();
    assert_eq!(errors[0].code, "unknown-field");
    assert_eq!(errors[0].path, "devices[0].containerEdits.mount");
    assert_eq!(errors[0].line, Some(7));
    assert_eq!(errors[0].hint.as_deref(), Some("did you mean `mounts`?"));
    assert_eq!(
        faults("kind: a.com/b\ndevices: []\n"),
        [("missing-field".into(), String::new(), Some(1))]
    );
    assert_eq!(
        faults("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n  - name: x\n    containerEdits:\n      deviceNodes: [{path: /dev/x, major: big}]\n"),
        [("wrong-type".into(), "devices[0].containerEdits.deviceNodes[0].major".into(), Some(6))]
    );
    // A device needs `containerEdits`, as the schema says.
    assert_eq!(
        faults("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n  - name: x\n"),
        [("missing-field".into(), "devices[0]".into(), Some(4))]
    );
    // The IntelRdt fields 1.1.0 dropped are unknown.
    let old_rdt = "cdiVersion: 0.7.0\nkind: a.com/b\ndevices:\n  - name: x\n    containerEdits:\n      intelRdt: { enableCMT: true }\n";
    assert_eq!(faults(old_rdt)[0].0, "unknown-field");
}

#[test]
fn versions_outside_0_3_to_1_1_are_refused() {
    for version in ["0.2.0", "1.2.0", "0.5", "v0.5.0", "0.5.1"] {
        let text = format!("cdiVersion: \"{version}\"\nkind: a.com/b\ndevices:\n  - name: x\n    containerEdits: {{ env: [A=1] }}\n");
        assert_eq!(
            faults(&text),
            [("bad-cdi-spec".into(), "cdiVersion".into(), Some(1))],
            "{version}"
        );
    }
}

/// Each field is refused in a spec declaring the version before the one that added it, and
/// read in one declaring that version (SPEC.md's table of released versions).
#[test]
fn a_field_newer_than_the_declared_version_is_refused() {
    let base = |version: &str, spec_extra: &str, name: &str, edits: &str| {
        format!("cdiVersion: {version}\nkind: a.com/b{spec_extra}\ndevices:\n  - name: \"{name}\"\n    containerEdits: {{ env: [A=1]{edits} }}\n")
    };
    let nodes_host = ", deviceNodes: [{path: /dev/x, hostPath: /dev/y}]";
    type Case<'a> = (
        &'static str,
        &'static str,
        Box<dyn Fn(&str) -> String + 'a>,
        &'static str,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "0.3.0",
            "0.4.0",
            Box::new(|v| {
                base(
                    v,
                    "",
                    "x",
                    ", mounts: [{hostPath: /a, containerPath: /a, type: bind}]",
                )
            }),
            "devices[0].containerEdits.mounts[0].type",
        ),
        (
            "0.4.0",
            "0.5.0",
            Box::new(|v| base(v, "", "x", nodes_host)),
            "devices[0].containerEdits.deviceNodes[0].hostPath",
        ),
        (
            "0.4.0",
            "0.5.0",
            Box::new(|v| base(v, "", "0", "")),
            "devices[0].name",
        ),
        (
            "0.5.0",
            "0.6.0",
            Box::new(|v| base(v, "\nannotations: {a: b}", "x", "")),
            "annotations",
        ),
        (
            "0.5.0",
            "0.6.0",
            Box::new(|v| {
                base(v, "", "x", "").replace("name: \"x\"", "name: \"x\"\n    annotations: {a: b}")
            }),
            "devices[0].annotations",
        ),
        (
            "0.5.0",
            "0.6.0",
            Box::new(|v| base(v, "", "x", "").replace("a.com/b", "a.com/b.c")),
            "kind",
        ),
        (
            "0.6.0",
            "0.7.0",
            Box::new(|v| base(v, "", "x", ", intelRdt: {closID: c}")),
            "devices[0].containerEdits.intelRdt",
        ),
        (
            "0.6.0",
            "0.7.0",
            Box::new(|v| base(v, "", "x", ", additionalGids: [5]")),
            "devices[0].containerEdits.additionalGids",
        ),
        (
            "1.0.0",
            "1.1.0",
            Box::new(|v| {
                base(
                    v,
                    "",
                    "x",
                    ", netDevices: [{hostInterfaceName: a, name: b}]",
                )
            }),
            "devices[0].containerEdits.netDevices",
        ),
        (
            "1.0.0",
            "1.1.0",
            Box::new(|v| base(v, "", "x", ", intelRdt: {schemata: [s]}")),
            "devices[0].containerEdits.intelRdt.schemata",
        ),
        (
            "1.0.0",
            "1.1.0",
            Box::new(|v| base(v, "", "x", ", intelRdt: {enableMonitoring: true}")),
            "devices[0].containerEdits.intelRdt.enableMonitoring",
        ),
    ];
    for (before, needed, text, path) in cases {
        let refused = read_cdi_spec(&text(before)).unwrap_err();
        assert_eq!(
            (refused[0].code.as_str(), refused[0].path.as_str()),
            ("cdi-field-too-new", path),
            "{path} in {before}"
        );
        assert!(
            refused[0].message.contains(&format!(
                "needs CDI version {needed}, but the spec declares {before}"
            )),
            "{}",
            refused[0].message
        );
        assert!(refused[0].line.is_some());
        read_cdi_spec(&text(needed)).unwrap_or_else(|d| panic!("{path} in {needed}: {d:?}"));
    }
}

#[test]
fn names_kinds_and_edits_are_checked_as_the_reference_does() {
    let spec = |kind: &str, name: &str, edits: &str| {
        format!("cdiVersion: 1.1.0\nkind: \"{kind}\"\ndevices:\n  - name: \"{name}\"\n    containerEdits: {{ {edits} }}\n")
    };
    for (text, path) in [
        (spec("nvidia.com", "0", "env: [A=1]"), "kind"),
        (spec("nvidia.com/gpu/x", "0", "env: [A=1]"), "kind"),
        (spec("1vendor.com/gpu", "0", "env: [A=1]"), "kind"),
        (spec("vendor.com/gpu-", "0", "env: [A=1]"), "kind"),
        (
            spec("vendor.com/gpu", "a/b", "env: [A=1]"),
            "devices[0].name",
        ),
        (
            spec("vendor.com/gpu", "-a", "env: [A=1]"),
            "devices[0].name",
        ),
        (spec("vendor.com/gpu", "a", ""), "devices[0].containerEdits"),
        (
            spec("vendor.com/gpu", "a", "env: [NOEQUALS]"),
            "devices[0].containerEdits.env[0]",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "hooks: [{hookName: preStart, path: /x}]",
            ),
            "devices[0].containerEdits.hooks[0].hookName",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "hooks: [{hookName: poststop, path: x}]",
            ),
            "devices[0].containerEdits.hooks[0].path",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "hooks: [{hookName: poststop, path: /x, timeout: 0}]",
            ),
            "devices[0].containerEdits.hooks[0].timeout",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "deviceNodes: [{path: /dev/x, type: x}]",
            ),
            "devices[0].containerEdits.deviceNodes[0].type",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "deviceNodes: [{path: /dev/x, permissions: rwx}]",
            ),
            "devices[0].containerEdits.deviceNodes[0].permissions",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "deviceNodes: [{path: /dev/x, type: c, major: 4096, minor: 0}]",
            ),
            "devices[0].containerEdits.deviceNodes[0].major",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "deviceNodes: [{path: /dev/x, type: c, major: 1, minor: -1}]",
            ),
            "devices[0].containerEdits.deviceNodes[0].minor",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "mounts: [{hostPath: /x, containerPath: x}]",
            ),
            "devices[0].containerEdits.mounts[0].containerPath",
        ),
        (
            spec(
                "vendor.com/gpu",
                "a",
                "netDevices: [{hostInterfaceName: a, name: b}, {hostInterfaceName: a, name: c}]",
            ),
            "devices[0].containerEdits.netDevices[1].hostInterfaceName",
        ),
        (
            spec("vendor.com/gpu", "a", "intelRdt: {closID: ../x}"),
            "devices[0].containerEdits.intelRdt.closID",
        ),
        (
            "cdiVersion: 0.3.0\nkind: a.com/b\ndevices: []\n".to_string(),
            "devices",
        ),
    ] {
        let errors = read_cdi_spec(&text).unwrap_err();
        assert_eq!(
            (errors[0].code.as_str(), errors[0].path.as_str()),
            ("bad-cdi-spec", path),
            "{text}"
        );
    }
    let twice = "cdiVersion: 0.5.0\nkind: a.com/b\ndevices:\n  - { name: a, containerEdits: { env: [A=1] } }\n  - { name: a, containerEdits: { env: [A=2] } }\n";
    let errors = read_cdi_spec(twice).unwrap_err();
    assert_eq!(
        (errors[0].path.as_str(), errors[0].line),
        ("devices[1].name", Some(5))
    );
    assert_eq!(
        errors[0].message,
        "device `a` is defined twice (first at `devices[0]`)"
    );
    // Colons and dots in device names are fine (MIG devices are named `0:1`).
    read_cdi_spec(&spec("nvidia.com/gpu", "0:1", "env: [A=1]")).unwrap();
    read_cdi_spec(&spec("nvidia.com/gpu", "GPU-1a2b.c_d", "env: [A=1]")).unwrap();
}

#[test]
fn a_spec_too_large_is_refused_before_parsing() {
    let text = format!("# {}\n", "x".repeat(MAX_CDI_SPEC_BYTES));
    assert_eq!(read_cdi_spec(&text).unwrap_err()[0].code, "bad-cdi-spec");
}
