//! Property tests: whatever the spec, inventory, image config and options, the compile never
//! panics, and compiling the same request twice gives the same result (the same config bytes,
//! or the same diagnostics). A config that compiles is also a valid OCI config.
//!
//! Inputs come from four generators: random text; YAML and JSON built from a grammar of the
//! spec's keys with random (often hostile) values; mutations of the golden specs; and random
//! inventories (any major up to 4095 and minor up to 2^20-1, fifos, GPUs of every vendor whose
//! nodes may or may not exist). The case counts keep the whole file well under a minute in a
//! debug build; `PROPTEST_CASES` raises them for a longer hunt, `PROPTEST_RNG_SEED` replays one.

use std::sync::OnceLock;

use bundlec_core::compile_raw;
use bundlec_tests::{golden_cases, oci_validator, schema_errors};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};

/// `cases` cases, or `PROPTEST_CASES` when set; no regression files are written into the tree.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| oci_validator().unwrap_or_else(|e| panic!("{e}")))
}

/// Owned parts of a request, so that strategies can produce them.
type Input = bundlec_core::RequestText;

/// The properties every input must have.
fn check(input: &Input) -> Result<(), TestCaseError> {
    let first = compile_raw(input.as_raw());
    let second = compile_raw(input.as_raw());
    match (first, second) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(&a.json, &b.json, "two compiles gave different configs");
            prop_assert_eq!(&a.warnings, &b.warnings);
            prop_assert_eq!(&a.files, &b.files);
            prop_assert!(a.json.ends_with("}\n"), "config.json ends with one newline");
            prop_assert!(
                a.warnings.iter().all(|w| !w.is_error()),
                "an Ok compile carries an error: {:?}",
                a.warnings
            );
            let config: Value = serde_json::from_str(&a.json)
                .map_err(|e| TestCaseError::fail(format!("config is not JSON: {e}")))?;
            let errors = schema_errors(validator(), &config);
            prop_assert!(
                errors.is_empty(),
                "the config is not a valid OCI config:\n{}\n{}",
                errors,
                a.json
            );
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(&a, &b, "two compiles gave different diagnostics");
            prop_assert!(
                a.iter().any(|d| d.is_error()),
                "a failed compile reports no error: {:?}",
                a
            );
            for d in &a {
                prop_assert!(!d.code.is_empty() && !d.message.is_empty(), "{:?}", d);
                prop_assert_eq!(d.line.is_some(), d.column.is_some(), "{:?}", d);
            }
        }
        (a, b) => prop_assert!(
            false,
            "one compile succeeded and the other failed: {:?} / {:?}",
            a.is_ok(),
            b.is_ok()
        ),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A small YAML model, rendered in block or flow style (and sometimes as JSON).
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Y {
    Plain(String),
    Quoted(String),
    Seq(Vec<Y>),
    Map(Vec<(String, Y)>),
}

fn plain_safe(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ',
        ])
        && !text.contains([':', '#', ',', '[', ']', '{', '}', '\n', '"', '\''])
        && !text.ends_with(' ')
}

fn flow(y: &Y, out: &mut String) {
    match y {
        Y::Plain(text)
            if plain_safe(text)
                || text.starts_with('-') && text.len() > 1 && !text.contains([',', ']', '}']) =>
        {
            out.push_str(text)
        }
        Y::Plain(text) | Y::Quoted(text) => out.push_str(&Value::String(text.clone()).to_string()),
        Y::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(item, out);
            }
            out.push(']');
        }
        Y::Map(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(&Y::Quoted(key.clone()), out);
                out.push_str(": ");
                flow(value, out);
            }
            out.push('}');
        }
    }
}

fn key_text(key: &str) -> String {
    if plain_safe(key) {
        key.to_string()
    } else {
        Value::String(key.to_string()).to_string()
    }
}

/// Block style, with collections under sequences written in flow style.
fn block(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(entries) if !entries.is_empty() => {
            for (key, value) in entries {
                out.push_str(&format!("{pad}{}:", key_text(key)));
                match value {
                    Y::Map(e) if !e.is_empty() => {
                        out.push('\n');
                        block(value, indent + 2, out);
                    }
                    Y::Seq(s) if !s.is_empty() => {
                        out.push('\n');
                        block(value, indent + 2, out);
                    }
                    _ => {
                        out.push(' ');
                        flow(value, out);
                        out.push('\n');
                    }
                }
            }
        }
        Y::Seq(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}- "));
                flow(item, out);
                out.push('\n');
            }
        }
        other => {
            out.push_str(&pad);
            flow(other, out);
            out.push('\n');
        }
    }
}

