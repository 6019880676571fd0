//! Golden corpus (tests/golden/<case>/, format in tests/CORPUS.md): each case compiles to
//! exactly the bytes of its `expected.json`, and compiling it again gives the same bytes and
//! the same warnings. (That `Compiled::spec` and the JSON agree is checked in core's
//! `canonical` tests, against oci-spec's own serializer.)
//!
//! Beside the corpus: ZLayer's own example files (read from ../shared/reference, not copied),
//! the bundle files `apply` writes for dns/extra_hosts, and named regression tests for the
//! defects of the old builder.

use std::fs;

use bundlec_core::{compile_raw, RawRequest};
use bundlec_tests::{first_difference, golden_cases, inventories_dir, reference_dir, render};
use serde_json::Value;

#[test]
fn golden_cases_compile_to_expected_bytes_deterministically() {
    let cases = golden_cases();
    assert!(
        cases.len() >= 25,
        "the golden corpus should hold at least 25 cases, it holds {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        failures.extend(case.readme_problem());
        let expected = case.expected();
        let first = match compile_raw(case.raw()) {
            Ok(compiled) => compiled,
            Err(diagnostics) => {
                failures.push(format!(
                    "{}: the compile failed:\n{}",
                    case.name,
                    render(&diagnostics)
                ));
                continue;
            }
        };
        if first.json != expected {
            failures.push(format!(
                "{}: config.json differs from expected.json ({})",
                case.name,
                first_difference(&expected, &first.json)
            ));
        }
        match compile_raw(case.raw()) {
            Ok(again) if again.json == first.json && again.warnings == first.warnings => {}
            Ok(again) if again.json == first.json => failures.push(format!(
                "{}: a second compile gave other warnings:\n{}",
                case.name,
                render(&again.warnings)
            )),
            Ok(again) => failures.push(format!(
                "{}: a second compile gave other bytes ({})",
                case.name,
                first_difference(&first.json, &again.json)
            )),
            Err(diagnostics) => failures.push(format!(
                "{}: a second compile failed:\n{}",
                case.name,
                render(&diagnostics)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// golden/privileged-ignores-cap-changes compiles, and says that cap_add/cap_drop were ignored.
#[test]
fn privileged_cap_changes_are_ignored_with_a_warning() {
    let case = golden_cases()
        .into_iter()
        .find(|c| c.name == "privileged-ignores-cap-changes")
        .expect("golden case");
    let compiled = compile_raw(case.raw()).unwrap_or_else(|d| panic!("{}", render(&d)));
    let warnings: Vec<(&str, &str, Option<u32>)> = compiled
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.path.as_str(), w.line))
        .collect();
    assert_eq!(
        warnings,
        [
            ("privileged-without-inventory", "services.agent", Some(4)),
            (
                "ignored-when-privileged",
                "services.agent.cap_add[0]",
                Some(8)
            ),
        ],
        "{}",
        render(&compiled.warnings)
    );
    assert!(compiled
        .warnings
        .iter()
        .all(|w| w.severity == bundlec_core::Severity::Warning));
    // Without cap changes, only the warning that no inventory lists the host's devices.
    let plain = golden_cases()
        .into_iter()
        .find(|c| c.name == "privileged")
        .expect("golden/privileged");
    let warnings: Vec<String> = compile_raw(plain.raw())
        .expect("compiles")
        .warnings
        .into_iter()
        .map(|w| w.code)
        .collect();
    assert_eq!(warnings, ["privileged-without-inventory"]);
}

/// The files `apply` writes into the bundle for `dns` and `extra_hosts` (golden/dns-extra-hosts
/// pins the mounts that bind them).
#[test]
fn bundle_files_for_dns_and_extra_hosts() {
    let case = golden_cases()
        .into_iter()
        .find(|c| c.name == "dns-extra-hosts")
        .expect("golden/dns-extra-hosts");
    let compiled = compile_raw(case.raw()).unwrap_or_else(|d| panic!("{}", render(&d)));
    let files: Vec<(&str, &str)> = compiled
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.contents.as_str()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("resolv.conf", "nameserver 10.0.0.2\nnameserver 2001:db8::53\n"),
            ("hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.5\tdb\n2001:db8::7\tcache\n"),
        ]
    );
    // No dns/extra_hosts, no files.
    let plain = golden_cases()
        .into_iter()
        .find(|c| c.name == "defaults-unprivileged")
        .expect("golden/defaults-unprivileged");
    assert!(compile_raw(plain.raw()).expect("compiles").files.is_empty());
}

// ---------------------------------------------------------------------------------------------
// ZLayer's real example files, read in place from ../shared/reference/zlayer-examples.
// ---------------------------------------------------------------------------------------------

fn zlayer_example(name: &str) -> String {
    let path = reference_dir().join("zlayer-examples").join(name);
    // Never skipped: the reference data is part of the workspace's contract (DESIGN §9).
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn compile_json(raw: RawRequest<'_>) -> Value {
    let compiled =
        compile_raw(raw).unwrap_or_else(|d| panic!("the compile failed:\n{}", render(&d)));
    serde_json::from_str(&compiled.json).expect("config.json is JSON")
}

fn env_of(config: &Value) -> Vec<String> {
    config["process"]["env"]
        .as_array()
        .expect("process.env")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

/// The files ZLayer itself accepts parse and compile here once given the command their images
/// carry (they have none of their own).
#[test]
fn zlayer_examples_that_zlayer_accepts_compile() {
    let nginx_image =
        r#"{"Entrypoint":["/docker-entrypoint.sh"],"Cmd":["nginx","-g","daemon off;"]}"#;
    for name in ["simple.yaml", "simple.zlayer.yml"] {
        let spec = zlayer_example(name);
        for replica in [1, 2] {
            let config = compile_json(RawRequest {
                spec: &spec,
                replica: Some(replica),
                image_config: Some(nginx_image),
                ..RawRequest::default()
            });
            assert_eq!(config["hostname"], format!("web-rep-{replica}"), "{name}");
            assert_eq!(
                config["process"]["args"],
                serde_json::json!(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
                "{name}"
            );
            assert!(
                config["linux"]["resources"].get("memory").is_none(),
                "{name}: no resources, no memory limit"
            );
        }
        // `scale: { mode: fixed, replicas: 2 }` bounds the replica.
        let error = compile_raw(RawRequest {
            spec: &spec,
            replica: Some(3),
            image_config: Some(nginx_image),
            ..RawRequest::default()
        })
        .expect_err("replica 3 of 2");
        assert!(
            error.iter().any(|d| d.code == "bad-replica"),
            "{name}: {}",
            render(&error)
        );
    }

    let spec = zlayer_example("nginx-static.yaml");
    let config = compile_json(RawRequest {
        spec: &spec,
        image_config: Some(nginx_image),
        ..RawRequest::default()
    });
    assert_eq!(config["hostname"], "web-rep-1");
    assert!(env_of(&config).contains(&"NGINX_ENTRYPOINT_QUIET_LOGS=1".to_string()));
    assert_eq!(
        config["linux"]["resources"]["memory"]["limit"],
        64 << 20,
        "memory: 64Mi"
    );
    assert_eq!(
        config["linux"]["resources"]["cpu"]["quota"], 25_000,
        "cpu: 0.25"
    );
    assert_eq!(config["linux"]["resources"]["cpu"]["period"], 100_000);

    let spec = zlayer_example("zlayer-web.zlayer.yml");
    let image = r#"{"config":{"Cmd":["/app/zlayer-web"],"WorkingDir":"/app","Env":["PATH=/usr/local/bin:/usr/bin:/bin"]}}"#;
    let config = compile_json(RawRequest {
        spec: &spec,
        replica: Some(2),
        image_config: Some(image),
        ..RawRequest::default()
    });
    assert_eq!(config["hostname"], "web-rep-2");
    assert_eq!(
        config["process"]["args"],
        serde_json::json!(["/app/zlayer-web"])
    );
    assert_eq!(config["process"]["cwd"], "/app");
    assert_eq!(
        env_of(&config),
        [
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "ZLAYER_WEB_ADDR=0.0.0.0:3000",
            "LEPTOS_SITE_ROOT=/app/target/site",
            "RUST_LOG=info",
            "TERM=xterm"
        ]
    );
    assert_eq!(config["linux"]["resources"]["memory"]["limit"], 512 << 20);
    assert_eq!(config["linux"]["resources"]["cpu"]["quota"], 100_000);
}

/// mac-gpu-pytorch is accepted by ZLayer: it parses here too, and fails only because Apple GPUs
/// have no Linux device nodes.
#[test]
fn zlayer_mac_gpu_example_parses_and_refuses_only_the_apple_gpu() {
    let spec = zlayer_example("mac-gpu-pytorch.zlayer.yml");
    let options = r#"{"volumes":{"model-weights":"/srv/models"}}"#;
    let errors = compile_raw(RawRequest {
        spec: &spec,
        options: Some(options),
        ..RawRequest::default()
    })
    .expect_err("apple GPU");
    let codes: Vec<&str> = errors
        .iter()
        .filter(|d| d.severity == bundlec_core::Severity::Error)
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["gpu-vendor-unsupported"], "{}", render(&errors));
    assert_eq!(errors[0].path, "services.inference.resources.gpu.vendor");
    assert_eq!((errors[0].line, errors[0].column), (Some(26), Some(17)));
}

/// full-service.yaml parses (ZLayer's validation rejects its cron service, an orchestration
/// concern); its `api` service compiles once its `$E:` variables are given.
#[test]
fn zlayer_full_service_api_compiles_with_host_env() {
    let spec = zlayer_example("full-service.yaml");
    let options =
        r#"{"hostEnv":{"DATABASE_URL":"postgres://db:5432/app","REDIS_URL":"redis://cache:6379"}}"#;
    let config = compile_json(RawRequest {
        spec: &spec,
        service: Some("api"),
        image_config: Some(r#"{"Cmd":["node","server.js"]}"#),
        options: Some(options),
        ..RawRequest::default()
    });
    let env = env_of(&config);
    assert!(
        env.contains(&"DATABASE_URL=postgres://db:5432/app".to_string()),
        "{env:?}"
    );
    assert!(
        env.contains(&"REDIS_URL=redis://cache:6379".to_string()),
        "{env:?}"
    );
    assert!(
        !config.to_string().contains("$E:"),
        "a host env reference leaked"
    );
    // Adaptive scale: any replica number is valid.
    let spec_ok = compile_raw(RawRequest {
        spec: &spec,
        service: Some("api"),
        replica: Some(40),
        image_config: Some(r#"{"Cmd":["node"]}"#),
        options: Some(options),
        ..RawRequest::default()
    });
    assert!(spec_ok.is_ok());
}

/// postgres-db.yaml uses a `volumes` key that ZLayer's v1 schema rejects; so does bundlec,
/// at the key's line, with the known fields listed.
#[test]
fn zlayer_postgres_example_is_refused_like_zlayer_does() {
    let spec = zlayer_example("postgres-db.yaml");
    let errors = compile_raw(RawRequest {
        spec: &spec,
        image_config: Some(r#"{"Cmd":["postgres"]}"#),
        ..RawRequest::default()
    })
    .expect_err("`volumes` is not a v1 key");
    let unknown = errors
        .iter()
        .find(|d| d.code == "unknown-field")
        .unwrap_or_else(|| panic!("{}", render(&errors)));
    assert_eq!(unknown.path, "services.database.volumes");
    assert_eq!((unknown.line, unknown.column), (Some(44), Some(5)));
}

// ---------------------------------------------------------------------------------------------
// Regressions: each fails on a defect of the old builder.
// ---------------------------------------------------------------------------------------------

fn inventory(name: &str) -> String {
    fs::read_to_string(inventories_dir().join(format!("{name}.json"))).expect("inventory")
}

const DEVICE_SPEC: &str = "version: v1\ndeployment: regress\nservices:\n  s:\n    image: { name: x }\n    command: { entrypoint: [/s] }\n    devices:\n      - { path: /dev/weird }\n      - { path: /dev/nvme1n1, write: false }\n      - { path: /dev/big, mknod: true }\n";

/// Old builder: `major & 0xff`, `minor & 0xff` (so 511:300 became 255:44, 259:65536 became 3:0).
#[test]
fn regression_device_numbers_above_255_are_kept() {
    let inv = inventory("no-gpu-host");
    let config = compile_json(RawRequest {
        spec: DEVICE_SPEC,
        inventory: Some(&inv),
        ..RawRequest::default()
    });
    let nodes: Vec<(String, String, i64, i64)> = config["linux"]["devices"]
        .as_array()
        .expect("linux.devices")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().into(),
                d["type"].as_str().unwrap().into(),
                d["major"].as_i64().unwrap(),
                d["minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        [
            ("/dev/weird".into(), "c".into(), 511, 300),
            ("/dev/nvme1n1".into(), "b".into(), 259, 65536),
            ("/dev/big".into(), "c".into(), 4095, 1_048_575)
        ]
    );
    let rules = &config["linux"]["resources"]["devices"];
    let granted: Vec<(i64, i64, &str)> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["allow"] == true
                && r["minor"].is_i64()
                && r["major"].as_i64() > Some(5)
                && r["major"] != 136
        })
        .map(|r| {
            (
                r["major"].as_i64().unwrap(),
                r["minor"].as_i64().unwrap(),
                r["access"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        granted,
        [
            (511, 300, "rw"),
            (259, 65536, "r"),
            (4095, 1_048_575, "rwm")
        ]
    );
}

/// Old builder: GPU nodes got hard-coded majors (195 for everything NVIDIA, 510 for uvm).
/// The same spec takes nvidia-uvm's major from whichever inventory it is compiled against.
#[test]
fn regression_gpu_majors_come_from_the_inventory() {
    let spec = "version: v1\ndeployment: regress\nservices:\n  s:\n    image: { name: x }\n    command: { entrypoint: [/s] }\n    resources: { gpu: { vendor: nvidia, count: 1 } }\n";
    for (inventory_name, uvm_major) in [
        ("nvidia-1gpu-uvm234", 234),
        ("nvidia-4gpu-uvm509", 509),
        ("nvidia-2gpu", 511),
    ] {
        let inv = inventory(inventory_name);
        let config = compile_json(RawRequest {
            spec,
            inventory: Some(&inv),
            ..RawRequest::default()
        });
        let devices = config["linux"]["devices"].as_array().unwrap();
        for path in ["/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"] {
            let node = devices
                .iter()
                .find(|d| d["path"] == path)
                .unwrap_or_else(|| panic!("{inventory_name}: {path} granted"));
            assert_eq!(node["major"], uvm_major, "{inventory_name}: {path}");
            let rule = config["linux"]["resources"]["devices"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["major"] == node["major"] && r["minor"] == node["minor"]);
            assert!(
                rule.is_some_and(|r| r["allow"] == true && r["access"] == "rw"),
                "{inventory_name}: {path} has an allow rule"
            );
        }
        let ctl = devices
            .iter()
            .find(|d| d["path"] == "/dev/nvidiactl")
            .expect("nvidiactl");
        assert_eq!(
            (ctl["major"].as_i64(), ctl["minor"].as_i64()),
            (Some(195), Some(255))
        );
    }
    // AMD's kfd has a dynamic major too (510 on the MI300 inventory; not 226, the DRM major).
    let inv = inventory("amd-mi300");
    let spec_amd = spec.replace("vendor: nvidia", "vendor: amd");
    let config = compile_json(RawRequest {
        spec: &spec_amd,
        inventory: Some(&inv),
        ..RawRequest::default()
    });
    let kfd = config["linux"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "/dev/kfd")
        .cloned()
        .expect("kfd");
    assert_eq!(kfd["major"], 510);
}

fn capabilities(config: &Value) -> Vec<String> {
    let caps = &config["process"]["capabilities"];
    let bounding: Vec<String> = caps["bounding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(caps["effective"], caps["bounding"], "effective = bounding");
    assert_eq!(caps["permitted"], caps["bounding"], "permitted = bounding");
    assert_eq!(caps["inheritable"], serde_json::json!([]));
    assert_eq!(caps["ambient"], serde_json::json!([]));
    let mut sorted = bounding.clone();
    sorted.sort();
    assert_eq!(bounding, sorted, "capabilities are sorted");
    bounding
}

fn caps_spec(fields: &str) -> String {
    format!("version: v1\ndeployment: regress\nservices:\n  s:\n    image: {{ name: x }}\n    command: {{ entrypoint: [/s] }}\n{fields}")
}

/// Old builder: only `CAP_`-prefixed upper-case names were added, unknown names were silently
/// dropped, and cap_drop was ignored.
#[test]
fn regression_capability_names_add_and_drop() {
    for written in [
        "NET_ADMIN",
        "CAP_NET_ADMIN",
        "net_admin",
        "cap_net_admin",
        "Net_Admin",
    ] {
        let config = compile_json(RawRequest {
            spec: &caps_spec(&format!("    capabilities: [{written}]\n")),
            ..RawRequest::default()
        });
        let caps = capabilities(&config);
        assert!(
            caps.contains(&"CAP_NET_ADMIN".to_string()),
            "{written}: {caps:?}"
        );
        assert_eq!(caps.len(), 15, "{written}: the 14 defaults plus NET_ADMIN");
    }
    let config = compile_json(RawRequest {
        spec: &caps_spec("    cap_add: [net_admin]\n    cap_drop: [CHOWN, cap_kill]\n"),
        ..RawRequest::default()
    });
    let caps = capabilities(&config);
    assert!(
        !caps.contains(&"CAP_CHOWN".to_string()) && !caps.contains(&"CAP_KILL".to_string()),
        "{caps:?}"
    );
    assert_eq!(caps.len(), 13);
    let errors = compile_raw(RawRequest {
        spec: &caps_spec("    cap_add: [NET_ADMN]\n"),
        ..RawRequest::default()
    })
    .expect_err("unknown cap");
    assert_eq!(
        errors
            .iter()
            .filter(|d| d.severity == bundlec_core::Severity::Error)
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>(),
        ["unknown-capability"],
        "{}",
        render(&errors)
    );
}

/// Old builder: `mode: 1777` read as decimal and written in octal: `mode=3361`.
#[test]
fn regression_tmpfs_mode_is_octal() {
    for written in ["1777", "\"1777\"", "0o1777", "01777"] {
        let spec = caps_spec(&format!(
            "    storage: [ {{ type: tmpfs, target: /tmp, mode: {written} }} ]\n"
        ));
        let config = compile_json(RawRequest {
            spec: &spec,
            ..RawRequest::default()
        });
        let tmp = config["mounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["destination"] == "/tmp")
            .cloned()
            .expect("/tmp");
        let options: Vec<&str> = tmp["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect();
        assert!(options.contains(&"mode=1777"), "{written}: {options:?}");
        assert!(!options.contains(&"mode=3361"), "{written}");
    }
}

/// Old builder: /sys/fs/cgroup was mounted read-write into unprivileged containers.
#[test]
fn regression_cgroup_mount_is_read_only_unless_privileged() {
    let config = compile_json(RawRequest {
        spec: &caps_spec(""),
        ..RawRequest::default()
    });
    let mount = |config: &Value, target: &str| -> Vec<String> {
        let m = config["mounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["destination"] == target)
            .cloned()
            .expect(target);
        m["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap().to_string())
            .collect()
    };
    assert!(mount(&config, "/sys/fs/cgroup").contains(&"ro".to_string()));
    assert!(mount(&config, "/sys").contains(&"ro".to_string()));
    let privileged = compile_json(RawRequest {
        spec: &caps_spec("    privileged: true\n"),
        ..RawRequest::default()
    });
    assert!(!mount(&privileged, "/sys/fs/cgroup").contains(&"ro".to_string()));
    assert!(!mount(&privileged, "/sys").contains(&"ro".to_string()));
}

/// Old builder: quota = cpu × 100000 truncated (0.001 → 100, below the kernel's 1000 minimum).
#[test]
fn regression_cpu_quota_has_a_minimum_of_1000() {
    for (cpu, quota) in [
        ("0.001", 1000),
        ("0.0000001", 1000),
        ("0.011", 1100),
        ("0.5", 50_000),
        ("2", 200_000),
        ("\"1.5\"", 150_000),
    ] {
        let spec = caps_spec(&format!("    resources: {{ cpu: {cpu} }}\n"));
        let config = compile_json(RawRequest {
            spec: &spec,
            ..RawRequest::default()
        });
        assert_eq!(
            config["linux"]["resources"]["cpu"]["quota"], quota,
            "cpu {cpu}"
        );
        assert_eq!(
            config["linux"]["resources"]["cpu"]["period"], 100_000,
            "cpu {cpu}"
        );
    }
}

/// Old builder: memory sizes parsed into u32/i32 and wrapped (8Gi became 0).
#[test]
fn regression_memory_sizes_do_not_wrap() {
    for (memory, bytes) in [
        ("4Gi", 4_i64 << 30),
        ("8Gi", 8 << 30),
        ("16Gi", 16 << 30),
        ("2Ti", 2 << 40),
        ("5000000000", 5_000_000_000),
        ("7Pi", 7 << 50),
    ] {
        let spec = caps_spec(&format!("    resources: {{ memory: {memory} }}\n"));
        let config = compile_json(RawRequest {
            spec: &spec,
            ..RawRequest::default()
        });
        assert_eq!(
            config["linux"]["resources"]["memory"]["limit"].as_i64(),
            Some(bytes),
            "memory {memory}"
        );
    }
}

/// Old builder: WORLD_SIZE was the GPU count and RANK the replica number.
#[test]
fn regression_world_size_and_rank_follow_the_replicas() {
    let spec = "version: v1\ndeployment: regress\nservices:\n  t:\n    image: { name: x }\n    command: { entrypoint: [/t] }\n    resources: { gpu: { count: 2, distributed: {} } }\n    scale: { mode: fixed, replicas: 4 }\n";
    let inv = inventory("nvidia-2gpu");
    for replica in 1..=4_u32 {
        let config = compile_json(RawRequest {
            spec,
            replica: Some(replica),
            inventory: Some(&inv),
            ..RawRequest::default()
        });
        let env = env_of(&config);
        for expected in [
            "WORLD_SIZE=4".to_string(),
            format!("RANK={}", replica - 1),
            "LOCAL_RANK=0".into(),
            "MASTER_ADDR=t-rep-1".into(),
            "MASTER_PORT=29500".into(),
        ] {
            assert!(
                env.contains(&expected),
                "replica {replica}: {expected} missing from {env:?}"
            );
        }
        for key in [
            "WORLD_SIZE=",
            "RANK=",
            "MASTER_ADDR=",
            "CUDA_VISIBLE_DEVICES=",
            "NVIDIA_VISIBLE_DEVICES=",
        ] {
            assert_eq!(
                env.iter().filter(|e| e.starts_with(key)).count(),
                1,
                "replica {replica}: one {key}"
            );
        }
    }
}

/// Old builder: `$S:`/`$E:` values reached the container as the reference text when unresolved.
#[test]
fn regression_secret_and_host_env_references_never_leak() {
    let case = golden_cases()
        .into_iter()
        .find(|c| c.name == "env-refs")
        .expect("golden/env-refs");
    let config = compile_raw(case.raw()).expect("compiles").json;
    for leaked in ["$S:db/password", "$E:HOME", "$S:api-token"] {
        assert!(!config.contains(leaked), "{leaked} reached config.json");
    }
    assert!(
        config.contains("DB_PASSWORD=s3cret-pa55")
            && config.contains("HOME_DIR=/home/operator")
            && config.contains("API_TOKEN=tok_123")
    );
    // Unresolved: an error, and the diagnostics do not carry a secret value either.
    let without = RawRequest {
        options: Some(r#"{"secrets":{"api-token":"tok_123"}}"#),
        ..case.raw()
    };
    let errors = compile_raw(without).expect_err("missing secret and host env");
    let codes: Vec<&str> = errors
        .iter()
        .filter(|d| d.severity == bundlec_core::Severity::Error)
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["missing-secret", "missing-host-env"],
        "{}",
        render(&errors)
    );
    assert!(
        !render(&errors).contains("tok_123"),
        "a secret value reached a diagnostic"
    );
}

/// Old builder: `User: nginx` fell back to uid 0 when it could not be resolved.
#[test]
fn regression_image_user_name_resolves_or_fails_never_root() {
    let spec = caps_spec("");
    let image = r#"{"User":"nginx"}"#;
    let passwd = fs::read_to_string(inventories_dir().join("etc-basic.passwd")).unwrap();
    let group = fs::read_to_string(inventories_dir().join("etc-basic.group")).unwrap();
    let options = serde_json::json!({ "passwd": passwd, "group": group }).to_string();
    let config = compile_json(RawRequest {
        spec: &spec,
        image_config: Some(image),
        options: Some(&options),
        ..RawRequest::default()
    });
    assert_eq!(
        (
            config["process"]["user"]["uid"].as_u64(),
            config["process"]["user"]["gid"].as_u64()
        ),
        (Some(101), Some(101))
    );
    let errors = compile_raw(RawRequest {
        spec: &spec,
        image_config: Some(image),
        ..RawRequest::default()
    })
    .expect_err("no passwd");
    assert_eq!(
        errors
            .iter()
            .filter(|d| d.severity == bundlec_core::Severity::Error)
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>(),
        ["unknown-user"],
        "{}",
        render(&errors)
    );
    assert_eq!(errors[0].path, "imageConfig.User");
}

/// Issue 9 item 14: binds that undo the confinement stay legal but warn (`dangerous-bind`) at
/// the bind's source, naming what they expose. Runtime sockets (and their parents) warn even
/// read-only; `/etc`, `/proc`, `/sys`, `/dev` and `/` only read-write; ordinary paths never.
#[test]
fn dangerous_binds_compile_with_a_warning_at_the_source() {
    let binds = [
        ("/", false, Some("the host's whole filesystem")),
        ("/", true, Some("the Docker socket")),
        ("/etc", false, Some("the host's configuration")),
        ("/etc", true, None),
        ("//etc/./", false, Some("the host's configuration")),
        ("/etc/acme", false, None),
        ("/proc", false, Some("the host's processes")),
        ("/sys/fs/cgroup", false, Some("the host's kernel")),
        ("/sys", true, None),
        ("/dev", false, Some("every device of the host")),
        ("/var/run/docker.sock", true, Some("the Docker socket")),
        ("/run/docker.sock", false, Some("the Docker socket")),
        (
            "/run/containerd/containerd.sock",
            true,
            Some("the containerd socket"),
        ),
        ("/var/run/containerd", true, Some("the containerd socket")),
        ("/var/run", true, Some("the Docker socket")),
        ("/run", true, Some("the containerd socket")),
        ("/var/lib/data", false, None),
        ("/srv", false, None),
    ];
    let mut spec = String::from(
        "version: v1\ndeployment: binds\nservices:\n  api:\n    image: { name: x }\n    command: { args: [/api] }\n    storage:\n",
    );
    for (i, (source, readonly, _)) in binds.iter().enumerate() {
        spec.push_str(&format!(
            "      - {{ type: bind, source: \"{source}\", target: /b/{i}, readonly: {readonly} }}\n"
        ));
    }
    let compiled = compile_raw(RawRequest {
        spec: &spec,
        ..RawRequest::default()
    })
    .unwrap_or_else(|d| panic!("dangerous binds are legal:\n{}", render(&d)));
    for (i, (source, readonly, exposes)) in binds.iter().enumerate() {
        let path = format!("services.api.storage[{i}].source");
        let warning = compiled
            .warnings
            .iter()
            .find(|w| w.code == "dangerous-bind" && w.path == path);
        match (exposes, warning) {
            (None, None) => {}
            (Some(what), Some(w)) => {
                assert!(w.message.contains(what), "{source}: {}", w.message);
                assert_eq!(w.line, Some(u32::try_from(8 + i).unwrap()), "{source}");
                assert!(!w.is_error() && w.hint.is_some(), "{source}");
            }
            _ => panic!("{source} (readonly {readonly}): expected {exposes:?}, got {warning:?}"),
        }
    }
    // The rootfs `/` is the host itself.
    for (rootfs, warns) in [("/", true), ("//", true), ("/srv/rootfs", false)] {
        let options = format!(r#"{{"rootfs":"{rootfs}"}}"#);
        let compiled = compile_raw(RawRequest {
            spec: "version: v1\ndeployment: binds\nservices:\n  api:\n    image: { name: x }\n    command: { args: [/api] }\n",
            options: Some(&options),
            ..RawRequest::default()
        })
        .unwrap();
        let warned = compiled
            .warnings
            .iter()
            .any(|w| w.code == "dangerous-bind" && w.path == "options.rootfs");
        assert_eq!(warned, warns, "{rootfs}");
    }
}

/// DESIGN §11: an NVIDIA GPU given from inventory nodes alone warns that the driver's libraries
/// are missing; through a CDI spec it does not.
#[test]
fn nvidia_gpus_without_a_cdi_spec_warn_of_missing_driver_libraries() {
    let warnings = |name: &str| -> Vec<(String, String)> {
        let case = golden_cases()
            .into_iter()
            .find(|c| c.name == name)
            .expect("golden case");
        compile_raw(case.raw())
            .unwrap_or_else(|d| panic!("{}", render(&d)))
            .warnings
            .into_iter()
            .map(|w| (w.code, w.path))
            .collect()
    };
    assert_eq!(
        warnings("gpu-nvidia-uvm234"),
        [(
            "gpu-no-driver-libraries".to_string(),
            "services.infer.resources.gpu.vendor".to_string()
        )]
    );
    assert_eq!(warnings("cdi-nvidia-gpu"), []);
    // AMD and Intel GPUs need no driver libraries from the host.
    assert_eq!(warnings("gpu-amd-mi300"), []);
}

/// DESIGN §11: a GPU goes through CDI by its index name, or by its UUID name when the spec has
/// no index names (as `nvidia-ctk cdi generate --device-name-strategy=uuid` writes it).
#[test]
fn gpus_use_their_uuid_name_when_the_spec_has_no_index_names() {
    let text = fs::read_to_string(inventories_dir().join("nvidia-cdi.json")).unwrap();
    let mut inventory: Value = serde_json::from_str(&text).unwrap();
    let devices = inventory["cdi"][0]["spec"]["devices"]
        .as_array_mut()
        .unwrap();
    devices.retain(|device| device["name"] != "0" && device["name"] != "1");
    let inventory = inventory.to_string();
    let spec = "version: v1\ndeployment: uuid\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    resources: {gpu: {vendor: nvidia, count: 2}}\n";
    let compiled = compile_raw(RawRequest {
        spec,
        inventory: Some(&inventory),
        ..RawRequest::default()
    })
    .unwrap_or_else(|d| panic!("{}", render(&d)));
    let config: Value = serde_json::from_str(&compiled.json).unwrap();
    let nodes: Vec<&str> = config["linux"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        nodes,
        [
            "/dev/nvidia-modeset",
            "/dev/nvidia-uvm",
            "/dev/nvidia-uvm-tools",
            "/dev/nvidiactl",
            "/dev/nvidia0",
            "/dev/nvidia1"
        ]
    );
    // With neither name, the GPU is an unknown CDI device, named by its index.
    let mut bare: Value = serde_json::from_str(&inventory).unwrap();
    bare["cdi"][0]["spec"]["devices"]
        .as_array_mut()
        .unwrap()
        .retain(|device| device["name"] == "all");
    let errors = compile_raw(RawRequest {
        spec,
        inventory: Some(&bare.to_string()),
        ..RawRequest::default()
    })
    .unwrap_err();
    assert_eq!(errors[0].code, "unknown-cdi-device");
    assert_eq!(
        errors[0].message,
        "no CDI spec in the inventory defines `nvidia.com/gpu=0`"
    );
}
