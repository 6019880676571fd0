//! `bundlec cdi generate` on a fake NVIDIA host (DESIGN §11): the spec nvidia-ctk would write,
//! found through a real ld.so.cache; it passes the CDI JSON Schema; the probe records it when
//! the node has none, so that a `gpu:` request binds the driver's libraries.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::nvidia_host::{self, DRIVER, LIB_DIR, UUID_A, UUID_B};
use common::{bundlec, ok, requires, run, stderr, write, TempDir};
use serde_json::{json, Value};

/// The CDI JSON Schema of ../shared/reference/cdi (draft-07; `defs.json` registered locally).
fn cdi_validator() -> jsonschema::Validator {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/cdi");
    let read = |name: &str| -> Value {
        let text = fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the CDI schema check never skips)",
                dir.join(name).display()
            )
        });
        serde_json::from_str(&text).unwrap()
    };
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_base_uri("json-schema:///schema.json")
        .with_resource(
            "json-schema:///defs.json",
            jsonschema::Draft::Draft7.create_resource(read("defs.json")),
        )
        .build(&read("schema.json"))
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

fn bind(host: String, container: &str) -> Value {
    json!({ "hostPath": host, "containerPath": container, "options": ["ro", "nosuid", "nodev", "bind"] })
}

/// The spec the fake host must get, written out by hand.
fn expected_spec(root: &str) -> Value {
    let node = |path: &str| json!({ "path": path, "hostPath": format!("{root}{path}") });
    let lib = |file: &str| format!("{root}{LIB_DIR}/{file}");
    let hook = format!("{root}/usr/bin/nvidia-cdi-hook");
    json!({
        "cdiVersion": "0.5.0",
        "kind": "nvidia.com/gpu",
        "devices": [
            { "name": "2", "containerEdits": { "deviceNodes": [node("/dev/nvidia2")] } },
            { "name": UUID_A, "containerEdits": { "deviceNodes": [node("/dev/nvidia2")] } },
            { "name": "3", "containerEdits": { "deviceNodes": [node("/dev/nvidia3")] } },
            { "name": UUID_B, "containerEdits": { "deviceNodes": [node("/dev/nvidia3")] } },
            { "name": "all", "containerEdits": { "deviceNodes": [node("/dev/nvidia2"), node("/dev/nvidia3")] } },
        ],
        "containerEdits": {
            "env": ["NVIDIA_VISIBLE_DEVICES=void"],
            "deviceNodes": [node("/dev/nvidiactl"), node("/dev/nvidia-uvm"), node("/dev/nvidia-uvm-tools"), node("/dev/nvidia-modeset")],
            "hooks": [
                { "hookName": "createContainer", "path": hook, "args": ["nvidia-cdi-hook", "create-symlinks", "--link", format!("libcuda.so.1::{LIB_DIR}/libcuda.so")] },
                { "hookName": "createContainer", "path": hook, "args": ["nvidia-cdi-hook", "update-ldcache", "--folder", LIB_DIR] },
            ],
            "mounts": [
                bind(lib(&format!("libcuda.so.{DRIVER}")), &format!("{LIB_DIR}/libcuda.so.{DRIVER}")),
                bind(lib(&format!("libcuda.so.{DRIVER}")), &format!("{LIB_DIR}/libcuda.so.1")),
                bind(lib(&format!("libnvidia-ml.so.{DRIVER}")), &format!("{LIB_DIR}/libnvidia-ml.so.{DRIVER}")),
                bind(lib(&format!("libnvidia-ml.so.{DRIVER}")), &format!("{LIB_DIR}/libnvidia-ml.so.1")),
                bind(format!("{root}/usr/share/vulkan/icd.d/nvidia_icd.json"), "/usr/share/vulkan/icd.d/nvidia_icd.json"),
                bind(format!("{root}/usr/bin/nvidia-smi"), "/usr/bin/nvidia-smi"),
                bind(format!("{root}/usr/bin/nvidia-persistenced"), "/usr/bin/nvidia-persistenced"),
                bind(format!("{root}/run/nvidia-persistenced/socket"), "/run/nvidia-persistenced/socket"),
                bind(format!("{root}/lib/firmware/nvidia/{DRIVER}/gsp_ga10x.bin"), &format!("/lib/firmware/nvidia/{DRIVER}/gsp_ga10x.bin")),
                bind(format!("{root}/lib/firmware/nvidia/{DRIVER}/gsp_tu10x.bin"), &format!("/lib/firmware/nvidia/{DRIVER}/gsp_tu10x.bin")),
            ],
        },
    })
}

