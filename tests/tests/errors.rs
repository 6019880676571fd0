//! Error corpus (tests/errors/<case>/, format in tests/CORPUS.md): each case fails to compile,
//! and every diagnostic its expected.json lists is reported with exactly that code, path, line
//! and column. Other diagnostics may be reported too.
//!
//! Beside the corpus: checks of the messages and hints people rely on, and that every error
//! of a spec is reported, not just the first.

use bundlec_core::{compile_raw, Diagnostic, RawRequest, Severity};
use bundlec_tests::{error_cases, render, Case};
use serde_json::Value;

/// One diagnostic as expected.json writes it.
#[derive(Debug, PartialEq)]
struct Expected {
    code: String,
    path: String,
    line: Option<u32>,
    column: Option<u32>,
}

impl Expected {
    fn matches(&self, d: &Diagnostic) -> bool {
        d.code == self.code && d.path == self.path && d.line == self.line && d.column == self.column
    }
}

fn expected_diagnostics(case: &Case) -> Vec<Expected> {
    let value: Value = serde_json::from_str(&case.expected())
        .unwrap_or_else(|e| panic!("{}: expected.json is not JSON: {e}", case.name));
    let fields = value
        .as_object()
        .unwrap_or_else(|| panic!("{}: expected.json is not an object", case.name));
    assert!(
        fields.keys().all(|k| k == "diagnostics"),
        "{}: expected.json holds only `diagnostics`",
        case.name
    );
    let list = value["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: `diagnostics` is not a list", case.name));
    assert!(
        !list.is_empty(),
        "{}: an error case lists at least one diagnostic",
        case.name
    );
    list.iter()
        .map(|d| {
            let keys: Vec<&String> = d
                .as_object()
                .unwrap_or_else(|| panic!("{}: {d} is not an object", case.name))
                .keys()
                .collect();
            assert_eq!(
                keys,
                ["code", "path", "line", "column"],
                "{}: each diagnostic has exactly code, path, line, column",
                case.name
            );
            let number = |key: &str| -> Option<u32> {
                match &d[key] {
                    Value::Null => None,
                    v => Some(
                        v.as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .unwrap_or_else(|| panic!("{}: `{key}` in {d}", case.name)),
                    ),
                }
            };
            Expected {
                code: d["code"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: `code` in {d}", case.name))
                    .to_string(),
                path: d["path"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: `path` in {d}", case.name))
                    .to_string(),
                line: number("line"),
                column: number("column"),
            }
        })
        .collect()
}

fn compile_error(case: &Case) -> Result<Vec<Diagnostic>, String> {
    match compile_raw(case.raw()) {
        Ok(compiled) => Err(format!(
            "{}: compiled, but must fail; config begins {:?}",
            case.name,
            compiled.json.get(..80)
        )),
        Err(diagnostics) => Ok(diagnostics),
    }
}

#[test]
fn error_cases_report_every_expected_diagnostic() {
    let cases = error_cases();
    assert!(
        cases.len() >= 30,
        "the error corpus should hold at least 30 cases, it holds {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        failures.extend(case.readme_problem());
        let expected = expected_diagnostics(case);
        let reported = match compile_error(case) {
            Ok(reported) => reported,
            Err(message) => {
                failures.push(message);
                continue;
            }
        };
        if !reported.iter().any(Diagnostic::is_error) {
            failures.push(format!(
                "{}: the compile failed without an error-severity diagnostic:\n{}",
                case.name,
                render(&reported)
            ));
        }
        for want in &expected {
            if !reported.iter().any(|d| want.matches(d)) {
                failures.push(format!(
                    "{}: {want:?} was not reported; reported:\n{}",
                    case.name,
                    render(&reported)
                ));
            }
        }
        // The same request gives the same diagnostics, in the same order.
        if compile_raw(case.raw()).err().as_ref() != Some(&reported) {
            failures.push(format!(
                "{}: a second compile reported other diagnostics",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} error-case failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn case(name: &str) -> Case {
    error_cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("errors/{name} is missing"))
}

fn find<'a>(diagnostics: &'a [Diagnostic], code: &str, path: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.code == code && d.path == path)
        .unwrap_or_else(|| panic!("no {code} at {path}:\n{}", render(diagnostics)))
}

#[test]
fn unknown_field_suggests_the_known_one() {
    let reported = compile_error(&case("unknown-field-privilegd")).unwrap();
    let d = find(&reported, "unknown-field", "services.api.privilegd");
    assert_eq!(d.hint.as_deref(), Some("did you mean `privileged`?"));
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("privilegd"), "{}", d.message);

    let reported = compile_error(&case("unknown-field-nested")).unwrap();
    assert_eq!(
        find(&reported, "unknown-field", "services.api.resources.memroy")
            .hint
            .as_deref(),
        Some("did you mean `memory`?")
    );
    assert_eq!(
        find(&reported, "unknown-field", "services.api.command2")
            .hint
            .as_deref(),
        Some("did you mean `command`?")
    );
    // No near key: the hint lists the known fields instead of guessing.
    let hint = find(&reported, "unknown-field", "services.api.storage[0].mode")
        .hint
        .clone()
        .unwrap_or_default();
    assert!(
        hint.contains("source") && hint.contains("target") && !hint.contains("did you mean"),
        "{hint}"
    );
}

#[test]
fn unknown_capability_and_ulimit_suggest_the_known_name() {
    let reported = compile_error(&case("unknown-capability")).unwrap();
    assert_eq!(
        find(&reported, "unknown-capability", "services.api.cap_add[0]")
            .hint
            .as_deref(),
        Some("did you mean `NET_ADMIN`?")
    );
    assert!(
        find(&reported, "unknown-capability", "services.api.cap_drop[0]")
            .message
            .contains("FOO")
    );
    let reported = compile_error(&case("ulimit-unknown")).unwrap();
    assert_eq!(
        find(&reported, "unknown-ulimit", "services.api.ulimits.nofiles")
            .hint
            .as_deref(),
        Some("did you mean `nofile`?")
    );
}

#[test]
fn unknown_service_suggests_the_near_service() {
    let reported = compile_error(&case("unknown-service")).unwrap();
    let d = find(&reported, "unknown-service", "service");
    assert!(d.message.contains("apii"), "{}", d.message);
    assert_eq!(d.hint.as_deref(), Some("did you mean `api`?"));
}

/// Regression: the old builder skipped devices it could not find; the error must name the path.
#[test]
fn device_not_in_inventory_names_the_path() {
    let reported = compile_error(&case("device-not-in-inventory")).unwrap();
    let d = find(
        &reported,
        "device-not-in-inventory",
        "services.api.devices[1].path",
    );
    assert!(d.message.contains("/dev/nvidia0"), "{}", d.message);
    assert!(
        !reported.iter().any(|d| d.message.contains("/dev/fuse")),
        "/dev/fuse is in the inventory:\n{}",
        render(&reported)
    );
    let reported = compile_error(&case("device-without-inventory")).unwrap();
    let d = find(
        &reported,
        "device-not-in-inventory",
        "services.api.devices[0].path",
    );
    assert!(d.message.contains("/dev/fuse"), "{}", d.message);
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("bundlec probe")),
        "{:?}",
        d.hint
    );
}

