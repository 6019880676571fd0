//! The host probe: builds the inventory from `<root>/dev`, `/proc` and `/sys`.
//! The machine architecture always comes from this host's `uname`, even under `--root`; the
//! confinement facts (capabilities, seccomp, AppArmor, SELinux) are read by `host_confinement`.

use std::path::Path;

use bundlec_core::{Drivers, Host, Inventory, INVENTORY_VERSION};

use crate::cdi;
use crate::confined;
use crate::devscan::{self, RealSyscalls, Syscalls};
use crate::gpus;
use crate::host_confinement::{self, ProcessStatus};
use crate::path_error::PathError;

/// Probes the tree under `root` (`/` for this host) with the real system calls.
pub fn scan_host(root: &Path) -> Result<Inventory, PathError> {
    scan_host_with(root, &RealSyscalls)
}

/// Probes with the given system calls for the /dev walk (tests count or fail them).
pub fn scan_host_with(root: &Path, sys: &impl Syscalls) -> Result<Inventory, PathError> {
    let metadata = std::fs::metadata(root).map_err(PathError::io("probe", root))?;
    if !metadata.is_dir() {
        return Err(PathError::ProbeRootNotADirectory(root.to_path_buf()));
    }
    let mut warnings = Vec::new();
    let scan = devscan::scan(root, sys);
    warnings.extend(scan.warnings);
    let drivers = match read(root, "proc/devices", &mut warnings) {
        Some(text) => parse_proc_devices(&text),
        None => {
            warnings.push("/proc/devices: missing; driver names are unknown".to_string());
            Drivers::default()
        }
    };
    let gpus = gpus::discover(root, &scan.devices);
    warnings.extend(gpus.warnings);
    let host = host(root, &mut warnings);
    let cdi = cdi::read::read_specs(root, &scan.devices, &mut warnings);
    let mut inventory = Inventory {
        inventory_version: INVENTORY_VERSION,
        host,
        devices: scan.devices,
        links: scan.links,
        drivers,
        gpus: gpus.gpus,
        gpu_shared: gpus.shared,
        cdi,
        warnings,
    };
    // GPUs without a spec of their vendor's kind get a generated one, so that a `gpu:`
    // request brings the driver's libraries either way (DESIGN §11).
    cdi::generate::add_generated(root, &mut inventory);
    Ok(inventory)
}

/// A file under the root; unreadable files add a warning, missing ones are `None`.
fn read(root: &Path, path: &str, warnings: &mut Vec<String>) -> Option<String> {
    match confined::read_to_string(root, Path::new(path)) {
        Ok(text) => text,
        Err(error) => {
            warnings.push(format!("/{path}: cannot read: {error}"));
            None
        }
    }
}

/// `/proc/devices`: a `Character devices:` and a `Block devices:` section of `<major> <name>` lines.
pub fn parse_proc_devices(text: &str) -> Drivers {
    let mut drivers = Drivers::default();
    let mut section = None;
    for line in text.lines() {
        let line = line.trim();
        match line {
            "Character devices:" => section = Some(&mut drivers.char),
            "Block devices:" => section = Some(&mut drivers.block),
            _ => {
                let Some((major, name)) = line.split_once(char::is_whitespace) else {
                    continue;
                };
                let (Ok(major), Some(map)) = (major.parse::<u32>(), section.as_deref_mut()) else {
                    continue;
                };
                map.insert(major.to_string(), name.trim().to_string());
            }
        }
    }
    drivers
}

fn host(root: &Path, warnings: &mut Vec<String>) -> Host {
    let uname = nix::sys::utsname::uname().ok();
    let from_uname = |field: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
        uname
            .as_ref()
            .map(|u| field(u).to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let first_line = |text: String| text.lines().next().unwrap_or("").trim().to_string();
    let kernel = read(root, "proc/sys/kernel/osrelease", warnings)
        .map(first_line)
        .filter(|k| !k.is_empty());
    let hostname = read(root, "proc/sys/kernel/hostname", warnings)
        .or_else(|| read(root, "etc/hostname", warnings))
        .map(first_line)
        .filter(|h| !h.is_empty());
    let cgroup = match read(root, "proc/self/mountinfo", warnings) {
        Some(text) => cgroup_mode(&text).to_string(),
        None => {
            warnings.push("/proc/self/mountinfo: missing; cgroup mode unknown".to_string());
            String::new()
        }
    };
    let status = match confined::read_to_string(root, Path::new("proc/self/status")) {
        Ok(Some(text)) => host_confinement::process_status(&text, warnings),
        Ok(None) => {
            warnings.push(
                "/proc/self/status: missing; the capability bounding set is unknown".to_string(),
            );
            ProcessStatus::default()
        }
        Err(error) => {
            warnings.push(format!(
                "/proc/self/status: cannot read: {error}; the capability bounding set is unknown"
            ));
            ProcessStatus::default()
        }
    };
    Host {
        hostname: hostname.unwrap_or_else(|| from_uname(nix::sys::utsname::UtsName::nodename)),
        arch: from_uname(nix::sys::utsname::UtsName::machine),
        kernel: kernel.unwrap_or_else(|| from_uname(nix::sys::utsname::UtsName::release)),
        cgroup,
        seccomp: host_confinement::seccomp(root, &status),
        capabilities: status.capabilities,
        apparmor: host_confinement::apparmor(root, warnings),
        selinux: host_confinement::selinux(root, warnings),
    }
}

/// `v2` when cgroup2 is mounted at /sys/fs/cgroup, `hybrid` when v1 controllers sit beside a
/// cgroup2 at /sys/fs/cgroup/unified, `v1` otherwise.
pub fn cgroup_mode(mountinfo: &str) -> &'static str {
    let mut v1 = false;
    let mut unified = false;
    for line in mountinfo.lines() {
        // `36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:16 - cgroup cgroup rw,memory`
        let Some((before, after)) = line.split_once(" - ") else {
            continue;
        };
        let Some(mount_point) = before.split(' ').nth(4) else {
            continue;
        };
        let fs_type = after.split(' ').next().unwrap_or("");
        match (fs_type, mount_point) {
            ("cgroup2", "/sys/fs/cgroup") => return "v2",
            ("cgroup2", "/sys/fs/cgroup/unified") => unified = true,
            ("cgroup", _) => v1 = true,
            _ => {}
        }
    }
    if v1 && unified {
        "hybrid"
    } else {
        "v1"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_devices_sections() {
        let text = "Character devices:\n  1 mem\n  4 /dev/vc/0\n195 nvidia-frontend\n511 nvidia-uvm\n\nBlock devices:\n  7 loop\n259 blkext\n";
        let drivers = parse_proc_devices(text);
        assert_eq!(
            drivers.char.get("195").map(String::as_str),
            Some("nvidia-frontend")
        );
        assert_eq!(drivers.char.get("4").map(String::as_str), Some("/dev/vc/0"));
        assert_eq!(
            drivers.char.get("511").map(String::as_str),
            Some("nvidia-uvm")
        );
        assert_eq!(drivers.block.get("259").map(String::as_str), Some("blkext"));
        assert_eq!(drivers.char.len(), 4);
        assert_eq!(drivers.block.len(), 2);
    }

    #[test]
    fn cgroup_modes() {
        let v2 = "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
        let hybrid = "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n\
                      41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        let v1 =
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n";
        assert_eq!(cgroup_mode(v2), "v2");
        assert_eq!(cgroup_mode(hybrid), "hybrid");
        assert_eq!(cgroup_mode(v1), "v1");
        assert_eq!(cgroup_mode(""), "v1");
    }
}
