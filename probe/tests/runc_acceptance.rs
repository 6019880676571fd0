//! Acceptance under real runc: `bundlec probe` a prepared tree, `bundlec apply` a spec onto a
//! busybox rootfs, `runc run` the bundle, and check from inside the container that every
//! setting took effect; then the confinement (seccomp, privileged) against this host's own
//! inventory. Needs root, runc and a static busybox.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bundlec, node, ok, requires, stderr, write, TempDir};

const APPLETS: &[&str] = &[
    "sh", "cat", "id", "ls", "grep", "touch", "mkdir", "stat", "echo", "hostname", "sleep", "sed",
    "awk", "mknod", "pwd", "head", "unshare", "true", "rm",
];

/// Facts printed by the unprivileged `app` container, as `key=value` lines.
const APP_SCRIPT: &str = r#"
echo "argv0=$0"
echo "arg1=$1"
echo "arg2=$2"
echo "argc=$#"
echo "greeting=$GREETING"
echo "secret=$SECRET_TOKEN"
echo "hostvar=$FROM_HOST"
echo "run=$RUN"
echo "cwd=$(pwd)"
echo "hostname=$(hostname)"
echo "uid=$(id -u)"
echo "gid=$(id -g)"
echo "groups=$(id -G)"
echo "capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
echo "capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)"
echo "nonewprivs=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status)"
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
  echo "memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
  echo "pids=$(cat /sys/fs/cgroup/pids/pids.max)"
else
  echo "memory=$(cat /sys/fs/cgroup/memory.max)"
  echo "pids=$(cat /sys/fs/cgroup/pids.max)"
fi
echo "tmpfs_mode=$(stat -c %a /scratch)"
echo "ro_content=$(cat /ro/hello.txt)"
err=$(touch /ro/new 2>&1) && echo "ro_write=ok" || echo "ro_write=$err"
echo "ro_opts=$(awk '$5 == "/ro" {print $6}' /proc/self/mountinfo)"
echo "sys_opts=$(awk '$5 == "/sys" {print $6}' /proc/self/mountinfo)"
echo "volume_before=$(cat /data/marker 2>/dev/null || echo absent)"
echo "$RUN" > /data/marker && echo "volume_write=ok" || echo "volume_write=failed"
echo "weird=$(stat -c '%F %t %T' /dev/weird)"
"#;

/// Facts printed by the `admin` container (root, MKNOD kept): read-only /sys and cgroups, and
/// the device cgroup refusing to open what the config does not grant. runc itself allows
/// `mknod` of any node (`c *:* m`, `b *:* m`); the cgroup decides at open.
const ADMIN_SCRIPT: &str = r#"
echo "uid=$(id -u)"
echo "capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
err=$(touch /sys/bundlec-probe 2>&1) && echo "sys_write=ok" || echo "sys_write=$err"
if [ -d /sys/fs/cgroup/memory ]; then d=/sys/fs/cgroup/memory; else d=/sys/fs/cgroup; fi
err=$(mkdir $d/bundlec-probe 2>&1) && echo "cgroup_mkdir=ok" || echo "cgroup_mkdir=$err"
err=$(mknod /tmp/kmem c 1 2 2>&1) && echo "mknod_1_2=ok" || echo "mknod_1_2=$err"
err=$(head -c 1 /tmp/kmem 2>&1 >/dev/null) && echo "open_1_2=ok" || echo "open_1_2=$err"
err=$(mknod /tmp/weird301 c 511 301 2>&1) && echo "mknod_511_301=ok" || echo "mknod_511_301=$err"
err=$(head -c 1 /tmp/weird301 2>&1 >/dev/null) && echo "open_511_301=ok" || echo "open_511_301=$err"
err=$(head -c 1 /dev/weird 2>&1 >/dev/null) && echo "open_weird=ok" || echo "open_weird=$err"
echo "null=$(head -c 1 /dev/null && echo readable)"
rm -f /tmp/kmem /tmp/weird301
echo "weird=$(stat -c '%t %T' /dev/weird)"
"#;