#[test]
fn lower_case_m_memory_hint_names_both_readings() {
    let reported = compile_error(&case("memory-lowercase-m")).unwrap();
    let d = find(&reported, "bad-memory", "services.api.resources.memory");
    let hint = d.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("Mi") && hint.contains('M'), "{hint}");
    assert!(d.message.contains("100m"), "{}", d.message);
}

/// Regression: names that cannot be resolved were uid 0. Here they fail, whether the name comes
/// from the spec or the image, and nothing in the diagnostics suggests root.
#[test]
fn unresolvable_user_names_fail_and_never_become_root() {
    for name in [
        "user-name-without-passwd",
        "user-image-name-without-passwd",
        "user-not-in-passwd",
    ] {
        let reported = compile_error(&case(name)).unwrap_or_else(|e| panic!("{e}"));
        let d = reported
            .iter()
            .find(|d| d.code == "unknown-user")
            .unwrap_or_else(|| panic!("{name}: {}", render(&reported)));
        assert_eq!(d.severity, Severity::Error, "{name}");
    }
}

/// A secret's value given for another reference never appears in a diagnostic.
#[test]
fn diagnostics_never_carry_secret_values() {
    let reported = compile_error(&case("secret-missing")).unwrap();
    assert_eq!(
        reported
            .iter()
            .filter(|d| d.code == "missing-secret")
            .count(),
        1,
        "only db/password is missing:\n{}",
        render(&reported)
    );
    for d in &reported {
        assert!(
            !d.message.contains("\"t\"") && !d.hint.as_deref().unwrap_or_default().contains("=t"),
            "{}",
            render(&reported)
        );
    }
}

