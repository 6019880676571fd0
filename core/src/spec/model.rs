//! The spec as bundlec reads it: a deployment of services, each value checked on its own and
//! kept with where it is written when a later rule may report on it.

use std::net::IpAddr;

use crate::diagnostic::{Diagnostic, Loc, Located};

#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub name: String,
    pub services: Vec<Service>,
    /// Read from a Compose file rather than a ZLayer spec.
    pub compose: bool,
    /// The host variables a Compose file reads outside its services (`name:`, a secret's
    /// `file`), first of each name.
    pub host_vars: Vec<Located<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    pub name: String,
    /// Where the service's key is: `services.<name>`.
    pub at: Loc,
    pub image: Option<Located<String>>,
    /// `command.entrypoint` and `command.args`, each word where it is written.
    pub entrypoint: Option<Vec<Located<String>>>,
    pub args: Option<Vec<Located<String>>>,
    pub workdir: Option<Located<String>>,
    pub env: Vec<EnvVar>,
    pub resources: Resources,
    pub devices: Vec<DeviceRequest>,
    /// `devices` entries that are qualified CDI names (`nvidia.com/gpu=0`), in document order.
    pub cdi_devices: Vec<CdiRequest>,
    pub storage: Vec<Storage>,
    pub cap_add: Vec<Located<String>>,
    pub cap_drop: Vec<Located<String>>,
    pub privileged: bool,
    pub user: Option<Located<String>>,
    pub extra_groups: Vec<Located<String>>,
    pub read_only_root_fs: bool,
    pub tty: bool,
    pub hostname: Option<Located<String>>,
    /// `dns`, where the list is written; only the valid addresses.
    pub dns: Option<Located<Vec<IpAddr>>>,
    /// `extra_hosts` as (name, address), where the list is written; only the valid entries.
    pub extra_hosts: Option<Located<Vec<(String, IpAddr)>>>,
    pub sysctls: Vec<(Located<String>, String)>,
    pub ulimits: Vec<Ulimit>,
    /// What `security_opt` chooses: seccomp, AppArmor, SELinux, no-new-privileges.
    pub confinement: Confinement,
    pub labels: Vec<(String, String)>,
    pub network_mode: NetworkMode,
    /// `scale`, where it is written; without it ZLayer scales adaptively.
    pub scale: Option<Located<Scale>>,
    /// Where the value of each key the service writes is, by key: for rules that report on a
    /// key the model keeps only as a value (`privileged`, `network_mode`, `cap_drop`).
    pub written_keys: Vec<(&'static str, Loc)>,
    /// The size of `/dev/shm` in bytes (Compose `shm_size`); default 64 MiB.
    pub shm_size: Option<u64>,
    /// The NIS domain name (Compose `domainname`).
    pub domainname: Option<Located<String>>,
    /// Device cgroup rules added to the allow list (Compose `device_cgroup_rules`).
    pub device_rules: Vec<DeviceRule>,
    /// The Compose project: the default hostname is then `<project>-<service>-<replica>`.
    pub project: Option<String>,
    /// The host variables a Compose service reads (interpolation and bare `environment`
    /// keys), in document order: the outline lists them for the page and the CLI.
    pub host_vars: Vec<Located<String>>,
    /// The files a Compose service's `env_file` names, as written, whose texts
    /// `options.envFiles` gives.
    pub env_files: Vec<Located<String>>,
    /// Faults found reading this service of a Compose file: they fail its compile, not the
    /// other services' (a ZLayer spec's faults are the whole spec's).
    pub faults: Vec<Diagnostic>,
}

/// A device cgroup rule as Docker writes it: `c 1:3 mr`; `None` is `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRule {
    /// `a` (all), `b` (block) or `c` (char).
    pub kind: char,
    pub major: Option<i64>,
    pub minor: Option<i64>,
    pub access: String,
}

impl Service {
    /// Replicas of a fixed scale; `None` for adaptive or manual scaling, or no `scale`.
    pub fn fixed_replicas(&self) -> Option<u32> {
        self.scale
            .as_ref()
            .and_then(|scale| scale.value.fixed_replicas)
    }

    /// The `max` of an adaptive scale, when it is given.
    pub fn max_replicas(&self) -> Option<u32> {
        self.scale
            .as_ref()
            .and_then(|scale| scale.value.max_replicas)
    }

