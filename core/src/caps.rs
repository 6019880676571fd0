//! The capability table: every Linux capability by its kernel name and oci-spec value, and
//! Docker's default set. The process section reads it and the canonical form sorts by it.

use oci_spec::runtime::Capability;

/// Docker's and containerd's default capabilities.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Every capability Linux defines (0 to 40), in kernel order, with its oci-spec value.
const CAPABILITY_TABLE: [(&str, Capability); 41] = [
    ("CHOWN", Capability::Chown),
    ("DAC_OVERRIDE", Capability::DacOverride),
    ("DAC_READ_SEARCH", Capability::DacReadSearch),
    ("FOWNER", Capability::Fowner),
    ("FSETID", Capability::Fsetid),
    ("KILL", Capability::Kill),
    ("SETGID", Capability::Setgid),
    ("SETUID", Capability::Setuid),
    ("SETPCAP", Capability::Setpcap),
    ("LINUX_IMMUTABLE", Capability::LinuxImmutable),
    ("NET_BIND_SERVICE", Capability::NetBindService),
    ("NET_BROADCAST", Capability::NetBroadcast),
    ("NET_ADMIN", Capability::NetAdmin),
    ("NET_RAW", Capability::NetRaw),
    ("IPC_LOCK", Capability::IpcLock),
    ("IPC_OWNER", Capability::IpcOwner),
    ("SYS_MODULE", Capability::SysModule),
    ("SYS_RAWIO", Capability::SysRawio),
    ("SYS_CHROOT", Capability::SysChroot),
    ("SYS_PTRACE", Capability::SysPtrace),
    ("SYS_PACCT", Capability::SysPacct),
    ("SYS_ADMIN", Capability::SysAdmin),
    ("SYS_BOOT", Capability::SysBoot),
    ("SYS_NICE", Capability::SysNice),
    ("SYS_RESOURCE", Capability::SysResource),
    ("SYS_TIME", Capability::SysTime),
    ("SYS_TTY_CONFIG", Capability::SysTtyConfig),
    ("MKNOD", Capability::Mknod),
    ("LEASE", Capability::Lease),
    ("AUDIT_WRITE", Capability::AuditWrite),
    ("AUDIT_CONTROL", Capability::AuditControl),
    ("SETFCAP", Capability::Setfcap),
    ("MAC_OVERRIDE", Capability::MacOverride),
    ("MAC_ADMIN", Capability::MacAdmin),
    ("SYSLOG", Capability::Syslog),
    ("WAKE_ALARM", Capability::WakeAlarm),
    ("BLOCK_SUSPEND", Capability::BlockSuspend),
    ("AUDIT_READ", Capability::AuditRead),
    ("PERFMON", Capability::Perfmon),
    ("BPF", Capability::Bpf),
    ("CHECKPOINT_RESTORE", Capability::CheckpointRestore),
];

/// Every capability Linux defines, by name, in kernel order.
// Evaluated at compile time: an index out of range fails the build, it cannot panic.
#[allow(clippy::indexing_slicing)]
pub const ALL_CAPABILITIES: [&str; 41] = {
    let mut names = [""; 41];
    let mut i = 0;
    while i < names.len() {
        names[i] = CAPABILITY_TABLE[i].0;
        i += 1;
    }
    names
};

/// The kernel's name of a capability, without `CAP_`.
pub fn capability_name(capability: Capability) -> &'static str {
    CAPABILITY_TABLE
        .iter()
        .find(|(_, known)| *known == capability)
        .map_or("", |(name, _)| name)
}

/// What a capability written in a spec names.
pub enum Written {
    /// `ALL`: every capability.
    All,
    /// One capability, by its kernel name.
    One(&'static str),
    /// No capability Linux defines.
    Unknown,
}

/// `NET_ADMIN`, `CAP_NET_ADMIN` and `net_admin` name one capability; `ALL` names every one.
pub fn read_written(written: &str) -> Written {
    let upper = written.trim().to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if name == "ALL" {
        return Written::All;
    }
    ALL_CAPABILITIES
        .iter()
        .find(|known| **known == name)
        .map_or(Written::Unknown, |known| Written::One(known))
}

pub fn to_capability(name: &str) -> Option<Capability> {
    CAPABILITY_TABLE
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, capability)| *capability)
}
