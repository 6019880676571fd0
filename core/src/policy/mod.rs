//! The Kubernetes Pod Security Standards, checked at compile time: each control a service can
//! break is one function (in `host`, `confinement` and `process`), run after the output sections on the values they
//! computed, and reports where the spec (or an option) breaks it. `options.policy` picks the
//! level, `options.policyMode` whether a violation is an error or a warning.
//!
//! The controls read only the service model and the computed facts, never the spec text, so
//! every front end that fills the model gets the same checks.

mod confinement;
mod host;
mod process;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::options::{PolicyLevel, PolicyMode};

/// What the compile computed that a control needs: checked as the config will hold it, never
/// derived again from the spec.
pub struct Facts<'a> {
    /// The final capability set (bounding = effective = permitted), kernel names.
    pub capabilities: &'a [&'static str],
    /// The uid the process runs as, when the user resolved (`None` after an error).
    pub uid: Option<u32>,
    /// `process.noNewPrivileges`.
    pub no_new_privileges: bool,
    /// Whether the config has a `linux.seccomp` filter.
    pub seccomp: bool,
}

/// One broken control: its code, where, what, and what would pass.
struct Violation {
    code: &'static str,
    at: Loc,
    message: String,
    hint: String,
}

/// A control: reports what breaks it at `level` (the control's own level or a stricter one).
type Control = fn(&Context<'_>, &Facts<'_>, PolicyLevel, &mut Vec<Violation>);

/// Every control, with the lowest level that checks it, in the order of the standard.
const CONTROLS: &[(PolicyLevel, Control)] = &[
    (PolicyLevel::Baseline, host::host_namespaces),
    (PolicyLevel::Baseline, host::privileged),
    (PolicyLevel::Baseline, process::capabilities),
    (PolicyLevel::Baseline, host::host_path),
    (PolicyLevel::Baseline, host::volume_types),
    (PolicyLevel::Baseline, confinement::seccomp),
    (PolicyLevel::Baseline, confinement::apparmor),
    (PolicyLevel::Baseline, confinement::selinux),
    (PolicyLevel::Baseline, host::sysctls),
    (PolicyLevel::Restricted, process::privilege_escalation),
    (PolicyLevel::Restricted, process::run_as_non_root),
];

/// Checks the service against `options.policy`: each violation an error under `enforce`, a
/// warning under `warn`. The `privileged` level checks nothing.
pub fn check(ctx: &Context<'_>, facts: &Facts<'_>, diags: &mut Diagnostics) {
    let level = ctx.options.policy;
    let mut found = Vec::new();
    for (lowest, control) in CONTROLS {
        if level >= *lowest {
            control(ctx, facts, level, &mut found);
        }
    }
    for violation in found {
        let diagnostic = match ctx.options.policy_mode {
            PolicyMode::Enforce => {
                Diagnostic::error_at(violation.code, &violation.at, violation.message)
            }
            PolicyMode::Warn => {
                Diagnostic::warning_at(violation.code, &violation.at, violation.message)
            }
        };
        diags.push(diagnostic.with_hint(violation.hint));
    }
}

/// The level's name as the options write it.
fn level_name(level: PolicyLevel) -> &'static str {
    match level {
        PolicyLevel::Privileged => "privileged",
        PolicyLevel::Baseline => "baseline",
        PolicyLevel::Restricted => "restricted",
    }
}

/// Adds a violation at a place.
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