fn static_busybox() -> Option<PathBuf> {
    let path = common::find_tool(&["/bin/busybox", "/usr/bin/busybox"])?;
    let bytes = std::fs::read(&path).ok()?;
    // A dynamic binary names its loader (`/lib64/ld-linux-x86-64.so.2`) near the start.
    let head = &bytes[..bytes.len().min(4096)];
    (!head.windows(4).any(|w| w == b"/ld-")).then_some(path)
}

fn indent(script: &str) -> String {
    script
        .trim()
        .lines()
        .map(|line| format!("          {line}\n"))
        .collect()
}

fn spec(ro_source: &Path) -> String {
    format!(
        "version: v1
deployment: accept-test
services:
  app:
    image: {{ name: local/busybox }}
    command:
      entrypoint:
        - /bin/sh
        - -c
        - |
{app}      args: [argv-zero, one, \"two words\"]
      workdir: /work
    env:
      GREETING: hello world
      SECRET_TOKEN: \"$S:token\"
      FROM_HOST: \"$E:BUNDLEC_ACCEPT_HOSTVAR\"
    resources: {{ memory: 64Mi, pids_limit: 64 }}
    storage:
      - {{ type: tmpfs, target: /scratch, mode: 1777 }}
      - {{ type: bind, source: {ro}, target: /ro, readonly: true }}
      - {{ type: named, name: data, target: /data }}
    capabilities: [NET_ADMIN]
    cap_drop: [MKNOD]
    user: app
    hostname: acceptance
    devices: [ {{ path: /dev/weird }} ]
  admin:
    image: {{ name: local/busybox }}
    command:
      entrypoint:
        - /bin/sh
        - -c
        - |
{admin}    capabilities: [NET_ADMIN]
    user: root
    devices: [ {{ path: /dev/weird }} ]
",
        app = indent(APP_SCRIPT),
        admin = indent(ADMIN_SCRIPT),
        ro = ro_source.display(),
    )
}

fn busybox_rootfs(rootfs: &Path, busybox: &Path) {
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::copy(busybox, rootfs.join("bin/busybox")).unwrap();
    for applet in APPLETS.iter().chain(&["tr"]) {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).unwrap();
    }
    write(
        &rootfs.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1234:2345::/home/app:/bin/sh\n",
    );
    write(
        &rootfs.join("etc/group"),
        "root:x:0:\napp:x:2345:\nvideo:x:44:app\n",
    );
    for dir in ["home/app", "work", "tmp", "proc", "sys", "dev"] {
        std::fs::create_dir_all(rootfs.join(dir)).unwrap();
    }
    for dir in ["home/app", "work"] {
        std::os::unix::fs::chown(rootfs.join(dir), Some(1234), Some(2345)).unwrap();
    }
}

/// runc with its own state directory, so that tests never see other containers.
struct Runc {
    binary: PathBuf,
    state: PathBuf,
}

