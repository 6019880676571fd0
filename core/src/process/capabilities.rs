//! The capability set, from the defaults, `cap_add`, `cap_drop` and `privileged`, as Docker
//! computes it.

use crate::caps::{read_written, Written, ALL_CAPABILITIES, DEFAULT_CAPABILITIES};
use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Located};

/// The capability set, in kernel order. Privileged: every capability the node can grant (the
/// inventory's bounding set, else every one the kernel knows), and `cap_add`/`cap_drop` are
/// ignored (as Docker does). Otherwise, as Docker: `cap_add: [ALL]` is every capability minus
/// the drops; `cap_drop: [ALL]` keeps only the adds; else the defaults minus drops plus adds.
pub fn capabilities(ctx: &Context<'_>, diags: &mut Diagnostics) -> Vec<&'static str> {
    let add = capability_list(&ctx.service.cap_add, diags);
    let drop = capability_list(&ctx.service.cap_drop, diags);
    if ctx.service.privileged {
        if let Some(first) = ctx.service.cap_add.first().or(ctx.service.cap_drop.first()) {
            diags.warning_hint(
                codes::IGNORED_WHEN_PRIVILEGED,
                &first.at,
                "a privileged container has every capability; cap_add and cap_drop are ignored",
                "remove `privileged: true` to choose capabilities",
            );
        }
        return match &ctx.inventory.host.capabilities {
            // The inventory's names are checked when it is read: each is a known capability.
            Some(bounding) => ALL_CAPABILITIES
                .iter()
                .copied()
                .filter(|cap| bounding.iter().any(|held| held == cap))
                .collect(),
            None => ALL_CAPABILITIES.to_vec(),
        };
    }
    let (added_all, added) = add;
    let (dropped_all, dropped) = drop;
    let set: Vec<&'static str> = if added_all {
        ALL_CAPABILITIES
            .iter()
            .copied()
            .filter(|cap| !dropped.contains(cap))
            .collect()
    } else if dropped_all {
        added
    } else {
        let mut set: Vec<&'static str> = DEFAULT_CAPABILITIES
            .iter()
            .copied()
            .filter(|cap| !dropped.contains(cap))
            .collect();
        set.extend(added);
        set
    };
    // Kernel order, each once: marks by position rather than a sort (every name in the set is
    // one of ALL_CAPABILITIES).
    let mut present = vec![false; ALL_CAPABILITIES.len()];
    for name in &set {
        let position = ALL_CAPABILITIES.iter().position(|known| known == name);
        if let Some(mark) = position.and_then(|i| present.get_mut(i)) {
            *mark = true;
        }
    }
    ALL_CAPABILITIES
        .iter()
        .zip(&present)
        .filter_map(|(name, &present)| present.then_some(*name))
        .collect()
}

/// The capabilities a list names, and whether it says `ALL`.
fn capability_list(
    written: &[Located<String>],
    diags: &mut Diagnostics,
) -> (bool, Vec<&'static str>) {
    let mut all = false;
    let mut names = Vec::new();
    for cap in written {
        match read_capability(cap, diags) {
            Some(CapabilityName::All) => all = true,
            Some(CapabilityName::One(name)) => names.push(name),
            None => {}
        }
    }
    (all, names)
}

enum CapabilityName {
    All,
    One(&'static str),
}

/// `NET_ADMIN`, `CAP_NET_ADMIN` and `net_admin` name one capability; `ALL` names every one.
fn read_capability(written: &Located<String>, diags: &mut Diagnostics) -> Option<CapabilityName> {
    match read_written(&written.value) {
        Written::All => Some(CapabilityName::All),
        Written::One(known) => Some(CapabilityName::One(known)),
        Written::Unknown => {
            let upper = written.value.trim().to_ascii_uppercase();
            let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
            let mut error = Diagnostic::error_at(
                codes::UNKNOWN_CAPABILITY,
                &written.at,
                format!("`{}` is not a Linux capability", written.value),
            );
            if let Some(near) = crate::diagnostic::closest(name, ALL_CAPABILITIES.iter().copied()) {
                error = error.with_hint(format!("did you mean `{near}`?"));
            }
            diags.push(error);
            None
        }
    }
}
