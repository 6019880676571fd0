//! The process: argv, working directory, environment, user, capabilities and rlimits, each
//! read by its own module.

mod capabilities;
mod command;
mod env;
mod lsm;
mod rlimits;
mod user;

use oci_spec::runtime::{LinuxCapabilitiesBuilder, Process, ProcessBuilder};
use oci_spec::OciSpecError;

use crate::caps::to_capability;
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
) -> Result<(Process, Option<u32>), OciSpecError> {
    let args = args(ctx, diags);
    let env = env(ctx, gpu_env, diags);
    let (user, uid) = user(ctx, diags)?;
    let capability_set: oci_spec::runtime::Capabilities = capabilities
        .iter()
        .filter_map(|name| to_capability(name))
        .collect();
    let capabilities = LinuxCapabilitiesBuilder::default()
        .bounding(capability_set.clone())
        .effective(capability_set.clone())
        .permitted(capability_set)
        .inheritable(oci_spec::runtime::Capabilities::new())
        .ambient(oci_spec::runtime::Capabilities::new())
        .build()?;
    // `security_opt: [no-new-privileges:…]` wins even when privileged, as in Docker; without
    // it, a privileged container may gain privileges and any other may not.
    let no_new_privileges = ctx
        .service
        .confinement
        .no_new_privileges
        .as_ref()
        .map_or(!ctx.service.privileged, |written| written.value);
    let mut builder = ProcessBuilder::default()
        .terminal(ctx.service.tty)
        .user(user)
        .args(args)
        .env(env)
        .cwd(cwd(ctx, diags))
        .capabilities(capabilities)
        .rlimits(rlimits(ctx, diags)?)
        .no_new_privileges(no_new_privileges);
    if let Some(profile) = apparmor_profile(ctx, diags) {
        builder = builder.apparmor_profile(profile);
    }
    if let Some(label) = selinux_label(ctx, diags) {
        builder = builder.selinux_label(label);
    }
    if let Some(adjust) = ctx.service.resources.oom_score_adj {
        builder = builder.oom_score_adj(adjust);
    }
    Ok((builder.build()?, uid))
}