impl Runc {
    /// `runc run` in the foreground with stdout captured; the container is always deleted.
    fn run(&self, bundle: &Path, id: &str) -> BTreeMap<String, String> {
        let mut child = Command::new(&self.binary)
            .arg("--root")
            .arg(&self.state)
            .args(["run", "-b"])
            .arg(bundle)
            .arg(id)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            out.read_to_string(&mut text).unwrap();
            text
        });
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            err.read_to_string(&mut text).unwrap();
            text
        });
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let _ = Command::new(&self.binary)
            .arg("--root")
            .arg(&self.state)
            .args(["delete", "-f", id])
            .output();
        let stdout = reader.join().unwrap();
        let stderr = err_reader.join().unwrap();
        let status = status.unwrap_or_else(|| {
            panic!("runc run {id} timed out\nstdout:\n{stdout}\nstderr:\n{stderr}")
        });
        assert!(
            status.success(),
            "runc run {id} failed ({status})\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        eprintln!("--- container {id}:\n{stdout}");
        stdout
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

fn bit(mask: &str, bit: u32) -> bool {
    u64::from_str_radix(mask.trim(), 16)
        .unwrap_or_else(|_| panic!("`{mask}` is not a capability mask"))
        & (1 << bit)
        != 0
}

const CAP_NET_ADMIN: u32 = 12;
const CAP_MKNOD: u32 = 27;

#[test]
fn runc_runs_applied_bundles() {
    let runc = common::find_tool(&[
        "/usr/sbin/runc",
        "/usr/bin/runc",
        "/usr/local/sbin/runc",
        "/usr/local/bin/runc",
    ]);
    let busybox = static_busybox();
    if !requires(
        "runc_runs_applied_bundles",
        &[
            ("root", common::is_root()),
            ("runc", runc.is_some()),
            ("a static busybox (busybox-static)", busybox.is_some()),
        ],
    ) {
        return;
    }
    let dir = TempDir::new("runc");
    let rootfs = dir.join("rootfs");
    busybox_rootfs(&rootfs, &busybox.unwrap());

    // The inventory comes from a prepared tree: runc creates /dev/weird in the container from the
    // config alone, so the node need not exist on this host.
    let tree = dir.join("host");
    node(&tree.join("dev/weird"), 'c', 511, 300, 0o666, 0, 0);
    node(&tree.join("dev/null"), 'c', 1, 3, 0o666, 0, 0);
    write(
        &tree.join("proc/devices"),
        "Character devices:\n  1 mem\n511 weird\n",
    );
    let inventory = dir.join("inventory.json");
    ok(bundlec()
        .args(["probe", "--root"])
        .arg(&tree)
        .arg("-o")
        .arg(&inventory));

    let ro_source = dir.join("ro-src");
    write(&ro_source.join("hello.txt"), "hello\n");
    // Writable by everyone, so a refused write can only come from the read-only mount.
    std::fs::set_permissions(
        &ro_source,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    write(&dir.join("token"), "s3cret\n");
    write(&dir.join("spec.yaml"), &spec(&ro_source));
    let state = dir.join("volumes");

    let apply = |service: &str, bundle: &Path, extra: &[&str]| {
        let output = ok(bundlec()
            .arg("apply")
            .arg(dir.join("spec.yaml"))
            .args(["--service", service, "--rootfs"])
            .arg(&rootfs)
            .arg("--bundle")
            .arg(bundle)
            .arg("--inventory")
            .arg(&inventory)
            .arg("--state-dir")
            .arg(&state)
            .arg("--secret")
            .arg(format!("token=@{}", dir.join("token").display()))
            .args(["--host-env", "BUNDLEC_ACCEPT_*"])
            .args(extra)
            .env("BUNDLEC_ACCEPT_HOSTVAR", "from-host"));
        assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    };
    let runc = Runc {
        binary: runc.unwrap(),
        state: dir.join("runc-state"),
    };
    let id = |n: u32| format!("bundlec-accept-{}-{n}", std::process::id());

    let app_bundle = dir.join("bundle-app");
    apply("app", &app_bundle, &["--env", "RUN=first"]);
    let facts = runc.run(&app_bundle, &id(1));
    let fact = |key: &str| {
        facts
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no `{key}` in {facts:#?}"))
    };
    assert_eq!(fact("argv0"), "argv-zero");
    assert_eq!(fact("arg1"), "one");
    assert_eq!(fact("arg2"), "two words");
    assert_eq!(fact("argc"), "2");
    assert_eq!(fact("greeting"), "hello world");
    assert_eq!(fact("secret"), "s3cret");
    assert_eq!(fact("hostvar"), "from-host");
    assert_eq!(fact("run"), "first");
    assert_eq!(fact("cwd"), "/work");
    assert_eq!(fact("hostname"), "acceptance");
    assert_eq!(fact("uid"), "1234");
    assert_eq!(fact("gid"), "2345");
    let groups: Vec<&str> = fact("groups").split_whitespace().collect();
    assert!(
        groups.contains(&"44") && groups.contains(&"2345"),
        "{groups:?}"
    );
    assert!(
        bit(fact("capbnd"), CAP_NET_ADMIN),
        "NET_ADMIN not in the bounding set"
    );
    assert!(
        !bit(fact("capbnd"), CAP_MKNOD),
        "MKNOD still in the bounding set"
    );
    // A non-root process loses its effective set at exec: the config's ambient set is empty.
    assert_eq!(u64::from_str_radix(fact("capeff"), 16).unwrap(), 0);
    assert_eq!(fact("nonewprivs"), "1");
    assert_eq!(fact("memory"), (64u64 << 20).to_string());
    assert_eq!(fact("pids"), "64");
    assert_eq!(fact("tmpfs_mode"), "1777");
    assert_eq!(fact("ro_content"), "hello");
    assert!(
        fact("ro_write").ends_with("Read-only file system"),
        "{}",
        fact("ro_write")
    );
    assert!(
        fact("ro_opts").split(',').any(|o| o == "ro"),
        "{}",
        fact("ro_opts")
    );
    assert!(
        fact("sys_opts").split(',').any(|o| o == "ro"),
        "{}",
        fact("sys_opts")
    );
    assert_eq!(fact("volume_before"), "absent");
    assert_eq!(fact("volume_write"), "ok");
    assert_eq!(fact("weird"), "character special file 1ff 12c");

    // A second apply replaces the bundle; the named volume keeps what run 1 wrote.
    apply("app", &app_bundle, &["--env", "RUN=second", "--force"]);
    let facts = runc.run(&app_bundle, &id(2));
    // (No tmpfs mode check here: runc before 1.1.8 gives a tmpfs the mode of a mount point that
    // already exists in the rootfs, and run 1 left /scratch there; opencontainers/runc#3911.)
    assert_eq!(facts.get("run").map(String::as_str), Some("second"));
    assert_eq!(
        facts.get("volume_before").map(String::as_str),
        Some("first")
    );
    assert_eq!(
        std::fs::read_to_string(state.join("accept-test/data/marker")).unwrap(),
        "second\n"
    );

    let admin_bundle = dir.join("bundle-admin");
    apply("admin", &admin_bundle, &[]);
    let facts = runc.run(&admin_bundle, &id(3));
    let fact = |key: &str| {
        facts
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no `{key}` in {facts:#?}"))
    };
    assert_eq!(fact("uid"), "0");
    assert!(
        bit(fact("capeff"), CAP_NET_ADMIN) && bit(fact("capeff"), CAP_MKNOD),
        "{}",
        fact("capeff")
    );
    assert!(
        fact("sys_write").ends_with("Read-only file system"),
        "{}",
        fact("sys_write")
    );
    assert!(
        fact("cgroup_mkdir").ends_with("Read-only file system"),
        "{}",
        fact("cgroup_mkdir")
    );
    // Nodes the config does not grant: created, but refused at open by the device cgroup, even
    // a neighbour of the granted node (same major, next minor).
    assert_eq!(fact("mknod_1_2"), "ok");
    assert!(
        fact("open_1_2").ends_with("Operation not permitted"),
        "{}",
        fact("open_1_2")
    );
    assert_eq!(fact("mknod_511_301"), "ok");
    assert!(
        fact("open_511_301").ends_with("Operation not permitted"),
        "{}",
        fact("open_511_301")
    );
    assert_eq!(fact("null"), "readable");
    // The granted node passes the cgroup; no driver owns major 511 here, so the open fails after it.
    let host_has_511 = std::fs::read_to_string("/proc/devices")
        .unwrap_or_default()
        .lines()
        .any(|l| l.trim_start().starts_with("511 "));
    if !host_has_511 {
        assert!(
            fact("open_weird").ends_with("No such device or address"),
            "{}",
            fact("open_weird")
        );
    }
    assert_eq!(fact("weird"), "1ff 12c");
}

/// A Compose service (DESIGN §12) whose facts the container prints; `$$` is a `$` for the shell,
/// since Compose interpolates `$`.
const COMPOSE_FILE: &str = r#"services:
  web:
    image: local/busybox
    entrypoint: ["/bin/sh", "-c"]
    command:
      - |
        echo "uid=$$(id -u)"
        echo "gid=$$(id -g)"
        echo "greeting=$$GREETING"
        echo "hostname=$$(hostname)"
        echo "tmpfs_opts=$$(awk '$$5 == "/scratch" {print $$NF}' /proc/self/mountinfo)"
        echo "tmpfs_mode=$$(stat -c %a /scratch)"
        echo "ro_content=$$(cat /ro/hello.txt)"
        err=$$(touch /ro/new 2>&1) && echo "ro_write=ok" || echo "ro_write=$$err"
        if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
          echo "memory=$$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
        else
          echo "memory=$$(cat /sys/fs/cgroup/memory.max)"
        fi
    user: "1234:2345"
    environment:
      GREETING: hello ${WHO}
    tmpfs:
      - /scratch:size=8m,mode=1770
    volumes:
      - ./ro-src:/ro:ro
    mem_limit: 48m
    ports: ["8080:80"]
"#;

#[test]
fn runc_runs_a_compose_service() {
    let runc = common::find_tool(&["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"]);
    let busybox = static_busybox();
    if !requires(
        "runc_runs_a_compose_service",
        &[
            ("root", common::is_root()),
            ("runc", runc.is_some()),
            ("a static busybox (busybox-static)", busybox.is_some()),
        ],
    ) {
        return;
    }
    let dir = TempDir::new("runc-compose");
    let rootfs = dir.join("rootfs");
    busybox_rootfs(&rootfs, &busybox.unwrap());
    let project = dir.join("shop");
    write(&project.join("compose.yaml"), COMPOSE_FILE);
    write(&project.join("ro-src/hello.txt"), "hello\n");
    // Writable by everyone, so a refused write can only come from the read-only mount.
    std::fs::set_permissions(
        project.join("ro-src"),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let bundle = dir.join("bundle");
    let output = ok(bundlec()
        .arg("apply")
        .arg(project.join("compose.yaml"))
        .args(["--service", "web", "--rootfs"])
        .arg(&rootfs)
        .arg("--bundle")
        .arg(&bundle)
        .args(["--host-env", "WHO"])
        .env("WHO", "compose"));
    assert!(!stderr(&output).contains("error"), "{}", stderr(&output));
    let runc = Runc {
        binary: runc.unwrap(),
        state: dir.join("runc-state"),
    };
    let facts = runc.run(&bundle, &format!("bundlec-compose-{}", std::process::id()));
    let fact = |key: &str| {
        facts
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no `{key}` in {facts:#?}"))
    };
    assert_eq!(fact("uid"), "1234");
    assert_eq!(fact("gid"), "2345");
    assert_eq!(fact("greeting"), "hello compose");
    assert_eq!(fact("hostname"), "shop-web-1");
    assert!(
        fact("tmpfs_opts").split(',').any(|o| o == "size=8192k"),
        "{}",
        fact("tmpfs_opts")
    );
    assert_eq!(fact("tmpfs_mode"), "1770");
    assert_eq!(fact("ro_content"), "hello");
    assert!(
        fact("ro_write").ends_with("Read-only file system"),
        "{}",
        fact("ro_write")
    );
    assert_eq!(fact("memory"), (48u64 << 20).to_string());
}

/// Facts printed by every container of the confinement test: the seccomp mode, a call Docker's
/// profile refuses without CAP_SYS_ADMIN (`unshare(CLONE_NEWUSER)`), the calls the custom
/// profile refuses (mkdir) and allows (creating a file), and the host device `$DEVICE`.
const CONFINE_SCRIPT: &str = r#"
rm -rf /tmp/made /tmp/touched
echo "seccomp=$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/self/status)"
echo "capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)"
err=$(unshare -U true 2>&1) && echo "unshare=ok" || echo "unshare=$err"
err=$(mkdir /tmp/made 2>&1) && echo "mkdir=ok" || echo "mkdir=$err"
err=$(touch /tmp/touched 2>&1) && echo "touch=ok" || echo "touch=$err"
if [ -e "/dev/$DEVICE" ]; then echo "device=$(stat -c '%F %t:%T' "/dev/$DEVICE")"; else echo "device=absent"; fi
"#;

/// A Docker-format profile that allows everything but mkdir, refused with EACCES (an errno no
/// other cause gives root in its own /tmp).
const NO_MKDIR_PROFILE: &str = r#"{
  "defaultAction": "SCMP_ACT_ALLOW",
  "archMap": [
    { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
    { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
  ],
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
  ]
}
"#;

/// The services of the confinement test, all running CONFINE_SCRIPT as root with `device` in
/// `$DEVICE`: Docker's default confinement, `seccomp=unconfined`, privileged, a custom profile.
fn confine_spec(device: &str) -> String {
    let service = |name: &str, extra: &str| {
        format!(
            "  {name}:
    image: {{ name: local/busybox }}
    command:
      entrypoint:
        - /bin/sh
        - -c
        - |
{script}    user: root
    env: {{ DEVICE: {device} }}
{extra}",
            script = indent(CONFINE_SCRIPT),
        )
    };
    format!(
        "version: v1\ndeployment: confine-test\nservices:\n{}{}{}{}",
        service("default", ""),
        service("unconfined", "    security_opt: [seccomp=unconfined]\n"),
        service("privileged", "    privileged: true\n"),
        service(
            "custom",
            "    security_opt: [seccomp=profiles/no-mkdir.json]\n"
        ),
    )
}

/// Whether runc can load seccomp filters: `runc features` (runc 1.1+) says so; an older runc
/// that cannot tell is taken at its word by the run itself (the `Seccomp:` line is checked).
fn runc_has_seccomp(runc: &Path) -> bool {
    let Ok(output) = Command::new(runc).arg("features").output() else {
        return false;
    };
    if !output.status.success() {
        return true;
    }
    serde_json::from_slice::<serde_json::Value>(&output.stdout)
        .is_ok_and(|features| features["linux"]["seccomp"]["enabled"] == true)
}

/// A host device node a privileged container gets and a default one does not, with the
/// `stat -c '%F %t:%T'` line it shows: the first of a few common ones this host has.
fn host_only_device() -> Option<(String, String)> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    [
        "loop-control",
        "kmsg",
        "vda",
        "sda",
        "nvme0n1",
        "fuse",
        "loop0",
        "mem",
    ]
    .into_iter()
    .find_map(|name| {
        let metadata = std::fs::symlink_metadata(Path::new("/dev").join(name)).ok()?;
        let kind = if metadata.file_type().is_char_device() {
            "character special file"
        } else if metadata.file_type().is_block_device() {
            "block special file"
        } else {
            return None;
        };
        let rdev = metadata.rdev();
        let (major, minor) = (nix::sys::stat::major(rdev), nix::sys::stat::minor(rdev));
        Some((name.to_string(), format!("{kind} {major:x}:{minor:x}")))
    })
}

#[test]
fn runc_enforces_seccomp_and_privileged() {
    let runc = common::find_tool(&[
        "/usr/sbin/runc",
        "/usr/bin/runc",
        "/usr/local/sbin/runc",
        "/usr/local/bin/runc",
    ]);
    let busybox = static_busybox();
    let kernel_seccomp = std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|status| status.lines().any(|line| line.starts_with("Seccomp:")));
    let device = host_only_device();
    if !requires(
        "runc_enforces_seccomp_and_privileged",
        &[
            ("root", common::is_root()),
            ("runc", runc.is_some()),
            ("a static busybox (busybox-static)", busybox.is_some()),
            (
                "a kernel with seccomp (a `Seccomp:` line in /proc/self/status)",
                kernel_seccomp,
            ),
            (
                "a runc that loads seccomp filters (`runc features`: linux.seccomp.enabled)",
                runc.as_deref().is_some_and(runc_has_seccomp),
            ),
            (
                "a host device node such as /dev/loop-control or /dev/kmsg",
                device.is_some(),
            ),
        ],
    ) {
        return;
    }
    let (device, device_stat) = device.unwrap();
    let dir = TempDir::new("runc-confine");
    let rootfs = dir.join("rootfs");
    busybox_rootfs(&rootfs, &busybox.unwrap());
    // This host's own inventory: its devices, capability bounding set, arch and kernel.
    let inventory = dir.join("inventory.json");
    ok(bundlec().arg("probe").arg("-o").arg(&inventory));
    write(&dir.join("spec.yaml"), &confine_spec(&device));
    write(&dir.join("profiles/no-mkdir.json"), NO_MKDIR_PROFILE);
    let runc = Runc {
        binary: runc.unwrap(),
        state: dir.join("runc-state"),
    };
    let run = |service: &str, n: u32| {
        let bundle = dir.join(&format!("bundle-{service}"));
        let output = ok(bundlec()
            .arg("apply")
            .arg(dir.join("spec.yaml"))
            .args(["--service", service, "--rootfs"])
            .arg(&rootfs)
            .arg("--bundle")
            .arg(&bundle)
            .arg("--inventory")
            .arg(&inventory)
            .arg("--state-dir")
            .arg(dir.join("volumes")));
        eprintln!("--- apply {service}:\n{}", stderr(&output));
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(bundle.join("config.json")).unwrap())
                .unwrap();
        let facts = runc.run(
            &bundle,
            &format!("bundlec-confine-{}-{n}", std::process::id()),
        );
        (config, facts)
    };
    let fact = |facts: &BTreeMap<String, String>, key: &str| -> String {
        facts
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("no `{key}` in {facts:#?}"))
    };

    // Docker's default profile: filter mode, and unshare refused for want of CAP_SYS_ADMIN.
    let (config, facts) = run("default", 1);
    assert!(
        config["linux"]["seccomp"].is_object(),
        "{}",
        config["linux"]
    );
    assert_eq!(fact(&facts, "seccomp"), "2", "runc did not load the filter");
    assert!(
        fact(&facts, "unshare").ends_with("Operation not permitted"),
        "{}",
        fact(&facts, "unshare")
    );
    assert_eq!(fact(&facts, "mkdir"), "ok");
    assert_eq!(fact(&facts, "device"), "absent");

    // The same call works without the filter: the refusal above was the profile's.
    let (config, facts) = run("unconfined", 2);
    assert_eq!(config["linux"].get("seccomp"), None, "{}", config["linux"]);
    assert_eq!(fact(&facts, "seccomp"), "0");
    assert_eq!(fact(&facts, "unshare"), "ok");

    // Privileged: no filter, every capability the host grants, and the host's device nodes.
    let (_, facts) = run("privileged", 3);
    assert_eq!(fact(&facts, "seccomp"), "0");
    let host_capbnd = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("CapBnd:").map(|m| m.trim().to_string()))
        .unwrap();
    assert_eq!(fact(&facts, "capbnd"), host_capbnd);
    assert_eq!(fact(&facts, "device"), device_stat);
    assert_eq!(fact(&facts, "unshare"), "ok");

    // The custom profile refuses mkdir with its own errno, and nothing else.
    let (config, facts) = run("custom", 4);
    assert_eq!(
        config["linux"]["seccomp"]["defaultAction"],
        "SCMP_ACT_ALLOW"
    );
    assert_eq!(fact(&facts, "seccomp"), "2");
    assert!(
        fact(&facts, "mkdir").ends_with("Permission denied"),
        "{}",
        fact(&facts, "mkdir")
    );
    assert_eq!(fact(&facts, "touch"), "ok");
    assert_eq!(fact(&facts, "unshare"), "ok");
}

/// A program that loads the driver's library as CUDA applications do, and reports what it sees.
const CUDA_PROBE_C: &str = r#"
#include <dlfcn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static void node(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0)
        printf("%s=%u:%u\n", path, major(st.st_rdev), minor(st.st_rdev));
    else
        printf("%s=missing\n", path);
}

