//! Shared by the fuzz targets: the fixed parts of each request (taken from the test corpus) and
//! the invariants every compile must hold, whatever the input.

use std::sync::OnceLock;

use bundlec_core::{
    compile, compile_all, Compiled, Diagnostic, ImageConfig, Inventory, Options, Request, Severity,
    OCI_VERSION,
};

/// A host with devices, drivers and two NVIDIA GPUs, so device and GPU requests can succeed.
pub const INVENTORY: &str = include_str!("../../tests/inventories/nvidia-2gpu.json");
pub const PASSWD: &str = include_str!("../../tests/inventories/etc-basic.passwd");
pub const GROUP: &str = include_str!("../../tests/inventories/etc-basic.group");
pub const IMAGE_CONFIG: &str = r#"{
  "User": "app",
  "Entrypoint": ["/docker-entrypoint.sh"],
  "Cmd": ["serve", "--verbose"],
  "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/root"],
  "WorkingDir": "/app"
}"#;

/// A spec that reads every option: host and secret references, each kind of volume, a user
/// resolved through passwd/group, and a distributed GPU job.
pub const OPTIONS_SPEC: &str = r#"version: v1
deployment: fuzz-options
services:
  trainer:
    image: { name: "ghcr.io/acme/trainer:1" }
    command:
      entrypoint: ["/usr/bin/train"]
      args: ["--epochs", "3"]
      workdir: /work
    env:
      HOME: $E:HOME
      DB_PASSWORD: $S:db/password
      LOG_LEVEL: info
    user: app
    extra_groups: [video]
    resources:
      gpu: { vendor: nvidia, count: 1, distributed: { backend: nccl, master_port: 29500 } }
    storage:
      - { type: named, name: data, target: /data }
      - { type: anonymous, target: /scratch }
      - { type: s3, bucket: models, target: /models, readonly: true }
      - { type: tmpfs, target: /tmp, size: 64Mi, mode: 1777 }
    scale: { mode: fixed, replicas: 2 }
"#;

/// Small GPU specs compiled against every inventory that reads: one per vendor, with devices.
pub const GPU_SPECS: [&str; 3] = [
    r#"version: v1
deployment: fuzz-nvidia
services:
  gpu:
    image: { name: "ghcr.io/acme/cuda:12" }
    command: { entrypoint: ["/usr/bin/run"] }
    devices:
      - { path: /dev/fuse }
      - { path: /dev/nvme0n1, write: false }
      - { path: /dev/nvidia0, mknod: true }
    resources:
      gpu: { vendor: nvidia, count: 1 }
"#,
    r#"version: v1
deployment: fuzz-amd
services:
  gpu:
    image: { name: "ghcr.io/acme/rocm:6" }
    command: { entrypoint: ["/usr/bin/run"] }
    devices: [{ path: /dev/kfd }, { path: /dev/dri/renderD128 }]
    resources:
      gpu: { vendor: amd, count: 2 }
"#,
    r#"version: v1
deployment: fuzz-intel
services:
  gpu:
    image: { name: "ghcr.io/acme/oneapi:1" }
    command: { entrypoint: ["/usr/bin/run"] }
    resources:
      gpu: { vendor: intel, count: 1 }
"#,
];

/// The options of the spec targets, as JSON text: every kind of value a spec can reference.
pub fn options_json() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        serde_json::json!({
            "volumes": {
                "data": "/var/lib/bundlec/volumes/data",
                "cache": "/var/lib/bundlec/volumes/cache",
                "/scratch": "/var/lib/bundlec/anon/1f3a",
                "models": "/mnt/s3/models"
            },
            "secrets": { "db/password": "s3cret-pa55", "api-token": "tok_123" },
            "hostEnv": { "HOME": "/home/operator", "LANG": "C.UTF-8" },
            "socket": "/run/acme/agent.sock",
            "passwd": PASSWD,
            "group": GROUP
        })
        .to_string()
    })
}

/// The fixed request parts, parsed once: what `compile_raw` parses on every call.
pub struct Fixture {
    pub inventory: Inventory,
    pub image_config: ImageConfig,
    pub options: Options,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        inventory: must(Inventory::from_json(INVENTORY), "inventory"),
        image_config: must(ImageConfig::from_json(IMAGE_CONFIG), "image config"),
        options: must(Options::from_json(options_json()), "options"),
    })
}

fn must<T>(parsed: Result<T, Diagnostic>, what: &str) -> T {
    match parsed {
        Ok(value) => value,
        Err(error) => panic!("the fixed {what} does not parse: {error:?}"),
    }
}