/// DESIGN §6: every error found, not just the first.
#[test]
fn independent_errors_are_all_reported() {
    for (name, at_least) in [
        ("many-independent-errors", 11),
        ("many-section-errors", 8),
        ("misc-bad-values", 10),
        ("wrong-types", 5),
    ] {
        let reported = compile_error(&case(name)).unwrap();
        let errors: Vec<&Diagnostic> = reported.iter().filter(|d| d.is_error()).collect();
        assert!(
            errors.len() >= at_least,
            "{name}: {} errors, expected at least {at_least}:\n{}",
            errors.len(),
            render(&reported)
        );
        let mut codes: Vec<&str> = errors.iter().map(|d| d.code.as_str()).collect();
        codes.dedup();
        assert!(
            codes.len() > 1 || name == "wrong-types",
            "{name}: several kinds of error"
        );
    }
}

/// Diagnostics come sorted by position (DESIGN §7: the same order on every target): spec
/// faults by line and column, faults outside the spec (no line) after them.
#[test]
fn diagnostics_are_sorted_by_position() {
    for case in error_cases() {
        let reported = compile_error(&case).unwrap_or_else(|e| panic!("{e}"));
        let errors: Vec<&Diagnostic> = reported.iter().filter(|d| d.is_error()).collect();
        let keys: Vec<(u32, u32)> = errors
            .iter()
            .map(|d| (d.line.unwrap_or(u32::MAX), d.column.unwrap_or(0)))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            keys,
            sorted,
            "{}: diagnostics out of order:\n{}",
            case.name,
            render(&reported)
        );
        // Spec faults carry both line and column, or neither.
        for d in &reported {
            assert_eq!(d.line.is_some(), d.column.is_some(), "{}: {d:?}", case.name);
            assert!(
                !d.message.is_empty() && !d.code.is_empty(),
                "{}: {d:?}",
                case.name
            );
        }
    }
}

/// A spec of one service `api` with `fields` (indented four spaces) after image and command.
fn api_spec(command: &str, fields: &str) -> String {
    format!(
        "version: v1\ndeployment: errs\nservices:\n  api:\n    image: {{ name: x }}\n    command: {command}\n{fields}"
    )
}

fn diagnostics(raw: RawRequest<'_>) -> Vec<Diagnostic> {
    compile_raw(raw).map_or_else(|d| d, |c| c.warnings)
}

/// Issue 9 item 13: the CLI passes only host variables the operator allowed, so the hint shows
/// the flag with the variable's own name.
#[test]
fn missing_host_env_hint_shows_the_cli_flag() {
    let reported = compile_error(&case("host-env-missing")).unwrap();
    let d = find(&reported, "missing-host-env", "services.api.env.HOME_DIR");
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "allow it with `--host-env HOME` on the command line, or give it in `options.hostEnv`"
        )
    );
}

