//! Issue 16, the Pod Security Standards at compile time: each control at each level, on a
//! service that passes restricted until one line is added; and the levels are monotone over
//! every example and golden spec.

use bundlec_core::{compile_raw, Compiled, Diagnostic, RawRequest, Severity};

/// Passes restricted: every capability dropped, a non-root uid, no-new-privileges, seccomp.
const PASSING: &str = "version: v1
deployment: policy
services:
  api:
    image: { name: x }
    command: { entrypoint: [/api] }
    user: \"1000:1000\"
    cap_drop: [ALL]
";

/// The service `PASSING` describes with `lines` (each indented as a key of the service) in
/// place of its `user` and `cap_drop` when `replace` is true, compiled at `level` in `mode`.
fn compile(lines: &str, replace: bool, options: &str) -> Result<Compiled, Vec<Diagnostic>> {
    let mut spec = if replace {
        PASSING.replace("    user: \"1000:1000\"\n    cap_drop: [ALL]\n", "")
    } else {
        PASSING.to_string()
    };
    for line in lines.lines() {
        spec.push_str("    ");
        spec.push_str(line);
        spec.push('\n');
    }
    compile_raw(RawRequest {
        spec: &spec,
        options: Some(options),
        ..RawRequest::default()
    })
}

/// A policy diagnostic as the tests compare it: code, path, line.
type Found = (String, String, Option<u32>);

