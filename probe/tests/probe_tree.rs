//! `bundlec probe --root` on prepared trees with real device nodes (needs root for mknod):
//! majors and minors beyond 8 bits, GPU mappings, links, skipped directories and warnings.

mod common;

use std::cell::RefCell;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use bundlec::devscan::{self, Entry, Listed, Syscalls};
use common::{bundlec, node, ok, requires, symlink, write, TempDir};
use serde_json::{json, Value};

const NVIDIA_0: &str = "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 134\nGPU UUID: \t GPU-5f0c1d2e-8a4b-4c6d-9e7f-0a1b2c3d4e5f\n\
Video BIOS: \t 96.00.99.00.01\nBus Type: \t PCIe\nDMA Size: \t 52 bits\nDMA Mask: \t 0xfffffffffffff\n\
Bus Location: \t 0000:3b:00.0\nDevice Minor: \t 0\nGPU Excluded:\t No\n";
const NVIDIA_1: &str = "Model: \t\t NVIDIA A100-SXM4-40GB\nIRQ:   \t\t 135\nGPU UUID: \t GPU-6a1d2e3f-9b5c-4d7e-8f0a-1b2c3d4e5f60\n\
Bus Type: \t PCIe\nBus Location: \t 0000:86:00.0\nDevice Minor: \t 1\n";
const PROC_DEVICES: &str = "Character devices:\n  1 mem\n  5 /dev/tty\n195 nvidia-frontend\n226 drm\n234 nvidia-uvm\n235 kfd\n\
508 nvidia-caps\n511 weird\n\nBlock devices:\n  7 loop\n259 blkext\n";

