//! The config the sections build, as plain data: the OCI runtime-spec fields bundlec sets and
//! nothing else, written to `config.json` by [`write`] with no intermediate form.

mod pretty;
mod write;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub(crate) use write::to_json;
pub use write::OCI_VERSION;

/// `config.json` before it is written: one field per OCI field bundlec sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `root`.
    pub root: Root,
    /// `mounts`.
    pub mounts: Vec<Mount>,
    /// `process`.
    pub process: Process,
    /// `hostname`.
    pub hostname: String,
    /// `domainname`.
    pub domainname: Option<String>,
    /// CDI hooks, each with its OCI stage; written grouped by stage, in the spec's stage order.
    pub hooks: Vec<(HookStage, Hook)>,
    /// Labels; written in key order, the last of equal keys winning (a JSON object's keys are
    /// unique).
    pub annotations: Vec<(String, String)>,
    /// `linux`.
    pub linux: Linux,
}

/// `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// `path`.
    pub path: String,
    /// `readonly`.
    pub readonly: bool,
}

/// An entry of `mounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// `destination`.
    pub destination: Cow<'static, str>,
    /// `type`: absent for a CDI mount that gives none (runc then binds).
    pub kind: Option<Cow<'static, str>>,
    /// `source`.
    pub source: Cow<'static, str>,
    /// Written only when not empty. (Borrowed where a standard mount's text is a constant.)
    pub options: Vec<Cow<'static, str>>,
}

/// `process`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// `terminal`.
    pub terminal: bool,
    /// `user`.
    pub user: User,
    /// `args`.
    pub args: Vec<String>,
    /// `env`.
    pub env: Vec<String>,
    /// `cwd`.
    pub cwd: String,
    /// The kernel's names without `CAP_`: the bounding, effective and permitted sets (written
    /// sorted, each once); the inheritable and ambient sets are always empty.
    pub capabilities: Vec<&'static str>,
    /// `rlimits`.
    pub rlimits: Vec<Rlimit>,
    /// `noNewPrivileges`.
    pub no_new_privileges: bool,
    /// `apparmorProfile`.
    pub apparmor_profile: Option<String>,
    /// `oomScoreAdj`.
    pub oom_score_adj: Option<i32>,
    /// `selinuxLabel`.
    pub selinux_label: Option<String>,
}

/// `process.user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// `uid`.
    pub uid: u32,
    /// `gid`.
    pub gid: u32,
    /// `additionalGids`.
    pub additional_gids: Vec<u32>,
}

/// An entry of `process.rlimits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rlimit {
    /// The OCI name, such as `RLIMIT_NOFILE`.
    pub kind: &'static str,
    /// `hard`.
    pub hard: u64,
    /// `soft`.
    pub soft: u64,
}

/// The OCI hook stages, in the order the spec lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HookStage {
    /// `prestart`.
    Prestart,
    /// `createRuntime`.
    CreateRuntime,
    /// `createContainer`.
    CreateContainer,
    /// `startContainer`.
    StartContainer,
    /// `poststart`.
    Poststart,
    /// `poststop`.
    Poststop,
}

impl HookStage {
    /// Every stage, in the spec's order.
    pub const ALL: [HookStage; 6] = [
        HookStage::Prestart,
        HookStage::CreateRuntime,
        HookStage::CreateContainer,
        HookStage::StartContainer,
        HookStage::Poststart,
        HookStage::Poststop,
    ];

    /// The field name in `hooks`, which is also the CDI spec's `hookName`.
    pub fn name(self) -> &'static str {
        match self {
            HookStage::Prestart => "prestart",
            HookStage::CreateRuntime => "createRuntime",
            HookStage::CreateContainer => "createContainer",
            HookStage::StartContainer => "startContainer",
            HookStage::Poststart => "poststart",
            HookStage::Poststop => "poststop",
        }
    }

    /// The stage of a field name.
    pub fn from_name(name: &str) -> Option<HookStage> {
        HookStage::ALL
            .into_iter()
            .find(|stage| stage.name() == name)
    }
}

/// A hook of `hooks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// `path`.
    pub path: String,
    /// Written only when not empty, as `env`.
    pub args: Vec<String>,
    /// `env`.
    pub env: Vec<String>,
    /// `timeout`.
    pub timeout: Option<i64>,
}

/// `linux` (its `seccomp` is written from the resolved filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linux {
    /// Host interface name and the name in the container; written in key order.
    pub net_devices: Vec<(String, String)>,
    /// Written in key order, and only when not empty.
    pub sysctl: Vec<(String, String)>,
    /// `resources`.
    pub resources: Resources,
    /// Namespace types, such as `pid`.
    pub namespaces: Vec<&'static str>,
    /// `devices`.
    pub devices: Vec<Device>,
    /// `rootfsPropagation`.
    pub rootfs_propagation: &'static str,
    /// Absent for a privileged container.
    pub masked_paths: Option<&'static [&'static str]>,
    /// `readonlyPaths`.
    pub readonly_paths: Option<&'static [&'static str]>,
    /// `intelRdt`.
    pub intel_rdt: Option<IntelRdt>,
}

/// `linux.resources`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    /// `devices`.
    pub devices: Vec<DeviceRule>,
    /// `memory`.
    pub memory: Option<Memory>,
    /// `cpu`.
    pub cpu: Option<Cpu>,
    /// `pids.limit`.
    pub pids_limit: Option<i64>,
}

/// A device cgroup rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRule {
    /// `allow`.
    pub allow: bool,
    /// `a`, `b` or `c`; absent means every type.
    pub kind: Option<char>,
    /// `major`.
    pub major: Option<i64>,
    /// `minor`.
    pub minor: Option<i64>,
    /// `access`.
    pub access: Cow<'static, str>,
}

/// `linux.resources.memory`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// `limit`.
    pub limit: Option<i64>,
    /// `reservation`.
    pub reservation: Option<i64>,
    /// `swap`.
    pub swap: Option<i64>,
    /// `swappiness`.
    pub swappiness: Option<u64>,
}

/// `linux.resources.cpu`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cpu {
    /// `shares`.
    pub shares: Option<u64>,
    /// `quota`.
    pub quota: Option<i64>,
    /// `period`.
    pub period: Option<u64>,
    /// `cpus`.
    pub cpus: Option<String>,
}

/// A device node to create in the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// `path`.
    pub path: String,
    /// `c`, `b`, `u` or `p`.
    pub kind: char,
    /// `major`.
    pub major: i64,
    /// `minor`.
    pub minor: i64,
    /// `fileMode`.
    pub file_mode: Option<u32>,
    /// `uid`.
    pub uid: Option<u32>,
    /// `gid`.
    pub gid: Option<u32>,
}

/// `linux.intelRdt`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntelRdt {
    /// `closId`.
    pub clos_id: Option<String>,
    /// Written only when not empty.
    pub schemata: Vec<String>,
    /// `l3CacheSchema`.
    pub l3_cache_schema: Option<String>,
    /// `memBwSchema`.
    pub mem_bw_schema: Option<String>,
    /// `enableMonitoring`.
    pub enable_monitoring: bool,
}
