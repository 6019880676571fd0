//! Inputs for the benchmarks: the minimal, typical and heavy specs of BENCHMARKS.md, a deployment
//! of N services, and the inventory and passwd they need. Generated, so their sizes are explicit.

use std::fmt::Write;

/// Image only, with a command.
pub fn minimal_spec() -> String {
    "version: v1\ndeployment: bench\nservices:\n  app:\n    image: { name: \"busybox:1.36\" }\n    command: { args: [\"sleep\", \"infinity\"] }\n"
        .to_string()
}

/// 10 env vars, 5 mounts, 1 device, resources.
pub fn typical_spec() -> String {
    let mut spec = service_header("api");
    spec.push_str("    env:\n");
    for i in 0..10 {
        let _ = writeln!(spec, "      VAR_{i}: value-{i}");
    }
    spec.push_str(
        "    resources: { cpu: 1.5, memory: 512Mi, pids_limit: 512, memory_reservation: 256Mi }\n",
    );
    spec.push_str("    devices: [ { path: /dev/fuse } ]\n    storage:\n");
    spec.push_str("      - { type: bind, source: /etc/acme, target: /etc/acme, readonly: true }\n");
    spec.push_str("      - { type: named, name: data, target: /var/lib/acme }\n");
    spec.push_str("      - { type: anonymous, target: /cache }\n");
    spec.push_str("      - { type: tmpfs, target: /tmp, size: 64Mi, mode: 1777 }\n");
    spec.push_str(
        "      - { type: bind, source: /srv/static, target: /srv/static, readonly: true }\n",
    );
    spec
}

/// 2 GPUs distributed, 20 mounts, 50 env vars, 10 devices, a user by name.
pub fn heavy_spec() -> String {
    let mut spec = service_header("trainer");
    spec.push_str("    user: app\n    env:\n");
    for i in 0..50 {
        let _ = writeln!(spec, "      TRAIN_VAR_{i}: \"value {i}\"");
    }
    spec.push_str("    resources:\n      cpu: 16\n      memory: 64Gi\n");
    spec.push_str("      gpu: { vendor: nvidia, count: 2, distributed: { backend: nccl, master_port: 29500 } }\n");
    spec.push_str("    scale: { mode: fixed, replicas: 8 }\n    devices:\n");
    for i in 0..10 {
        let _ = writeln!(spec, "      - {{ path: /dev/bench{i} }}");
    }
    spec.push_str("    storage:\n");
    for i in 0..20 {
        let _ = writeln!(
            spec,
            "      - {{ type: bind, source: /data/{i}, target: /mnt/{i}, readonly: true }}"
        );
    }
    spec
}

/// A deployment of `count` typical-sized services named `svc-0`…
pub fn deployment_spec(count: usize) -> String {
    let mut spec = String::from("version: v1\ndeployment: bench\nservices:\n");
    for i in 0..count {
        let _ = write!(
            spec,
            "  svc-{i}:\n    image: {{ name: \"app:{i}\" }}\n    command: {{ args: [\"/bin/app\", \"--id\", \"{i}\"] }}\n    env: {{ ID: \"{i}\", MODE: prod }}\n    resources: {{ cpu: 0.5, memory: 128Mi }}\n"
        );
    }
    spec
}

fn service_header(name: &str) -> String {
    format!("version: v1\ndeployment: bench\nservices:\n  {name}:\n    image: {{ name: \"ghcr.io/acme/{name}:1\" }}\n    command: {{ entrypoint: [\"/bin/{name}\"], args: [\"--serve\"] }}\n")
}

/// An x86_64 host on kernel 6.8 (so the seccomp profile resolves without assumptions) with
/// two NVIDIA GPUs, /dev/fuse and ten extra nodes `/dev/bench0`…
pub fn inventory_json() -> String {
    let mut devices = vec![
        node("/dev/fuse", 10, 229),
        node("/dev/nvidia0", 195, 0),
        node("/dev/nvidia1", 195, 1),
        node("/dev/nvidiactl", 195, 255),
        node("/dev/nvidia-uvm", 511, 0),
        node("/dev/nvidia-uvm-tools", 511, 1),
    ];
    devices.extend((0..10).map(|i| node(&format!("/dev/bench{i}"), 240, i)));
    format!(
        r#"{{"inventoryVersion":2,"host":{{"arch":"x86_64","kernel":"6.8.0-45-generic"}},"devices":[{}],"gpus":[{},{}],"gpuShared":{{"nvidia":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia-uvm-tools"]}}}}"#,
        devices.join(","),
        r#"{"vendor":"nvidia","index":0,"uuid":"GPU-0","nodes":["/dev/nvidia0"]}"#,
        r#"{"vendor":"nvidia","index":1,"uuid":"GPU-1","nodes":["/dev/nvidia1"]}"#
    )
}

fn node(path: &str, major: u32, minor: u32) -> String {
    format!(
        r#"{{"path":"{path}","type":"c","major":{major},"minor":{minor},"fileMode":438,"uid":0,"gid":0}}"#
    )
}

/// The volumes every spec uses; what the minimal and typical specs are compiled with.
pub fn options_json() -> String {
    format!(r#"{{{VOLUMES}}}"#)
}

/// The heavy spec's options: the volumes, and a 500-line passwd (root first, as in real
/// images, `app` last) with its group file, for the user named in the heavy spec.
pub fn heavy_options_json() -> String {
    let mut passwd = String::from("root:x:0:0:root:/root:/bin/sh\n");
    for i in 0..498 {
        let _ = writeln!(
            passwd,
            "user{i}:x:{}:{}::/home/user{i}:/bin/sh",
            2000 + i,
            2000 + i
        );
    }
    passwd.push_str("app:x:1234:1234::/home/app:/bin/sh\n");
    format!(
        r#"{{{VOLUMES},"passwd":{},"group":"root:x:0:\napp:x:1234:\nvideo:x:44:app\n"}}"#,
        json_string(&passwd)
    )
}

const VOLUMES: &str = r#""volumes":{"data":"/var/lib/bundlec/volumes/bench/data","/cache":"/var/lib/bundlec/volumes/bench/cache"}"#;

/// The options a named input spec is compiled with.
pub fn options_for(spec_name: &str) -> String {
    if spec_name == "heavy" {
        heavy_options_json()
    } else {
        options_json()
    }
}

fn json_string(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// A request for `spec` on the bench inventory, with `options` (JSON text).
pub fn request(spec: &str, options: &str) -> bundlec_core::Request {
    let inventory = inventory_json();
    let raw = bundlec_core::RawRequest {
        spec,
        inventory: Some(&inventory),
        options: Some(options),
        ..Default::default()
    };
    match bundlec_core::Request::from_raw(raw) {
        Ok(request) => request,
        Err(diagnostics) => unreachable_request(&diagnostics),
    }
}

fn unreachable_request(diagnostics: &[bundlec_core::Diagnostic]) -> bundlec_core::Request {
    // The inputs above are fixed; a failure here is a bug in this file.
    eprintln!("benchmark inputs are invalid: {diagnostics:?}");
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_benchmark_input_compiles() {
        for (name, spec) in [
            ("minimal", minimal_spec()),
            ("typical", typical_spec()),
            ("heavy", heavy_spec()),
        ] {
            let compiled = bundlec_core::compile(&request(&spec, &options_for(name)));
            assert!(compiled.is_ok(), "{spec}\n{compiled:?}");
        }
        let outputs =
            bundlec_core::compile_all(&request(&deployment_spec(3), &options_json())).unwrap();
        assert!(outputs.iter().all(|(_, result)| result.is_ok()));
    }
}
