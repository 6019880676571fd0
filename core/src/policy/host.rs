//! The controls on what the service takes from the host: its network namespace, privileged
//! mode, its paths and devices, and kernel parameters (sysctls).

use super::{key_or_service, level_name, violation, Facts, Violation};
use crate::codes;
use crate::context::Context;
use crate::diagnostic::Loc;
use crate::options::PolicyLevel;
use crate::spec::{NetworkMode, StorageKind};

/// The sysctls baseline allows (the latest Kubernetes list of safe sysctls).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// Host namespaces: bundlec always gives PID and IPC namespaces, so only the network.
pub(super) fn host_namespaces(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    let level = level_name(level);
    if ctx.service.network_mode == NetworkMode::Host {
        violation(
            found,
            codes::POLICY_HOST_NAMESPACES,
            key_or_service(ctx, "network_mode"),
            format!("`network_mode: host` shares the host's network namespace, which the {level} policy forbids"),
            "remove `network_mode: host`: the container then gets a network namespace of its own",
        );
    }
    if ctx.options.host_network {
        violation(
            found,
            codes::POLICY_HOST_NAMESPACES,
            &Loc::at("options.hostNetwork"),
            format!("the host network option shares the host's network namespace, which the {level} policy forbids"),
            "compile without `--host-network` (`options.hostNetwork`)",
        );
    }
}

pub(super) fn privileged(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    if ctx.service.privileged {
        violation(
            found,
            codes::POLICY_PRIVILEGED,
            key_or_service(ctx, "privileged"),
            format!("a privileged container holds every capability and device of the node, which the {} policy forbids", level_name(level)),
            "remove `privileged: true`; add only the capabilities and devices the service needs",
        );
    }
}

/// Host paths: bind storage and the host socket option.
pub(super) fn host_path(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    let name = level_name(level);
    for storage in &ctx.service.storage {
        if let StorageKind::Bind { source } = &storage.kind {
            violation(
                found,
                codes::POLICY_HOST_PATH,
                &source.at,
                format!(
                    "the host path `{}` is mounted at `{}`, which the {name} policy forbids",
                    source.value, storage.target.value
                ),
                "use a named volume (`type: named`) the platform places, or tmpfs for scratch space",
            );
        }
    }
    if let Some(socket) = &ctx.options.socket {
        violation(
            found,
            codes::POLICY_HOST_PATH,
            &Loc::at("options.socket"),
            format!("the host socket `{socket}` is mounted into the container, which the {name} policy forbids"),
            "compile without the socket option",
        );
    }
}

/// Devices of the host passed through by path; GPU and CDI requests are the node's to describe.
pub(super) fn volume_types(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    for device in &ctx.service.devices {
        violation(
            found,
            codes::POLICY_VOLUME_TYPES,
            &device.path.at,
            format!(
                "the host device `{}` is passed through, which the {} policy forbids",
                device.path.value,
                level_name(level)
            ),
            "request GPUs through `resources.gpu` and other devices by their CDI name, or remove the entry",
        );
    }
}

pub(super) fn sysctls(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    for (key, _) in &ctx.service.sysctls {
        if !SAFE_SYSCTLS.contains(&key.value.as_str()) {
            violation(
                found,
                codes::POLICY_SYSCTLS,
                &key.at,
                format!("sysctl `{}` is not in the safe set the {} policy allows", key.value, level_name(level)),
                "remove it or set it on the node; `bundlec explain policy-sysctls` lists the safe ones",
            );
        }
    }
}