    /// Where the value of `key` is written, when the service writes it.
    pub fn written(&self, key: &str) -> Option<&Loc> {
        self.written_keys
            .iter()
            .find(|(written, _)| *written == key)
            .map(|(_, at)| at)
    }
}

/// What `scale` fixes: the orchestrator scales, so only the replica counts matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scale {
    /// Replicas of a fixed scale; `None` for adaptive or manual scaling.
    pub fixed_replicas: Option<u32>,
    /// The `max` of an adaptive scale, when it is a whole number from 1 up (never reported:
    /// scaling is the orchestrator's, and only the preview's replica menu reads it).
    pub max_replicas: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    pub key: String,
    pub value: EnvValue,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    Literal(String),
    /// `$E:NAME`: a variable of the host, given in the options.
    HostEnv(String),
    /// `$S:ref`: a secret, given in the options.
    Secret(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resources {
    pub cpu: Option<f64>,
    pub memory: Option<u64>,
    pub pids_limit: Option<i64>,
    pub cpuset: Option<String>,
    pub cpu_shares: Option<u64>,
    pub memory_swap: Option<Located<i64>>,
    pub memory_reservation: Option<Located<u64>>,
    pub memory_swappiness: Option<u64>,
    pub oom_score_adj: Option<i32>,
    pub gpu: Option<GpuRequest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuVendor {
    Nvidia,
    Amd,
    Intel,
    /// Accepted so ZLayer's macOS examples parse; it has no Linux device nodes.
    Apple,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GpuRequest {
    pub vendor: Located<GpuVendor>,
    pub count: Located<u32>,
    pub distributed: Option<Distributed>,
    /// Every GPU of the vendor on the node (Compose `gpus: all`, `count: all`); `count` is
    /// then unused.
    pub all: bool,
    /// The GPUs by inventory index or UUID (Compose `device_ids`); `count` is their number.
    pub ids: Vec<Located<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Distributed {
    pub backend: String,
    pub master_port: u16,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRequest {
    /// Normalized lexically (`/dev/./fuse` is `/dev/fuse`); always below `/dev`.
    pub path: Located<String>,
    pub read: bool,
    pub write: bool,
    pub mknod: bool,
}

/// A CDI device by its qualified name: `kind=name`.
#[derive(Debug, Clone, PartialEq)]
pub struct CdiRequest {
    /// `vendor.com/class`.
    pub kind: String,
    /// The device's name within the kind.
    pub name: String,
    /// Where the name is written.
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    pub kind: StorageKind,
    pub target: Located<String>,
    pub readonly: bool,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StorageKind {
    Bind {
        source: Located<String>,
    },
    Named {
        name: String,
    },
    Anonymous,
    Tmpfs {
        size: Option<u64>,
        mode: Option<u32>,
        /// Further mount flags (Compose `tmpfs: /run:noexec`), after `nosuid` and `nodev`.
        flags: Vec<String>,
    },
    S3 {
        bucket: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ulimit {
    pub name: Located<String>,
    pub soft: u64,
    pub hard: u64,
}

/// The confinement `security_opt` asks for; each field keeps where it is written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Confinement {
    pub seccomp: Seccomp,
    pub apparmor: Option<Located<AppArmorChoice>>,
    pub selinux: Option<SelinuxChoice>,
    /// From `no-new-privileges[:true|false]`, where the option is written.
    pub no_new_privileges: Option<Located<bool>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Seccomp {
    /// Docker's default profile, resolved for the node.
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined(Loc),
    /// `seccomp=PATH`: the profile whose text `options.seccompProfiles[PATH]` gives.
    Profile(Located<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AppArmorChoice {
    /// `apparmor=NAME`.
    Profile(String),
    /// `apparmor=unconfined`.
    Unconfined,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelinuxChoice {
    /// `label=disable`.
    Disabled(Loc),
    /// `label=user:…`, `role:…`, `type:…`, `level:…`, over `system_u:system_r:container_t:s0`.
    Label(Box<SelinuxLabel>),
}

/// The parts of an SELinux label `label=` options set; unset parts keep Docker's defaults.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelinuxLabel {
    pub user: Option<Located<String>>,
    pub role: Option<Located<String>>,
    pub kind: Option<Located<String>>,
    pub level: Option<Located<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    #[default]
    Default,
    Host,
    None,
}
