//! The process: argv, working directory, environment, user, capabilities and rlimits, each
//! read by its own module.

mod capabilities;
mod command;
mod env;
mod lsm;
mod rlimits;
mod user;

use crate::config::Process;
use crate::context::Context;
use crate::diagnostic::Diagnostics;
pub use capabilities::capabilities;
use command::{args, cwd};
use env::env;
use lsm::{apparmor_profile, selinux_label};
use rlimits::rlimits;
use user::user;

/// The process section, and the uid it runs as when the user resolved (`None` after an error).
pub fn process(
    ctx: &Context<'_>,
    gpu_env: &[(String, String)],
    capabilities: &[&'static str],
    diags: &mut Diagnostics,
) -> (Process, Option<u32>) {
    let args = args(ctx, diags);
    let env = env(ctx, gpu_env, diags);
    let (user, uid) = user(ctx, diags);
    // `security_opt: [no-new-privileges:…]` wins even when privileged, as in Docker; without
    // it, a privileged container may gain privileges and any other may not.
    let no_new_privileges = ctx
        .service
        .confinement
        .no_new_privileges
        .as_ref()
        .map_or(!ctx.service.privileged, |written| written.value);
    let process = Process {
        terminal: ctx.service.tty,
        user,
        args,
        env,
        cwd: cwd(ctx, diags),
        capabilities: capabilities.to_vec(),
        rlimits: rlimits(ctx, diags),
        no_new_privileges,
        apparmor_profile: apparmor_profile(ctx, diags),
        oom_score_adj: ctx.service.resources.oom_score_adj,
        selinux_label: selinux_label(ctx, diags),
    };
    (process, uid)
}
