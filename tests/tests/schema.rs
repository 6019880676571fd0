//! Every golden expected.json, and a fresh compile of every golden case, validates against the
//! OCI runtime-spec JSON Schema in ../shared/reference/runtime-spec-schema (draft-04, `$ref`s
//! to defs.json, config-linux.json… resolved locally, nothing fetched).
//!
//! The schema directory is required: the test fails when it is missing, in CI and elsewhere
//! (DESIGN §9 makes it part of the contract), so a missing checkout of ../shared never passes
//! silently.

use bundlec_core::compile_raw;
use bundlec_tests::{golden_cases, in_ci, oci_validator, render, schema_dir, schema_errors};
use serde_json::{json, Value};

fn validator() -> jsonschema::Validator {
    let dir = schema_dir();
    if !dir.join("config-schema.json").exists() {
        let context = if in_ci() {
            "CI=true: the OCI schema check never skips"
        } else {
            "the OCI schema check needs it"
        };
        panic!(
            "{} is missing ({context}); check out ../shared/reference beside the repository",
            dir.display()
        );
    }
    oci_validator().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn golden_expected_files_are_valid_oci_configs() {
    let validator = validator();
    let mut failures = Vec::new();
    let cases = golden_cases();
    assert!(!cases.is_empty());
    for case in &cases {
        let expected: Value = serde_json::from_str(&case.expected())
            .unwrap_or_else(|e| panic!("{}: expected.json is not JSON: {e}", case.name));
        let errors = schema_errors(&validator, &expected);
        if !errors.is_empty() {
            failures.push(format!("{} (expected.json):\n{errors}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fresh_compiles_of_golden_cases_are_valid_oci_configs() {
    let validator = validator();
    let mut failures = Vec::new();
    for case in golden_cases() {
        let compiled = match compile_raw(case.raw()) {
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
        let config: Value = serde_json::from_str(&compiled.json).expect("config.json is JSON");
        let errors = schema_errors(&validator, &config);
        if !errors.is_empty() {
            failures.push(format!("{} (fresh compile):\n{errors}", case.name));
        }
        assert!(
            config["ociVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with("1.2.") || v.starts_with("1.3.")),
            "{}: ociVersion",
            case.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The validator is not a no-op: broken configs, each wrong in one way a bug could make it
/// wrong, are refused, and each error points where it should.
#[test]
fn broken_configs_are_refused() {
    let validator = validator();
    let base: Value = serde_json::from_str(
        &golden_cases()
            .into_iter()
            .find(|c| c.name == "defaults-unprivileged")
            .expect("golden case")
            .expected(),
    )
    .expect("JSON");
    assert!(
        validator.is_valid(&base),
        "the base config is valid:\n{}",
        schema_errors(&validator, &base)
    );

    let mut broken: Vec<(&str, Value)> = Vec::new();
    let mut edit = |what: &'static str, change: &dyn Fn(&mut Value)| {
        let mut config = base.clone();
        change(&mut config);
        broken.push((what, config));
    };
    edit("no ociVersion", &|c| {
        c.as_object_mut().unwrap().remove("ociVersion");
    });
    edit("ociVersion not a string", &|c| c["ociVersion"] = json!(1.2));
    edit("uid negative", &|c| c["process"]["user"]["uid"] = json!(-1));
    edit("args not strings", &|c| {
        c["process"]["args"] = json!([1, 2])
    });
    edit("cwd missing", &|c| {
        c["process"].as_object_mut().unwrap().remove("cwd");
    });
    edit("mount without destination", &|c| {
        c["mounts"][0]
            .as_object_mut()
            .unwrap()
            .remove("destination");
    });
    edit("unknown namespace type", &|c| {
        c["linux"]["namespaces"][0]["type"] = json!("pids")
    });
    edit("capability not a string", &|c| {
        c["process"]["capabilities"]["bounding"][0] = json!(29)
    });
    edit("rlimit without soft", &|c| {
        c["process"]["rlimits"][0]
            .as_object_mut()
            .unwrap()
            .remove("soft");
    });
    edit("rlimit negative", &|c| {
        c["process"]["rlimits"][0]["hard"] = json!(-1)
    });
    edit("memory limit not a number", &|c| {
        c["linux"]["resources"]["memory"] = json!({ "limit": "512Mi" })
    });
    edit("major not an integer", &|c| {
        c["linux"]["resources"]["devices"][1]["major"] = json!(1.5)
    });
    edit("device without path", &|c| {
        c["linux"]["devices"] = json!([{ "type": "c", "major": 1, "minor": 3 }])
    });
    edit("device cgroup rule without allow", &|c| {
        c["linux"]["resources"]["devices"][0] = json!({ "access": "rwm" })
    });
    edit("root path missing", &|c| {
        c["root"] = json!({ "readonly": false })
    });
    edit("annotations not strings", &|c| {
        c["annotations"] = json!({ "team": 1 })
    });

    for (what, config) in &broken {
        assert!(
            !validator.is_valid(config),
            "the schema accepted a config with {what}"
        );
    }
    // The errors name the place.
    let mut config = base.clone();
    config["process"]["user"]["uid"] = json!(-1);
    let errors: Vec<String> = validator
        .iter_errors(&config)
        .map(|e| e.instance_path.to_string())
        .collect();
    assert!(
        errors.iter().any(|p| p == "/process/user/uid"),
        "{errors:?}"
    );
}

/// The README's first command: the bundled GPU example, replica 2 of 4, on the bundled node.
#[test]
fn readme_gpu_example_is_a_valid_oci_config() {
    let examples = bundlec_tests::repo_root().join("examples");
    let spec = std::fs::read_to_string(examples.join("specs/gpu-inference.yaml")).unwrap();
    let inventory = std::fs::read_to_string(examples.join("inventories/nvidia-2gpu.json")).unwrap();
    let compiled = compile_raw(bundlec_core::RawRequest {
        spec: &spec,
        inventory: Some(&inventory),
        replica: Some(2),
        ..Default::default()
    })
    .unwrap_or_else(|diagnostics| panic!("{}", render(&diagnostics)));
    let config: Value = serde_json::from_str(&compiled.json).unwrap();
    let errors = schema_errors(&validator(), &config);
    assert!(errors.is_empty(), "{errors}");
    let env = config["process"]["env"].as_array().unwrap();
    for expected in ["WORLD_SIZE=4", "RANK=1", "CUDA_VISIBLE_DEVICES=0,1"] {
        assert!(
            env.iter().any(|e| e == expected),
            "{expected} missing from {env:?}"
        );
    }
}

/// The inventories of the corpus, the examples and the page follow the inventory schema bundlec
/// publishes (`bundlec schema inventory`), CDI specs included; only `bad-version.json` breaks it
/// on purpose.
#[test]
fn inventories_follow_the_published_inventory_schema() {
    let schema: Value = serde_json::from_str(bundlec_core::schema("inventory").unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let root = bundlec_tests::repo_root();
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in [
        "tests/inventories",
        "examples/inventories",
        "web/page/inventories",
    ] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        names.sort();
        for path in names {
            let inventory: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let errors = schema_errors(&validator, &inventory);
            let refused = path.ends_with("bad-version.json");
            if errors.is_empty() == refused {
                failures.push(format!("{}: {errors}", path.display()));
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