fn to_json(y: &Y) -> Value {
    match y {
        Y::Plain(text) => match text.parse::<i64>() {
            Ok(n) => json!(n),
            Err(_) => match text.as_str() {
                "true" => json!(true),
                "false" => json!(false),
                _ => json!(text),
            },
        },
        Y::Quoted(text) => json!(text),
        Y::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}

fn render(y: &Y, style: u8) -> String {
    match style % 3 {
        0 => {
            let mut out = String::new();
            block(y, 0, &mut out);
            out
        }
        1 => {
            let mut out = String::new();
            flow(y, &mut out);
            out.push('\n');
            out
        }
        _ => serde_json::to_string_pretty(&to_json(y)).unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Value pools and the spec grammar.
// ---------------------------------------------------------------------------------------------

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = Y> {
    (prop::sample::select(pool), prop::bool::weighted(0.15)).prop_map(|(text, quoted)| {
        if quoted {
            Y::Quoted(text.into())
        } else {
            Y::Plain(text.into())
        }
    })
}

fn scalar() -> impl Strategy<Value = Y> {
    prop_oneof![
        4 => pick(&[
            "1", "0", "-1", "2", "1777", "0o1777", "01777", "1778", "17777", "0x1ff", ".nan", ".inf", "-.inf", "1e9", "1.5",
            "0.001", "100m", "512Mi", "1.3Ki", "1.5Gi", "99999999999Pi", "18446744073709551616", "2147483648", "true",
            "false", "yes", "~", "null", "", "ALL", "all", "NET_ADMIN", "cap_net_admin", "FOO", "/dev/null", "/tmp", "x",
            "api", "$S:db/password", "$E:HOME", "$S:", "$E:", "a=b", "é", "-", "--", "9223372036854775808",
        ]),
        1 => "[ -~]{0,12}".prop_map(Y::Quoted),
        1 => any::<i64>().prop_map(|n| Y::Plain(n.to_string())),
        1 => any::<f64>().prop_map(|f| Y::Plain(format!("{f:?}"))),
    ]
}

fn path_value() -> impl Strategy<Value = Y> {
    pick(&[
        "/dev/null",
        "/dev/fuse",
        "/dev/nvidia0",
        "/dev/nvidia1",
        "/dev/nvidiactl",
        "/dev/nvidia-uvm",
        "/dev/kfd",
        "/dev/dri/card0",
        "/dev/dri/renderD128",
        "/dev/x0",
        "/dev/x1",
        "/dev/x2",
        "/dev/link",
        "/dev/../etc/passwd",
        "/dev/",
        "/etc/passwd",
        "dev/x",
        "/tmp",
        "/data",
        "/data/",
        "//data/./",
        "/",
        "/var/../etc",
        "relative",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/dev/shm",
        "",
    ])
}

fn seq_of(item: impl Strategy<Value = Y>, max: usize) -> impl Strategy<Value = Y> {
    prop::collection::vec(item, 0..=max).prop_map(Y::Seq)
}

thread_local! {
    /// How often the grammar picks a value that does not pass: 1 in 8 by default (hostile),
    /// never when 0 (friendly). Read when a strategy is built.
    static BAD: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

fn bad_weight() -> u32 {
    BAD.with(std::cell::Cell::get)
}

/// Mostly values that pass, sometimes one that does not, so that the grammar reaches both the
/// output sections and the diagnostics.
fn good_bad(good: &'static [&'static str], bad: &'static [&'static str]) -> BoxedStrategy<Y> {
    prop_oneof![7 => pick(good), bad_weight() => pick(bad)].boxed()
}

/// The probability of a field the spec needs: always in friendly mode, nearly always otherwise.
fn needed() -> f64 {
    if bad_weight() == 0 {
        1.0
    } else {
        0.97
    }
}

/// A strategy that only hostile mode uses: weight 0 in friendly mode.
fn hostile() -> u32 {
    bad_weight()
}

/// `Some` with probability `p` (never when `p` is 0).
fn maybe<T: std::fmt::Debug + Clone + 'static>(
    p: f64,
    strategy: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    if p >= 1.0 {
        strategy.prop_map(Some).boxed()
    } else if p > 0.0 {
        prop::option::weighted(p, strategy).boxed()
    } else {
        Just(None).boxed()
    }
}

/// A map holding each optional field with its probability.
fn fields(entries: Vec<(&'static str, f64, BoxedStrategy<Y>)>) -> impl Strategy<Value = Y> {
    let parts: Vec<BoxedStrategy<Option<(String, Y)>>> = entries
        .into_iter()
        .map(|(key, p, value)| maybe(p, value.prop_map(move |v| (key.to_string(), v))))
        .collect();
    parts.prop_map(|entries| Y::Map(entries.into_iter().flatten().collect()))
}

fn any_value() -> BoxedStrategy<Y> {
    scalar()
        .prop_recursive(2, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Y::Seq),
                prop::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(Y::Map),
            ]
        })
        .boxed()
}

