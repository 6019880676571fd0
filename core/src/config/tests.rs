//! The writer against oci-spec: what serde_json writes for oci-spec's reading of a config is
//! what `config::to_json` wrote.

use super::pretty::in_key_order;
use crate::compile::compile_raw;
use crate::request::RawRequest;

/// The reference: oci-spec's own serialization, with every hash-ordered set and map sorted.
fn reference_json(spec: &oci_spec::runtime::Spec) -> String {
    fn sort(value: &mut serde_json::Value, key: &str) {
        match value {
            serde_json::Value::Object(map) => {
                if ["annotations", "sysctl", "netDevices"].contains(&key) {
                    map.sort_keys();
                }
                for (child_key, child) in map.iter_mut() {
                    if let (true, serde_json::Value::Array(items)) =
                        (key == "capabilities", &mut *child)
                    {
                        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    }
                    sort(child, child_key);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|item| sort(item, "")),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(spec).unwrap();
    sort(&mut value, "");
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

#[test]
fn the_config_is_written_as_oci_spec_serializes_it_sorted() {
    let inventory = r#"{"inventoryVersion":1,"devices":[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438,"uid":0,"gid":0}]}"#;
    for (spec, options) in [
        (
            "version: v1\ndeployment: abc\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    tty: true\n    labels: {b: 1, a: 2}\n    sysctls: {net.core.somaxconn: 1024, kernel.shmmni: 4096}\n    resources: {cpu: 2, memory: 1Gi, oom_score_adj: 10, pids_limit: 9, cpu_shares: 512, cpuset: 0-1, memory_swap: 2Gi, memory_swappiness: 5, memory_reservation: 1Mi}\n    devices: [{path: /dev/fuse}]\n    capabilities: [NET_ADMIN, SYS_TIME]\n    ulimits: {nofile: 10, core: {soft: 1, hard: 2}}\n    dns: [1.1.1.1]\n",
            r#"{"hostNetwork":false}"#,
        ),
        ("version: v1\ndeployment: abc\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    privileged: true\n", r#"{"hostNetwork":true}"#),
    ] {
        let compiled = compile_raw(RawRequest { spec, inventory: Some(inventory), options: Some(options), ..Default::default() }).unwrap();
        assert_eq!(compiled.json, reference_json(&compiled.spec().unwrap()));
    }
}

/// Issue 11: the default profile's section is copied from its rules' text; it must be the
/// bytes serde_json writes for the same `LinuxSeccomp`, for every architecture (with and
/// without an `archMap` entry) and for rule sets that keep few or many rules.
#[test]
fn the_copied_seccomp_text_is_what_serde_json_writes() {
    for (arch, caps) in [
        ("x86_64", ""),
        ("ppc64le", "    cap_drop: [ALL]\n"),
        ("s390x", "    cap_add: [ALL]\n"),
        ("aarch64", "    cap_add: [SYS_ADMIN]\n"),
        ("sparc64", ""),
    ] {
        let spec = format!("version: v1\ndeployment: abc\nservices:\n  a:\n    image: {{name: x}}\n    command: {{args: [sh]}}\n{caps}");
        let inventory =
            format!(r#"{{"inventoryVersion":2,"host":{{"arch":"{arch}","kernel":"5.15.0"}}}}"#);
        let compiled = compile_raw(RawRequest {
            spec: &spec,
            inventory: Some(&inventory),
            ..Default::default()
        })
        .unwrap();
        assert!(compiled.json.contains("\"seccomp\""), "{arch}");
        assert_eq!(
            compiled.json,
            reference_json(&compiled.spec().unwrap()),
            "{arch} {caps}"
        );
        assert_eq!(compiled.write_json_again(), compiled.json);
    }
}

/// What CDI adds (hooks, intelRdt, netDevices, additionalGids) is written in oci-spec's
/// order, with the netDevices map sorted.
#[test]
fn cdi_edits_match_oci_spec_serialization_sorted() {
    let inventory = r#"{"inventoryVersion":2,"cdi":[{"path":"/etc/cdi/x.yaml","priority":1,"spec":{
        "cdiVersion":"1.1.0","kind":"x.com/nic","devices":[{"name":"a","containerEdits":{
          "deviceNodes":[{"path":"/dev/x0","type":"c","major":240,"minor":0}],
          "hooks":[{"hookName":"poststop","path":"/bin/h","args":["h"],"timeout":3},{"hookName":"prestart","path":"/bin/p"}],
          "mounts":[{"hostPath":"/opt/x","containerPath":"/opt/x","options":["ro","rbind"]}],
          "intelRdt":{"closID":"c","schemata":["L3:0=f"],"enableMonitoring":true},
          "additionalGids":[7,5],
          "netDevices":[{"hostInterfaceName":"zeth","name":"n1"},{"hostInterfaceName":"aeth","name":"n0"}]}}]}}]}"#;
    let spec = "version: v1\ndeployment: abc\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    devices: [x.com/nic=a]\n";
    let compiled = compile_raw(RawRequest {
        spec,
        inventory: Some(inventory),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(compiled.json, reference_json(&compiled.spec().unwrap()));
    let aeth = compiled.json.find("\"aeth\"").unwrap();
    assert!(aeth < compiled.json.find("\"zeth\"").unwrap());
    assert!(compiled.json.contains("\"intelRdt\"") && compiled.json.contains("\"poststop\""));
}

#[test]
fn maps_are_in_key_order_and_the_last_equal_key_wins() {
    let pairs = [
        ("b".to_string(), 1),
        ("a".to_string(), 2),
        ("b".to_string(), 3),
        ("A".to_string(), 4),
    ];
    assert_eq!(in_key_order(&pairs), vec![("A", &4), ("a", &2), ("b", &3)]);
}
