//! The host's confinement facts for the inventory: the capability bounding set the probe runs
//! with, seccomp support, AppArmor and its loaded profiles, SELinux. Every file is read under the
//! probe root through `confined`. A fact is `None` (unknown) when the files that would show it
//! are missing, unless their absence itself proves the feature is off (see each reader).

use std::path::Path;

use bundlec_core::{AppArmor, Selinux, ALL_CAPABILITIES};

use crate::confined;

/// What `/proc/self/status` says about the probe's own process.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ProcessStatus {
    /// The bounding set (`CapBnd`), as names; `None` when the line is missing or unreadable.
    pub capabilities: Option<Vec<String>>,
    /// Whether a `Seccomp:` line is there (the kernel has seccomp).
    pub seccomp_line: bool,
}

/// Reads `CapBnd:` and `Seccomp:` from the text of `/proc/self/status`.
pub fn process_status(status: &str, warnings: &mut Vec<String>) -> ProcessStatus {
    let mut facts = ProcessStatus::default();
    let mut capbnd = None;
    for line in status.lines() {
        if let Some(mask) = line.strip_prefix("CapBnd:") {
            capbnd = Some(mask.trim());
        } else if line.starts_with("Seccomp:") {
            facts.seccomp_line = true;
        }
    }
    match capbnd {
        Some(mask) => facts.capabilities = capability_names(mask, warnings),
        None => warnings.push(
            "/proc/self/status: no CapBnd line; the capability bounding set is unknown".to_string(),
        ),
    }
    facts
}

/// The names of the bits set in a `CapBnd` mask (hex, as the kernel writes it), in kernel order:
/// bit `i` is `ALL_CAPABILITIES[i]`.
/// Bits beyond the known capabilities are named in a warning rather than dropped unseen.
pub fn capability_names(mask: &str, warnings: &mut Vec<String>) -> Option<Vec<String>> {
    let Ok(bits) = u64::from_str_radix(mask, 16) else {
        warnings.push(format!(
            "/proc/self/status: CapBnd `{}` is not a hexadecimal mask; the capability bounding \
             set is unknown",
            mask.escape_debug()
        ));
        return None;
    };
    let names = ALL_CAPABILITIES
        .iter()
        .enumerate()
        .filter(|(bit, _)| bits & (1 << bit) != 0)
        .map(|(_, name)| (*name).to_string())
        .collect();
    let unknown: Vec<String> = (ALL_CAPABILITIES.len()..64)
        .filter(|bit| bits & (1 << bit) != 0)
        .map(|bit| bit.to_string())
        .collect();
    if !unknown.is_empty() {
        warnings.push(format!(
            "/proc/self/status: CapBnd has capabilities this bundlec does not know (bits {}); \
             they are left out of the inventory",
            unknown.join(", ")
        ));
    }
    Some(names)
}

/// Whether the kernel has seccomp filters: the `Seccomp:` status line, or the list of filter
/// actions (`/proc/sys/kernel/seccomp/actions_avail`, Linux 4.14+).
pub fn seccomp(root: &Path, status: &ProcessStatus) -> bool {
    status.seccomp_line || exists(root, "proc/sys/kernel/seccomp/actions_avail")
}

/// AppArmor: `enabled` is `/sys/module/apparmor/parameters/enabled` reading `Y`.
///
/// A kernel built with AppArmor always has `/sys/module/apparmor`: when `/sys/module` is there
/// and it is not, AppArmor is off (known). Without `/sys/module` (no sysfs under the root) it is
/// unknown. When it is enabled, the loaded profiles come from securityfs; if they cannot be read
/// the whole fact is unknown (with a warning), since an empty list would make every
/// `apparmor=NAME` an error.
pub fn apparmor(root: &Path, warnings: &mut Vec<String>) -> Option<AppArmor> {
    const ENABLED: &str = "sys/module/apparmor/parameters/enabled";
    const PROFILES: &str = "sys/kernel/security/apparmor/profiles";
    let enabled = match read(root, ENABLED, warnings)? {
        Some(text) => text.trim() == "Y",
        None if exists(root, "sys/module") && !exists(root, "sys/module/apparmor") => false,
        None => return None,
    };
    if !enabled {
        return Some(AppArmor {
            enabled,
            profiles: Vec::new(),
        });
    }
    let Some(text) = read(root, PROFILES, warnings)? else {
        warnings.push(format!(
            "/{PROFILES}: missing although AppArmor is enabled (is securityfs mounted?); \
             AppArmor is left unknown"
        ));
        return None;
    };
    Some(AppArmor {
        enabled,
        profiles: apparmor_profiles(&text, warnings),
    })
}