fn resources() -> BoxedStrategy<Y> {
    let gpu = fields(vec![
        (
            "vendor",
            0.8,
            good_bad(
                &["nvidia", "amd", "intel", "NVIDIA"],
                &["apple", "matrox", ""],
            ),
        ),
        (
            "count",
            0.7,
            good_bad(&["1", "2", "3"], &["0", "-1", "1025", "x"]),
        ),
        ("mode", 0.1, pick(&["mps", "full"]).boxed()),
        (
            "distributed",
            0.3,
            fields(vec![
                ("backend", 0.5, pick(&["nccl", "gloo"]).boxed()),
                (
                    "master_port",
                    0.5,
                    good_bad(&["29500", "1"], &["0", "70000"]),
                ),
            ])
            .boxed(),
        ),
    ]);
    fields(vec![
        ("cpu", 0.4, prop_oneof![4 => good_bad(&["1", "0.5", "0.001", "2.5", "\"1.5\""], &["0", "-1", ".nan", ".inf", "1e9", "x"]), hostile() => scalar()].boxed()),
        ("memory", 0.4, prop_oneof![4 => good_bad(&["512Mi", "1Gi", "1.5Gi", "2G", "1048576", "64k"], &["100m", "1.3Ki", "99999999999Pi", "-1", "8Ei"]), hostile() => scalar()].boxed()),
        ("pids_limit", 0.2, good_bad(&["512", "1"], &["0", "x", "-1"])),
        ("cpuset", 0.2, good_bad(&["0-3", "0-3,8", "1"], &["3-1", "a", ""])),
        ("cpu_shares", 0.2, good_bad(&["1024", "2", "262144"], &["1", "262145"])),
        ("memory_swap", 0.2, good_bad(&["2Gi", "-1", "4G"], &["512Mi", "x"])),
        ("memory_reservation", 0.2, good_bad(&["256Mi", "1k"], &["8Gi", "m"])),
        ("memory_swappiness", 0.2, good_bad(&["0", "60", "100"], &["101", "-1"])),
        ("oom_score_adj", 0.2, good_bad(&["500", "-1000", "1000"], &["1001"])),
        ("gpu", if hostile() > 0 { 0.3 } else { 0.1 }, gpu.boxed()),
    ])
    .boxed()
}

fn storage_item() -> BoxedStrategy<Y> {
    let target = || {
        prop_oneof![6 => pick(&["/data", "/tmp", "/cache", "/models", "/var/lib/x", "/srv/a/b"]), hostile() => path_value()].boxed()
    };
    let readonly = || good_bad(&["true", "false"], &["1", "yes"]);
    let typed = |kind: &'static [&'static str],
                 extra: Vec<(&'static str, f64, BoxedStrategy<Y>)>| {
        let mut entries = vec![
            ("type", needed(), good_bad(kind, &["nfs", ""])),
            ("target", needed(), target()),
        ];
        entries.extend(extra);
        fields(entries).boxed()
    };
    prop_oneof![
        3 => typed(&["bind"], vec![("source", needed(), prop_oneof![4 => pick(&["/etc/acme", "/srv/data"]), hostile() => path_value()].boxed()), ("readonly", 0.5, readonly())]),
        3 => typed(&["named"], vec![("name", needed(), good_bad(&["data", "cache", "logs"], &[""])), ("readonly", 0.3, readonly()), ("tier", 0.2, pick(&["local"]).boxed()), ("size", 0.2, pick(&["1Gi"]).boxed())]),
        3 => typed(&["anonymous"], vec![("tier", 0.2, pick(&["local"]).boxed())]),
        3 => typed(
            &["tmpfs"],
            vec![
                ("size", 0.5, good_bad(&["64Mi", "1k", "1.5Mi", "1048576"], &["100m", "1.3Ki"])),
                ("mode", 0.5, good_bad(&["1777", "0o755", "700", "\"1777\"", "01777", "0"], &["1778", "17777", "rwx"])),
            ]
        ),
        3 => typed(&["s3"], vec![("bucket", needed(), pick(&["models", "data"]).boxed()), ("prefix", 0.3, pick(&["v1/"]).boxed()), ("readonly", 0.5, readonly())]),
        hostile() => any_value(),
    ]
    .boxed()
}

