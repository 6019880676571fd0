//! The rlimits: `ulimits` by name, and containerd's open-files default.

use oci_spec::runtime::{PosixRlimit, PosixRlimitBuilder, PosixRlimitType};
use oci_spec::OciSpecError;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// rlimit names as `ulimits` writes them, with their OCI types.
const RLIMITS: &[(&str, PosixRlimitType)] = &[
    ("as", PosixRlimitType::RlimitAs),
    ("core", PosixRlimitType::RlimitCore),
    ("cpu", PosixRlimitType::RlimitCpu),
    ("data", PosixRlimitType::RlimitData),
    ("fsize", PosixRlimitType::RlimitFsize),
    ("locks", PosixRlimitType::RlimitLocks),
    ("memlock", PosixRlimitType::RlimitMemlock),
    ("msgqueue", PosixRlimitType::RlimitMsgqueue),
    ("nice", PosixRlimitType::RlimitNice),
    ("nofile", PosixRlimitType::RlimitNofile),
    ("nproc", PosixRlimitType::RlimitNproc),
    ("rss", PosixRlimitType::RlimitRss),
    ("rtprio", PosixRlimitType::RlimitRtprio),
    ("rttime", PosixRlimitType::RlimitRttime),
    ("sigpending", PosixRlimitType::RlimitSigpending),
    ("stack", PosixRlimitType::RlimitStack),
];

/// containerd's default open-files limit, used when `ulimits` does not set `nofile`.
const DEFAULT_NOFILE: u64 = 1024;

pub(super) fn rlimits(
    ctx: &Context<'_>,
    diags: &mut Diagnostics,
) -> Result<Vec<PosixRlimit>, OciSpecError> {
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
        limits.push(
            PosixRlimitBuilder::default()
                .typ(*typ)
                .soft(ulimit.soft)
                .hard(ulimit.hard)
                .build()?,
        );
    }
    if !has_nofile {
        limits.insert(
            0,
            PosixRlimitBuilder::default()
                .typ(PosixRlimitType::RlimitNofile)
                .soft(DEFAULT_NOFILE)
                .hard(DEFAULT_NOFILE)
                .build()?,
        );
    }
    Ok(limits)
}
