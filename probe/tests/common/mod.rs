//! Helpers shared by the integration tests: scratch directories, device nodes, the built
//! binary, and the rule for tests that need root or host tools (fail under CI, skip elsewhere).

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::sys::stat::{makedev, mknod, Mode, SFlag};

pub mod nvidia_host;

/// A directory removed (with everything below it) when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("bundlec-test-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// True when every requirement holds. Otherwise the test fails under `CI=true` and is skipped
/// (with a notice) elsewhere.
pub fn requires(test: &str, requirements: &[(&str, bool)]) -> bool {
    let missing: Vec<&str> = requirements
        .iter()
        .filter(|(_, met)| !met)
        .map(|(what, _)| *what)
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("{test} needs {}", missing.join(", "));
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{message}: CI=true, so this is a failure, not a skip");
    }
    // Written to the stderr handle itself, which the test harness does not capture.
    let _ = writeln!(std::io::stderr(), "SKIPPED: {message}");
    false
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The first of `candidates` that exists.
pub fn find_tool(candidates: &[&str]) -> Option<PathBuf> {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

pub fn write(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

pub fn symlink(target: &str, link: &Path) {
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A real device node (`c` or `b`) with exact permission bits and owner.
pub fn node(path: &Path, kind: char, major: u64, minor: u64, mode: u32, uid: u32, gid: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let flag = match kind {
        'c' => SFlag::S_IFCHR,
        'b' => SFlag::S_IFBLK,
        'p' => SFlag::S_IFIFO,
        _ => panic!("unknown node kind {kind}"),
    };
    mknod(
        path,
        flag,
        Mode::from_bits_truncate(0o600),
        makedev(major, minor),
    )
    .unwrap();
    // mknod applies the umask: set the bits afterwards.
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

pub fn bundlec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bundlec"))
}

pub fn run(command: &mut Command) -> Output {
    command.output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and asserts success, showing stderr otherwise.
pub fn ok(command: &mut Command) -> Output {
    let output = run(command);
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}",
        output.status,
        stderr(&output)
    );
    output
}

/// Validates `instance` against the schema `bundlec schema <name>` prints.
pub fn assert_valid(schema_name: &str, instance: &serde_json::Value) {
    let errors = schema_errors(schema_name, instance);
    assert!(
        errors.is_empty(),
        "not valid against the {schema_name} schema:\n{}",
        errors.join("\n")
    );
}

/// The errors of `instance` against the schema `bundlec schema <name>` prints.
pub fn schema_errors(schema_name: &str, instance: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_slice(&ok(bundlec().args(["schema", schema_name])).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path))
        .collect()
}