fn service() -> BoxedStrategy<Y> {
    let caps = || {
        seq_of(
            good_bad(
                &[
                    "NET_ADMIN",
                    "CAP_SYS_ADMIN",
                    "net_raw",
                    "ALL",
                    "all",
                    "MKNOD",
                    "cap_kill",
                    "Sys_Time",
                ],
                &["FOO", "", "cap_all"],
            ),
            3,
        )
        .boxed()
    };
    let bools = || good_bad(&["true", "false"], &["yes", "1", "\"true\""]);
    let env_key = good_bad(
        &[
            "A",
            "PATH",
            "TERM",
            "RANK",
            "WORLD_SIZE",
            "CUDA_VISIBLE_DEVICES",
            "NVIDIA_VISIBLE_DEVICES",
            "HOME",
            "LOG_LEVEL",
        ],
        &["A=B", ""],
    );
    let env_value = prop_oneof![4 => good_bad(&["1", "info", "", "a=b c", "$S:db/password", "$E:HOME", "$S:token", "/x:/y"], &["$S:missing", "$E:NOPE"]), hostile() => scalar()];
    let env = prop::collection::vec(
        (
            env_key.prop_map(|y| {
                if let Y::Plain(k) | Y::Quoted(k) = y {
                    k
                } else {
                    String::new()
                }
            }),
            env_value,
        ),
        0..5,
    )
    .prop_map(Y::Map);
    let sysctl_key = prop::sample::select(if hostile() > 0 {
        &[
            "net.core.somaxconn",
            "kernel.shmmax",
            "kernel.panic",
            "fs.mqueue.msg_max",
            "vm.swappiness",
            "net.ipv4.ip_forward",
        ][..]
    } else {
        &["net.core.somaxconn", "kernel.shmmax", "fs.mqueue.msg_max"][..]
    });
    let limit = prop_oneof![
        good_bad(&["1024", "-1", "0", "65536"], &["unlimited", "x", "-2"]),
        fields(vec![
            (
                "soft",
                needed(),
                good_bad(&["1024", "unlimited", "0"], &["x", "99999999"])
            ),
            (
                "hard",
                needed(),
                good_bad(&["65536", "-1", "unlimited"], &["1"])
            )
        ])
    ];
    let ulimit_key = prop::sample::select(if hostile() > 0 {
        &[
            "nofile", "nproc", "core", "memlock", "nofiles", "stack", "NOFILE",
        ][..]
    } else {
        &["nofile", "nproc", "core", "stack"][..]
    });
    fields(vec![
        ("image", needed(), fields(vec![("name", needed(), pick(&["nginx:alpine", "x"]).boxed()), ("pull_policy", 0.2, pick(&["always"]).boxed())]).boxed()),
        (
            "command",
            0.9,
            fields(vec![
                ("entrypoint", if hostile() > 0 { 0.6 } else { 0.9 }, prop::collection::vec(prop_oneof![4 => pick(&["/bin/app", "--flag", "a b", ""]), hostile() => scalar()], 1..3).prop_map(Y::Seq).boxed()),
                ("args", 0.4, seq_of(prop_oneof![4 => pick(&["serve", "-v", "$S:x"]), hostile() => scalar()], 3).boxed()),
                ("workdir", 0.3, good_bad(&["/app", "/"], &["app", ""])),
            ])
            .boxed(),
        ),
        ("env", 0.4, env.boxed()),
        ("resources", 0.5, resources()),
        ("devices", if hostile() > 0 { 0.3 } else { 0.1 }, seq_of(fields(vec![("path", needed(), prop_oneof![4 => pick(&["/dev/null", "/dev/fuse", "/dev/x0", "/dev/x1", "/dev/link", "/dev/nvidia0"]), hostile() => path_value()].boxed()), ("read", 0.3, bools()), ("write", 0.3, bools()), ("mknod", 0.3, bools())]), 3).boxed()),
        ("storage", 0.4, seq_of(storage_item(), 4).boxed()),
        ("capabilities", 0.2, caps()),
        ("cap_add", 0.2, caps()),
        ("cap_drop", 0.2, caps()),
        ("privileged", 0.2, bools()),
        ("user", 0.4, good_bad(&["1000", "1000:1000", "0", "1000:44", "0:0"], &["nginx", "app", "1000:staff", "app:video", "2147483648", "", ":", "a:b:c", "4294967296", "ghost"])),
        ("extra_groups", 0.2, seq_of(good_bad(&["video", "44", "staff"], &["nogroup", "2147483648"]), 3).boxed()),
        ("read_only_root_fs", 0.2, bools()),
        ("tty", 0.2, bools()),
        ("hostname", 0.1, good_bad(&["api", "a.b", "x1"], &["-bad", "my_api", "", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])),
        ("dns", 0.2, seq_of(good_bad(&["10.0.0.2", "2001:db8::53"], &["10.0.0.300", "x"]), 2).boxed()),
        ("extra_hosts", 0.2, seq_of(good_bad(&["db:10.0.0.5", "cache:[2001:db8::7]"], &["bad", "x:y", ":1.2.3.4"]), 2).boxed()),
        ("sysctls", 0.2, prop::collection::vec((sysctl_key.prop_map(str::to_string), good_bad(&["1024", "0"], &["", "a\nb"])), 0..3).prop_map(Y::Map).boxed()),
        ("ulimits", 0.2, prop::collection::vec((ulimit_key.prop_map(str::to_string), limit), 0..3).prop_map(Y::Map).boxed()),
        ("security_opt", 0.2, seq_of(good_bad(&["no-new-privileges:true", "no-new-privileges:false"], &["label=kind:spc_t", "apparmor"]), 2).boxed()),
        ("labels", 0.2, prop::collection::vec(("[a-z.]{1,6}", prop_oneof![1 => pick(&["ml", "x y", "1"]), hostile() => scalar()]), 0..3).prop_map(Y::Map).boxed()),
        ("network_mode", 0.2, good_bad(&["default", "host", "none", "bridge"], &["x"])),
        (
            "scale",
            0.3,
            fields(vec![("mode", 0.8, good_bad(&["fixed", "adaptive"], &["x"])), ("replicas", 0.6, good_bad(&["1", "2", "4"], &["0", "-1"])), ("min", 0.1, pick(&["1"]).boxed())])
                .boxed(),
        ),
        ("rtype", 0.3, pick(&["service", "job"]).boxed()),
        ("endpoints", 0.2, any_value()),
        ("health", 0.1, any_value()),
        ("privilegd", 0.03 * f64::from(bad_weight()), bools()),
        ("zzz", 0.03 * f64::from(bad_weight()), any_value()),
    ])
    .boxed()
}