/// The profile names of `/sys/kernel/security/apparmor/profiles`: one `NAME (MODE)` a line,
/// where NAME may hold spaces. Sorted and unique; a line without a mode is left out with a warning.
pub fn apparmor_profiles(text: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let name = line
            .strip_suffix(')')
            .and_then(|rest| rest.rsplit_once(" ("))
            .map(|(name, _mode)| name)
            .filter(|name| !name.is_empty());
        match name {
            Some(name) => names.push(name.to_string()),
            None => warnings.push(format!(
                "/sys/kernel/security/apparmor/profiles: `{}` is not `NAME (MODE)`; left out",
                line.escape_debug()
            )),
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// SELinux: enabled when selinuxfs shows `/sys/fs/selinux/enforce`, enforcing when it reads `1`.
///
/// A kernel with SELinux creates the `/sys/fs/selinux` mount point, and SELinux is on only while
/// selinuxfs is mounted there (libselinux's own test): with `/sys/fs` present and no `enforce`
/// file, SELinux is off (known). Without `/sys/fs` (no sysfs under the root) it is unknown.
pub fn selinux(root: &Path, warnings: &mut Vec<String>) -> Option<Selinux> {
    match read(root, "sys/fs/selinux/enforce", warnings)? {
        Some(text) => Some(Selinux {
            enabled: true,
            enforcing: text.trim() == "1",
        }),
        None if exists(root, "sys/fs") => Some(Selinux {
            enabled: false,
            enforcing: false,
        }),
        None => None,
    }
}

/// `Some(None)` when the file is missing; `None` (after a warning) when it cannot be read.
fn read(root: &Path, path: &str, warnings: &mut Vec<String>) -> Option<Option<String>> {
    match confined::read_to_string(root, Path::new(path)) {
        Ok(text) => Some(text),
        Err(error) => {
            warnings.push(format!("/{path}: cannot read: {error}"));
            None
        }
    }
}

/// Whether `path` exists under the root (links resolved inside it); a name that cannot be
/// reached counts as absent.
fn exists(root: &Path, path: &str) -> bool {
    confined::resolve(root, Path::new(path), true).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capbnd_bits_name_capabilities_in_kernel_order() {
        let mut warnings = Vec::new();
        // CHOWN (0), KILL (5), SYS_ADMIN (21), CHECKPOINT_RESTORE (40).
        let mask = format!("{:016x}", 1u64 | 1 << 5 | 1 << 21 | 1 << 40);
        assert_eq!(
            capability_names(&mask, &mut warnings).unwrap(),
            ["CHOWN", "KILL", "SYS_ADMIN", "CHECKPOINT_RESTORE"]
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        // This machine's kind of mask: everything but SYS_RESOURCE (24).
        let names = capability_names("000001fffeffffff", &mut warnings).unwrap();
        assert_eq!(names.len(), 40);
        assert!(!names.iter().any(|n| n == "SYS_RESOURCE"));
        assert_eq!(capability_names("0", &mut warnings), Some(vec![]));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn unknown_bits_and_bad_masks_warn() {
        let mut warnings = Vec::new();
        let mask = format!("{:x}", 1u64 << 1 | 1 << 41 | 1 << 63);
        assert_eq!(
            capability_names(&mask, &mut warnings).unwrap(),
            ["DAC_OVERRIDE"]
        );
        assert_eq!(
            warnings,
            ["/proc/self/status: CapBnd has capabilities this bundlec does not know (bits 41, 63); \
              they are left out of the inventory"]
        );
        warnings.clear();
        assert_eq!(capability_names("ffff-zz", &mut warnings), None);
        assert_eq!(capability_names("1ffffffffffffffff", &mut warnings), None);
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].contains("CapBnd `ffff-zz` is not a hexadecimal mask"));
    }

    #[test]
    fn profile_names_keep_their_spaces_and_lose_their_mode() {
        let mut warnings = Vec::new();
        let text = "docker-default (enforce)\n/usr/bin/man (enforce)\nman_groff (enforce)\n\
                    my profile (with parens) (complain)\ndocker-default (enforce)\n\nbroken line\n";
        assert_eq!(
            apparmor_profiles(text, &mut warnings),
            [
                "/usr/bin/man",
                "docker-default",
                "man_groff",
                "my profile (with parens)"
            ]
        );
        assert_eq!(
            warnings,
            ["/sys/kernel/security/apparmor/profiles: `broken line` is not `NAME (MODE)`; left out"]
        );
    }

    #[test]
    fn status_lines() {
        let mut warnings = Vec::new();
        let status = process_status(
            "Name:\tx\nCapBnd:\t0000000000000003\nSeccomp:\t0\n",
            &mut warnings,
        );
        assert_eq!(
            status,
            ProcessStatus {
                capabilities: Some(vec!["CHOWN".into(), "DAC_OVERRIDE".into()]),
                seccomp_line: true,
            }
        );
        let status = process_status("Name:\tx\n", &mut warnings);
        assert_eq!(status, ProcessStatus::default());
        assert_eq!(
            warnings,
            ["/proc/self/status: no CapBnd line; the capability bounding set is unknown"]
        );
    }
}
