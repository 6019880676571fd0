//! Issue 11: the seccomp section against Docker's own profile. The core carries the profile as
//! a generated table; these tests read the reference JSON (`../shared/reference/docker-seccomp`)
//! and check (1) the table equals it, and (2) the compile resolves it exactly as moby's
//! `setupSeccomp` does, using a resolver written here from moby's rules, for every combination
//! of 6 architectures, 3 kernels and 8 capability sets.

use bundlec_core::internals::{default_seccomp, Condition, DefaultRule};
use bundlec_core::{compile_raw, RawRequest};
use bundlec_tests::reference_dir;
use serde_json::{json, Value};

fn reference() -> Value {
    let path = reference_dir().join("docker-seccomp").join("default.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn condition_json(condition: &Condition<'_>) -> Option<Value> {
    let mut map = serde_json::Map::new();
    if !condition.arches.is_empty() {
        map.insert("arches".into(), json!(condition.arches));
    }
    if !condition.caps.is_empty() {
        map.insert("caps".into(), json!(condition.caps));
    }
    if let Some(kernel) = condition.min_kernel {
        map.insert(
            "minKernel".into(),
            json!(format!("{}.{}", kernel.major, kernel.minor)),
        );
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

/// A rule of the core's table as the profile writes it: its pre-rendered text read back, and
/// its conditions.
fn rule_json(rule: &DefaultRule) -> Value {
    let mut value: Value =
        serde_json::from_str(rule.json).unwrap_or_else(|error| panic!("{}: {error}", rule.json));
    let map = value.as_object_mut().unwrap();
    if let Some(includes) = condition_json(&rule.includes) {
        map.insert("includes".into(), includes);
    }
    if let Some(excludes) = condition_json(&rule.excludes) {
        map.insert("excludes".into(), excludes);
    }
    value
}

/// The reference rule without what the core does not carry (`comment`) and with empty
/// conditions left out, as the table leaves them out.
fn normalized_reference_rule(rule: &Value) -> Value {
    let mut rule = rule.as_object().unwrap().clone();
    rule.remove("comment");
    for key in ["includes", "excludes", "args"] {
        let empty = match rule.get(key) {
            Some(Value::Object(map)) => map.is_empty(),
            Some(Value::Array(items)) => items.is_empty(),
            Some(Value::Null) => true,
            _ => false,
        };
        if empty {
            rule.remove(key);
        }
    }
    Value::Object(rule)
}

#[test]
fn the_compiled_in_profile_equals_the_reference() {
    let reference = reference();
    assert_eq!(
        json!(default_seccomp::DEFAULT_ACTION),
        reference["defaultAction"]
    );
    assert_eq!(
        json!(default_seccomp::DEFAULT_ERRNO_RET),
        reference["defaultErrnoRet"]
    );
    let arch_map: Vec<Value> = default_seccomp::ARCH_MAP
        .iter()
        .map(|entry| {
            json!({"architecture": entry.architecture, "subArchitectures": entry.sub_architectures})
        })
        .collect();
    let reference_arch_map: Vec<Value> = reference["archMap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let subs = match &entry["subArchitectures"] {
                Value::Null => json!([]),
                subs => subs.clone(),
            };
            json!({"architecture": entry["architecture"], "subArchitectures": subs})
        })
        .collect();
    assert_eq!(arch_map, reference_arch_map);
    let reference_rules = reference["syscalls"].as_array().unwrap();
    assert_eq!(default_seccomp::RULES.len(), reference_rules.len());
    for (i, (rule, expected)) in default_seccomp::RULES
        .iter()
        .zip(reference_rules)
        .enumerate()
    {
        assert_eq!(
            rule_json(rule),
            normalized_reference_rule(expected),
            "rule {i}"
        );
    }
}

/// moby's native architecture name for a uname machine name, and its seccomp name.
fn moby_arch(uname: &str) -> (&'static str, &'static str) {
    match uname {
        "x86_64" => ("amd64", "SCMP_ARCH_X86_64"),
        "aarch64" => ("arm64", "SCMP_ARCH_AARCH64"),
        "armv7l" => ("arm", "SCMP_ARCH_ARM"),
        "s390x" => ("s390x", "SCMP_ARCH_S390X"),
        "ppc64le" => ("ppc64le", "SCMP_ARCH_PPC64LE"),
        "riscv64" => ("riscv64", "SCMP_ARCH_RISCV64"),
        other => panic!("no mapping for {other}"),
    }
}

fn kernel_at_least(kernel: (u32, u32), min: &Value) -> bool {
    let (major, minor) = min.as_str().unwrap().split_once('.').unwrap();
    kernel >= (major.parse().unwrap(), minor.parse().unwrap())
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().map(|item| item.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// moby's `setupSeccomp`, written from its description for this test: the arch's `archMap`
/// entry and its sub-architectures, then every rule whose excludes do not match and whose
/// includes hold, in order, without its conditions and comment.
fn resolve(profile: &Value, uname: &str, kernel: (u32, u32), bounding: &[String]) -> Value {
    let (native, seccomp_arch) = moby_arch(uname);
    let mut architectures = Vec::new();
    for entry in profile["archMap"].as_array().unwrap() {
        if entry["architecture"] == seccomp_arch {
            architectures.push(entry["architecture"].clone());
            architectures.extend(
                strings(&entry["subArchitectures"])
                    .into_iter()
                    .map(|sub| json!(sub)),
            );
        }
    }
    let has = |cap: &str| bounding.iter().any(|held| held == cap);
    let mut syscalls = Vec::new();
    for rule in profile["syscalls"].as_array().unwrap() {
        let excludes = &rule["excludes"];
        if strings(&excludes["arches"]).contains(&native)
            || strings(&excludes["caps"]).iter().any(|cap| has(cap))
            || (!excludes["minKernel"].is_null() && kernel_at_least(kernel, &excludes["minKernel"]))
        {
            continue;
        }
        let includes = &rule["includes"];
        let arches = strings(&includes["arches"]);
        if (!arches.is_empty() && !arches.contains(&native))
            || !strings(&includes["caps"]).iter().all(|cap| has(cap))
            || (!includes["minKernel"].is_null()
                && !kernel_at_least(kernel, &includes["minKernel"]))
        {
            continue;
        }
        let mut kept = serde_json::Map::new();
        for key in ["names", "action", "errnoRet", "args"] {
            if !rule[key].is_null() {
                kept.insert(key.into(), rule[key].clone());
            }
        }
        syscalls.push(Value::Object(kept));
    }
    let mut resolved = json!({
        "defaultAction": profile["defaultAction"],
        "defaultErrnoRet": profile["defaultErrnoRet"],
    });
    if !architectures.is_empty() {
        resolved["architectures"] = Value::Array(architectures);
    }
    resolved["syscalls"] = Value::Array(syscalls);
    resolved
}

const ARCHES: [&str; 6] = ["x86_64", "aarch64", "armv7l", "s390x", "ppc64le", "riscv64"];
const KERNELS: [&str; 3] = ["4.4.0-210-generic", "4.8.0", "6.8.0-45-generic"];
const CAPABILITY_SETS: [&str; 8] = [
    "",
    "cap_add: [SYS_ADMIN]",
    "cap_add: [SYS_PTRACE]",
    "cap_add: [ALL]",
    "cap_drop: [ALL]",
    "{ cap_drop: [ALL], cap_add: [NET_BIND_SERVICE] }",
    "cap_add: [DAC_READ_SEARCH, SYS_TIME, SYS_NICE, SYSLOG, BPF, PERFMON]",
    "{ cap_add: [SYS_BOOT, SYS_MODULE, SYS_PACCT, SYS_RAWIO, SYS_TTY_CONFIG], cap_drop: [SYS_CHROOT] }",
];

fn spec_with(capabilities: &str) -> String {
    let caps = match capabilities {
        "" => String::new(),
        flow if flow.starts_with('{') => {
            let inner = flow.trim_start_matches('{').trim_end_matches('}');
            inner
                .split("], ")
                .map(|part| format!("    {}]\n", part.trim().trim_end_matches(']')))
                .collect()
        }
        line => format!("    {line}\n"),
    };
    format!("version: v1\ndeployment: seccomp\nservices:\n  app:\n    image: {{ name: app }}\n    command: {{ args: [/app] }}\n{caps}")
}

#[test]
fn the_compile_resolves_the_profile_as_moby_does_for_every_arch_kernel_and_capability_set() {
    let profile = reference();
    let mut checked = 0;
    for arch in ARCHES {
        for kernel in KERNELS {
            let inventory =
                json!({"inventoryVersion": 2, "host": {"arch": arch, "kernel": kernel}})
                    .to_string();
            let (major, minor) = kernel.split_once('.').unwrap();
            let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
            let kernel_version = (major.parse().unwrap(), minor.parse().unwrap());
            for capabilities in CAPABILITY_SETS {
                let spec = spec_with(capabilities);
                let compiled = compile_raw(RawRequest {
                    spec: &spec,
                    inventory: Some(&inventory),
                    ..RawRequest::default()
                })
                .unwrap_or_else(|errors| panic!("{spec}: {errors:?}"));
                assert!(
                    compiled.warnings.is_empty(),
                    "{arch} {kernel}: {:?}",
                    compiled.warnings
                );
                let config: Value = serde_json::from_str(&compiled.json).unwrap();
                let bounding: Vec<String> = strings(&config["process"]["capabilities"]["bounding"])
                    .into_iter()
                    .map(String::from)
                    .collect();
                let expected = resolve(&profile, arch, kernel_version, &bounding);
                assert_eq!(
                    config["linux"]["seccomp"], expected,
                    "{arch}, kernel {kernel}, {capabilities:?}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6 * 3 * 8);
}

/// The rules the issue names: SYS_ADMIN unlocks exactly the syscalls the profile ties to it
/// and drops the `clone3` ENOSYS rule; the 4.8 `ptrace` rule follows the kernel.
#[test]
fn sys_admin_and_the_kernel_pick_the_rules_people_rely_on() {
    let names = |spec: &str, kernel: &str| -> (Vec<String>, bool) {
        let inventory =
            json!({"inventoryVersion": 2, "host": {"arch": "x86_64", "kernel": kernel}})
                .to_string();
        let compiled = compile_raw(RawRequest {
            spec,
            inventory: Some(&inventory),
            ..RawRequest::default()
        })
        .unwrap();
        let config: Value = serde_json::from_str(&compiled.json).unwrap();
        let rules = config["linux"]["seccomp"]["syscalls"]
            .as_array()
            .unwrap()
            .clone();
        let allowed = rules
            .iter()
            .filter(|rule| rule["action"] == "SCMP_ACT_ALLOW" && rule["args"].is_null())
            .flat_map(|rule| strings(&rule["names"]).into_iter().map(String::from))
            .collect();
        let clone3_enosys = rules
            .iter()
            .any(|rule| rule["names"] == json!(["clone3"]) && rule["errnoRet"] == 38);
        (allowed, clone3_enosys)
    };
    let default = spec_with("");
    let admin = spec_with("cap_add: [SYS_ADMIN]");
    let (plain, plain_enosys) = names(&default, "6.8.0");
    let (with_admin, admin_enosys) = names(&admin, "6.8.0");
    assert!(plain_enosys && !admin_enosys);
    for call in [
        "mount",
        "umount2",
        "unshare",
        "setns",
        "bpf",
        "clone3",
        "sethostname",
    ] {
        assert!(
            !plain.contains(&call.to_string()),
            "{call} without SYS_ADMIN"
        );
        assert!(
            with_admin.contains(&call.to_string()),
            "{call} with SYS_ADMIN"
        );
    }
    for call in [
        "keyctl",
        "add_key",
        "kexec_load",
        "reboot",
        "init_module",
        "pivot_root",
    ] {
        assert!(
            !with_admin.contains(&call.to_string()),
            "{call} stays blocked"
        );
    }
    let (old, _) = names(&default, "4.4.0");
    assert!(plain.contains(&"ptrace".to_string()) && !old.contains(&"ptrace".to_string()));
}