fn deployment() -> impl Strategy<Value = Y> {
    let names = prop::sample::select(if bad_weight() > 0 {
        &["api", "web", "worker", "my_api", "x"][..]
    } else {
        &["api", "web", "worker", "x"][..]
    });
    (
        maybe(needed(), good_bad(&["v1"], &["v2", "1"])),
        maybe(
            needed(),
            good_bad(&["demo", "a-b-c", "inference"], &["ab", "my_app"]),
        ),
        prop_oneof![
            6 => prop::collection::vec((names.clone().prop_map(str::to_string), service()), 1..2),
            hostile() => prop::collection::vec((names.prop_map(str::to_string), service()), 0..4),
        ],
        maybe(0.05 * f64::from(bad_weight()), any_value()),
    )
        .prop_map(|(version, name, services, extra)| {
            let mut top = Vec::new();
            if let Some(v) = version {
                top.push(("version".to_string(), v));
            }
            if let Some(n) = name {
                top.push(("deployment".to_string(), n));
            }
            top.push(("services".to_string(), Y::Map(services)));
            if let Some(extra) = extra {
                top.push(("externals".to_string(), extra));
            }
            Y::Map(top)
        })
}

// ---------------------------------------------------------------------------------------------
// Inventories, image configs and options.
// ---------------------------------------------------------------------------------------------

const DEVICE_PATHS: &[&str] = &[
    "/dev/null",
    "/dev/fuse",
    "/dev/nvidia0",
    "/dev/nvidia1",
    "/dev/nvidiactl",
    "/dev/nvidia-uvm",
    "/dev/nvidia-uvm-tools",
    "/dev/nvidia-modeset",
    "/dev/kfd",
    "/dev/dri/card0",
    "/dev/dri/card1",
    "/dev/dri/renderD128",
    "/dev/dri/renderD129",
    "/dev/x0",
    "/dev/x1",
    "/dev/x2",
];