/// Issue 9 item 15: with a rootfs given (`options.rootfs`, as `apply` sets it) but no passwd or
/// group text, the fault is the rootfs's missing file, not a missing `--rootfs`.
#[test]
fn unknown_user_and_group_with_a_rootfs_blame_its_missing_files() {
    for (user, code, path, message, hint) in [
        (
            "nginx",
            "unknown-user",
            "/etc/passwd",
            "user `nginx` cannot be resolved: the rootfs `/srv/root` has no /etc/passwd",
            "add /etc/passwd to the rootfs, give `options.passwd`, or write a numeric uid",
        ),
        (
            "1000:staff",
            "unknown-group",
            "/etc/group",
            "group `staff` cannot be resolved: the rootfs `/srv/root` has no /etc/group",
            "add /etc/group to the rootfs, give `options.group`, or write a numeric gid",
        ),
    ] {
        let spec = api_spec("{ args: [/api] }", &format!("    user: \"{user}\"\n"));
        let reported = diagnostics(RawRequest {
            spec: &spec,
            options: Some(r#"{"rootfs":"/srv/root"}"#),
            ..RawRequest::default()
        });
        let d = find(&reported, code, "services.api.user");
        assert_eq!(d.message, message, "{path}");
        assert_eq!(d.hint.as_deref(), Some(hint), "{path}");
        // Without a rootfs, the hint still allows for one that lacks the file.
        let reported = diagnostics(RawRequest {
            spec: &spec,
            ..RawRequest::default()
        });
        let hint = find(&reported, code, "services.api.user")
            .hint
            .clone()
            .unwrap();
        assert!(
            hint.contains(&format!("a rootfs that has {path} (`--rootfs DIR`)")),
            "{hint}"
        );
    }
}

/// Issue 9 item 7: an empty argv[0] is `empty-command` where that word was written, whichever
/// list supplies it; an empty word later in the argv is an ordinary argument.
#[test]
fn empty_program_is_reported_where_it_was_written() {
    let options = |args: &str| format!(r#"{{"args":{args}}}"#);
    for (command, image, options, path, line) in [
        (
            "{ entrypoint: [\"\"] }",
            None,
            None,
            "services.api.command.entrypoint[0]",
            Some(6),
        ),
        (
            "{ entrypoint: [], args: [\"\", x] }",
            None,
            None,
            "services.api.command.args[0]",
            Some(6),
        ),
        (
            "{ args: [\"\"] }",
            None,
            None,
            "services.api.command.args[0]",
            Some(6),
        ),
        (
            "{ args: [x] }",
            Some(r#"{"Entrypoint":[""]}"#),
            None,
            "imageConfig.Entrypoint[0]",
            None,
        ),
        (
            "{ workdir: / }",
            Some(r#"{"Cmd":["", "x"]}"#),
            None,
            "imageConfig.Cmd[0]",
            None,
        ),
        (
            "{ args: [x] }",
            None,
            Some(options(r#"["", "x"]"#)),
            "options.args[0]",
            None,
        ),
    ] {
        let spec = api_spec(command, "");
        let reported = diagnostics(RawRequest {
            spec: &spec,
            image_config: image,
            options: options.as_deref(),
            ..RawRequest::default()
        });
        let d = find(&reported, "empty-command", path);
        assert_eq!((d.line, d.severity), (line, Severity::Error), "{path}");
    }
    let spec = api_spec("{ args: [/api, \"\"] }", "");
    let compiled = compile_raw(RawRequest {
        spec: &spec,
        ..RawRequest::default()
    });
    assert!(compiled.is_ok(), "{:?}", compiled.err());
}

/// Issue 9 items 8 and 15: CPU counts are decimal, and messages quote them as written (`1e308`
/// was printed as a 309-digit number).
#[test]
fn cpu_counts_are_decimal_and_quoted_as_written() {
    for (cpu, message) in [
        (
            "1e308",
            "`1e308` CPUs is more than any machine has (at most 100000)",
        ),
        ("0x10", "`0x10` is not a decimal number of CPUs"),
        ("0o20", "`0o20` is not a decimal number of CPUs"),
        (".inf", "`.inf` is not a decimal number of CPUs"),
        ("-1e-9", "the CPU count `-1e-9` must be above 0"),
    ] {
        let spec = api_spec(
            "{ args: [/api] }",
            &format!("    resources: {{ cpu: {cpu} }}\n"),
        );
        let reported = diagnostics(RawRequest {
            spec: &spec,
            ..RawRequest::default()
        });
        let d = find(&reported, "bad-cpu", "services.api.resources.cpu");
        assert_eq!(d.message, message);
    }
    for cpu in ["2", "1.5", "\"0.5\"", ".5", "1e1"] {
        let spec = api_spec(
            "{ args: [/api] }",
            &format!("    resources: {{ cpu: {cpu} }}\n"),
        );
        let compiled = compile_raw(RawRequest {
            spec: &spec,
            ..RawRequest::default()
        });
        assert!(compiled.is_ok(), "{cpu}: {:?}", compiled.err());
    }
}

/// Issue 10: each diagnostic in the spec text carries the range of its token (end exclusive), so
/// the page underlines it; faults outside the spec have no range.
#[test]
fn diagnostics_in_the_spec_carry_the_range_of_their_token() {
    let range = |d: &Diagnostic| (d.line, d.column, d.end_line, d.end_column);
    // `resources: { memory: 100m }`: the plain scalar at column 26 ends at 30.
    let reported = compile_error(&case("memory-lowercase-m")).unwrap();
    let d = find(&reported, "bad-memory", "services.api.resources.memory");
    assert_eq!(range(d), (Some(7), Some(26), Some(7), Some(30)));

    // A quoted scalar's range holds its quotes; an unknown key's range is the key.
    let spec = api_spec(
        "{ entrypoint: [/app], workdir: \"relative dir\" }",
        "    privilegd: true\n",
    );
    let reported = diagnostics(RawRequest {
        spec: &spec,
        ..RawRequest::default()
    });
    let workdir = find(&reported, "bad-path", "services.api.command.workdir");
    assert_eq!(range(workdir), (Some(6), Some(45), Some(6), Some(59)));
    let unknown = find(&reported, "unknown-field", "services.api.privilegd");
    assert_eq!(range(unknown), (Some(7), Some(5), Some(7), Some(14)));

    // An option is not in the spec text.
    let reported = diagnostics(RawRequest {
        spec: &api_spec("{ entrypoint: [/app] }", ""),
        options: Some(r#"{"rootfs": "relative"}"#),
        ..RawRequest::default()
    });
    let rootfs = find(&reported, "bad-path", "options.rootfs");
    assert_eq!(range(rootfs), (None, None, None, None));
}

/// `endLine`/`endColumn` sit between `column` and `hint` in the JSON every binding passes on.
#[test]
fn diagnostic_json_has_end_fields_in_order() {
    let reported = compile_error(&case("memory-lowercase-m")).unwrap();
    let json = serde_json::to_string(find(
        &reported,
        "bad-memory",
        "services.api.resources.memory",
    ))
    .unwrap();
    let at = |key: &str| json.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
    assert!(
        at("column") < at("endLine")
            && at("endLine") < at("endColumn")
            && at("endColumn") < at("hint"),
        "{json}"
    );
    assert!(json.contains(r#""endLine":7,"endColumn":30"#), "{json}");
}

/// Every code the error corpus pins, and every code the core declares, has an explanation
/// (`bundlec explain CODE`).
#[test]
fn every_code_has_an_explanation() {
    let mut corpus_codes = 0;
    for case in error_cases() {
        for expected in expected_diagnostics(&case) {
            assert!(
                bundlec_core::explain(&expected.code).is_some(),
                "{}: `{}` has no explanation",
                case.name,
                expected.code
            );
            corpus_codes += 1;
        }
    }
    assert!(corpus_codes > 50, "the corpus lists {corpus_codes} codes");
    let declared: Vec<&str> = bundlec_core::codes().collect();
    assert!(
        declared.len() > 60 && declared.contains(&"bad-memory"),
        "{declared:?}"
    );
    for code in declared {
        let text = bundlec_core::explain(code).unwrap_or_default();
        assert!(text.len() > 40 && !text.contains('\n'), "{code}: {text:?}");
    }
}