/// (code, path, line) of the policy diagnostics at `level`, enforced.
fn violations(lines: &str, replace: bool, level: &str) -> Vec<Found> {
    let options = format!(r#"{{"policy":"{level}"}}"#);
    let diagnostics = match compile(lines, replace, &options) {
        Ok(compiled) => compiled.warnings,
        Err(errors) => errors,
    };
    diagnostics
        .into_iter()
        .filter(|d| d.code.starts_with("policy-"))
        .inspect(|d| assert_eq!(d.severity, Severity::Error, "{d:?}"))
        .inspect(|d| assert!(d.hint.is_some(), "{d:?}"))
        .map(|d| (d.code, d.path, d.line))
        .collect()
}

fn v(code: &str, path: &str, line: u32) -> Found {
    (code.to_string(), path.to_string(), Some(line))
}

#[test]
fn the_passing_service_passes_every_level() {
    for level in ["privileged", "baseline", "restricted"] {
        let compiled = compile("", false, &format!(r#"{{"policy":"{level}"}}"#));
        assert!(compiled.is_ok(), "{level}: {compiled:?}");
    }
}

#[test]
fn baseline_controls_are_located_at_the_key() {
    let cases: &[(&str, Vec<Found>)] = &[
        (
            "network_mode: host",
            vec![v("policy-host-namespaces", "services.api.network_mode", 9)],
        ),
        (
            "privileged: true",
            vec![v("policy-privileged", "services.api.privileged", 9)],
        ),
        (
            "cap_add: [NET_ADMIN, CHOWN, cap_sys_admin]",
            vec![
                v("policy-capabilities", "services.api.cap_add[0]", 9),
                v("policy-capabilities", "services.api.cap_add[2]", 9),
            ],
        ),
        (
            "storage: [{ type: bind, source: /etc, target: /host-etc }]",
            vec![v("policy-host-path", "services.api.storage[0].source", 9)],
        ),
        (
            "devices: [{ path: /dev/fuse }]",
            vec![v("policy-volume-types", "services.api.devices[0].path", 9)],
        ),
        (
            "security_opt: [seccomp=unconfined]",
            vec![v("policy-seccomp", "services.api.security_opt[0]", 9)],
        ),
        (
            "security_opt: [apparmor=unconfined]",
            vec![v("policy-apparmor", "services.api.security_opt[0]", 9)],
        ),
        (
            "security_opt: [\"label=type:spc_t\", \"label=user:system_u\", \"label=role:sysadm_r\", \"label=level:s0:c1\"]",
            vec![
                v("policy-selinux", "services.api.security_opt[0]", 9),
                v("policy-selinux", "services.api.security_opt[1]", 9),
                v("policy-selinux", "services.api.security_opt[2]", 9),
            ],
        ),
        (
            "security_opt: [label=disable]",
            vec![v("policy-selinux", "services.api.security_opt[0]", 9)],
        ),
        (
            "sysctls: { net.ipv4.tcp_syncookies: \"1\", net.core.somaxconn: \"1024\" }",
            vec![v("policy-sysctls", "services.api.sysctls.net.core.somaxconn", 9)],
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(&violations(line, false, "baseline"), expected, "{line}");
        assert!(violations(line, false, "privileged").is_empty(), "{line}");
        // Restricted reports at least what baseline does.
        let restricted = violations(line, false, "restricted");
        assert!(
            expected.iter().all(|e| restricted.contains(e)),
            "{line}: {restricted:?}"
        );
    }
}

#[test]
fn baseline_allows_what_kubernetes_allows() {
    for line in [
        "cap_add: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]",
        "storage: [{ type: named, name: data, target: /data }, { type: tmpfs, target: /tmp }]",
        "security_opt: [\"label=type:container_init_t\", \"label=level:s0:c1,c2\", apparmor=docker-default]",
        "sysctls: { kernel.shm_rmid_forced: \"1\", net.ipv4.ip_local_port_range: \"1024 65535\" }",
    ] {
        assert!(violations(line, false, "baseline").is_empty(), "{line}");
    }
    // The default capability set holds NET_RAW: not a baseline violation, but a restricted one.
    assert!(violations("user: \"1000\"", true, "baseline").is_empty());
}

#[test]
fn restricted_checks_the_final_capability_set() {
    // Every default kept: reported once, at the service's name.
    assert_eq!(
        violations("user: \"1000\"", true, "restricted"),
        [v("policy-capabilities", "services.api", 4)]
    );
    // Some dropped: at cap_drop.
    assert_eq!(
        violations("user: \"1000\"\ncap_drop: [NET_RAW]", true, "restricted"),
        [v("policy-capabilities", "services.api.cap_drop", 8)]
    );
    // ALL dropped and NET_BIND_SERVICE added back passes; any other add is reported at it.
    assert!(violations("cap_add: [NET_BIND_SERVICE]", false, "restricted").is_empty());
    assert_eq!(
        violations("cap_add: [NET_BIND_SERVICE, CHOWN]", false, "restricted"),
        [v("policy-capabilities", "services.api.cap_add[1]", 9)]
    );
    // `cap_add: [ALL]` is reported at the add alone.
    assert_eq!(
        violations("cap_add: [ALL]", false, "restricted"),
        [v("policy-capabilities", "services.api.cap_add[0]", 9)]
    );
}

#[test]
fn restricted_controls() {
    // Root by default, by number, and by a name that resolves to uid 0.
    assert_eq!(
        violations("cap_drop: [ALL]", true, "restricted"),
        [v("policy-run-as-non-root", "services.api", 4)]
    );
    assert_eq!(
        violations("cap_drop: [ALL]\nuser: \"0:1000\"", true, "restricted"),
        [v("policy-run-as-non-root", "services.api.user", 8)]
    );
    assert!(violations("cap_drop: [ALL]", true, "baseline").is_empty());
    assert_eq!(
        violations(
            "security_opt: [\"no-new-privileges:false\"]",
            false,
            "restricted"
        ),
        [v(
            "policy-privilege-escalation",
            "services.api.security_opt[0]",
            9
        )]
    );
    assert!(violations(
        "security_opt: [\"no-new-privileges:false\"]",
        false,
        "baseline"
    )
    .is_empty());
    // A privileged service breaks every control privileged mode turns off, at `privileged`.
    let at = |code: &str| v(code, "services.api.privileged", 9);
    assert_eq!(
        violations("privileged: true", false, "restricted"),
        [
            at("policy-capabilities"),
            at("policy-privilege-escalation"),
            at("policy-privileged"),
            at("policy-seccomp"),
        ]
    );
}

#[test]
fn the_host_network_option_and_socket_are_located_in_the_options() {
    let options = r#"{"policy":"baseline","hostNetwork":true,"socket":"/run/docker.sock"}"#;
    let errors = compile("", false, options).expect_err("two violations");
    let found: Vec<(&str, &str, Option<u32>)> = errors
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.as_str(), d.path.as_str(), d.line))
        .collect();
    assert_eq!(
        found,
        [
            ("policy-host-namespaces", "options.hostNetwork", None),
            ("policy-host-path", "options.socket", None),
        ]
    );
}

#[test]
fn warn_mode_gives_the_config_and_warnings() {
    let options = r#"{"policy":"restricted","policyMode":"warn"}"#;
    let compiled = compile("sysctls: { net.core.somaxconn: \"1024\" }", false, options)
        .expect("warn mode compiles");
    let warnings: Vec<(&str, Severity)> = compiled
        .warnings
        .iter()
        .filter(|d| d.code.starts_with("policy-"))
        .map(|d| (d.code.as_str(), d.severity))
        .collect();
    assert_eq!(warnings, [("policy-sysctls", Severity::Warning)]);
    assert!(compiled.json.contains("net.core.somaxconn"));
}

// ---------------------------------------------------------------------------------------------
// Monotone levels: every example spec and every golden spec, at every level.
// ---------------------------------------------------------------------------------------------

/// The example specs beside the node each is written for (the page's catalog pairs them the
/// same way), as paths from the repository root.
const EXAMPLES: &[(&str, Option<&str>)] = &[
    (
        "examples/specs/gpu-inference.yaml",
        Some("examples/inventories/nvidia-2gpu.json"),
    ),
    (
        "web/page/examples/amd-training.yaml",
        Some("web/page/inventories/amd-mi300.json"),
    ),
    (
        "web/page/examples/broken.yaml",
        Some("web/page/inventories/laptop-intel.json"),
    ),
    (
        "web/page/examples/gpu-inference-nvidia.yaml",
        Some("web/page/inventories/nvidia-8gpu.json"),
    ),
    (
        "web/page/examples/intel-transcode.yaml",
        Some("web/page/inventories/laptop-intel.json"),
    ),
    (
        "web/page/examples/system-agent.yaml",
        Some("web/page/inventories/edge-arm64.json"),
    ),
    (
        "web/page/examples/web-service.yaml",
        Some("web/page/inventories/edge-arm64.json"),
    ),
];

const LEVELS: [&str; 3] = ["privileged", "baseline", "restricted"];

/// One request of the table: a spec, one of its services, and the rest of the request.
struct Subject {
    name: String,
    request: bundlec_core::RequestText,
}

/// The example specs, each service with placeholders for its secrets, host variables and
/// volumes (as the page fills them), on its node.
fn example_subjects() -> Vec<Subject> {
    let root = bundlec_tests::repo_root();
    let mut listed: Vec<String> = ["examples/specs", "web/page/examples"]
        .iter()
        .flat_map(|dir| {
            std::fs::read_dir(root.join(dir))
                .unwrap_or_else(|e| panic!("{dir}: {e}"))
                .map(move |entry| {
                    format!(
                        "{dir}/{}",
                        entry.expect("entry").file_name().to_string_lossy()
                    )
                })
        })
        .filter(|path| path.ends_with(".yaml"))
        .collect();
    listed.sort();
    let known: Vec<String> = EXAMPLES.iter().map(|(path, _)| path.to_string()).collect();
    assert_eq!(
        listed, known,
        "every example spec is in the table, with its node"
    );
    let mut subjects = Vec::new();
    for (path, inventory) in EXAMPLES {
        let spec = std::fs::read_to_string(root.join(path)).expect("example spec");
        let inventory =
            inventory.map(|inv| std::fs::read_to_string(root.join(inv)).expect("inventory"));
        let outline = bundlec_core::outline(&spec).expect("the example reads");
        for service in &outline.services {
            let mut options = serde_json::Map::new();
            let fill = |names: Vec<(String, String)>| {
                serde_json::Value::Object(names.into_iter().map(|(k, v)| (k, v.into())).collect())
            };
            options.insert(
                "secrets".into(),
                fill(
                    service
                        .secrets
                        .iter()
                        .map(|r| (r.name.clone(), "placeholder".into()))
                        .collect(),
                ),
            );
            options.insert(
                "hostEnv".into(),
                fill(
                    service
                        .host_env
                        .iter()
                        .map(|r| (r.name.clone(), "placeholder".into()))
                        .collect(),
                ),
            );
            options.insert(
                "volumes".into(),
                fill(
                    service
                        .volumes
                        .iter()
                        .map(|v| {
                            (
                                v.key.clone(),
                                format!("/srv/volumes/{}", v.key.trim_start_matches('/')),
                            )
                        })
                        .collect(),
                ),
            );
            subjects.push(Subject {
                name: format!("{path} ({})", service.name),
                request: bundlec_core::RequestText {
                    spec: spec.clone(),
                    service: Some(service.name.clone()),
                    inventory: inventory.clone(),
                    options: Some(serde_json::Value::Object(options).to_string()),
                    ..bundlec_core::RequestText::default()
                },
            });
        }
    }
    subjects
}

/// Every golden case as its corpus gives it.
fn golden_subjects() -> Vec<Subject> {
    bundlec_tests::golden_cases()
        .into_iter()
        .map(|case| Subject {
            name: format!("golden/{}", case.name),
            request: case.request,
        })
        .collect()
}

/// The request at `level`, enforced: `options.policy` set over the subject's own options.
fn at_level(subject: &Subject, level: &str) -> Result<Compiled, Vec<Diagnostic>> {
    let mut options: serde_json::Map<String, serde_json::Value> = match &subject.request.options {
        Some(text) => serde_json::from_str(text).expect("options are an object"),
        None => serde_json::Map::new(),
    };
    options.insert("policy".into(), level.into());
    let mut request = subject.request.clone();
    request.options = Some(serde_json::Value::Object(options).to_string());
    compile_raw(request.as_raw())
}

/// A diagnostic without its message (which names the level): code, path, line, column, severity.
type Key = (String, String, Option<u32>, Option<u32>, Severity);

/// What must agree between levels.
fn key(d: &Diagnostic) -> Key {
    (d.code.clone(), d.path.clone(), d.line, d.column, d.severity)
}

#[test]
fn levels_are_monotone_over_every_example_and_golden_spec() {
    let subjects: Vec<Subject> = example_subjects()
        .into_iter()
        .chain(golden_subjects())
        .collect();
    let mut failures = Vec::new();
    let mut passing = [0usize; 3];
    for subject in &subjects {
        let outcomes: Vec<Result<Compiled, Vec<Diagnostic>>> = LEVELS
            .iter()
            .map(|level| at_level(subject, level))
            .collect();
        let diagnostics: Vec<Vec<Diagnostic>> = outcomes
            .iter()
            .map(|outcome| match outcome {
                Ok(compiled) => compiled.warnings.clone(),
                Err(errors) => errors.clone(),
            })
            .collect();
        let split = |all: &[Diagnostic]| -> (Vec<_>, Vec<_>) {
            let (policy, other): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
                all.iter().partition(|d| d.code.starts_with("policy-"));
            (
                policy.into_iter().map(key).collect::<Vec<_>>(),
                other.into_iter().map(key).collect::<Vec<_>>(),
            )
        };
        let [privileged, baseline, restricted] = [0, 1, 2].map(|i| split(&diagnostics[i]));
        let name = &subject.name;
        if !privileged.0.is_empty() {
            failures.push(format!(
                "{name}: the privileged level reported {:?}",
                privileged.0
            ));
        }
        // The policy adds diagnostics; it never changes the others.
        if baseline.1 != privileged.1 || restricted.1 != privileged.1 {
            failures.push(format!(
                "{name}: the other diagnostics differ between levels"
            ));
        }
        // Whatever baseline reports, restricted reports too.
        for violation in &baseline.0 {
            if !restricted.0.contains(violation) {
                failures.push(format!(
                    "{name}: baseline reports {violation:?}, restricted does not"
                ));
            }
        }
        // Whatever passes a level passes the looser ones, with the same config.
        for (looser, stricter) in [(0, 1), (1, 2), (0, 2)] {
            if let Ok(strict) = &outcomes[stricter] {
                match &outcomes[looser] {
                    Ok(loose) if loose.json == strict.json => {}
                    Ok(_) => failures.push(format!(
                        "{name}: {} and {} give other configs",
                        LEVELS[looser], LEVELS[stricter]
                    )),
                    Err(_) => failures.push(format!(
                        "{name}: passes {} but not {}",
                        LEVELS[stricter], LEVELS[looser]
                    )),
                }
            }
        }
        for (count, outcome) in passing.iter_mut().zip(&outcomes) {
            *count += usize::from(outcome.is_ok());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The table means something only when the levels sort the specs apart.
    let [privileged, baseline, restricted] = passing;
    assert!(
        privileged > baseline && baseline > restricted && restricted > 0,
        "passing at each level: {passing:?} of {}",
        subjects.len()
    );
}

/// Issue 16's "done when": `--policy restricted` on the examples gives located, actionable
/// diagnostics, and only the web shop's worker (every capability dropped, uid 101) passes.
#[test]
fn restricted_on_the_examples_is_located_and_actionable() {
    let mut passing = Vec::new();
    for subject in example_subjects() {
        match at_level(&subject, "restricted") {
            Ok(_) => passing.push(subject.name),
            Err(errors) => {
                for d in errors.iter().filter(|d| d.code.starts_with("policy-")) {
                    assert!(d.hint.is_some(), "{}: {d:?}", subject.name);
                    let in_spec = d.path.starts_with("services.");
                    assert_eq!(in_spec, d.line.is_some(), "{}: {d:?}", subject.name);
                }
            }
        }
    }
    assert_eq!(passing, ["web/page/examples/web-service.yaml (worker)"]);
}

/// The policy error cases (tests/errors/policy-*): each reports exactly the policy diagnostics
/// its expected.json lists, as errors; the level below the one it names (its name ends in the
/// level) reports fewer, and the privileged level compiles it: each control is seen failing at
/// its level and passing below it.
#[test]
fn policy_error_cases_fail_only_at_their_level() {
    let cases: Vec<bundlec_tests::Case> = bundlec_tests::error_cases()
        .into_iter()
        .filter(|case| case.name.starts_with("policy-"))
        .collect();
    assert!(cases.len() >= 15, "{} policy error cases", cases.len());
    for case in &cases {
        let expected: serde_json::Value =
            serde_json::from_str(&case.expected()).expect("expected.json");
        let listed: Vec<(String, String)> = expected["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().into(),
                    d["path"].as_str().unwrap().into(),
                )
            })
            .collect();
        let subject = Subject {
            name: case.name.clone(),
            request: case.request.clone(),
        };
        let (level, below) = if case.name.ends_with("-restricted") {
            ("restricted", "baseline")
        } else {
            assert!(
                case.name.ends_with("-baseline"),
                "{}: name the level",
                case.name
            );
            ("baseline", "privileged")
        };
        let errors = at_level(&subject, level).expect_err(&case.name);
        let reported: Vec<(String, String)> = errors
            .iter()
            .filter(|d| d.code.starts_with("policy-"))
            .inspect(|d| assert!(d.is_error(), "{}: {d:?}", case.name))
            .map(|d| (d.code.clone(), d.path.clone()))
            .collect();
        assert_eq!(
            reported,
            listed,
            "{}:\n{}",
            case.name,
            bundlec_tests::render(&errors)
        );
        // The level below reports fewer of them (none below baseline), and privileged none.
        let fewer: Vec<(String, String)> = match at_level(&subject, below) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .filter(|d| d.code.starts_with("policy-"))
                .map(|d| (d.code.clone(), d.path.clone()))
                .collect(),
        };
        assert!(
            fewer.len() < listed.len() && fewer.iter().all(|f| listed.contains(f)),
            "{}: at {below}: {fewer:?}",
            case.name
        );
        if let Err(errors) = at_level(&subject, "privileged") {
            panic!(
                "{}: fails at privileged:\n{}",
                case.name,
                bundlec_tests::render(&errors)
            );
        }
    }
}

/// golden/policy-warn-unsafe-sysctl: under `warn`, the unsafe sysctl is a warning at its key,
/// and the config (its expected.json) holds it.
#[test]
fn warn_mode_golden_case_warns_at_the_sysctl() {
    let case = bundlec_tests::golden_cases()
        .into_iter()
        .find(|c| c.name == "policy-warn-unsafe-sysctl")
        .expect("golden case");
    let compiled = compile_raw(case.raw()).expect("warn mode compiles");
    let policy: Vec<Key> = compiled
        .warnings
        .iter()
        .filter(|d| d.code.starts_with("policy-"))
        .map(key)
        .collect();
    assert_eq!(
        policy,
        [(
            "policy-sysctls".to_string(),
            "services.api.sysctls.net.core.somaxconn".to_string(),
            Some(8),
            Some(7),
            Severity::Warning
        )]
    );
    assert!(compiled.json.contains("\"net.core.somaxconn\": \"1024\""));
    // The same case enforced is an error, with no config.
    let mut request = case.request.clone();
    request.options = Some(r#"{"policy":"baseline"}"#.into());
    let errors = compile_raw(request.as_raw()).expect_err("enforced");
    assert!(errors
        .iter()
        .any(|d| d.code == "policy-sysctls" && d.is_error()));
}

/// Many violations (issue 9's rule: every phase linear): 20k added capabilities, half `ALL`,
/// and 20k unsafe sysctls under restricted give one violation each and nothing more.
#[test]
fn many_violations_are_each_reported_once() {
    const N: usize = 20_000;
    let mut spec = String::from(
        "version: v1\ndeployment: big\nservices:\n  api:\n    image: { name: x }\n    command: { args: [/app] }\n    user: \"1000\"\n    cap_add:\n",
    );
    for i in 0..N {
        spec.push_str(if i % 2 == 0 {
            "      - ALL\n"
        } else {
            "      - SYS_ADMIN\n"
        });
    }
    spec.push_str("    sysctls:\n");
    for i in 0..N {
        spec.push_str(&format!("      net.ipv4.conf.eth{i}.forwarding: \"1\"\n"));
    }
    let errors = compile_raw(RawRequest {
        spec: &spec,
        options: Some(r#"{"policy":"restricted"}"#),
        ..RawRequest::default()
    })
    .expect_err("violations");
    let count = |code: &str| errors.iter().filter(|d| d.code == code).count();
    assert_eq!(count("policy-capabilities"), N);
    assert_eq!(count("policy-sysctls"), N);
    assert_eq!(errors.iter().filter(|d| d.is_error()).count(), 2 * N);
}