fn inventory() -> impl Strategy<Value = String> {
    let device = (prop::sample::select(DEVICE_PATHS), prop::sample::select(&["c", "b", "p"][..]), 0u32..=4095, 0u32..=1_048_575, 0u32..=0o7777, any::<u32>(), any::<u32>())
        .prop_map(|(path, kind, major, minor, mode, uid, gid)| json!({ "path": path, "type": kind, "major": major, "minor": minor, "fileMode": mode, "uid": uid, "gid": gid }));
    let nodes = || prop::collection::vec(prop::sample::select(DEVICE_PATHS), 0..3);
    let gpu = (
        prop::sample::select(&["nvidia", "amd", "intel"][..]),
        0u32..6,
        prop::option::of("GPU-[0-9a-f]{8}"),
        nodes(),
        nodes(),
    )
        .prop_map(|(vendor, index, uuid, nodes, drm)| {
            let mut gpu = json!({ "vendor": vendor, "index": index, "nodes": nodes, "drm": drm });
            if let Some(uuid) = uuid {
                gpu["uuid"] = json!(uuid);
            }
            gpu
        });
    let link = (
        prop::sample::select(&["/dev/link", "/dev/x0", "/dev/dri/by-path/a"][..]),
        prop::sample::select(&["x1", "../x2", "/dev/link", "null", "/etc/passwd"][..]),
    )
        .prop_map(|(path, target)| json!({ "path": path, "target": target }));
    (
        prop::collection::vec(device, 0..10),
        prop::collection::vec(link, 0..3),
        prop::collection::vec(gpu, 0..4),
        prop::collection::vec(prop::sample::select(DEVICE_PATHS), 0..4),
        prop::collection::vec(prop::sample::select(DEVICE_PATHS), 0..2),
    )
        .prop_map(|(devices, links, gpus, nvidia_shared, amd_shared)| {
            // The inventory reader refuses a path, GPU or GPU node listed twice (issue 9), so
            // the generator keeps the first of each: the compile, not the reader, is under test.
            let mut paths = std::collections::BTreeSet::new();
            let devices: Vec<Value> = devices
                .into_iter()
                .filter(|d| paths.insert(d["path"].as_str().unwrap().to_string()))
                .collect();
            let links: Vec<Value> = links
                .into_iter()
                .filter(|l| paths.insert(l["path"].as_str().unwrap().to_string()))
                .collect();
            let mut gpu_ids = std::collections::BTreeSet::new();
            let mut gpu_nodes = std::collections::BTreeSet::new();
            let gpus: Vec<Value> = gpus
                .into_iter()
                .filter(|g| gpu_ids.insert((g["vendor"].to_string(), g["index"].to_string())))
                .map(|mut g| {
                    for list in ["nodes", "drm"] {
                        let kept: Vec<Value> = g[list]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(|p| gpu_nodes.insert(p.as_str().unwrap().to_string()))
                            .cloned()
                            .collect();
                        g[list] = Value::Array(kept);
                    }
                    g
                })
                .collect();
            let (nvidia_shared, amd_shared) = (unique(nvidia_shared), unique(amd_shared));
            json!({
                "inventoryVersion": 1,
                "host": { "hostname": "h", "arch": "x86_64", "kernel": "6.8.0", "cgroup": "v2", "seccomp": true },
                "devices": devices,
                "links": links,
                "gpus": gpus,
                "gpuShared": { "nvidia": nvidia_shared, "amd": amd_shared }
            })
            .to_string()
        })
}

/// The first of each path, in order.
fn unique(list: Vec<&'static str>) -> Vec<&'static str> {
    let mut seen = std::collections::BTreeSet::new();
    list.into_iter().filter(|path| seen.insert(*path)).collect()
}

fn image_config() -> impl Strategy<Value = String> {
    let strings =
        |pool: &'static [&'static str]| prop::collection::vec(prop::sample::select(pool), 0..3);
    (
        prop::option::weighted(
            0.4,
            prop::sample::select(&["nginx", "app", "1000", "1000:50", "", "root", "ghost"][..]),
        ),
        prop_oneof![
            9 => strings(&["PATH=/bin", "A=1", "NVIDIA_VISIBLE_DEVICES=all", "TERM=dumb", "B="]),
            1 => strings(&["BAD", "=x", "A=1"]),
        ],
        strings(&["/entry", "sh", ""]),
        strings(&["cmd", "-c", ""]),
        prop::option::of(prop::sample::select(&["/app", "", "/srv", "relative"][..])),
        any::<bool>(),
    )
        .prop_map(|(user, env, entrypoint, cmd, workdir, whole)| {
            let mut config = json!({ "Env": env, "Entrypoint": entrypoint, "Cmd": cmd });
            if let Some(user) = user {
                config["User"] = json!(user);
            }
            if let Some(dir) = workdir {
                config["WorkingDir"] = json!(dir);
            }
            if whole {
                json!({ "architecture": "amd64", "config": config }).to_string()
            } else {
                config.to_string()
            }
        })
}

