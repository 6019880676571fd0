//! Large inputs (issue 9): every phase is linear or n log n, so 100k env keys, labels, unknown
//! fields, bad keys, devices, mounts, sysctls, ulimits, hosts and groups each compile quickly.
//! The tests check the results, not the clock (a slow machine must not fail them); each one
//! prints how long its compile took, so `cargo test --release -p bundlec-tests --test scale --
//! --nocapture` gives the figures. Before the fixes, 100k env keys alone took minutes.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bundlec_core::{compile_raw, Compiled, Diagnostic, RawRequest};
use serde_json::{json, Value};

/// 100k in release; a debug build (the usual `cargo test`) checks the same results at 20k so
/// that the suite stays quick.
const N: usize = if cfg!(debug_assertions) {
    20_000
} else {
    100_000
};

fn head(fields: &str) -> String {
    format!(
        "version: v1\ndeployment: big\nservices:\n  api:\n    image: {{ name: x }}\n    command: {{ args: [/app] }}\n{fields}"
    )
}

fn timed<T>(what: &str, run: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let result = run();
    let elapsed: Duration = start.elapsed();
    eprintln!("{what}: {:.3} s", elapsed.as_secs_f64());
    result
}

fn config(compiled: &Compiled) -> Value {
    serde_json::from_str(&compiled.json).unwrap()
}

fn compiled(what: &str, raw: RawRequest<'_>) -> Compiled {
    timed(what, || compile_raw(raw)).unwrap_or_else(|d| panic!("{what}: {:?}", d.first()))
}

/// The errors of a compile that must fail (warnings, such as the seccomp one for a request
/// without an inventory, are left out).
fn failed(what: &str, raw: RawRequest<'_>) -> Vec<Diagnostic> {
    match timed(what, || compile_raw(raw)) {
        Ok(_) => panic!("{what}: compiled, but must fail"),
        Err(diagnostics) => diagnostics
            .into_iter()
            .filter(|d| d.severity == bundlec_core::Severity::Error)
            .collect(),
    }
}

