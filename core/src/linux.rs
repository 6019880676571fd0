//! The linux section and the hostname: namespaces, the devices and resources the other
//! sections built, masked and read-only paths, sysctls, and the rootfs propagation.

use crate::codes;
use crate::config::{Device, Linux, Resources};
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc};
use crate::names::valid_hostname;

/// containerd's masked paths, plus /proc/interrupts and powercap (energy side channels).
pub const MASKED_PATHS: &[&str] = &[
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/sys/devices/virtual/powercap",
    "/sys/firmware",
];

pub const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// IPC sysctls that the IPC namespace isolates (as Docker allows them).
const IPC_SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

pub fn linux(
    ctx: &Context<'_>,
    devices: Vec<Device>,
    resources: Resources,
    diags: &mut Diagnostics,
) -> Linux {
    let mut namespaces = vec!["pid", "ipc", "uts", "mount"];
    if !ctx.host_network() {
        namespaces.push("network");
    }
    namespaces.push("cgroup");
    let privileged = ctx.service.privileged;
    Linux {
        net_devices: Vec::new(),
        sysctl: sysctls(ctx, diags),
        resources,
        namespaces,
        devices,
        rootfs_propagation: "private",
        // A privileged container has neither list.
        masked_paths: (!privileged).then_some(MASKED_PATHS),
        readonly_paths: (!privileged).then_some(READONLY_PATHS),
        intel_rdt: None,
    }
}

/// Only sysctls the container's namespaces isolate; `net.*` needs its own network namespace.
fn sysctls(ctx: &Context<'_>, diags: &mut Diagnostics) -> Vec<(String, String)> {
    let mut accepted = Vec::new();
    for (name, value) in &ctx.service.sysctls {
        let key = name.value.as_str();
        let namespaced =
            IPC_SYSCTLS.contains(&key) || key.starts_with("fs.mqueue.") || key.starts_with("net.");
        if !namespaced {
            diags.error_hint(
                codes::SYSCTL_NOT_NAMESPACED,
                &name.at,
                format!("sysctl `{key}` is not isolated by the container's namespaces"),
                "only net.*, fs.mqueue.* and the IPC kernel.* sysctls may be set per container",
            );
        } else if key.starts_with("net.") && ctx.host_network() {
            diags.error_hint(
                codes::SYSCTL_HOST_NETWORK,
                &name.at,
                format!("sysctl `{key}` would change the host's network"),
                "drop it, or give the container its own network namespace",
            );
        } else if value.is_empty() || value.contains(['\n', '\0']) {
            diags.error(
                codes::BAD_SYSCTL,
                &name.at,
                format!("sysctl `{key}` has an empty or multi-line value"),
            );
        } else {
            accepted.push((key.to_string(), value.clone()));
        }
    }
    accepted
}

/// `<service>-rep-<replica>`, or `<project>-<service>-<replica>` for a Compose service as
/// Compose names its containers (`_` and `.` become `-`, which a hostname cannot hold).
fn default_hostname(ctx: &Context<'_>) -> String {
    let service = &ctx.service.name;
    match &ctx.service.project {
        None => format!("{service}-rep-{}", ctx.replica),
        Some(project) => format!("{project}-{service}-{}", ctx.replica)
            .chars()
            .map(|c| if c == '_' || c == '.' { '-' } else { c })
            .collect(),
    }
}

/// Override, spec hostname, else the default; always a valid RFC 1123 name.
pub fn hostname(ctx: &Context<'_>, diags: &mut Diagnostics) -> String {
    let (name, at) = match (&ctx.options.hostname, &ctx.service.hostname) {
        (Some(name), _) => (name.clone(), Loc::at("options.hostname")),
        (None, Some(name)) => (name.value.clone(), name.at.clone()),
        (None, None) => (default_hostname(ctx), ctx.service.at.clone()),
    };
    if !valid_hostname(&name) {
        diags.error_hint(codes::BAD_HOSTNAME, &at, format!("`{name}` is not a valid hostname"), "use letters, digits and dashes in dot-separated labels of 1 to 63, at most 64 in all, not starting or ending with a dash");
    }
    name
}