fn options() -> impl Strategy<Value = String> {
    let passwd = "root:x:0:0::/root:/bin/sh\nnginx:x:101:101::/:/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n";
    let group = "root:x:0:\nvideo:x:44:nginx,app\nstaff:x:50:app\n";
    (
        any::<bool>(),
        prop::option::weighted(0.2, prop::collection::vec(0u32..6, 0..3)),
        prop::bool::weighted(0.7),
        prop::option::weighted(0.2, prop::sample::select(&["host-1", "a.b", "-bad", ""][..])),
        prop::option::weighted(0.2, prop::sample::select(&["/app", "/", "relative"][..])),
        prop::bool::weighted(0.8),
        prop::option::weighted(0.2, prop::collection::vec("[a-z]{0,3}", 0..3)),
    )
        .prop_map(move |(host_network, gpu_indices, identity, hostname, cwd, volumes, args)| {
            let mut options = json!({
                "hostNetwork": host_network,
                "secrets": { "db/password": "s3cret", "token": "t0k", "x": "y" },
                "hostEnv": { "HOME": "/home/u" },
                "env": { "B": "2", "PATH": "/opt/bin" },
            });
            if let Some(indices) = gpu_indices {
                options["gpuIndices"] = json!(indices);
            }
            if identity {
                options["passwd"] = json!(passwd);
                options["group"] = json!(group);
            }
            if let Some(hostname) = hostname {
                options["hostname"] = json!(hostname);
            }
            if let Some(cwd) = cwd {
                options["cwd"] = json!(cwd);
            }
            if volumes {
                options["volumes"] = json!({ "data": "/srv/data", "cache": "/srv/cache", "logs": "relative", "models": "/mnt/models", "/tmp": "/srv/tmp", "/cache": "/srv/anon", "/data": "/srv/anon2" });
            }
            if let Some(args) = args {
                options["args"] = json!(args);
            }
            options.to_string()
        })
}