/// Image Env, spec env and options env of 100k keys each, overlapping: a later key replaces an
/// earlier one in place, and new keys are appended in the order they are first set.
#[test]
fn env_of_100k_keys_keeps_first_set_order() {
    let mut spec = String::from("    env:\n");
    for i in 0..N {
        writeln!(spec, "      K{i}: s{i}").unwrap();
    }
    let spec = head(&spec);
    let mut image_env: Vec<String> = (0..N).map(|i| format!("I{i}=img")).collect();
    image_env.push("K5=image".to_string());
    let image = json!({ "Env": image_env }).to_string();
    // Written by hand: the options keep the order of the JSON text.
    let mut options = String::from(r#"{"env":{"#);
    for i in 0..N {
        write!(options, r#""O{i}":"opt","#).unwrap();
    }
    options.push_str(r#""K7":"option","I3":"option","PATH":"/opt/bin"}}"#);
    let compiled = compiled(
        "100k image + 100k spec + 100k options env keys",
        RawRequest {
            spec: &spec,
            image_config: Some(&image),
            options: Some(&options),
            ..Default::default()
        },
    );
    let env = config(&compiled)["process"]["env"].clone();
    let env: Vec<&str> = env
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = Vec::with_capacity(3 * N + 2);
    for i in 0..N {
        expected.push(if i == 3 {
            "I3=option".to_string()
        } else {
            format!("I{i}=img")
        });
    }
    // K5 was first set by the image (after its I keys); the spec replaces it in place.
    expected.push("K5=s5".to_string());
    for i in (0..N).filter(|&i| i != 5) {
        expected.push(if i == 7 {
            "K7=option".to_string()
        } else {
            format!("K{i}=s{i}")
        });
    }
    expected.extend((0..N).map(|i| format!("O{i}=opt")));
    expected.push("PATH=/opt/bin".to_string());
    expected.push("TERM=xterm".to_string());
    assert_eq!(env.len(), expected.len());
    assert!(env.iter().zip(&expected).all(|(a, b)| a == b));
}

#[test]
fn labels_of_100k_keys_become_annotations() {
    let mut spec = String::from("    labels:\n");
    for i in 0..N {
        writeln!(spec, "      l{i}: v{i}").unwrap();
    }
    let spec = head(&spec);
    let compiled = compiled(
        "100k labels",
        RawRequest {
            spec: &spec,
            ..Default::default()
        },
    );
    let annotations = config(&compiled)["annotations"].clone();
    let annotations = annotations.as_object().unwrap();
    assert_eq!(annotations.len(), N);
    assert_eq!(annotations[&format!("l{}", N - 1)], format!("v{}", N - 1));
}

/// Each of 100k near-miss keys gets its own `unknown-field` with a did-you-mean, in order.
#[test]
fn unknown_fields_100k_each_get_a_suggestion() {
    let known = ["extra_groups", "read_only_root_fs", "network_mode"];
    let suffix = |n: usize| -> String {
        let digits = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..3)
            .map(|place| char::from(digits[(n / 36usize.pow(place)) % 36]))
            .collect()
    };
    let mut spec = String::new();
    for i in 0..N {
        writeln!(spec, "    {}{}: 1", known[i % 3], suffix(i / 3)).unwrap();
    }
    let spec = head(&spec);
    let diagnostics = failed(
        "100k unknown fields",
        RawRequest {
            spec: &spec,
            ..Default::default()
        },
    );
    assert_eq!(diagnostics.len(), N);
    for (i, d) in diagnostics.iter().enumerate() {
        let key = format!("{}{}", known[i % 3], suffix(i / 3));
        assert_eq!(d.code, "unknown-field");
        assert_eq!(d.path, format!("services.api.{key}"));
        assert_eq!(d.line, Some(u32::try_from(i + 7).unwrap()));
        let hint = format!("did you mean `{}`?", known[i % 3]);
        assert_eq!(d.hint.as_deref(), Some(hint.as_str()));
    }
}

#[test]
fn bad_env_keys_100k_are_each_reported() {
    let mut spec = String::from("    env:\n");
    for i in 0..N {
        writeln!(spec, "      \"A={i}\": x").unwrap();
    }
    let spec = head(&spec);
    let diagnostics = failed(
        "100k bad env keys",
        RawRequest {
            spec: &spec,
            ..Default::default()
        },
    );
    assert_eq!(diagnostics.len(), N);
    assert!(diagnostics.iter().all(|d| d.code == "bad-env-key"));
    assert_eq!(
        diagnostics[N - 1].path,
        format!("services.api.env.A={}", N - 1)
    );
}

/// 20k inventory nodes, each requested twice through different spellings: one entry each,
/// with the two requests' access merged.
#[test]
fn devices_20k_requested_twice_are_granted_once() {
    const DEVICES: usize = 20_000;
    let devices: Vec<Value> = (0..DEVICES)
        .map(|i| json!({ "path": format!("/dev/x{i}"), "type": "c", "major": 200 + i / 1000, "minor": i % 1000, "fileMode": 0o600, "uid": 0, "gid": 0 }))
        .collect();
    let inventory = json!({ "inventoryVersion": 1, "devices": devices }).to_string();
    let mut spec = String::from("    devices:\n");
    for i in 0..DEVICES {
        writeln!(spec, "      - {{ path: /dev/x{i}, write: false }}").unwrap();
    }
    for i in (0..DEVICES).rev() {
        writeln!(spec, "      - {{ path: /dev/./x{i}, read: false }}").unwrap();
    }
    let spec = head(&spec);
    let compiled = compiled(
        "20k devices requested twice",
        RawRequest {
            spec: &spec,
            inventory: Some(&inventory),
            ..Default::default()
        },
    );
    let config = config(&compiled);
    let nodes = config["linux"]["devices"].as_array().unwrap();
    assert_eq!(nodes.len(), DEVICES);
    assert_eq!(nodes[0]["path"], "/dev/x0");
    assert_eq!(nodes[DEVICES - 1]["path"], format!("/dev/x{}", DEVICES - 1));
    let rules = config["linux"]["resources"]["devices"].as_array().unwrap();
    // deny all, the 9 standard nodes, then one rule per granted node
    assert_eq!(rules.len(), 1 + 9 + DEVICES);
    assert!(rules[10..].iter().all(|rule| rule["access"] == "rw"));
}

#[test]
fn mounts_100k_distinct_targets_and_one_duplicate() {
    let mut spec = String::from("    storage:\n");
    for i in 0..N {
        writeln!(spec, "      - {{ type: tmpfs, target: /m/{i} }}").unwrap();
    }
    let ok = head(&spec);
    let compiled = compiled(
        "100k tmpfs mounts",
        RawRequest {
            spec: &ok,
            ..Default::default()
        },
    );
    assert_eq!(config(&compiled)["mounts"].as_array().unwrap().len(), 7 + N);
    writeln!(spec, "      - {{ type: tmpfs, target: /m/./5/ }}").unwrap();
    let duplicated = head(&spec);
    let diagnostics = failed(
        "100k tmpfs mounts and a duplicate",
        RawRequest {
            spec: &duplicated,
            ..Default::default()
        },
    );
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code, "duplicate-mount");
    assert_eq!(
        diagnostics[0].hint.as_deref(),
        Some("the first is `services.api.storage[5].target`")
    );
}

/// sysctls, unknown ulimits (each with a suggestion), extra_hosts and extra_groups, 100k each.
#[test]
fn sysctls_ulimits_hosts_and_groups_100k_each() {
    let mut fields = String::from("    sysctls:\n");
    for i in 0..N {
        writeln!(fields, "      net.x{i}: \"{i}\"").unwrap();
    }
    fields.push_str("    extra_hosts:\n");
    for i in 0..N {
        writeln!(fields, "      - h{i}:10.0.{}.{}", i / 256 % 256, i % 256).unwrap();
    }
    fields.push_str("    extra_groups:\n");
    for i in 0..N {
        writeln!(fields, "      - \"{}\"", 1000 + i % (N / 2)).unwrap();
    }
    let spec = head(&fields);
    let compiled = compiled(
        "100k sysctls + 100k extra_hosts + 100k extra_groups",
        RawRequest {
            spec: &spec,
            ..Default::default()
        },
    );
    let config = config(&compiled);
    assert_eq!(config["linux"]["sysctl"].as_object().unwrap().len(), N);
    // gid 0 first, then each extra group once, in the order first written
    let gids = config["process"]["user"]["additionalGids"]
        .as_array()
        .unwrap();
    assert_eq!(gids.len(), 1 + N / 2);
    assert_eq!(gids[1], 1000);
    assert_eq!(gids[N / 2], 1000 + N / 2 - 1);
    let hosts = &compiled
        .files
        .iter()
        .find(|f| f.name == "hosts")
        .unwrap()
        .contents;
    assert_eq!(hosts.lines().count(), 2 + N);

    let mut ulimits = String::from("    ulimits:\n");
    for i in 0..N {
        writeln!(ulimits, "      nofilf{i}: 1").unwrap();
    }
    let diagnostics = failed(
        "100k unknown ulimits",
        RawRequest {
            spec: &head(&ulimits),
            ..Default::default()
        },
    );
    assert_eq!(diagnostics.len(), N);
    assert!(diagnostics.iter().all(|d| d.code == "unknown-ulimit"));
    assert_eq!(
        diagnostics[5].hint.as_deref(),
        Some("did you mean `nofile`?")
    );
}

/// 100k named groups resolved through a group file of 100k lines: one table, not a scan each.
#[test]
fn named_extra_groups_100k_resolve_through_one_table() {
    let mut group = String::new();
    for i in 0..N {
        writeln!(group, "g{i}:x:{}:", 2000 + i).unwrap();
    }
    let mut fields = String::from("    extra_groups:\n");
    for i in (0..N).rev() {
        writeln!(fields, "      - g{i}").unwrap();
    }
    let spec = head(&fields);
    let options = json!({ "group": group }).to_string();
    let compiled = compiled(
        "100k named extra_groups, 100k-line group file",
        RawRequest {
            spec: &spec,
            options: Some(&options),
            ..Default::default()
        },
    );
    let config = config(&compiled);
    let gids = config["process"]["user"]["additionalGids"]
        .as_array()
        .unwrap();
    assert_eq!(gids.len(), 1 + N);
    assert_eq!(gids[1], 2000 + N - 1);
    assert_eq!(gids[N], 2000);
}

/// DESIGN §11 at scale: N CDI devices of one spec, each with a node, a mount (every second one
/// replacing its neighbour's destination), an env key and a group, all requested; nodes and
/// mounts replace by path through an index, and the spec's own edits apply once.
#[test]
fn cdi_devices_n_injected_with_replacing_nodes_and_mounts() {
    let devices: Vec<Value> = (0..N)
        .map(|i| {
            json!({ "name": format!("d{i}"), "containerEdits": {
                "env": [format!("K{}=v{i}", i / 2)],
                "deviceNodes": [{ "path": format!("/dev/x{}", i / 2), "type": "c", "major": 240, "minor": i / 2 }],
                "mounts": [{ "hostPath": format!("/opt/x/{i}"), "containerPath": format!("/opt/x/{}", i / 2), "options": ["ro", "rbind"] }],
                "additionalGids": [1000 + i / 2],
            } })
        })
        .collect();
    let inventory = json!({ "inventoryVersion": 2, "cdi": [{ "path": "/etc/cdi/x.json", "priority": 1, "spec": {
        "cdiVersion": "0.7.0", "kind": "x.com/dev", "devices": devices,
        "containerEdits": { "env": ["SPEC=once"] } } }] })
    .to_string();
    let mut spec = String::from("    devices:\n");
    for i in 0..N {
        writeln!(spec, "      - x.com/dev=d{i}").unwrap();
    }
    let spec = head(&spec);
    let compiled = compiled(
        "cdi devices",
        RawRequest {
            spec: &spec,
            inventory: Some(&inventory),
            ..RawRequest::default()
        },
    );
    let config = config(&compiled);
    let nodes = config["linux"]["devices"].as_array().unwrap();
    assert_eq!(nodes.len(), N / 2);
    let mounts = config["mounts"].as_array().unwrap();
    assert_eq!(mounts.len(), 7 + N / 2);
    // The later device's mount replaced the earlier one at its destination.
    let last = mounts
        .iter()
        .find(|m| m["destination"] == "/opt/x/0")
        .unwrap();
    assert_eq!(last["source"], "/opt/x/1");
    let env = config["process"]["env"].as_array().unwrap();
    assert_eq!(env.iter().filter(|e| *e == "SPEC=once").count(), 1);
    assert!(env.iter().any(|e| *e == "K0=v1"));
    let gids = config["process"]["user"]["additionalGids"]
        .as_array()
        .unwrap();
    assert_eq!(gids.len(), 1 + N / 2);
}
