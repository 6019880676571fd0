//! The controls on what the process may do: its capabilities, whether it may gain privileges,
//! and its uid.

use super::{key_or_service, level_name, violation, Facts, Violation};
use crate::caps::{read_written, Written};
use crate::codes;
use crate::context::Context;
use crate::diagnostic::Loc;
use crate::options::PolicyLevel;

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
    // What the adds already reported account for, so the final set is not reported twice
    // (each name once: the list stays within the 41 capabilities, however long `cap_add` is).
    let mut all_reported = false;
    let mut reported: Vec<&str> = Vec::new();
    for added in &ctx.service.cap_add {
        match read_written(&added.value) {
            Written::All => {
                all_reported = true;
                violation(
                    found,
                    codes::POLICY_CAPABILITIES,
                    &added.at,
                    format!("adding `ALL` gives every capability, which the {name} policy forbids"),
                    hint.clone(),
                );
            }
            Written::One(cap) if !allowed.contains(&cap) => {
                if !reported.contains(&cap) {
                    reported.push(cap);
                }
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
    if !restricted || all_reported {
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
