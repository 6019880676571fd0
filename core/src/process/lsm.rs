//! The Linux security module labels: the AppArmor profile and the SELinux label that
//! `security_opt` asks for, checked against what the inventory says the node has loaded.

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{closest, Diagnostic, Diagnostics, Loc};
use crate::spec::{AppArmorChoice, SelinuxChoice};

/// Docker's label for containers, whose parts `label=user:…` and the others replace.
const DEFAULT_SELINUX: [&str; 4] = ["system_u", "system_r", "container_t", "s0"];

/// `process.apparmorProfile`: the profile `apparmor=NAME` names, when the node has it.
/// bundlec loads no profile of its own, so without the option there is none.
pub(super) fn apparmor_profile(ctx: &Context<'_>, diags: &mut Diagnostics) -> Option<String> {
    let choice = ctx.service.confinement.apparmor.as_ref()?;
    let AppArmorChoice::Profile(name) = &choice.value else {
        return None;
    };
    if ctx.service.privileged {
        ignored_when_privileged(diags, &choice.at, "AppArmor profile");
        return None;
    }
    if let Some(apparmor) = &ctx.inventory.host.apparmor {
        let problem = if !apparmor.enabled {
            Some(format!(
                "AppArmor profile `{name}` is asked for, but AppArmor is disabled on the node"
            ))
        } else if !apparmor.profiles.iter().any(|loaded| loaded == name) {
            Some(format!(
                "AppArmor profile `{name}` is not loaded on the node"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let mut error =
                Diagnostic::error_at(codes::APPARMOR_PROFILE_NOT_LOADED, &choice.at, message);
            error = match closest(name, apparmor.profiles.iter().map(String::as_str)) {
                Some(near) if apparmor.enabled => error.with_hint(format!("did you mean `{near}`?")),
                _ => error.with_hint(
                    "load the profile on the node (`apparmor_parser -r FILE`) and probe it again, or remove the option",
                ),
            };
            diags.push(error);
            return None;
        }
    }
    Some(name.clone())
}

/// `process.selinuxLabel`: Docker's `system_u:system_r:container_t:s0` with the parts
/// `label=` options set; none for `label=disable` or without the options.
pub(super) fn selinux_label(ctx: &Context<'_>, diags: &mut Diagnostics) -> Option<String> {
    let SelinuxChoice::Label(label) = ctx.service.confinement.selinux.as_ref()? else {
        return None;
    };
    let parts = [&label.user, &label.role, &label.kind, &label.level];
    let first = parts.iter().copied().flatten().next()?;
    if ctx.service.privileged {
        ignored_when_privileged(diags, &first.at, "SELinux label");
        return None;
    }
    if ctx
        .inventory
        .host
        .selinux
        .is_some_and(|selinux| !selinux.enabled)
    {
        // runc refuses a label on a node without SELinux.
        diags.error_hint(
            codes::SELINUX_NOT_ENABLED,
            &first.at,
            "an SELinux label is set, but SELinux is not enabled on the node",
            "remove the `label=` options for this node",
        );
        return None;
    }
    let mut label_text = String::new();
    for (written, default) in parts.iter().zip(DEFAULT_SELINUX) {
        if !label_text.is_empty() {
            label_text.push(':');
        }
        label_text.push_str(written.as_ref().map_or(default, |part| part.value.as_str()));
    }
    Some(label_text)
}

fn ignored_when_privileged(diags: &mut Diagnostics, at: &Loc, what: &str) {
    diags.warning_hint(
        codes::IGNORED_WHEN_PRIVILEGED,
        at,
        format!("a privileged container runs without an {what}; this option is ignored"),
        "remove `privileged: true` to confine the container",
    );
}
