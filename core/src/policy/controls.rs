//! One function per control of the Pod Security Standards, each reporting at the key that
//! breaks it, or at the service's name when a default the spec does not mention does.

use super::{level_name, Facts, Violation};
use crate::caps::{read_written, Written};
use crate::codes;
use crate::context::Context;
use crate::diagnostic::Loc;
use crate::options::PolicyLevel;
use crate::spec::{AppArmorChoice, Seccomp, SelinuxChoice, StorageKind};

/// The capabilities baseline lets a spec add (Kubernetes' list).
const BASELINE_ADDABLE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The one capability restricted lets the process hold.
const RESTRICTED_CAPABILITY: &str = "NET_BIND_SERVICE";

/// The SELinux types baseline allows.
const SELINUX_TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t"];

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

fn violation(
    found: &mut Vec<Violation>,
    code: &'static str,
    at: &Loc,
    message: String,
    hint: impl Into<String>,
) {
    found.push(Violation {
        code,
        at: at.clone(),
        message,
        hint: hint.into(),
    });
}

/// Where a key of the service is written, else the service's name.
fn key_or_service<'a>(ctx: &'a Context<'_>, key: &str) -> &'a Loc {
    ctx.service.written(key).unwrap_or(&ctx.service.at)
}

/// Host namespaces: bundlec always gives PID and IPC namespaces, so only the network.
pub(super) fn host_namespaces(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    let level = level_name(level);
    if ctx.service.network_mode == crate::spec::NetworkMode::Host {
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

/// Baseline: what `capabilities`/`cap_add` adds, as Kubernetes checks `capabilities.add`.
/// Restricted: each added capability but NET_BIND_SERVICE, and the final set, which may hold
/// nothing else (the defaults must be dropped).
pub(super) fn capabilities(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    let restricted = level >= PolicyLevel::Restricted;
    let name = level_name(level);
    if ctx.service.privileged {
        // cap_add and cap_drop are ignored; the privileged control reports the key itself.
        if restricted {
            violation(
                found,
                codes::POLICY_CAPABILITIES,
                key_or_service(ctx, "privileged"),
                format!("a privileged container holds every capability; the {name} policy allows only {RESTRICTED_CAPABILITY}"),
                "remove `privileged: true`, drop every capability (`cap_drop: [ALL]`) and add back only NET_BIND_SERVICE if the service needs it",
            );
        }
        return;
    }
    let (allowed, hint) = if restricted {
        (
            &[RESTRICTED_CAPABILITY][..],
            "add only NET_BIND_SERVICE, after `cap_drop: [ALL]`".to_string(),
        )
    } else {
        (
            BASELINE_ADDABLE,
            format!("add only {}", BASELINE_ADDABLE.join(", ")),
        )
    };
    // Capabilities an add already reported accounts for, so the final set is not reported twice.
    let mut reported: Vec<&str> = Vec::new();
    for added in &ctx.service.cap_add {
        match read_written(&added.value) {
            Written::All => {
                reported.extend(facts.capabilities);
                violation(
                    found,
                    codes::POLICY_CAPABILITIES,
                    &added.at,
                    format!("adding `ALL` gives every capability, which the {name} policy forbids"),
                    hint.clone(),
                );
            }
            Written::One(cap) if !allowed.contains(&cap) => {
                reported.push(cap);
                violation(
                    found,
                    codes::POLICY_CAPABILITIES,
                    &added.at,
                    format!("capability {cap} is added, which the {name} policy forbids"),
                    hint.clone(),
                );
            }
            // Unknown names are the capabilities section's error.
            Written::One(_) | Written::Unknown => {}
        }
    }
    if !restricted {
        return;
    }
    let kept: Vec<&str> = facts
        .capabilities
        .iter()
        .copied()
        .filter(|cap| *cap != RESTRICTED_CAPABILITY && !reported.contains(cap))
        .collect();
    if !kept.is_empty() {
        violation(
            found,
            codes::POLICY_CAPABILITIES,
            key_or_service(ctx, "cap_drop"),
            format!(
                "the container keeps {}, which the {name} policy forbids: only {RESTRICTED_CAPABILITY} may remain",
                kept.join(", ")
            ),
            "drop every capability (`cap_drop: [ALL]`) and add back only NET_BIND_SERVICE if the service binds a port below 1024",
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

/// Baseline: not `seccomp=unconfined`. Restricted: the config has a filter.
pub(super) fn seccomp(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    let name = level_name(level);
    match &ctx.service.confinement.seccomp {
        Seccomp::Unconfined(at) if !ctx.service.privileged => {
            violation(
                found,
                codes::POLICY_SECCOMP,
                at,
                format!("`seccomp=unconfined` turns the seccomp filter off, which the {name} policy forbids"),
                "remove `seccomp=unconfined` to get Docker's default profile",
            );
            return;
        }
        // A profile that could not be read is already an error of the seccomp section.
        Seccomp::Profile(_) if !ctx.service.privileged && !facts.seccomp => return,
        _ => {}
    }
    if level >= PolicyLevel::Restricted && !facts.seccomp {
        let (at, hint) = if ctx.service.privileged {
            (
                key_or_service(ctx, "privileged"),
                "remove `privileged: true`: Docker's default seccomp profile then applies",
            )
        } else {
            (
                &ctx.service.at,
                "Docker's default seccomp profile (no option) or a `seccomp=PATH` profile passes",
            )
        };
        violation(
            found,
            codes::POLICY_SECCOMP,
            at,
            format!("the container runs without a seccomp filter, which the {name} policy forbids"),
            hint,
        );
    }
}

pub(super) fn apparmor(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    if let Some(choice) = &ctx.service.confinement.apparmor {
        if choice.value == AppArmorChoice::Unconfined {
            violation(
                found,
                codes::POLICY_APPARMOR,
                &choice.at,
                format!("`apparmor=unconfined` runs the container without AppArmor, which the {} policy forbids", level_name(level)),
                "remove the option to run under the node's default, or name a loaded profile (`apparmor=NAME`)",
            );
        }
    }
}

/// The type only container_t, container_init_t or container_kvm_t; no user or role; not
/// `label=disable` (which runs the container as `spc_t`).
pub(super) fn selinux(
    ctx: &Context<'_>,
    _: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    let name = level_name(level);
    match &ctx.service.confinement.selinux {
        None => {}
        Some(SelinuxChoice::Disabled(at)) => violation(
            found,
            codes::POLICY_SELINUX,
            at,
            format!("`label=disable` turns SELinux separation off, which the {name} policy forbids"),
            "remove `label=disable`; a `label=type:` of container_t, container_init_t or container_kvm_t passes",
        ),
        Some(SelinuxChoice::Label(label)) => {
            if let Some(kind) = label
                .kind
                .as_ref()
                .filter(|kind| !SELINUX_TYPES.contains(&kind.value.as_str()))
            {
                violation(
                    found,
                    codes::POLICY_SELINUX,
                    &kind.at,
                    format!("the SELinux type `{}` is not one the {name} policy allows", kind.value),
                    "use `label=type:container_t`, `container_init_t` or `container_kvm_t`, or remove the option",
                );
            }
            for (part, what) in [(&label.user, "user"), (&label.role, "role")] {
                if let Some(part) = part {
                    violation(
                        found,
                        codes::POLICY_SELINUX,
                        &part.at,
                        format!("the SELinux {what} `{}` is set, which the {name} policy forbids", part.value),
                        format!("remove `label={what}:…`: the {what} stays Docker's default"),
                    );
                }
            }
        }
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

/// `process.noNewPrivileges` as the compile set it.
pub(super) fn privilege_escalation(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    if facts.no_new_privileges {
        return;
    }
    let (at, hint) = match &ctx.service.confinement.no_new_privileges {
        Some(written) => (&written.at, "remove `no-new-privileges:false`"),
        None => (
            key_or_service(ctx, "privileged"),
            "remove `privileged: true`: no-new-privileges is then on",
        ),
    };
    violation(
        found,
        codes::POLICY_PRIVILEGE_ESCALATION,
        at,
        format!("the process may gain privileges (no-new-privileges is off), which the {} policy forbids", level_name(level)),
        hint,
    );
}

/// The uid the compile resolved; a user that failed to resolve is already an error.
pub(super) fn run_as_non_root(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    level: PolicyLevel,
    found: &mut Vec<Violation>,
) {
    if facts.uid != Some(0) {
        return;
    }
    let name = level_name(level);
    let image_user = ctx.image.user.as_ref().filter(|user| !user.is_empty());
    let (at, message) = match (&ctx.service.user, image_user) {
        (Some(user), _) => (
            user.at.clone(),
            format!(
                "user `{}` is uid 0, which the {name} policy forbids",
                user.value
            ),
        ),
        (None, Some(user)) => (
            Loc::at("imageConfig.User"),
            format!("the image's user `{user}` is uid 0, which the {name} policy forbids"),
        ),
        (None, None) => (
            ctx.service.at.clone(),
            format!(
                "without `user`, the process runs as root (uid 0), which the {name} policy forbids"
            ),
        ),
    };
    violation(
        found,
        codes::POLICY_RUN_AS_NON_ROOT,
        &at,
        message,
        "set `user` to a non-root uid (`user: \"1000:1000\"`) or a name the image maps to one",
    );
}
