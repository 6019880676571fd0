//! The controls on the service's confinement: seccomp, AppArmor and SELinux.

use super::{key_or_service, level_name, violation, Facts, Violation};
use crate::codes;
use crate::context::Context;
use crate::options::PolicyLevel;
use crate::spec::{AppArmorChoice, Seccomp, SelinuxChoice};

/// The SELinux types baseline allows.
const SELINUX_TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t"];

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
