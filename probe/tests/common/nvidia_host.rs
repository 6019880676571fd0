//! A fake NVIDIA host under a temp root, laid out as the driver installs itself: device nodes
//! (major 195, nvidia-uvm at a dynamic major), `/proc/driver/nvidia`, the driver's libraries as
//! versioned files with soname links (real ELF shared objects built with the C compiler), and a
//! real `/etc/ld.so.cache` written by `ldconfig -r ROOT`.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::{node, symlink, write};

pub const DRIVER: &str = "550.54.15";
pub const LIB_DIR: &str = "/usr/lib/x86_64-linux-gnu";
/// nvidia-uvm's dynamic major on this fake host.
pub const UVM_MAJOR: u64 = 509;
pub const UUID_A: &str = "GPU-11111111-2222-3333-4444-555555555555";
pub const UUID_B: &str = "GPU-66666666-7777-8888-9999-000000000000";

/// The source of the fake `libcuda`: `cuInit` returns 0 (CUDA_SUCCESS).
pub const LIBCUDA_C: &str = "int cuInit(unsigned int flags) { (void)flags; return 0; }\n";

/// The C compiler and ldconfig, when the machine has them.
pub fn tools() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let cc = super::find_tool(&["/usr/bin/cc", "/usr/bin/gcc"])?;
    let ldconfig = super::find_tool(&["/usr/sbin/ldconfig", "/sbin/ldconfig"])?;
    Some((cc, ldconfig))
}

/// Builds a shared object named `file` with `soname` from `source` into `dir`.
pub fn shared_library(cc: &Path, dir: &Path, file: &str, soname: &str, source: &str) {
    fs::create_dir_all(dir).unwrap();
    let c = dir.join(format!("{file}.c"));
    fs::write(&c, source).unwrap();
    let status = Command::new(cc)
        .args(["-shared", "-fPIC", "-nostdlib", "-o"])
        .arg(dir.join(file))
        .arg(format!("-Wl,-soname,{soname}"))
        .arg(&c)
        .status()
        .unwrap();
    assert!(status.success(), "cc failed for {file}");
    fs::remove_file(c).unwrap();
}

/// Two GPUs whose Device Minors (2 and 3) are not their positions, with one DRM card.
pub fn build(root: &Path, cc: &Path, ldconfig: &Path) {
    let dev = root.join("dev");
    node(&dev.join("nvidia2"), 'c', 195, 2, 0o666, 0, 0);
    node(&dev.join("nvidia3"), 'c', 195, 3, 0o666, 0, 0);
    node(&dev.join("nvidiactl"), 'c', 195, 255, 0o666, 0, 0);
    node(&dev.join("nvidia-modeset"), 'c', 195, 254, 0o666, 0, 0);
    node(&dev.join("nvidia-uvm"), 'c', UVM_MAJOR, 0, 0o666, 0, 0);
    node(
        &dev.join("nvidia-uvm-tools"),
        'c',
        UVM_MAJOR,
        1,
        0o666,
        0,
        0,
    );
    node(&dev.join("null"), 'c', 1, 3, 0o666, 0, 0);
    let proc = root.join("proc");
    write(
        &proc.join("devices"),
        &format!("Character devices:\n  1 mem\n195 nvidia-frontend\n{UVM_MAJOR} nvidia-uvm\n"),
    );
    write(
        &proc.join("driver/nvidia/version"),
        &format!("NVRM version: NVIDIA UNIX x86_64 Kernel Module  {DRIVER}  Tue Mar  5 22:23:03 UTC 2024\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"),
    );
    write(
        &proc.join("driver/nvidia/gpus/0000:3b:00.0/information"),
        &format!("Model: \t\t NVIDIA L4\nGPU UUID: \t {UUID_A}\nBus Location: \t 0000:3b:00.0\nDevice Minor: \t 2\n"),
    );
    write(
        &proc.join("driver/nvidia/gpus/0000:86:00.0/information"),
        &format!("Model: \t\t NVIDIA L4\nGPU UUID: \t {UUID_B}\nBus Location: \t 0000:86:00.0\nDevice Minor: \t 3\n"),
    );
    write(&proc.join("sys/kernel/osrelease"), "6.1.0-test-amd64\n");
    write(&proc.join("sys/kernel/hostname"), "l4-node\n");
    write(&proc.join("self/mountinfo"), "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
    write(
        &proc.join("self/status"),
        "Name:\tbundlec\nCapBnd:\t000001ffffffffff\nSeccomp:\t0\n",
    );
    // The driver's libraries as the installer lays them out: versioned files, soname links.
    let lib = root.join(LIB_DIR.trim_start_matches('/'));
    shared_library(
        cc,
        &lib,
        &format!("libcuda.so.{DRIVER}"),
        "libcuda.so.1",
        LIBCUDA_C,
    );
    symlink(&format!("libcuda.so.{DRIVER}"), &lib.join("libcuda.so.1"));
    symlink("libcuda.so.1", &lib.join("libcuda.so"));
    shared_library(
        cc,
        &lib,
        &format!("libnvidia-ml.so.{DRIVER}"),
        "libnvidia-ml.so.1",
        "int nvmlInit(void) { return 0; }\n",
    );
    symlink(
        &format!("libnvidia-ml.so.{DRIVER}"),
        &lib.join("libnvidia-ml.so.1"),
    );
    // A library of an older driver left behind: not the running driver's, so not bound.
    shared_library(
        cc,
        &lib,
        "libnvidia-ptxjitcompiler.so.535.104.05",
        "libnvidia-ptxjitcompiler.so.1",
        "int x(void) { return 0; }\n",
    );
    symlink(
        "libnvidia-ptxjitcompiler.so.535.104.05",
        &lib.join("libnvidia-ptxjitcompiler.so.1"),
    );
    write(&root.join("etc/ld.so.conf"), &format!("{LIB_DIR}\n"));
    let status = Command::new(ldconfig).arg("-r").arg(root).status().unwrap();
    assert!(status.success(), "ldconfig -r failed");
    // Binaries, the hook tool, a graphics file, firmware and the persistenced socket.
    for bin in ["nvidia-smi", "nvidia-persistenced"] {
        write(&root.join("usr/bin").join(bin), "#!/bin/sh\n");
    }
    // The hook tool runs for real under runc: it reads the state runc gives it and succeeds.
    let hook = root.join("usr/bin/nvidia-cdi-hook");
    write(&hook, "#!/bin/sh\ncat >/dev/null\nexit 0\n");
    fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    write(&root.join("usr/share/vulkan/icd.d/nvidia_icd.json"), "{}\n");
    for firmware in ["gsp_ga10x.bin", "gsp_tu10x.bin"] {
        write(
            &root.join(format!("lib/firmware/nvidia/{DRIVER}/{firmware}")),
            "fw\n",
        );
    }
    fs::create_dir_all(root.join("run/nvidia-persistenced")).unwrap();
    std::os::unix::net::UnixListener::bind(root.join("run/nvidia-persistenced/socket")).unwrap();
}
