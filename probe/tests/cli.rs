//! The command line end to end: exit codes, diagnostics on stderr, schemas, compile inputs
//! (stdin, -o, secrets, host env, rootfs identity files) and `apply` refusals. No root needed.

mod common;

use std::fs;
use std::path::Path;

use common::{bundlec, ok, run, stderr, stdout, write, TempDir};
use serde_json::Value;

const SPEC: &str = "version: v1
deployment: clitest
services:
  api:
    image: { name: busybox }
    command: { entrypoint: [/bin/sh, -c, 'echo hi'], workdir: /srv }
    env:
      TOKEN: \"$S:token\"
      FROM_HOST: \"$E:BUNDLEC_CLI_TEST_VAR\"
    user: app
    extra_hosts: [\"db:10.0.0.5\"]
    dns: [10.0.0.2]
    storage:
      - { type: named, name: data, target: /data }
      - { type: anonymous, target: /var/cache/app }
";

fn examples() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

fn rootfs(dir: &TempDir) -> std::path::PathBuf {
    let rootfs = dir.join("rootfs");
    write(
        &rootfs.join("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\napp:x:1234:2345::/home/app:/bin/sh\n",
    );
    write(&rootfs.join("etc/group"), "app:x:2345:\nvideo:x:44:app\n");
    rootfs
}

fn config(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn compiles_the_example() {
    let output = ok(bundlec()
        .arg("compile")
        .arg(examples().join("specs/gpu-inference.yaml"))
        .arg("--inventory")
        .arg(examples().join("inventories/nvidia-2gpu.json"))
        .args(["--replica", "2"]));
    let config = config(&output);
    assert_eq!(config["ociVersion"], "1.2.1");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let env = config["process"]["env"].as_array().unwrap();
    assert!(env.iter().any(|e| e == "RANK=1"), "{env:?}");
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["compile", "--help"],
        &["apply", "--help"],
        &["probe", "--help"],
        &["schema", "--help"],
        &["explain", "--help"],
        &["check", "--help"],
    ] {
        let output = ok(bundlec().args(args));
        assert!(stdout(&output).contains("Usage: bundlec"), "{args:?}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["compile"][..],
        &["compile", "s.yaml", "--bogus"],
        &["compile", "s.yaml", "--probe", "--inventory", "i.json"],
        &["compile", "s.yaml", "--env", "NOEQUALS"],
        &["compile", "s.yaml", "--replica", "minus"],
        &["compile", "s.yaml", "--diagnostics", "xml"],
        &["apply", "s.yaml", "--bundle", "b"],
        &["schema", "nope"],
        &["explain"],
        &["explain", "bad-memroy"],
        &["explain", "--list", "io-error"],
        &["compile", "s.yaml", "--policy", "strict"],
        &["compile", "s.yaml", "--policy-mode", "audit"],
        &["check"],
        &["check", "s.yaml", "--policy-mode", "warn"],
        &["frobnicate"],
    ] {
        let output = run(bundlec().args(args));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn schemas_are_the_cores() {
    for name in ["inventory", "options"] {
        let output = ok(bundlec().args(["schema", name]));
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        let core: Value = serde_json::from_str(bundlec_core::schema(name).unwrap()).unwrap();
        assert_eq!(printed, core);
    }
    let output = run(bundlec().args(["schema", "nope"]));
    assert!(stderr(&output).starts_with("error: bundlec has no schema named `nope`"));
}

/// The codes the command emits itself; every one has an explanation.
const COMMAND_CODES: [&str; 18] = [
    "io-error",
    "too-large",
    "not-utf8",
    "not-a-directory",
    "bundle-exists",
    "unsafe-bundle",
    "bad-bundle-file",
    "usage",
    "unknown-schema",
    "probe-warning",
    "seccomp-profile-unreadable",
    "bad-layer",
    "bad-image-archive",
    "image-blob-mismatch",
    "layer-too-large",
    "unsafe-layer-entry",
    "cdi-spec-exists",
    "no-cdi-spec",
];

#[test]
fn explain_knows_every_code() {
    let output = ok(bundlec().args(["explain", "--list"]));
    let listed: Vec<String> = stdout(&output).lines().map(String::from).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(listed, sorted, "sorted, once each");
    let core: Vec<&str> = bundlec_core::codes().collect();
    assert!(core.contains(&"bad-memory"), "{core:?}");
    for code in core.iter().chain(&COMMAND_CODES) {
        assert!(listed.iter().any(|l| l == code), "{code} is not listed");
    }
    assert_eq!(listed.len(), core.len() + COMMAND_CODES.len());
    for code in &listed {
        let output = ok(bundlec().args(["explain", code]));
        let text = stdout(&output);
        assert!(
            text.len() > 40 && text.ends_with('\n') && stderr(&output).is_empty(),
            "{code}: {text:?}"
        );
        if let Some(core_text) = bundlec_core::explain(code) {
            assert_eq!(text, format!("{core_text}\n"), "{code}");
        }
    }
    let output = ok(bundlec().args(["explain", "bundle-exists"]));
    assert!(stdout(&output).contains("--force"), "{}", stdout(&output));
}

#[test]
fn explain_suggests_the_nearest_code() {
    let output = run(bundlec().args(["explain", "bad-memroy"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr(&output),
        "error: bundlec has no diagnostic code `bad-memroy`\n  \
         = hint: did you mean `bad-memory`? `bundlec explain --list` prints every code\n"
    );
    let output = run(bundlec().args(["explain", "io-eror", "--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(2));
    let diagnostics = json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "usage");
    assert_eq!(diagnostics[0]["path"], "io-eror");
    assert_eq!(
        diagnostics[0]["hint"],
        "did you mean `io-error`? `bundlec explain --list` prints every code"
    );
}

#[test]
fn human_diagnostics_point_at_the_yaml() {
    let dir = TempDir::new("cli-human");
    let spec = dir.join("spec.yaml");
    write(&spec, "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    resources:\n      memory: 100m\n    privilegd: true\n");
    let output = run(bundlec().arg("compile").arg(&spec));
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let text = stderr(&output);
    let name = spec.display();
    assert!(
        text.contains("error[bad-memory]: `100m` is ambiguous"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            " --> {name}:8:15\n  |\n8 |       memory: 100m\n  |               ^^^^\n  = hint: "
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error[unknown-field]: unknown field `privilegd` in `services.api`\n --> {name}:9:5\n  |\n9 |     privilegd: true\n  |     ^^^^^^^^^\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("  = hint: did you mean `privileged`?"),
        "{text}"
    );

    let output = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stderr).unwrap();
    let memory = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "bad-memory")
        .unwrap();
    assert_eq!(
        (memory["endLine"].as_u64(), memory["endColumn"].as_u64()),
        (Some(8), Some(19))
    );
    assert_eq!(
        (memory["line"].as_u64(), memory["column"].as_u64()),
        (Some(8), Some(15))
    );
    assert_eq!(memory["severity"], "error");
    assert_eq!(memory["path"], "services.api.resources.memory");
    assert!(memory["hint"].is_string());
}

#[test]
fn bad_inputs_exit_1() {
    let dir = TempDir::new("cli-inputs");
    let output = run(bundlec().arg("compile").arg(dir.join("missing.yaml")));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: cannot read the spec `"),
        "{}",
        stderr(&output)
    );

    let spec = dir.join("spec.yaml");
    write(&spec, "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n");
    write(&dir.join("inventory.json"), "{\"inventoryVersion\": 99}");
    let output = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .arg("--inventory")
        .arg(dir.join("inventory.json")));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("error[bad-inventory]: inventory version 99 is not supported\n --> path: inventory.inventoryVersion\n"), "{}", stderr(&output));

    let output = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--secret", "x=@/nonexistent/bundlec-secret"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .starts_with("error: cannot read secret `x` from `/nonexistent/bundlec-secret`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn compile_reads_stdin_secrets_host_env_and_the_rootfs() {
    let dir = TempDir::new("cli-compile");
    let rootfs = rootfs(&dir);
    write(&dir.join("token"), "s3cret\n");
    let out = dir.join("config.json");
    let mut command = bundlec();
    command
        .args(["compile", "-", "--rootfs"])
        .arg(&rootfs)
        .arg("--secret")
        .arg(format!("token=@{}", dir.join("token").display()))
        .args([
            "--volume",
            "data=/srv/data",
            "--volume",
            "/var/cache/app=/srv/cache",
            "--env",
            "EXTRA=1",
            "--hostname",
            "web-1",
        ])
        .arg("-o")
        .arg(&out)
        .args(["--host-env", "BUNDLEC_CLI_TEST_VAR"])
        .env("BUNDLEC_CLI_TEST_VAR", "from-host")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), SPEC.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let config: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    let process = &config["process"];
    assert_eq!(process["user"]["uid"], 1234);
    assert_eq!(process["user"]["gid"], 2345);
    assert_eq!(
        process["user"]["additionalGids"],
        serde_json::json!([2345, 44])
    );
    let env: Vec<&str> = process["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for wanted in ["TOKEN=s3cret", "FROM_HOST=from-host", "EXTRA=1"] {
        assert!(env.contains(&wanted), "{env:?}");
    }
    assert_eq!(config["hostname"], "web-1");
    let mounts = config["mounts"].as_array().unwrap();
    let source = |target: &str| {
        mounts
            .iter()
            .find(|m| m["destination"] == target)
            .map(|m| m["source"].clone())
    };
    assert_eq!(source("/data"), Some(Value::from("/srv/data")));
    assert_eq!(source("/var/cache/app"), Some(Value::from("/srv/cache")));
    assert_eq!(source("/etc/hosts"), Some(Value::from("hosts")));

    // Without the identity files the name cannot be resolved, and without the variable `$E:` fails.
    write(&dir.join("spec.yaml"), SPEC);
    let output = run(bundlec()
        .arg("compile")
        .arg(dir.join("spec.yaml"))
        .args([
            "--secret",
            "token=x",
            "--volume",
            "data=/a",
            "--volume",
            "/var/cache/app=/b",
        ])
        .env_remove("BUNDLEC_CLI_TEST_VAR")
        .args(["--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stderr).unwrap();
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"unknown-user"), "{codes:?}");
    assert!(codes.contains(&"missing-host-env"), "{codes:?}");
}

#[test]
fn rootfs_links_never_leave_the_rootfs() {
    let dir = TempDir::new("cli-escape");
    // The host file names the user; the rootfs only links to it.
    write(&dir.join("outside-passwd"), "app:x:999:999::/:/bin/sh\n");
    let rootfs = dir.join("rootfs");
    common::symlink(
        "../../../../../../../../outside-passwd",
        &rootfs.join("etc/passwd"),
    );
    write(&dir.join("spec.yaml"), "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    user: app\n");
    let output = run(bundlec()
        .arg("compile")
        .arg(dir.join("spec.yaml"))
        .arg("--rootfs")
        .arg(&rootfs));
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("error[unknown-user]"),
        "{}",
        stderr(&output)
    );
    // An absolute link is taken inside the rootfs too.
    fs::remove_file(rootfs.join("etc/passwd")).unwrap();
    common::symlink("/real/passwd", &rootfs.join("etc/passwd"));
    write(&rootfs.join("real/passwd"), "app:x:4321:4321::/:/bin/sh\n");
    let output = ok(bundlec()
        .arg("compile")
        .arg(dir.join("spec.yaml"))
        .arg("--rootfs")
        .arg(&rootfs));
    assert_eq!(config(&output)["process"]["user"]["uid"], 4321);
}

#[test]
fn compile_can_probe_this_host() {
    let dir = TempDir::new("cli-probe");
    write(&dir.join("spec.yaml"), "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    devices: [ { path: /dev/null } ]\n");
    let output = ok(bundlec()
        .arg("compile")
        .arg(dir.join("spec.yaml"))
        .arg("--probe"));
    let devices = config(&output)["linux"]["devices"].clone();
    assert_eq!(devices[0]["path"], "/dev/null");
    assert_eq!(
        (devices[0]["major"].as_u64(), devices[0]["minor"].as_u64()),
        (Some(1), Some(3))
    );
}

#[test]
fn apply_writes_refuses_and_stays_atomic() {
    let dir = TempDir::new("cli-apply");
    let rootfs = rootfs(&dir);
    let spec = dir.join("spec.yaml");
    write(&spec, SPEC);
    let bundle = dir.join("bundles/api");
    let state = dir.join("state");
    let apply = |extra: &[&str]| {
        let mut command = bundlec();
        command
            .arg("apply")
            .arg(&spec)
            .arg("--rootfs")
            .arg(&rootfs)
            .arg("--bundle")
            .arg(&bundle)
            .arg("--state-dir")
            .arg(&state)
            .args(["--secret", "token=x", "--replica", "1"])
            .args(["--host-env", "BUNDLEC_CLI_TEST_VAR"])
            .args(extra)
            .env("BUNDLEC_CLI_TEST_VAR", "v");
        command
    };
    // A compile error writes nothing: no bundle, no temporary directory, no volumes.
    let output = run(&mut apply(&["--hostname", "not_valid!"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!bundle.exists());
    assert!(!state.exists());
    assert!(
        !dir.join("bundles").exists()
            || fs::read_dir(dir.join("bundles")).unwrap().next().is_none()
    );

    let output = ok(&mut apply(&[]));
    assert_eq!(stdout(&output).trim(), bundle.display().to_string());
    let mut names: Vec<String> = fs::read_dir(&bundle)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["config.json", "hosts", "resolv.conf", "rootfs"]);
    assert_eq!(
        fs::read_to_string(bundle.join("resolv.conf")).unwrap(),
        "nameserver 10.0.0.2\n"
    );
    assert!(fs::read_to_string(bundle.join("hosts"))
        .unwrap()
        .contains("10.0.0.5\tdb\n"));
    let config: Value =
        serde_json::from_str(&fs::read_to_string(bundle.join("config.json")).unwrap()).unwrap();
    // runc refuses a rootfs reached through a link: the config names the real directory.
    let real_rootfs = fs::canonicalize(&rootfs).unwrap();
    assert_eq!(config["root"]["path"], real_rootfs.to_str().unwrap());
    assert_eq!(fs::read_link(bundle.join("rootfs")).unwrap(), real_rootfs);
    let data = state.join("clitest/data");
    let anonymous = state.join("clitest/api-rep-1-anon-_var_cache_app");
    let mounts = config["mounts"].as_array().unwrap();
    let source = |target: &str| {
        mounts
            .iter()
            .find(|m| m["destination"] == target)
            .map(|m| m["source"].clone())
    };
    assert_eq!(source("/data"), Some(Value::from(data.to_str().unwrap())));
    assert_eq!(
        source("/var/cache/app"),
        Some(Value::from(anonymous.to_str().unwrap()))
    );
    assert!(data.is_dir() && anonymous.is_dir());

    // An existing bundle is refused without --force, and left as it was.
    fs::write(bundle.join("config.json"), "old").unwrap();
    let output = run(&mut apply(&[]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already exists; pass --force to replace it"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read_to_string(bundle.join("config.json")).unwrap(),
        "old"
    );
    // With --force it is replaced, and only its lock file is left beside it.
    ok(&mut apply(&["--force"]));
    assert_ne!(
        fs::read_to_string(bundle.join("config.json")).unwrap(),
        "old"
    );
    assert_eq!(listing(&dir.join("bundles")), [".api.lock", "api"]);
    // A file bundlec did not write makes --force refuse, and stays.
    fs::write(bundle.join("notes.txt"), "mine").unwrap();
    let output = run(&mut apply(&["--force"]));
    assert_eq!(output.status.code(), Some(1));
    let real_bundle = fs::canonicalize(&bundle).unwrap();
    assert_eq!(
        stderr(&output),
        format!(
            "error: `{}` holds `notes.txt`, which bundlec did not write; remove it yourself or choose another --bundle\n",
            real_bundle.display()
        )
    );
    assert_eq!(
        fs::read_to_string(bundle.join("notes.txt")).unwrap(),
        "mine"
    );
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn apply_needs_s3_volumes_and_safe_names() {
    let dir = TempDir::new("cli-apply-s3");
    fs::create_dir_all(dir.join("rootfs")).unwrap();
    let spec = dir.join("spec.yaml");
    let apply = |spec_text: &str| {
        write(&spec, spec_text);
        run(bundlec()
            .arg("apply")
            .arg(&spec)
            .arg("--rootfs")
            .arg(dir.join("rootfs"))
            .arg("--bundle")
            .arg(dir.join("b"))
            .arg("--state-dir")
            .arg(dir.join("state")))
    };
    let base = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    storage:\n";
    let output = apply(&format!(
        "{base}      - {{ type: s3, bucket: models, target: /models }}\n"
    ));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[volume-not-provided]"),
        "{}",
        stderr(&output)
    );
    let output = apply(&format!(
        "{base}      - {{ type: named, name: ../../etc, target: /d }}\n"
    ));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[bad-volume-name]"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("b").exists() && !dir.join("state").exists());
}

/// A typo'd key is reported alone: the volumes are still planned, so no `volume-not-provided`
/// error joins it (issue 9, item 15).
#[test]
fn a_typo_does_not_add_a_volume_error() {
    let dir = TempDir::new("cli-apply-typo");
    fs::create_dir_all(dir.join("rootfs")).unwrap();
    let spec = dir.join("spec.yaml");
    write(
        &spec,
        "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    privilegd: true\n    storage:\n      - { type: named, name: data, target: /d }\n      - { type: anonymous, target: /cache }\n",
    );
    let output = run(bundlec()
        .arg("apply")
        .arg(&spec)
        .arg("--rootfs")
        .arg(dir.join("rootfs"))
        .arg("--bundle")
        .arg(dir.join("b"))
        .arg("--state-dir")
        .arg(dir.join("state")));
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("error[unknown-field]"), "{text}");
    assert!(!text.contains("volume-not-provided"), "{text}");
    assert!(!dir.join("b").exists() && !dir.join("state").exists());
}

/// `-o` onto something that is not a regular file (a FIFO here; `/dev/null` in practice) writes
/// through it: renaming a temp file over it would replace the pipe or device with a file.
#[test]
fn output_onto_a_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TempDir::new("cli-fifo");
    let fifo = dir.join("out");
    nix::unistd::mkfifo(
        &fifo,
        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
    )
    .unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let spec = examples().join("specs/gpu-inference.yaml");
    let inventory = examples().join("inventories/nvidia-2gpu.json");
    ok(bundlec()
        .arg("compile")
        .arg(&spec)
        .arg("--inventory")
        .arg(&inventory)
        .arg("-o")
        .arg(&fifo));
    let text = reader.join().unwrap();
    assert!(text.starts_with("{\n  \"ociVersion\": \"1.2.1\""), "{text}");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

const PLAIN: &str = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n";

/// `apply` of PLAIN to `bundle` with `rootfs`, run in `cwd`.
fn apply_plain(
    cwd: &Path,
    spec: &Path,
    rootfs: &Path,
    bundle: &Path,
    force: bool,
) -> std::process::Output {
    let mut command = bundlec();
    command
        .current_dir(cwd)
        .arg("apply")
        .arg(spec)
        .arg("--rootfs")
        .arg(rootfs)
        .arg("--bundle")
        .arg(bundle)
        .arg("--state-dir")
        .arg(cwd.join("state"));
    if force {
        command.arg("--force");
    }
    run(&mut command)
}

/// The one `{"diagnostics":[...]}` document on stderr, each diagnostic with every field.
fn json_diagnostics(output: &std::process::Output) -> Vec<Value> {
    let text = stderr(output);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("stderr is not one JSON document ({error}):\n{text}"));
    let diagnostics = report["diagnostics"].as_array().unwrap().clone();
    for diagnostic in &diagnostics {
        let keys: Vec<&String> = diagnostic.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "severity",
                "code",
                "message",
                "path",
                "line",
                "column",
                "endLine",
                "endColumn",
                "hint"
            ],
            "{text}"
        );
    }
    diagnostics
}

#[test]
fn apply_never_deletes_what_bundlec_did_not_write() {
    let dir = TempDir::new("cli-apply-unsafe");
    let spec = dir.join("spec.yaml");
    write(&spec, PLAIN);
    // The usual OCI layout: B/rootfs inside the bundle B.
    let layout = dir.join("B");
    write(&layout.join("rootfs/bin/sh"), "a shell");
    let output = apply_plain(dir.path(), &spec, &layout.join("rootfs"), &layout, true);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("contains the rootfs"),
        "{}",
        stderr(&output)
    );
    assert_eq!(listing(&layout), ["rootfs"]);
    assert_eq!(
        fs::read_to_string(layout.join("rootfs/bin/sh")).unwrap(),
        "a shell"
    );
    // --bundle equal to --rootfs, and --bundle . (the current directory).
    let output = apply_plain(
        dir.path(),
        &spec,
        &layout.join("rootfs"),
        &layout.join("rootfs"),
        true,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(" is the rootfs "),
        "{}",
        stderr(&output)
    );
    let output = apply_plain(&layout, &spec, &layout.join("rootfs"), Path::new("."), true);
    assert_eq!(output.status.code(), Some(1));
    let other = dir.join("other-rootfs");
    fs::create_dir_all(&other).unwrap();
    let output = apply_plain(&layout, &spec, &other, Path::new("."), true);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("does not end in a directory name"),
        "{}",
        stderr(&output)
    );
    // A directory of unrelated files is named, not deleted.
    let unrelated = dir.join("home");
    write(&unrelated.join("notes.txt"), "mine");
    let output = run(bundlec()
        .arg("apply")
        .arg(&spec)
        .arg("--rootfs")
        .arg(&other)
        .arg("--bundle")
        .arg(&unrelated)
        .arg("--state-dir")
        .arg(dir.join("state"))
        .args(["--force", "--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(1));
    let diagnostics = json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "unsafe-bundle");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("holds `notes.txt`, which bundlec did not write"),
        "{diagnostics:?}"
    );
    assert_eq!(listing(&unrelated), ["notes.txt"]);
    assert!(layout.join("rootfs/bin/sh").exists());
    assert!(!dir.join("state").exists());
}

#[test]
fn concurrent_forced_applies_are_serialized() {
    let dir = TempDir::new("cli-apply-race");
    let spec = dir.join("spec.yaml");
    write(&spec, PLAIN);
    let rootfs = dir.join("rootfs");
    fs::create_dir_all(&rootfs).unwrap();
    let bundles = dir.join("bundles");
    let children: Vec<std::process::Child> = (0..50)
        .map(|_| {
            bundlec()
                .arg("apply")
                .arg(&spec)
                .arg("--rootfs")
                .arg(&rootfs)
                .arg("--bundle")
                .arg(bundles.join("api"))
                .arg("--state-dir")
                .arg(dir.join("state"))
                .arg("--force")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(listing(&bundles), [".api.lock", "api"]);
    assert_eq!(listing(&bundles.join("api")), ["config.json", "rootfs"]);
}

#[test]
fn output_files_are_0600_and_never_follow_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("cli-output");
    let spec = dir.join("spec.yaml");
    write(&spec, PLAIN);
    // A planted link at the output path: replaced by the file, its target untouched.
    write(&dir.join("victim"), "keep");
    common::symlink(
        dir.join("victim").to_str().unwrap(),
        &dir.join("config.json"),
    );
    ok(bundlec()
        .arg("compile")
        .arg(&spec)
        .arg("-o")
        .arg(dir.join("config.json")));
    assert_eq!(fs::read_to_string(dir.join("victim")).unwrap(), "keep");
    let meta = fs::symlink_metadata(dir.join("config.json")).unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    let inventory = dir.join("inventory.json");
    ok(bundlec().args(["probe", "-o"]).arg(&inventory));
    let meta = fs::symlink_metadata(&inventory).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert_eq!(
        listing(dir.path()),
        ["config.json", "inventory.json", "spec.yaml", "victim"]
    );
}

/// A node's inventory, so that a compile resolves seccomp without the `seccomp-host-assumed`
/// warning (tests that want no diagnostic but the one they check).
fn node_inventory(dir: &TempDir) -> std::path::PathBuf {
    let inventory = dir.join("node.json");
    write(
        &inventory,
        r#"{"inventoryVersion": 2, "host": {"arch": "x86_64", "kernel": "6.8.0-45-generic"}}"#,
    );
    inventory
}

#[test]
fn a_closed_stdout_is_a_failure() {
    let dir = TempDir::new("cli-closed");
    let spec = dir.join("spec.yaml");
    write(&spec, PLAIN);
    let output = run(std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" compile \"$1\" --inventory \"$2\" >&-")
        .arg(env!("CARGO_BIN_EXE_bundlec"))
        .arg(&spec)
        .arg(node_inventory(&dir)));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: cannot write to stdout: it is closed\n"
    );
    // /dev/null is a place to write, not a closed stdout.
    let output = run(std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" compile \"$1\" >/dev/null")
        .arg(env!("CARGO_BIN_EXE_bundlec"))
        .arg(&spec));
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn every_failure_is_one_json_document() {
    let dir = TempDir::new("cli-json");
    let spec = dir.join("spec.yaml");
    write(&spec, PLAIN);
    fs::write(
        dir.join("latin1.yaml"),
        b"version: v1\ndeployment: caf\xe9\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("rootfs")).unwrap();
    let spec_arg = spec.to_str().unwrap().to_string();
    let rootfs_arg = dir.join("rootfs").to_str().unwrap().to_string();
    let missing = dir.join("missing.yaml").to_str().unwrap().to_string();
    let latin1 = dir.join("latin1.yaml").to_str().unwrap().to_string();
    let node = node_inventory(&dir).to_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, &str, i32)> = vec![
        (vec!["compile", &missing], "io-error", 1),
        (vec!["compile", &latin1], "not-utf8", 1),
        (
            vec!["compile", &spec_arg, "--max-input-bytes", "10"],
            "too-large",
            1,
        ),
        (
            vec!["compile", &spec_arg, "--inventory", &missing],
            "io-error",
            1,
        ),
        (
            vec!["compile", &spec_arg, "--secret", "x=@/nonexistent/s"],
            "io-error",
            1,
        ),
        (vec!["compile", &spec_arg, "--bogus"], "usage", 2),
        (vec!["compile"], "usage", 2),
        (
            vec![
                "compile",
                &spec_arg,
                "--inventory",
                &node,
                "-o",
                "/nonexistent/dir/out.json",
            ],
            "io-error",
            1,
        ),
        (
            vec![
                "apply",
                &spec_arg,
                "--rootfs",
                &rootfs_arg,
                "--bundle",
                &rootfs_arg,
            ],
            "unsafe-bundle",
            1,
        ),
        (
            vec!["apply", &spec_arg, "--rootfs", &missing, "--bundle", "b"],
            "io-error",
            1,
        ),
        (
            vec![
                "apply",
                &spec_arg,
                "--rootfs",
                &rootfs_arg,
                "--bundle",
                &spec_arg,
            ],
            "unsafe-bundle",
            1,
        ),
        (vec!["probe", "--root", &missing], "io-error", 1),
        (vec!["schema", "nope"], "unknown-schema", 2),
    ];
    for (args, code, exit) in cases {
        // Every code a failure has is one `bundlec explain` knows.
        ok(bundlec().args(["explain", code]));
        let output = run(bundlec()
            .current_dir(dir.path())
            .args(&args)
            .args(["--diagnostics", "json"]));
        assert_eq!(
            output.status.code(),
            Some(exit),
            "{args:?}: {}",
            stderr(&output)
        );
        let diagnostics = json_diagnostics(&output);
        let codes: Vec<&str> = diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, [code], "{args:?}");
        assert_eq!(diagnostics[0]["severity"], "error");
        assert!(
            !diagnostics[0]["path"].as_str().unwrap().is_empty(),
            "{args:?}"
        );
        assert!(diagnostics[0]["line"].is_null() && diagnostics[0]["column"].is_null());
    }
    // Success: an empty document, as before.
    let output = ok(bundlec().arg("compile").arg(&spec).args([
        "--inventory",
        &node,
        "--diagnostics",
        "json",
    ]));
    assert_eq!(stderr(&output), "{\"diagnostics\":[]}\n");
    // A compile error and nothing after it.
    let output = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--hostname", "not_valid!", "--diagnostics", "json"])
        .stdout(std::process::Stdio::null()));
    assert_eq!(output.status.code(), Some(1));
    assert!(!json_diagnostics(&output).is_empty());
}

#[test]
fn host_env_is_only_what_the_operator_allows() {
    let dir = TempDir::new("cli-host-env");
    let spec = dir.join("spec.yaml");
    write(
        &spec,
        &format!("{PLAIN}    env:\n      KEY: \"$E:AWS_SECRET_ACCESS_KEY\"\n"),
    );
    let compile = |flags: &[&str]| {
        run(bundlec()
            .arg("compile")
            .arg(&spec)
            .args(flags)
            .env("AWS_SECRET_ACCESS_KEY", "hunter2"))
    };
    let output = compile(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("error[missing-host-env]"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("hunter2"));
    // Another allowed name does not let it through either.
    let output = compile(&["--host-env", "AWS_REGION"]);
    assert_eq!(output.status.code(), Some(1));
    for flag in ["AWS_*", "AWS_SECRET_ACCESS_KEY"] {
        let output = ok(bundlec()
            .arg("compile")
            .arg(&spec)
            .args(["--host-env", flag])
            .env("AWS_SECRET_ACCESS_KEY", "hunter2"));
        let env = config(&output)["process"]["env"].clone();
        assert!(
            env.as_array().unwrap().iter().any(|e| e == "KEY=hunter2"),
            "{flag}: {env}"
        );
    }
}

#[test]
fn inputs_have_a_size_limit() {
    let dir = TempDir::new("cli-limits");
    let spec = dir.join("spec.yaml");
    write(&spec, PLAIN);
    let size = PLAIN.len().to_string();
    let smaller = (PLAIN.len() - 1).to_string();
    ok(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--max-input-bytes", &size]));
    let output = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--max-input-bytes", &smaller]));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: the spec `{}` is larger than the {smaller} bytes limit; raise it with --max-input-bytes\n",
            spec.display()
        )
    );
    // Endless inputs are cut at the default 16 MiB: a device, and stdin.
    for (what, args) in [
        ("the spec `/dev/zero`", vec!["compile", "/dev/zero"]),
        (
            "the inventory `/dev/zero`",
            vec![
                "compile",
                spec.to_str().unwrap(),
                "--inventory",
                "/dev/zero",
            ],
        ),
        (
            "the image config `/dev/zero`",
            vec![
                "compile",
                spec.to_str().unwrap(),
                "--image-config",
                "/dev/zero",
            ],
        ),
        (
            "secret `s` from `/dev/zero`",
            vec![
                "compile",
                spec.to_str().unwrap(),
                "--secret",
                "s=@/dev/zero",
            ],
        ),
    ] {
        let output = run(bundlec().args(&args));
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&output),
            format!(
                "error: {what} is larger than the 16 MiB limit; raise it with --max-input-bytes\n"
            )
        );
    }
    // A FIFO whose writer never stops is cut at the limit too.
    let fifo = dir.join("endless.yaml");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut pipe = fs::OpenOptions::new().write(true).open(fifo).unwrap();
            // Ends when the reader closes its end (EPIPE).
            while std::io::Write::write_all(&mut pipe, &[b'#'; 4096]).is_ok() {}
        })
    };
    let output = run(bundlec()
        .arg("compile")
        .arg(&fifo)
        .args(["--max-input-bytes", "100000"]));
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .ends_with("is larger than the 100000 bytes limit; raise it with --max-input-bytes\n"),
        "{}",
        stderr(&output)
    );
    let output = run(bundlec()
        .args(["compile", "-"])
        .stdin(fs::File::open("/dev/zero").unwrap()));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: the spec `<stdin>` is larger than the 16 MiB limit"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn probe_root_links_stay_inside_the_root() {
    let dir = TempDir::new("cli-probe-root");
    let root = dir.join("root");
    common::symlink("/dev", &root.join("dev"));
    let output = ok(bundlec().args(["probe", "--root"]).arg(&root));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(inventory["devices"], serde_json::json!([]), "{inventory}");
    assert!(
        inventory["links"].as_array().is_none_or(Vec::is_empty),
        "{inventory}"
    );
    assert_eq!(
        inventory["warnings"][0],
        "/dev: cannot resolve inside the root: Too many levels of symbolic links (os error 40)"
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = TempDir::new("cli-escape-controls");
    let spec = dir.join("spec.yaml");
    write(&spec, &format!("{PLAIN}    privileg\u{1b}[2Jd: true\n"));
    let output = run(bundlec().arg("compile").arg(&spec));
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("privileg\\u{1b}[2Jd"), "{text}");
}

/// A service naming a seccomp profile by a relative path.
const SECCOMP_SPEC: &str = "version: v1\ndeployment: demo\nservices:\n  api:\n    image: { name: x }\n    command: { entrypoint: [/bin/true] }\n    security_opt: [no-new-privileges, seccomp=profiles/no-mkdir.json]\n";
/// The profile beside the spec: everything allowed but mkdir.
const NO_MKDIR: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#;
/// A decoy under the same relative path in the current directory: never read for a spec file.
const DECOY: &str = r#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[]}"#;

/// The names of every rule of `seccomp`, in order.
fn rule_names(seccomp: &Value) -> Vec<String> {
    seccomp["syscalls"]
        .as_array()
        .unwrap_or_else(|| panic!("no syscalls in {seccomp}"))
        .iter()
        .flat_map(|rule| rule["names"].as_array().unwrap().clone())
        .map(|name| name.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn seccomp_profiles_are_read_from_the_spec_folder() {
    let dir = TempDir::new("cli-seccomp");
    write(&dir.join("specs/spec.yaml"), SECCOMP_SPEC);
    write(&dir.join("specs/profiles/no-mkdir.json"), NO_MKDIR);
    write(&dir.join("elsewhere/profiles/no-mkdir.json"), DECOY);
    write(&dir.join("elsewhere/specs/.keep"), "");
    // From another directory, by an absolute and by a relative spec path.
    for spec in [dir.join("specs/spec.yaml"), "../specs/spec.yaml".into()] {
        let output = ok(bundlec()
            .current_dir(dir.join("elsewhere"))
            .arg("compile")
            .arg(&spec));
        let seccomp = &config(&output)["linux"]["seccomp"];
        assert_eq!(
            seccomp["defaultAction"], "SCMP_ACT_ALLOW",
            "{spec:?}: {seccomp}"
        );
        assert_eq!(rule_names(seccomp), ["mkdir", "mkdirat"]);
        assert_eq!(seccomp["syscalls"][0]["action"], "SCMP_ACT_ERRNO");
        assert_eq!(seccomp["syscalls"][0]["errnoRet"], 1);
    }
}

#[test]
fn a_spec_on_stdin_reads_profiles_from_the_current_directory() {
    let dir = TempDir::new("cli-seccomp-stdin");
    write(&dir.join("profiles/no-mkdir.json"), NO_MKDIR);
    let mut child = bundlec()
        .current_dir(dir.path())
        .args(["compile", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), SECCOMP_SPEC.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let seccomp = &config(&output)["linux"]["seccomp"];
    assert_eq!(rule_names(seccomp), ["mkdir", "mkdirat"], "{seccomp}");
}

#[test]
fn a_missing_seccomp_profile_is_an_error_at_its_entry() {
    let dir = TempDir::new("cli-seccomp-missing");
    let spec = dir.join("spec.yaml");
    write(&spec, SECCOMP_SPEC);
    let out = dir.join("config.json");
    let output = run(bundlec().arg("compile").arg(&spec).arg("-o").arg(&out));
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(!out.exists(), "a config was written");
    let profile = dir.join("profiles/no-mkdir.json");
    assert_eq!(
        stderr(&output),
        format!(
            "error[seccomp-profile-unreadable]: cannot read the seccomp profile `{}`: No such file or directory (os error 2)\n \
             --> {}:7:39\n  |\n7 |     security_opt: [no-new-privileges, seccomp=profiles/no-mkdir.json]\n  \
             |{}{}\n  \
             = hint: a relative PATH is read from the spec's folder, `{}`\n\n",
            profile.display(),
            spec.display(),
            // Column 39, under the 30 characters of the entry.
            " ".repeat(39),
            "^".repeat(30),
            dir.path().display()
        )
    );

    let output = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(1));
    let diagnostics = json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let error = &diagnostics[0];
    assert_eq!(error["code"], "seccomp-profile-unreadable");
    assert_eq!(error["path"], "services.api.security_opt");
    assert_eq!(
        (
            &error["line"],
            &error["column"],
            &error["endLine"],
            &error["endColumn"]
        ),
        (
            &Value::from(7),
            &Value::from(39),
            &Value::from(7),
            &Value::from(69)
        )
    );

    // `apply` fails the same way and writes no bundle.
    let rootfs = rootfs(&dir);
    let bundle = dir.join("bundle");
    let output = run(bundlec()
        .arg("apply")
        .arg(&spec)
        .arg("--rootfs")
        .arg(&rootfs)
        .arg("--bundle")
        .arg(&bundle)
        .arg("--state-dir")
        .arg(dir.join("state")));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error[seccomp-profile-unreadable]: "),
        "{}",
        stderr(&output)
    );
    assert!(!bundle.exists() && !dir.join("state").exists());

    // A profile beyond `--max-input-bytes` is refused at the same place.
    write(&profile, &format!("{NO_MKDIR}{}", " ".repeat(1024)));
    let output = run(bundlec().arg("compile").arg(&spec).args([
        "--max-input-bytes",
        "1024",
        "--diagnostics",
        "json",
    ]));
    assert_eq!(output.status.code(), Some(1));
    let diagnostics = json_diagnostics(&output);
    assert_eq!(diagnostics[0]["code"], "too-large", "{diagnostics:?}");
    assert_eq!(diagnostics[0]["line"], 7);
}

#[test]
fn a_missing_profile_of_a_spec_on_stdin_is_looked_for_in_the_current_directory() {
    let dir = TempDir::new("cli-seccomp-stdin-missing");
    write(&dir.join("spec.yaml"), SECCOMP_SPEC);
    let output = run(bundlec()
        .current_dir(dir.path())
        .args(["compile", "-"])
        .stdin(fs::File::open(dir.join("spec.yaml")).unwrap()));
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let text = stderr(&output);
    assert!(
        text.starts_with(
            "error[seccomp-profile-unreadable]: cannot read the seccomp profile \
             `profiles/no-mkdir.json`: No such file or directory (os error 2)\n --> <stdin>:7:39\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "  = hint: a relative PATH is read from the current directory (the spec's folder, \
             or where bundlec runs for a spec on stdin)\n\n"
        ),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Policy (issue 16): --policy/--policy-mode on compile and apply, and `bundlec check`.
// ---------------------------------------------------------------------------------------------

const UNSAFE_SYSCTL: &str = "version: v1
deployment: policy
services:
  api:
    image: { name: busybox }
    command: { entrypoint: [/bin/true] }
    sysctls: { net.core.somaxconn: \"1024\" }
";

/// (severity, code, path, line, column) of each JSON diagnostic.
fn located(output: &std::process::Output) -> Vec<(String, String, String, Value, Value)> {
    json_diagnostics(output)
        .into_iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].clone(),
                d["column"].clone(),
            )
        })
        .collect()
}

#[test]
fn compile_enforces_or_warns_the_policy() {
    let dir = TempDir::new("cli-policy");
    let spec = dir.join("spec.yaml");
    write(&spec, UNSAFE_SYSCTL);
    let compile = |extra: &[&str]| {
        run(bundlec()
            .arg("compile")
            .arg(&spec)
            .arg("--inventory")
            .arg(examples().join("inventories/nvidia-2gpu.json"))
            .args(["--diagnostics", "json"])
            .args(extra))
    };
    let sysctl = |severity: &str| {
        (
            severity.to_string(),
            "policy-sysctls".to_string(),
            "services.api.sysctls.net.core.somaxconn".to_string(),
            Value::from(7),
            Value::from(16),
        )
    };
    // The default level checks nothing.
    let output = compile(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(located(&output).is_empty());
    // Enforced: an error, no config.
    let output = compile(&["--policy", "baseline"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(located(&output), [sysctl("error")]);
    // Warned: the config, with the sysctl, and a warning.
    let output = compile(&["--policy", "restricted", "--policy-mode", "warn"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        config(&output)["linux"]["sysctl"]["net.core.somaxconn"],
        "1024"
    );
    let warnings = located(&output);
    assert!(warnings.contains(&sysctl("warning")), "{warnings:?}");
    assert!(warnings.iter().all(|w| w.0 == "warning"), "{warnings:?}");
    // Restricted also finds root and the default capabilities, at the service's name.
    let codes: Vec<&str> = warnings.iter().map(|w| w.1.as_str()).collect();
    assert_eq!(
        codes,
        [
            "policy-capabilities",
            "policy-run-as-non-root",
            "policy-sysctls"
        ]
    );
}

#[test]
fn apply_refuses_a_violation_and_writes_nothing() {
    let dir = TempDir::new("cli-policy-apply");
    let rootfs = rootfs(&dir);
    let spec = dir.join("spec.yaml");
    write(&spec, UNSAFE_SYSCTL);
    let bundle = dir.join("bundle");
    let output = run(bundlec()
        .arg("apply")
        .arg(&spec)
        .arg("--rootfs")
        .arg(&rootfs)
        .arg("--bundle")
        .arg(&bundle)
        .arg("--state-dir")
        .arg(dir.join("state"))
        .args(["--policy", "baseline"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[policy-sysctls]"),
        "{}",
        stderr(&output)
    );
    assert!(!bundle.exists());
    assert!(!dir.join("state").exists());
}

#[test]
fn check_reports_every_service_of_the_example() {
    let spec = examples().join("../web/page/examples/web-service.yaml");
    // Restricted by default; the secrets, host variable and volume it needs are not given.
    let output = run(bundlec()
        .arg("check")
        .arg(&spec)
        .args(["--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "web: 1 violation of restricted\nworker: passes restricted\n"
    );
    assert_eq!(
        located(&output),
        [(
            "error".to_string(),
            "policy-sysctls".to_string(),
            "services.web.sysctls.net.core.somaxconn".to_string(),
            Value::from(30),
            Value::from(16),
        )]
    );
    // One service; the human form shows the line.
    let output = ok(bundlec()
        .arg("check")
        .arg(&spec)
        .args(["--service", "worker"]));
    assert_eq!(stdout(&output), "worker: passes restricted\n");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let output = run(bundlec().arg("check").arg(&spec).args(["--service", "web"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[policy-sysctls]")
            && stderr(&output).contains("web-service.yaml:30:16"),
        "{}",
        stderr(&output)
    );
    // Errors that are not violations are reported too, and counted apart.
    let agent = examples().join("../web/page/examples/system-agent.yaml");
    let output = run(bundlec()
        .arg("check")
        .arg(&agent)
        .args(["--policy", "baseline"]));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "agent: 7 violations of baseline, 1 other error\n"
    );
    assert!(
        stderr(&output).contains("error[device-not-in-inventory]"),
        "{}",
        stderr(&output)
    );
    // A looser level passes both.
    let output = ok(bundlec()
        .arg("check")
        .arg(&spec)
        .args(["--policy", "privileged"]));
    assert_eq!(
        stdout(&output),
        "web: passes privileged\nworker: passes privileged\n"
    );
}

#[test]
fn check_reads_the_profile_of_every_service_and_reports_compile_errors() {
    let dir = TempDir::new("cli-check");
    let spec = dir.join("spec.yaml");
    write(
        &spec,
        "version: v1
deployment: checked
services:
  a:
    image: { name: busybox }
    command: { entrypoint: [/a] }
    cap_drop: [ALL]
    user: \"1000\"
  b:
    image: { name: busybox }
    command: { entrypoint: [/b] }
    cap_drop: [ALL]
    user: \"1000\"
    security_opt: [seccomp=profiles/no-mkdir.json]
  c:
    image: { name: busybox }
    command: { entrypoint: [/c] }
    cap_drop: [ALL]
    user: \"1000\"
    privilegd: true
",
    );
    write(&dir.join("profiles/no-mkdir.json"), NO_MKDIR);
    let output = run(bundlec()
        .arg("check")
        .arg(&spec)
        .args(["--diagnostics", "json"]));
    assert_eq!(output.status.code(), Some(1));
    // The typo stops the whole spec: nothing is checked until it is fixed.
    let codes: Vec<String> = located(&output).into_iter().map(|d| d.1).collect();
    assert_eq!(codes, ["unknown-field"]);
    write(
        &spec,
        &fs::read_to_string(&spec)
            .unwrap()
            .replace("    privilegd: true\n", ""),
    );
    let output = ok(bundlec().arg("check").arg(&spec));
    assert_eq!(
        stdout(&output),
        "a: passes restricted\nb: passes restricted\nc: passes restricted\n"
    );
}

#[test]
fn check_escapes_service_names_on_stdout() {
    let dir = TempDir::new("cli-check-escape");
    let spec = dir.join("spec.yaml");
    write(
        &spec,
        "version: v1\ndeployment: esc\nservices:\n  \"a\\u001b[31mb\":\n    image: { name: x }\n    command: { args: [/a] }\n",
    );
    let output = run(bundlec().arg("check").arg(&spec));
    assert_eq!(output.status.code(), Some(1));
    assert!(!stdout(&output).contains('\u{1b}'), "{:?}", stdout(&output));
    assert!(
        stdout(&output).starts_with("a\\u{1b}[31mb: "),
        "{:?}",
        stdout(&output)
    );
}