#[test]
fn generates_the_nvidia_ctk_shaped_spec_of_a_fake_host() {
    let tools = nvidia_host::tools();
    if !requires(
        "generates_the_nvidia_ctk_shaped_spec_of_a_fake_host",
        &[
            ("root (for mknod)", common::is_root()),
            ("cc and ldconfig", tools.is_some()),
        ],
    ) {
        return;
    }
    let (cc, ldconfig) = tools.unwrap();
    let tree = TempDir::new("cdi-gen");
    nvidia_host::build(tree.path(), &cc, &ldconfig);
    let root = tree.path().to_str().unwrap().to_string();

    let output = ok(bundlec().args(["cdi", "generate", "--format", "json", "--root", &root]));
    let spec: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(spec, expected_spec(&root), "{spec:#}");
    // Docker and Podman could use it as is: it passes the CDI JSON Schema and the core's checks.
    let validator = cdi_validator();
    assert_eq!(schema_errors(&validator, &spec), Vec::<String>::new());
    // The check has teeth: a device without edits is refused.
    let mut broken = spec.clone();
    broken["devices"][0] = json!({ "name": "x" });
    assert_eq!(schema_errors(&validator, &broken).len(), 1);

    // YAML (the default) reads as the same spec.
    let yaml = ok(bundlec().args(["cdi", "generate", "--vendor", "nvidia", "--root", &root]));
    let from_yaml = bundlec_core::read_cdi_spec(&common::stdout(&yaml)).unwrap();
    assert_eq!(serde_json::to_value(from_yaml).unwrap(), spec);

    // -o DIR writes DIR/nvidia.yaml, readable by all, and does not replace it without --force.
    let out = tree.join("out");
    fs::create_dir_all(&out).unwrap();
    ok(bundlec()
        .args(["cdi", "generate", "--root", &root, "-o"])
        .arg(&out));
    let written = out.join("nvidia.yaml");
    assert_eq!(
        fs::metadata(&written).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(fs::read_to_string(&written).unwrap(), common::stdout(&yaml));
    let again = run(bundlec()
        .args([
            "--diagnostics",
            "json",
            "cdi",
            "generate",
            "--root",
            &root,
            "-o",
        ])
        .arg(&out));
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("cdi-spec-exists"),
        "{}",
        stderr(&again)
    );
    ok(bundlec()
        .args(["cdi", "generate", "--force", "--root", &root, "-o"])
        .arg(&out));

    // Asked for a vendor it does not have: a warning, and no spec is a failure.
    let none = run(bundlec().args([
        "--diagnostics",
        "json",
        "cdi",
        "generate",
        "--vendor",
        "amd",
        "--root",
        &root,
    ]));
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("amd: no GPU found"),
        "{}",
        stderr(&none)
    );
    assert!(stderr(&none).contains("no-cdi-spec"), "{}", stderr(&none));
}

/// DESIGN §11: with GPUs and no spec, the probe records the generated one, nodes numbered from
/// /dev, and a `gpu:` request then binds the driver's libraries.
#[test]
fn the_probe_records_a_generated_spec_that_gpu_requests_use() {
    let tools = nvidia_host::tools();
    if !requires(
        "the_probe_records_a_generated_spec_that_gpu_requests_use",
        &[
            ("root (for mknod)", common::is_root()),
            ("cc and ldconfig", tools.is_some()),
        ],
    ) {
        return;
    }
    let (cc, ldconfig) = tools.unwrap();
    let tree = TempDir::new("cdi-probe-gen");
    nvidia_host::build(tree.path(), &cc, &ldconfig);
    let root = tree.path().to_str().unwrap().to_string();
    let output = ok(bundlec().args(["probe", "--root", &root]));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_valid("inventory", &inventory);
    assert_eq!(inventory.get("warnings"), None, "{inventory:#}");
    let entry = &inventory["cdi"][0];
    assert_eq!(
        (&entry["path"], &entry["priority"], &entry["generated"]),
        (&json!("/etc/cdi/nvidia.yaml"), &json!(0), &json!(true))
    );
    let mut spec = expected_spec(&root);
    // The inventory's copy has the numbers of each node (nvidia-uvm at the dynamic major).
    let numbered = |node: &mut Value, major: u64, minor: u64| {
        node["type"] = json!("c");
        node["major"] = json!(major);
        node["minor"] = json!(minor);
        node["fileMode"] = json!(0o666);
    };
    for (i, (major, minor)) in [(195, 255), (509, 0), (509, 1), (195, 254)]
        .into_iter()
        .enumerate()
    {
        numbered(&mut spec["containerEdits"]["deviceNodes"][i], major, minor);
    }
    for (device, minors) in [
        (0, vec![2]),
        (1, vec![2]),
        (2, vec![3]),
        (3, vec![3]),
        (4, vec![2, 3]),
    ] {
        for (j, minor) in minors.into_iter().enumerate() {
            numbered(
                &mut spec["devices"][device]["containerEdits"]["deviceNodes"][j],
                195,
                minor,
            );
        }
    }
    assert_eq!(entry["spec"], spec, "{:#}", entry["spec"]);

    let inventory_file = tree.join("inventory.json");
    fs::write(&inventory_file, &output.stdout).unwrap();
    let spec_file = tree.join("spec.yaml");
    write(&spec_file, "version: v1\ndeployment: cuda\nservices:\n  a:\n    image: {name: x}\n    command: {args: [/probe]}\n    resources: {gpu: {vendor: nvidia, count: 1}}\n");
    let compiled = ok(bundlec()
        .arg("compile")
        .arg(&spec_file)
        .arg("--inventory")
        .arg(&inventory_file));
    assert_eq!(stderr(&compiled), "", "no gpu-no-driver-libraries warning");
    let config: Value = serde_json::from_slice(&compiled.stdout).unwrap();
    let destinations: Vec<&str> = config["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["destination"].as_str().unwrap())
        .collect();
    assert!(
        destinations.contains(&format!("{LIB_DIR}/libcuda.so.1").as_str()),
        "{destinations:?}"
    );
    let devices: Vec<(&str, u64, u64)> = config["linux"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap(),
                d["major"].as_u64().unwrap(),
                d["minor"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        devices,
        [
            ("/dev/nvidiactl", 195, 255),
            ("/dev/nvidia-uvm", 509, 0),
            ("/dev/nvidia-uvm-tools", 509, 1),
            ("/dev/nvidia-modeset", 195, 254),
            ("/dev/nvidia2", 195, 2)
        ]
    );
}
