//! The rlimits: `ulimits` by name, and containerd's open-files default.

use crate::codes;
use crate::config::Rlimit;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// rlimit names as `ulimits` writes them, with their OCI types.
const RLIMITS: &[(&str, &str)] = &[
    ("as", "RLIMIT_AS"),
    ("core", "RLIMIT_CORE"),
    ("cpu", "RLIMIT_CPU"),
    ("data", "RLIMIT_DATA"),
    ("fsize", "RLIMIT_FSIZE"),
    ("locks", "RLIMIT_LOCKS"),
    ("memlock", "RLIMIT_MEMLOCK"),
    ("msgqueue", "RLIMIT_MSGQUEUE"),
    ("nice", "RLIMIT_NICE"),
    ("nofile", "RLIMIT_NOFILE"),
    ("nproc", "RLIMIT_NPROC"),
    ("rss", "RLIMIT_RSS"),
    ("rtprio", "RLIMIT_RTPRIO"),
    ("rttime", "RLIMIT_RTTIME"),
    ("sigpending", "RLIMIT_SIGPENDING"),
    ("stack", "RLIMIT_STACK"),
];

/// containerd's default open-files limit, used when `ulimits` does not set `nofile`.
const DEFAULT_NOFILE: u64 = 1024;

pub(super) fn rlimits(ctx: &Context<'_>, diags: &mut Diagnostics) -> Vec<Rlimit> {
    let mut limits = Vec::new();
    let mut has_nofile = false;
    for ulimit in &ctx.service.ulimits {
        let name = ulimit.name.value.to_ascii_lowercase();
        let Some((_, typ)) = RLIMITS.iter().find(|(known, _)| *known == name) else {
            let mut error = Diagnostic::error_at(
                codes::UNKNOWN_ULIMIT,
                &ulimit.name.at,
                format!("`{}` is not a resource limit", ulimit.name.value),
            );
            if let Some(near) =
                crate::diagnostic::closest(&name, RLIMITS.iter().map(|(known, _)| *known))
            {
                error = error.with_hint(format!("did you mean `{near}`?"));
            }
            diags.push(error);
            continue;
        };
        has_nofile |= name == "nofile";
        limits.push(Rlimit {
            kind: typ,
            hard: ulimit.hard,
            soft: ulimit.soft,
        });
    }
    if !has_nofile {
        limits.insert(
            0,
            Rlimit {
                kind: "RLIMIT_NOFILE",
                hard: DEFAULT_NOFILE,
                soft: DEFAULT_NOFILE,
            },
        );
    }
    limits
}
