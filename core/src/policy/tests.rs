//! Each control at each level, on a service that passes restricted until one line is added.

use crate::{compile_raw, Diagnostic, RawRequest, Severity};

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
fn compile(lines: &str, replace: bool, options: &str) -> Result<crate::Compiled, Vec<Diagnostic>> {
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