int main(void) {
    void *cuda = dlopen("libcuda.so.1", RTLD_NOW);
    if (!cuda) {
        printf("dlopen=%s\n", dlerror());
        return 0;
    }
    int (*cu_init)(unsigned int) = (int (*)(unsigned int))dlsym(cuda, "cuInit");
    if (!cu_init) {
        printf("dlsym=%s\n", dlerror());
        return 0;
    }
    printf("dlopen=ok\ncuInit=%d\n", cu_init(0));
    node("/dev/nvidia2");
    node("/dev/nvidia-uvm");
    node("/dev/nvidiactl");
    return 0;
}
"#;

/// The files a dynamic program needs (its loader and libraries, as `ldd` lists them), copied
/// into the rootfs at the same paths.
fn copy_runtime(program: &Path, rootfs: &Path) {
    let ldd = Command::new("ldd").arg(program).output().unwrap();
    assert!(ldd.status.success(), "ldd failed");
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.trim().split(' ').next().unwrap_or(""),
            None => line.trim().split(' ').next().unwrap_or(""),
        };
        if path.starts_with('/') {
            let target = rootfs.join(path.trim_start_matches('/'));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(path, &target).unwrap();
        }
    }
}

/// DESIGN §11, issue 12: on a node whose NVIDIA driver has no CDI spec, the probe's generated
/// spec binds the driver's library into the container at its soname, so a program in an image
/// with only a loader and libc can `dlopen("libcuda.so.1")` and call `cuInit` (with no hook and
/// no ld cache in the image); the GPU's nodes carry the host's numbers.
#[test]
fn runc_loads_the_driver_library_through_cdi() {
    let runc = common::find_tool(&[
        "/usr/sbin/runc",
        "/usr/bin/runc",
        "/usr/local/sbin/runc",
        "/usr/local/bin/runc",
    ]);
    let tools = common::nvidia_host::tools();
    let ldd = common::find_tool(&["/usr/bin/ldd", "/bin/ldd"]);
    if !requires(
        "runc_loads_the_driver_library_through_cdi",
        &[
            ("root", common::is_root()),
            ("runc", runc.is_some()),
            ("cc and ldconfig", tools.is_some()),
            ("ldd", ldd.is_some()),
        ],
    ) {
        return;
    }
    let (cc, ldconfig) = tools.unwrap();
    let dir = TempDir::new("runc-cuda");
    let host = dir.join("host");
    common::nvidia_host::build(&host, &cc, &ldconfig);
    let inventory = dir.join("inventory.json");
    ok(bundlec()
        .args(["probe", "--root"])
        .arg(&host)
        .arg("-o")
        .arg(&inventory));

    let rootfs = dir.join("rootfs");
    for sub in ["proc", "sys", "dev", "tmp"] {
        std::fs::create_dir_all(rootfs.join(sub)).unwrap();
    }
    write(&dir.join("cuda-probe.c"), CUDA_PROBE_C);
    let status = Command::new(&cc)
        .arg("-o")
        .arg(rootfs.join("cuda-probe"))
        .arg(dir.join("cuda-probe.c"))
        .arg("-ldl")
        .status()
        .unwrap();
    assert!(status.success(), "cc failed");
    copy_runtime(&rootfs.join("cuda-probe"), &rootfs);
    write(
        &dir.join("spec.yaml"),
        "version: v1\ndeployment: cuda-accept\nservices:\n  cuda:\n    image: { name: local/cuda }\n    command: { entrypoint: [/cuda-probe] }\n    resources:\n      gpu: { vendor: nvidia, count: 1 }\n",
    );
    let bundle = dir.join("bundle");
    let applied = ok(bundlec()
        .arg("apply")
        .arg(dir.join("spec.yaml"))
        .arg("--rootfs")
        .arg(&rootfs)
        .arg("--bundle")
        .arg(&bundle)
        .arg("--inventory")
        .arg(&inventory)
        .arg("--state-dir")
        .arg(dir.join("volumes")));
    assert!(stderr(&applied).is_empty(), "{}", stderr(&applied));
    let runc = Runc {
        binary: runc.unwrap(),
        state: dir.join("runc-state"),
    };
    let facts = runc.run(&bundle, &format!("bundlec-cuda-{}", std::process::id()));
    let fact = |key: &str| facts.get(key).map(String::as_str).unwrap_or("absent");
    assert_eq!(fact("dlopen"), "ok", "{facts:#?}");
    assert_eq!(fact("cuInit"), "0");
    assert_eq!(fact("/dev/nvidia2"), "195:2");
    assert_eq!(
        fact("/dev/nvidia-uvm"),
        format!("{}:0", common::nvidia_host::UVM_MAJOR)
    );
    assert_eq!(fact("/dev/nvidiactl"), "195:255");
}
