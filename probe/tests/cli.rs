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
            " --> {name}:8:15\n  |\n8 |       memory: 100m\n  |               ^\n  = hint: "
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error[unknown-field]: unknown field `privilegd` in `services.api`\n --> {name}:9:5\n"
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
        stderr(&output).starts_with("error: cannot read spec `"),
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
        stderr(&output).starts_with("error: secret `x`: cannot read `/nonexistent/bundlec-secret`"),
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
    fs::write(bundle.join("marker"), "old").unwrap();
    let output = run(&mut apply(&[]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already exists; pass --force to replace it"),
        "{}",
        stderr(&output)
    );
    assert!(bundle.join("marker").exists());
    // With --force it is replaced, and no sibling is left behind.
    ok(&mut apply(&["--force"]));
    assert!(!bundle.join("marker").exists());
    let siblings: Vec<String> = fs::read_dir(dir.join("bundles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(siblings, ["api"]);
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