/// The tree of DESIGN.md section 3, built with real nodes.
fn prepared_tree(root: &Path) {
    let dev = root.join("dev");
    node(&dev.join("weird"), 'c', 511, 300, 0o640, 12, 34);
    node(&dev.join("null"), 'c', 1, 3, 0o666, 0, 0);
    node(&dev.join("nvidia-uvm"), 'c', 234, 0, 0o666, 0, 0);
    node(&dev.join("nvidia-uvm-tools"), 'c', 234, 1, 0o666, 0, 0);
    node(&dev.join("nvme0n1p9"), 'b', 259, 65536, 0o660, 0, 6);
    node(&dev.join("nvidia0"), 'c', 195, 0, 0o666, 0, 0);
    node(&dev.join("nvidia1"), 'c', 195, 1, 0o666, 0, 0);
    node(&dev.join("nvidiactl"), 'c', 195, 255, 0o666, 0, 0);
    node(
        &dev.join("nvidia-caps/nvidia-cap1"),
        'c',
        508,
        1,
        0o400,
        0,
        0,
    );
    node(&dev.join("dri/card0"), 'c', 226, 0, 0o660, 0, 44);
    node(&dev.join("dri/card1"), 'c', 226, 1, 0o660, 0, 44);
    node(&dev.join("dri/card2"), 'c', 226, 2, 0o660, 0, 44);
    node(&dev.join("dri/renderD128"), 'c', 226, 128, 0o666, 0, 105);
    node(&dev.join("dri/renderD129"), 'c', 226, 129, 0o666, 0, 105);
    node(&dev.join("dri/renderD130"), 'c', 226, 130, 0o666, 0, 105);
    node(&dev.join("kfd"), 'c', 235, 0, 0o666, 0, 0);
    node(&dev.join("initctl"), 'p', 0, 0, 0o600, 0, 0);
    symlink(
        "../renderD128",
        &dev.join("dri/by-path/pci-0000:03:00.0-render"),
    );
    symlink("loop-b", &dev.join("loop-a"));
    symlink("loop-a", &dev.join("loop-b"));
    symlink("/proc/self/fd", &dev.join("fd"));
    write(&dev.join("regular-file"), "not a device\n");
    // Per-container directories are never entered.
    node(&dev.join("pts/ptmx"), 'c', 5, 2, 0o666, 0, 0);
    node(&dev.join("shm/leak"), 'c', 1, 5, 0o666, 0, 0);
    std::fs::create_dir_all(dev.join("mqueue")).unwrap();

    let proc = root.join("proc");
    write(&proc.join("devices"), PROC_DEVICES);
    write(
        &proc.join("driver/nvidia/gpus/0000:3b:00.0/information"),
        NVIDIA_0,
    );
    write(
        &proc.join("driver/nvidia/gpus/0000:86:00.0/information"),
        NVIDIA_1,
    );
    write(&proc.join("sys/kernel/osrelease"), "6.1.0-test-amd64\n");
    write(&proc.join("sys/kernel/hostname"), "gpu-test\n");
    write(&proc.join("self/mountinfo"), "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
    write(
        &proc.join("self/status"),
        "Name:\tbundlec\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n",
    );

    // AMD card0 as real sysfs lays it out: class entries link into the PCI device.
    let sys = root.join("sys");
    write(
        &sys.join("devices/pci0000:00/0000:03:00.0/vendor"),
        "0x1002\n",
    );
    symlink(
        "../../../0000:03:00.0",
        &sys.join("devices/pci0000:00/0000:03:00.0/drm/card0/device"),
    );
    symlink(
        "../../../0000:03:00.0",
        &sys.join("devices/pci0000:00/0000:03:00.0/drm/renderD128/device"),
    );
    symlink(
        "../../devices/pci0000:00/0000:03:00.0/drm/card0",
        &sys.join("class/drm/card0"),
    );
    symlink(
        "../../devices/pci0000:00/0000:03:00.0/drm/renderD128",
        &sys.join("class/drm/renderD128"),
    );
    std::fs::create_dir_all(sys.join("class/drm/card0-DP-1")).unwrap();
    write(&sys.join("class/drm/version"), "drm 1.1.0 20060810\n");
    // Intel card1: plain directories with a `device` link.
    write(
        &sys.join("devices/pci0000:00/0000:00:02.0/vendor"),
        "0x8086\n",
    );
    symlink(
        "../../../devices/pci0000:00/0000:00:02.0",
        &sys.join("class/drm/card1/device"),
    );
    symlink(
        "../../../devices/pci0000:00/0000:00:02.0",
        &sys.join("class/drm/renderD129/device"),
    );
    // NVIDIA card2; its render node's link points nowhere in this tree: only its text is read.
    write(
        &sys.join("devices/pci0000:3a/0000:3b:00.0/vendor"),
        "0x10de\n",
    );
    symlink(
        "../../../devices/pci0000:3a/0000:3b:00.0",
        &sys.join("class/drm/card2/device"),
    );
    symlink(
        "/nonexistent/pci0000:3a/0000:3b:00.0",
        &sys.join("class/drm/renderD130/device"),
    );
}

fn device(path: &str, kind: &str, major: u32, minor: u32, mode: u32, uid: u32, gid: u32) -> Value {
    json!({ "path": path, "type": kind, "major": major, "minor": minor, "fileMode": mode, "uid": uid, "gid": gid })
}

#[test]
fn probe_reads_a_prepared_tree() {
    if !requires(
        "probe_reads_a_prepared_tree",
        &[("root (for mknod)", common::is_root())],
    ) {
        return;
    }
    let tree = TempDir::new("probe-tree");
    prepared_tree(tree.path());
    let output = ok(bundlec().args(["probe", "--root"]).arg(tree.path()));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(
        inventory["devices"],
        json!([
            device("/dev/dri/card0", "c", 226, 0, 0o660, 0, 44),
            device("/dev/dri/card1", "c", 226, 1, 0o660, 0, 44),
            device("/dev/dri/card2", "c", 226, 2, 0o660, 0, 44),
            device("/dev/dri/renderD128", "c", 226, 128, 0o666, 0, 105),
            device("/dev/dri/renderD129", "c", 226, 129, 0o666, 0, 105),
            device("/dev/dri/renderD130", "c", 226, 130, 0o666, 0, 105),
            device("/dev/initctl", "p", 0, 0, 0o600, 0, 0),
            device("/dev/kfd", "c", 235, 0, 0o666, 0, 0),
            device("/dev/null", "c", 1, 3, 0o666, 0, 0),
            device("/dev/nvidia-caps/nvidia-cap1", "c", 508, 1, 0o400, 0, 0),
            device("/dev/nvidia-uvm", "c", 234, 0, 0o666, 0, 0),
            device("/dev/nvidia-uvm-tools", "c", 234, 1, 0o666, 0, 0),
            device("/dev/nvidia0", "c", 195, 0, 0o666, 0, 0),
            device("/dev/nvidia1", "c", 195, 1, 0o666, 0, 0),
            device("/dev/nvidiactl", "c", 195, 255, 0o666, 0, 0),
            device("/dev/nvme0n1p9", "b", 259, 65536, 0o660, 0, 6),
            device("/dev/weird", "c", 511, 300, 0o640, 12, 34),
        ])
    );
    assert_eq!(
        inventory["links"],
        json!([
            { "path": "/dev/dri/by-path/pci-0000:03:00.0-render", "target": "../renderD128" },
            { "path": "/dev/loop-a", "target": "loop-b" },
            { "path": "/dev/loop-b", "target": "loop-a" },
        ])
    );
    assert_eq!(
        inventory["drivers"],
        json!({
            "char": { "1": "mem", "5": "/dev/tty", "195": "nvidia-frontend", "226": "drm", "234": "nvidia-uvm", "235": "kfd",
                      "508": "nvidia-caps", "511": "weird" },
            "block": { "7": "loop", "259": "blkext" },
        })
    );
    assert_eq!(
        inventory["gpus"],
        json!([
            { "vendor": "nvidia", "index": 0, "pciBusId": "0000:3b:00.0", "uuid": "GPU-5f0c1d2e-8a4b-4c6d-9e7f-0a1b2c3d4e5f",
              "model": "NVIDIA H100 80GB HBM3", "nodes": ["/dev/nvidia0"], "drm": ["/dev/dri/card2", "/dev/dri/renderD130"] },
            { "vendor": "nvidia", "index": 1, "pciBusId": "0000:86:00.0", "uuid": "GPU-6a1d2e3f-9b5c-4d7e-8f0a-1b2c3d4e5f60",
              "model": "NVIDIA A100-SXM4-40GB", "nodes": ["/dev/nvidia1"], "drm": [] },
            { "vendor": "amd", "index": 0, "pciBusId": "0000:03:00.0", "nodes": [], "drm": ["/dev/dri/card0", "/dev/dri/renderD128"] },
            { "vendor": "intel", "index": 0, "pciBusId": "0000:00:02.0", "nodes": [], "drm": ["/dev/dri/card1", "/dev/dri/renderD129"] },
        ])
    );
    assert_eq!(
        inventory["gpuShared"],
        json!({ "nvidia": ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"], "amd": ["/dev/kfd"] })
    );
    let uname = nix::sys::utsname::uname().unwrap();
    assert_eq!(
        inventory["host"],
        json!({ "hostname": "gpu-test", "arch": uname.machine().to_str().unwrap(), "kernel": "6.1.0-test-amd64", "cgroup": "v2", "seccomp": true,
                // Docker's default set (0xa80425fb), in kernel order; the tree has no /sys/module
                // or /sys/fs, so AppArmor and SELinux are unknown and left out.
                "capabilities": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
                                 "NET_BIND_SERVICE", "NET_RAW", "SYS_CHROOT", "MKNOD", "AUDIT_WRITE", "SETFCAP"] })
    );
    // The AMD and Intel GPUs get generated CDI specs (DESIGN §11); the NVIDIA ones none, since
    // this tree has no driver version or libraries, which is said.
    assert_eq!(
        inventory["cdi"],
        json!([
            { "path": "/etc/cdi/amd.yaml", "priority": 0, "generated": true, "spec": {
                "cdiVersion": "0.5.0", "kind": "amd.com/gpu", "devices": [
                  { "name": "0", "containerEdits": { "deviceNodes": [
                      { "path": "/dev/dri/card0", "hostPath": format!("{}/dev/dri/card0", tree.path().display()), "type": "c", "major": 226, "minor": 0, "fileMode": 0o660 },
                      { "path": "/dev/dri/renderD128", "hostPath": format!("{}/dev/dri/renderD128", tree.path().display()), "type": "c", "major": 226, "minor": 128, "fileMode": 0o666 },
                      { "path": "/dev/kfd", "hostPath": format!("{}/dev/kfd", tree.path().display()), "type": "c", "major": 235, "minor": 0, "fileMode": 0o666 } ] } },
                  { "name": "all", "containerEdits": { "deviceNodes": [
                      { "path": "/dev/dri/card0", "hostPath": format!("{}/dev/dri/card0", tree.path().display()), "type": "c", "major": 226, "minor": 0, "fileMode": 0o660 },
                      { "path": "/dev/dri/renderD128", "hostPath": format!("{}/dev/dri/renderD128", tree.path().display()), "type": "c", "major": 226, "minor": 128, "fileMode": 0o666 },
                      { "path": "/dev/kfd", "hostPath": format!("{}/dev/kfd", tree.path().display()), "type": "c", "major": 235, "minor": 0, "fileMode": 0o666 } ] } }
                ] } },
            { "path": "/etc/cdi/intel.yaml", "priority": 0, "generated": true, "spec": {
                "cdiVersion": "0.5.0", "kind": "intel.com/gpu", "devices": [
                  { "name": "0", "containerEdits": { "deviceNodes": [
                      { "path": "/dev/dri/card1", "hostPath": format!("{}/dev/dri/card1", tree.path().display()), "type": "c", "major": 226, "minor": 1, "fileMode": 0o660 },
                      { "path": "/dev/dri/renderD129", "hostPath": format!("{}/dev/dri/renderD129", tree.path().display()), "type": "c", "major": 226, "minor": 129, "fileMode": 0o666 } ] } },
                  { "name": "all", "containerEdits": { "deviceNodes": [
                      { "path": "/dev/dri/card1", "hostPath": format!("{}/dev/dri/card1", tree.path().display()), "type": "c", "major": 226, "minor": 1, "fileMode": 0o660 },
                      { "path": "/dev/dri/renderD129", "hostPath": format!("{}/dev/dri/renderD129", tree.path().display()), "type": "c", "major": 226, "minor": 129, "fileMode": 0o666 } ] } }
                ] } },
        ])
    );
    assert_eq!(inventory["warnings"], json!(["no CDI spec of kind `nvidia.com/gpu` on the node, and none could be generated: the driver version is unknown (no /proc/driver/nvidia/version or /sys/module/nvidia/version)"]), "{inventory:#}");
    common::assert_valid("inventory", &inventory);
    // The check has teeth: a major beyond 12 bits is refused.
    let mut broken = inventory.clone();
    broken["devices"][0]["major"] = json!(4096);
    assert_eq!(common::schema_errors("inventory", &broken).len(), 1);
    // The output is the core's canonical form: it reads back to the same bytes.
    let text = common::stdout(&output);
    assert_eq!(
        bundlec_core::Inventory::from_json(&text)
            .unwrap()
            .to_json()
            .unwrap(),
        text
    );
    // An AMD request goes through the generated spec: the GPU's nodes and /dev/kfd with this
    // tree's numbers (kfd at its dynamic major 235), the GPU env as before.
    let compiled = bundlec_core::compile_raw(bundlec_core::RawRequest {
        spec: "version: v1\ndeployment: rocm\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    resources: {gpu: {vendor: amd, count: 1}}\n",
        inventory: Some(&text),
        ..bundlec_core::RawRequest::default()
    })
    .unwrap();
    let config: Value = serde_json::from_str(&compiled.json).unwrap();
    let nodes: Vec<(&str, u64, u64)> = config["linux"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap(),
                d["major"].as_u64().unwrap(),
                d["minor"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        [
            ("/dev/dri/card0", 226, 0),
            ("/dev/dri/renderD128", 226, 128),
            ("/dev/kfd", 235, 0)
        ]
    );
    let env = config["process"]["env"].as_array().unwrap();
    assert!(env.iter().any(|e| e == "ROCR_VISIBLE_DEVICES=0"), "{env:?}");
}

#[test]
fn probe_output_file_and_missing_root() {
    let tree = TempDir::new("probe-out");
    write(&tree.join("root/proc/devices"), PROC_DEVICES);
    std::fs::create_dir_all(tree.join("root/dev")).unwrap();
    let file = tree.join("inventory.json");
    ok(bundlec()
        .args(["probe", "--root"])
        .arg(tree.join("root"))
        .arg("-o")
        .arg(&file));
    let inventory: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(inventory["drivers"]["block"]["259"], "blkext");
    assert_eq!(
        inventory["warnings"],
        json!([
            "/proc/self/mountinfo: missing; cgroup mode unknown",
            "/proc/self/status: missing; the capability bounding set is unknown"
        ])
    );
    assert_eq!(inventory["host"]["cgroup"], "");
    common::assert_valid("inventory", &inventory);

    let output = common::run(bundlec().args(["probe", "--root"]).arg(tree.join("nope")));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        common::stderr(&output).starts_with("error: cannot probe `"),
        "{}",
        common::stderr(&output)
    );
}

/// The real system calls, counted; one directory entry is deleted between `read_dir` and its
/// `lstat`, as a node that vanishes during a live scan would be.
struct Racing {
    lstats: RefCell<Vec<PathBuf>>,
    vanishing: PathBuf,
}

impl Syscalls for Racing {
    fn lstat(&self, path: &Path) -> io::Result<Entry> {
        self.lstats.borrow_mut().push(path.to_path_buf());
        devscan::RealSyscalls.lstat(path)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<io::Result<Listed>>> {
        let names = devscan::RealSyscalls.read_dir(path)?;
        if Some(path) == self.vanishing.parent() {
            std::fs::remove_file(&self.vanishing)?;
        }
        Ok(names)
    }

    fn read_link(&self, path: &Path) -> io::Result<OsString> {
        devscan::RealSyscalls.read_link(path)
    }
}

#[test]
fn one_lstat_per_device_node_and_vanished_nodes_warn() {
    if !requires(
        "one_lstat_per_device_node_and_vanished_nodes_warn",
        &[("root (for mknod)", common::is_root())],
    ) {
        return;
    }
    let tree = TempDir::new("probe-count");
    prepared_tree(tree.path());
    node(&tree.join("dev/dri/ephemeral"), 'c', 226, 200, 0o666, 0, 0);
    let sys = Racing {
        lstats: RefCell::new(Vec::new()),
        vanishing: tree.join("dev/dri/ephemeral"),
    };
    let inventory = bundlec::probe::scan_host_with(tree.path(), &sys).unwrap();
    assert_eq!(
        inventory.warnings,
        [
            "/dev/dri/ephemeral: vanished during the scan",
            "no CDI spec of kind `nvidia.com/gpu` on the node, and none could be generated: the driver version is unknown (no /proc/driver/nvidia/version or /sys/module/nvidia/version)"
        ]
    );
    assert!(!inventory
        .devices
        .iter()
        .any(|d| d.path == "/dev/dri/ephemeral"));

    let lstats = sys.lstats.into_inner();
    let mut unique = lstats.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        lstats.len(),
        "an entry was stat more than once"
    );
    // The device nodes below /dev and nothing else: 17 nodes and the 1 that vanished. The 3 links,
    // 3 directories and 1 regular file are typed by getdents (tmpfs gives d_type) and never stat.
    let dev = tree.join("dev");
    assert!(lstats.iter().all(|p| p.starts_with(&dev) && p != &dev));
    for skipped in ["pts", "shm", "mqueue", "fd"] {
        assert!(
            !lstats.iter().any(|p| p.starts_with(dev.join(skipped))),
            "{skipped} was entered"
        );
    }
    assert_eq!(lstats.len(), 17 + 1, "{lstats:#?}");
}

#[test]
fn unreadable_directory_becomes_a_warning() {
    let setpriv = common::find_tool(&["/usr/bin/setpriv", "/bin/setpriv"]);
    if !requires(
        "unreadable_directory_becomes_a_warning",
        &[
            ("root (for mknod)", common::is_root()),
            ("setpriv (util-linux)", setpriv.is_some()),
        ],
    ) {
        return;
    }
    let tree = TempDir::new("probe-locked");
    node(&tree.join("dev/null"), 'c', 1, 3, 0o666, 0, 0);
    node(&tree.join("dev/locked/hidden"), 'c', 1, 5, 0o666, 0, 0);
    std::fs::set_permissions(
        tree.join("dev/locked"),
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    // Root reads a mode-000 directory through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: run the
    // probe without them (dropped from the bounding and inheritable sets before exec).
    let output = ok(std::process::Command::new(setpriv.unwrap())
        .args([
            "--inh-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
        ])
        .arg(env!("CARGO_BIN_EXE_bundlec"))
        .args(["probe", "--root"])
        .arg(tree.path()));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    let warnings = inventory["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w == "/dev/locked: cannot read directory: Permission denied (os error 13)"),
        "{warnings:?}"
    );
    assert_eq!(
        inventory["devices"],
        json!([device("/dev/null", "c", 1, 3, 0o666, 0, 0)])
    );
    assert!(common::stderr(&output).contains("warning: /dev/locked: cannot read directory"));
}

/// A tree with no device nodes and `status` as `/proc/self/status`; the rest of the host is
/// there so that only the confinement facts can warn.
fn plain_tree(root: &Path, status: &str) {
    std::fs::create_dir_all(root.join("dev")).unwrap();
    write(&root.join("proc/devices"), PROC_DEVICES);
    write(
        &root.join("proc/self/mountinfo"),
        "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
    );
    write(&root.join("proc/self/status"), status);
}

/// The probe of `root`: the inventory's `host` and `warnings` (`null` when there are none).
/// The core reads it back, which also checks every capability name against the core's table.
fn probe_host(root: &Path) -> (Value, Value) {
    let output = ok(bundlec().args(["probe", "--root"]).arg(root));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_valid("inventory", &inventory);
    if let Err(error) = bundlec_core::Inventory::from_json(&common::stdout(&output)) {
        panic!("the core refuses the probe's inventory: {error:?}");
    }
    (inventory["host"].clone(), inventory["warnings"].clone())
}

const STATUS_ALL_BUT_SYS_RESOURCE: &str =
    "Name:\tbundlec\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\nSeccomp:\t0\n";

#[test]
fn probe_reads_apparmor_selinux_and_the_bounding_set() {
    let tree = TempDir::new("probe-lsm");
    let root = tree.path();
    plain_tree(root, STATUS_ALL_BUT_SYS_RESOURCE);
    write(&root.join("sys/module/apparmor/parameters/enabled"), "Y\n");
    // As the kernel lists them: unsorted, one `NAME (MODE)` a line, names with spaces.
    write(
        &root.join("sys/kernel/security/apparmor/profiles"),
        "docker-default (enforce)\n/usr/sbin/cups-browsed (enforce)\nlibreoffice soffice (complain)\n\
         docker-default (enforce)\nnvidia_modprobe//kmod (enforce)\n",
    );
    write(&root.join("sys/fs/selinux/enforce"), "1");
    let (host, warnings) = probe_host(root);
    assert_eq!(warnings, Value::Null);
    assert_eq!(
        host["apparmor"],
        json!({ "enabled": true, "profiles": ["/usr/sbin/cups-browsed", "docker-default", "libreoffice soffice", "nvidia_modprobe//kmod"] })
    );
    assert_eq!(
        host["selinux"],
        json!({ "enabled": true, "enforcing": true })
    );
    let capabilities: Vec<&str> = host["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    // Bits 0-40 but 24: kernel order, SYS_RESOURCE left out.
    assert_eq!(capabilities.len(), 40);
    assert_eq!(
        capabilities[..3],
        ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH"]
    );
    assert_eq!(capabilities[23..25], ["SYS_NICE", "SYS_TIME"]);
    assert_eq!(capabilities[39], "CHECKPOINT_RESTORE");
    assert_eq!(host["seccomp"], true);

    // SELinux permissive, AppArmor built in but turned off (`apparmor=0` on the kernel line).
    write(&root.join("sys/fs/selinux/enforce"), "0");
    write(&root.join("sys/module/apparmor/parameters/enabled"), "N\n");
    let (host, warnings) = probe_host(root);
    assert_eq!(warnings, Value::Null);
    assert_eq!(
        host["selinux"],
        json!({ "enabled": true, "enforcing": false })
    );
    assert_eq!(
        host["apparmor"],
        json!({ "enabled": false, "profiles": [] })
    );
}

#[test]
fn missing_lsm_files_are_unknown_unless_sysfs_proves_them_off() {
    let tree = TempDir::new("probe-lsm-absent");
    let root = tree.path();
    // No /sys at all, and a kernel without the `Seccomp:` line but with the filter actions.
    plain_tree(root, "Name:\tbundlec\nCapBnd:\t0000000000000000\n");
    write(
        &root.join("proc/sys/kernel/seccomp/actions_avail"),
        "kill_process errno allow\n",
    );
    let (host, warnings) = probe_host(root);
    assert_eq!(warnings, Value::Null);
    assert_eq!(host.get("apparmor"), None, "{host}");
    assert_eq!(host.get("selinux"), None, "{host}");
    assert_eq!(host["capabilities"], json!([]));
    assert_eq!(host["seccomp"], true);

    // Every bit the kernel defines (0 to 40): 41 names, each one the core knows.
    write(
        &root.join("proc/self/status"),
        "Name:\tbundlec\nCapBnd:\t000001ffffffffff\n",
    );
    let (host, warnings) = probe_host(root);
    assert_eq!(warnings, Value::Null);
    assert_eq!(host["capabilities"].as_array().unwrap().len(), 41);
    assert_eq!(host["capabilities"][24], "SYS_RESOURCE");

    // sysfs is there, without AppArmor's module or the selinuxfs files: both are known off.
    std::fs::create_dir_all(root.join("sys/module/ext4/parameters")).unwrap();
    std::fs::create_dir_all(root.join("sys/fs/selinux")).unwrap();
    std::fs::remove_file(root.join("proc/sys/kernel/seccomp/actions_avail")).unwrap();
    let (host, warnings) = probe_host(root);
    assert_eq!(warnings, Value::Null);
    assert_eq!(
        host["apparmor"],
        json!({ "enabled": false, "profiles": [] })
    );
    assert_eq!(
        host["selinux"],
        json!({ "enabled": false, "enforcing": false })
    );
    // Neither sign of seccomp: no support.
    assert_eq!(host["seccomp"], false);
}

#[test]
fn a_bad_bounding_set_or_profile_list_warns_and_the_probe_succeeds() {
    let tree = TempDir::new("probe-lsm-bad");
    let root = tree.path();
    plain_tree(root, "Name:\tbundlec\nCapBnd:\tnot-hex\nSeccomp:\t2\n");
    write(&root.join("sys/module/apparmor/parameters/enabled"), "Y\n");
    // Something other than a regular file where the profile list should be.
    std::fs::create_dir_all(root.join("sys/kernel/security/apparmor/profiles")).unwrap();
    let (host, warnings) = probe_host(root);
    assert_eq!(
        warnings,
        json!([
            "/proc/self/status: CapBnd `not-hex` is not a hexadecimal mask; the capability bounding set is unknown",
            "/sys/kernel/security/apparmor/profiles: cannot read: not a regular file",
        ])
    );
    // Unknown, not empty: an empty list would refuse every `apparmor=NAME`.
    assert_eq!(host.get("capabilities"), None, "{host}");
    assert_eq!(host.get("apparmor"), None, "{host}");

    // Bits beyond CHECKPOINT_RESTORE (40) are named, not dropped unseen.
    write(
        &root.join("proc/self/status"),
        "Name:\tbundlec\nCapBnd:\t00000600000000a0\n",
    );
    std::fs::remove_dir(root.join("sys/kernel/security/apparmor/profiles")).unwrap();
    let (host, warnings) = probe_host(root);
    assert_eq!(host["capabilities"], json!(["KILL", "SETUID"]));
    assert_eq!(
        warnings,
        json!([
            "/proc/self/status: CapBnd has capabilities this bundlec does not know (bits 41, 42); they are left out of the inventory",
            "/sys/kernel/security/apparmor/profiles: missing although AppArmor is enabled (is securityfs mounted?); AppArmor is left unknown",
        ])
    );
    assert_eq!(host.get("apparmor"), None, "{host}");
}

#[test]
fn an_unreadable_profile_list_is_a_warning() {
    let setpriv = common::find_tool(&["/usr/bin/setpriv", "/bin/setpriv"]);
    if !requires(
        "an_unreadable_profile_list_is_a_warning",
        &[
            ("root (to drop CAP_DAC_OVERRIDE)", common::is_root()),
            ("setpriv (util-linux)", setpriv.is_some()),
        ],
    ) {
        return;
    }
    let tree = TempDir::new("probe-lsm-locked");
    let root = tree.path();
    plain_tree(root, STATUS_ALL_BUT_SYS_RESOURCE);
    write(&root.join("sys/module/apparmor/parameters/enabled"), "Y\n");
    let profiles = root.join("sys/kernel/security/apparmor/profiles");
    write(&profiles, "docker-default (enforce)\n");
    std::fs::set_permissions(
        &profiles,
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    let output = ok(std::process::Command::new(setpriv.unwrap())
        .args([
            "--inh-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
        ])
        .arg(env!("CARGO_BIN_EXE_bundlec"))
        .args(["probe", "--root"])
        .arg(root));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        inventory["warnings"],
        json!([
            "/sys/kernel/security/apparmor/profiles: cannot read: Permission denied (os error 13)"
        ])
    );
    assert_eq!(inventory["host"].get("apparmor"), None);
    assert!(common::stderr(&output)
        .contains("warning: /sys/kernel/security/apparmor/profiles: cannot read"));
}

/// A spec as `nvidia-ctk cdi generate` writes it (cdiVersion 0.5.0, keys in its order, nodes
/// without type or numbers), for the two GPUs of the prepared tree.
const NVIDIA_CTK_YAML: &str = "---
cdiVersion: 0.5.0
containerEdits:
  deviceNodes:
  - path: /dev/nvidia-uvm
  - path: /dev/nvidia-uvm-tools
  - path: /dev/nvidiactl
  env:
  - NVIDIA_VISIBLE_DEVICES=void
  hooks:
  - args:
    - nvidia-cdi-hook
    - update-ldcache
    - --folder
    - /usr/lib/x86_64-linux-gnu
    hookName: createContainer
    path: /usr/bin/nvidia-cdi-hook
  mounts:
  - containerPath: /usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15
    hostPath: /usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15
    options:
    - ro
    - nosuid
    - nodev
    - bind
devices:
- containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
    - path: /dev/dri/card2
  name: \"0\"
- containerEdits:
    deviceNodes:
    - path: /dev/nvidia1
  name: GPU-6a1d2e3f-9b5c-4d7e-8f0a-1b2c3d4e5f60
- containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
    - path: /dev/nvidia1
    - path: /dev/dri/card2
  name: all
kind: nvidia.com/gpu
";

/// DESIGN §11: the probe reads /etc/cdi and /var/run/cdi, fills nodes from /dev, resolves
/// priorities and conflicts as the reference does, and reports a broken file without failing.
#[test]
fn probe_reads_cdi_specs() {
    if !requires(
        "probe_reads_cdi_specs",
        &[("root (for mknod)", common::is_root())],
    ) {
        return;
    }
    let tree = TempDir::new("probe-cdi");
    prepared_tree(tree.path());
    write(&tree.join("etc/cdi/nvidia.yaml"), NVIDIA_CTK_YAML);
    // The same device at the higher priority, as JSON; a name both /etc files define; a file of
    // another extension; a broken spec; a node that is not in /dev.
    write(
        &tree.join("var/run/cdi/nvidia-all.json"),
        r#"{"cdiVersion":"0.6.0","kind":"nvidia.com/gpu","devices":[{"name":"all","containerEdits":{"env":["FROM=run"]}}]}"#,
    );
    write(
        &tree.join("etc/cdi/a.yaml"),
        "cdiVersion: 0.3.0\nkind: example.com/x\ndevices:\n- name: dup\n  containerEdits: {env: [A=1]}\n- name: solo\n  containerEdits:\n    deviceNodes: [{path: /dev/weird}, {path: /dev/gone, type: c, major: 1, minor: 1}]\n",
    );
    write(
        &tree.join("etc/cdi/b.json"),
        r#"{"cdiVersion":"0.3.0","kind":"example.com/x","devices":[{"name":"dup","containerEdits":{"env":["B=1"]}}]}"#,
    );
    // The reference drops a name defined twice at one priority from every file, even where a
    // higher priority defines it once.
    write(
        &tree.join("var/run/cdi/x-dup.json"),
        r#"{"cdiVersion":"0.3.0","kind":"example.com/x","devices":[{"name":"dup","containerEdits":{"env":["C=1"]}}]}"#,
    );
    write(&tree.join("etc/cdi/c.yml"), "cdiVersion: 0.3.0\n");
    write(&tree.join("etc/cdi/README"), "not a spec\n");
    write(
        &tree.join("etc/cdi/broken.yaml"),
        "cdiVersion: 0.3.0\nkind: example.com/y\ndevices:\n- name: a\n  containerEdits: {env: [A=1]}\n  annotation: {}\n",
    );
    let output = ok(bundlec().args(["probe", "--root"]).arg(tree.path()));
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_valid("inventory", &inventory);
    let cdi = inventory["cdi"].as_array().unwrap();
    let summary: Vec<(&str, u64)> = cdi
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["priority"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("/etc/cdi/a.yaml", 1),
            ("/etc/cdi/nvidia.yaml", 1),
            ("/var/run/cdi/nvidia-all.json", 2),
            ("/etc/cdi/amd.yaml", 0),
            ("/etc/cdi/intel.yaml", 0),
        ]
    );
    // Nodes get type, numbers and mode from /dev; nvidia-uvm's dynamic major is the host's.
    let nvidia = &cdi[1]["spec"];
    assert_eq!(
        nvidia["containerEdits"]["deviceNodes"],
        json!([
            { "path": "/dev/nvidia-uvm", "type": "c", "major": 234, "minor": 0, "fileMode": 0o666 },
            { "path": "/dev/nvidia-uvm-tools", "type": "c", "major": 234, "minor": 1, "fileMode": 0o666 },
            { "path": "/dev/nvidiactl", "type": "c", "major": 195, "minor": 255, "fileMode": 0o666 },
        ])
    );
    assert_eq!(
        nvidia["devices"][0]["containerEdits"]["deviceNodes"][1],
        json!({ "path": "/dev/dri/card2", "type": "c", "major": 226, "minor": 2, "fileMode": 0o660 })
    );
    assert_eq!(nvidia["cdiVersion"], "0.5.0");
    assert_eq!(
        nvidia["containerEdits"]["hooks"][0]["hookName"],
        "createContainer"
    );
    // `dup` is dropped from every file; b.json and x-dup.json, left without devices, are dropped.
    let x_names: Vec<&str> = cdi[0]["spec"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(x_names, ["solo"]);
    // A node the spec gives in full is kept as written.
    assert_eq!(
        cdi[0]["spec"]["devices"][0]["containerEdits"]["deviceNodes"],
        json!([
            { "path": "/dev/weird", "type": "c", "major": 511, "minor": 300, "fileMode": 0o640 },
            { "path": "/dev/gone", "type": "c", "major": 1, "minor": 1 },
        ])
    );
    assert_eq!(
        inventory["warnings"],
        json!([
            "/etc/cdi/broken.yaml: left out: not a valid CDI spec: unknown field `annotation` in `devices[0]` at line 6, column 3",
            "/etc/cdi/c.yml: left out: CDI specs end in .json or .yaml, and runtimes ignore .yml",
            "CDI device `example.com/x=dup` is defined in both /etc/cdi/a.yaml and /etc/cdi/b.json: it is not used, as CDI runtimes do",
            "/etc/cdi/b.json: left out: none of its devices is left after the conflicts",
            "/var/run/cdi/x-dup.json: left out: none of its devices is left after the conflicts",
            "/etc/cdi/a.yaml: device node /dev/gone is not in /dev; a container using it will fail to start",
        ]),
        "{:#}",
        inventory["warnings"]
    );
    assert!(common::stderr(&output).contains("warning: /etc/cdi/broken.yaml: left out"));

    // The inventory compiles: `gpu:` goes through the spec; `all` comes from /var/run/cdi.
    let inventory_file = tree.join("inventory.json");
    std::fs::write(&inventory_file, &output.stdout).unwrap();
    let spec = tree.join("spec.yaml");
    write(&spec, "version: v1\ndeployment: cdi-test\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    devices: [nvidia.com/gpu=all]\n    resources: {gpu: {vendor: nvidia, count: 2}}\n");
    let compiled = ok(bundlec()
        .arg("compile")
        .arg(&spec)
        .arg("--inventory")
        .arg(&inventory_file));
    let config: Value = serde_json::from_slice(&compiled.stdout).unwrap();
    let env: Vec<&str> = config["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(env.contains(&"FROM=run"), "{env:?}");
    assert!(env.contains(&"NVIDIA_VISIBLE_DEVICES=void"), "{env:?}");
    let uvm = config["linux"]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "/dev/nvidia-uvm")
        .unwrap();
    assert_eq!(
        (uvm["major"].as_u64(), uvm["minor"].as_u64()),
        (Some(234), Some(0))
    );
    assert!(compiled.stdout.windows(9).any(|w| w == b"libcuda.s"));
}