impl Fixture {
    pub fn request(&self, spec: &str, service: Option<&str>) -> Request {
        Request {
            spec: spec.to_string(),
            service: service.map(str::to_string),
            replica: None,
            inventory: Some(self.inventory.clone()),
            image_config: Some(self.image_config.clone()),
            options: self.options.clone(),
        }
    }
}

/// What every compile outcome must satisfy: a config is canonical JSON with a final newline
/// and carries only warnings; a failure carries at least one error; positions are 1-based.
pub fn check_outcome(outcome: &Result<Compiled, Vec<Diagnostic>>) {
    match outcome {
        Ok(compiled) => {
            let json = &compiled.json;
            assert!(!json.is_empty(), "an Ok compile with empty JSON");
            assert!(json.ends_with('\n'), "config.json without a final newline");
            let value: serde_json::Value = match serde_json::from_str(json) {
                Ok(value) => value,
                Err(error) => panic!("config.json does not parse ({error}):\n{json}"),
            };
            assert_eq!(
                value.get("ociVersion").and_then(serde_json::Value::as_str),
                Some(OCI_VERSION),
                "config.json without the ociVersion"
            );
            // The config's own writer agrees with oci-spec: read back as a `Spec` and written by
            // serde_json, it is the same JSON value (capability sets, hash sets there, sorted).
            let spec = compiled.spec().unwrap_or_else(|error| {
                panic!("config.json is not an OCI spec ({error}):\n{json}")
            });
            let mut reference = serde_json::to_value(&spec).expect("a Spec serializes");
            sort_capability_sets(&mut reference);
            assert_eq!(
                value, reference,
                "config.json differs from oci-spec's reading of it"
            );
            for warning in &compiled.warnings {
                assert_eq!(
                    warning.severity,
                    Severity::Warning,
                    "an Ok compile carries an error: {warning:?}"
                );
            }
            check_positions(&compiled.warnings);
        }
        Err(diagnostics) => {
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "a failed compile without an error diagnostic: {diagnostics:?}"
            );
            check_positions(diagnostics);
        }
    }
}

/// Lines and columns are 1-based wherever they are given.
pub fn check_positions(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        assert!(
            diagnostic.line.is_none_or(|line| line >= 1),
            "line 0: {diagnostic:?}"
        );
        assert!(
            diagnostic.column.is_none_or(|column| column >= 1),
            "column 0: {diagnostic:?}"
        );
    }
}

/// Two outcomes of the same request must be identical, byte for byte.
pub fn assert_same(
    first: &Result<Compiled, Vec<Diagnostic>>,
    second: &Result<Compiled, Vec<Diagnostic>>,
    what: &str,
) {
    match (first, second) {
        (Ok(a), Ok(b)) => {
            assert!(a.json == b.json, "{what}: configs differ");
            assert!(a.files == b.files, "{what}: bundle files differ");
            assert!(a.warnings == b.warnings, "{what}: warnings differ");
        }
        (Err(a), Err(b)) => assert!(a == b, "{what}: diagnostics differ:\n{a:?}\n{b:?}"),
        (a, b) => panic!(
            "{what}: one compile succeeded, the other failed:\n{:?}\n{:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
}

/// Checks a compile of `spec` (`first`, from `compile_raw`) against a second compile of the
/// same request: through `compile_all` and then each service by name when the spec reads, else
/// through `compile` again. Either way the same input compiles twice to the same bytes.
pub fn check_against_second_compile(spec: &str, first: &Result<Compiled, Vec<Diagnostic>>) {
    let fixture = fixture();
    match compile_all(&fixture.request(spec, None)) {
        Ok(outcomes) => {
            for (name, from_all) in &outcomes {
                check_outcome(from_all);
                let by_name = compile(&fixture.request(spec, Some(name)));
                assert_same(from_all, &by_name, "compile_all and compile by name");
            }
            // `compile` without a service name picks the only one.
            if let [(_, only)] = outcomes.as_slice() {
                assert_same(first, only, "compile and compile_all of the only service");
            }
        }
        Err(diagnostics) => {
            assert!(
                first.is_err(),
                "compile_all refused a spec that compile accepted: {diagnostics:?}"
            );
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "compile_all failed without an error diagnostic: {diagnostics:?}"
            );
            check_positions(&diagnostics);
            let again = compile(&fixture.request(spec, None));
            assert_same(first, &again, "two compiles of the same spec");
        }
    }
}

/// Sorts the arrays under `process.capabilities`, which oci-spec keeps in hash sets.
fn sort_capability_sets(config: &mut serde_json::Value) {
    let sets = config
        .pointer_mut("/process/capabilities")
        .and_then(serde_json::Value::as_object_mut);
    for set in sets.into_iter().flat_map(|sets| sets.values_mut()) {
        if let Some(names) = set.as_array_mut() {
            names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    }
}