/// service, replica, inventory, image config, options.
type RequestParts = (
    Option<String>,
    Option<u32>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn request_parts() -> impl Strategy<Value = RequestParts> {
    (
        prop::option::weighted(
            0.15,
            prop::sample::select(if bad_weight() > 0 {
                &["api", "web", "worker", "apii"][..]
            } else {
                &["api"][..]
            })
            .prop_map(str::to_string),
        ),
        maybe(
            0.3 * f64::from(hostile().min(1)),
            prop_oneof![9 => 1u32..3, 1 => 0u32..6],
        ),
        prop::option::weighted(0.7, inventory()),
        prop::option::weighted(0.6, image_config()),
        prop::option::weighted(0.7, options()),
    )
}

// ---------------------------------------------------------------------------------------------
// Golden specs and their mutations.
// ---------------------------------------------------------------------------------------------

fn golden_specs() -> &'static [String] {
    static SPECS: OnceLock<Vec<String>> = OnceLock::new();
    SPECS.get_or_init(|| golden_cases().into_iter().map(|c| c.request.spec).collect())
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    ReplaceValue { line: usize, value: String },
    Indent { line: usize, by: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), "[ -~\n\t]{1,6}").prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        (any::<usize>(), scalar()).prop_map(|(line, y)| {
            let mut value = String::new();
            flow(&y, &mut value);
            Mutation::ReplaceValue { line, value }
        }),
        (any::<usize>(), 1usize..4).prop_map(|(line, by)| Mutation::Indent { line, by }),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match mutation {
        Mutation::Delete { at, len } => {
            let at = at % (chars.len() + 1);
            let end = (at + len).min(chars.len());
            chars[..at].iter().chain(&chars[end..]).collect()
        }
        Mutation::Insert { at, text } => {
            let at = at % (chars.len() + 1);
            chars[..at]
                .iter()
                .chain(text.chars().collect::<Vec<_>>().iter())
                .chain(&chars[at..])
                .collect()
        }
        Mutation::DuplicateLine { line } => {
            if !lines.is_empty() {
                let l = lines[line % n].clone();
                lines.insert(line % n, l);
            }
            lines.join("\n") + "\n"
        }
        Mutation::SwapLines { a, b } => {
            if !lines.is_empty() {
                lines.swap(a % n, b % n);
            }
            lines.join("\n") + "\n"
        }
        Mutation::ReplaceValue { line, value } => {
            if let Some(l) = lines.get_mut(line % n) {
                if let Some(colon) = l.find(": ") {
                    l.truncate(colon + 2);
                    l.push_str(value);
                }
            }
            lines.join("\n") + "\n"
        }
        Mutation::Indent { line, by } => {
            if let Some(l) = lines.get_mut(line % n) {
                l.insert_str(0, &" ".repeat(*by));
            }
            lines.join("\n") + "\n"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The properties.
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    /// Any text at all: never a panic, always the same diagnostics.
    #[test]
    fn random_text_never_panics(spec in prop_oneof!["(?s).{0,300}", "[a-z0-9: \\-\\[\\]{}\n\"'!&*#|>%@.,~]{0,300}"], parts in request_parts()) {
        let (service, replica, inventory, image_config, options) = parts;
        check(&Input { spec, service, replica, inventory, image_config, options })?;
    }

    /// Specs from the grammar of the spec's keys, with hostile values, as block YAML, flow YAML or JSON.
    #[test]
    fn grammar_specs_never_panic_and_are_deterministic(spec in deployment(), style in any::<u8>(), parts in request_parts()) {
        let (service, replica, inventory, image_config, options) = parts;
        check(&Input { spec: render(&spec, style), service, replica, inventory, image_config, options })?;
    }

    /// The golden specs, mutated a few times, on random hosts.
    #[test]
    fn mutated_golden_specs_never_panic(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..4), parts in request_parts()) {
        let specs = golden_specs();
        let mut spec = specs[index % specs.len()].clone();
        for m in &mutations {
            spec = apply(&spec, m);
        }
        let (service, replica, inventory, image_config, options) = parts;
        check(&Input { spec, service, replica, inventory, image_config, options })?;
    }

    /// A spec that asks for devices and GPUs, on random inventories: granted nodes keep the
    /// inventory's numbers however large, and the result is deterministic.
    #[test]
    fn device_and_gpu_requests_on_random_inventories(
        inventory in inventory(),
        vendor in prop::sample::select(&["nvidia", "amd", "intel"][..]),
        count in 1u32..4,
        devices in prop::collection::vec(prop::sample::select(DEVICE_PATHS), 0..4),
        distributed in any::<bool>(),
    ) {
        let mut spec = format!("version: v1\ndeployment: props\nservices:\n  s:\n    image: {{ name: x }}\n    command: {{ entrypoint: [/s] }}\n    resources:\n      gpu: {{ vendor: {vendor}, count: {count}{} }}\n", if distributed { ", distributed: {}" } else { "" });
        if !devices.is_empty() {
            spec.push_str("    devices:\n");
            for path in &devices {
                spec.push_str(&format!("      - {{ path: \"{path}\" }}\n"));
            }
        }
        let input = Input { spec, inventory: Some(inventory.clone()), ..Input::default() };
        check(&input)?;
        if let Ok(compiled) = compile_raw(input.as_raw()) {
            let config: Value = serde_json::from_str(&compiled.json).unwrap();
            let inv: Value = serde_json::from_str(&inventory).unwrap();
            for device in config["linux"]["devices"].as_array().into_iter().flatten() {
                // Every node in the config is a node of the inventory, numbers intact.
                let found = inv["devices"].as_array().unwrap().iter().any(|d| d["major"] == device["major"] && d["minor"] == device["minor"] && d["type"] == device["type"]);
                prop_assert!(found, "{} is not an inventory node", device);
            }
        }
    }
}

/// The grammar with only values that pass on their own: most specs compile, so the output
/// sections (and the OCI schema check of their result) see many shapes, not just the first
/// error. At least 1 in 10 must compile, or the generator has stopped testing the output.
#[test]
fn friendly_grammar_specs_compile_to_valid_deterministic_configs() {
    BAD.with(|b| b.set(0));
    let strategy = (deployment(), any::<u8>(), request_parts());
    let mut runner = proptest::test_runner::TestRunner::new(config(384));
    let compiled = std::cell::Cell::new(0u32);
    let runs = std::cell::Cell::new(0u32);
    let result = runner.run(
        &strategy,
        |(spec, style, (service, replica, inventory, image_config, options))| {
            let input = Input {
                spec: render(&spec, style),
                service,
                replica,
                inventory,
                image_config,
                options,
            };
            runs.set(runs.get() + 1);
            if compile_raw(input.as_raw()).is_ok() {
                compiled.set(compiled.get() + 1);
            }
            check(&input)
        },
    );
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(
        compiled.get() * 10 >= runs.get(),
        "only {} of {} friendly specs compiled",
        compiled.get(),
        runs.get()
    );
}
