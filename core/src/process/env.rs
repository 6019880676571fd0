//! The environment: the image's, then the spec's (with `$E:`/`$S:` resolved), then the GPUs'.

use std::collections::BTreeMap;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc};
use crate::names::valid_env_key;
use crate::spec::EnvValue;

/// The PATH a container gets when neither the image nor the spec sets one.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The environment in first-set order, where a later key replaces an earlier one in place.
/// An index by key keeps every set O(log n), so a hundred thousand keys stay fast.
/// Keys are borrowed from the inputs, which outlive it.
#[derive(Default)]
struct EnvVars<'k> {
    vars: Vec<(&'k str, String)>,
    index: BTreeMap<&'k str, usize>,
}

impl<'k> EnvVars<'k> {
    fn set(&mut self, key: &'k str, value: String) {
        match self.index.get(key).and_then(|&i| self.vars.get_mut(i)) {
            Some(existing) => existing.1 = value,
            None => {
                self.index.insert(key, self.vars.len());
                self.vars.push((key, value));
            }
        }
    }

    fn set_default(&mut self, key: &'k str, value: &str) {
        if !self.index.contains_key(key) {
            self.set(key, value.to_string());
        }
    }
}

pub(super) fn env(
    ctx: &Context<'_>,
    gpu_env: &[(String, String)],
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut vars = EnvVars::default();
    for (i, entry) in ctx.image.env.iter().flatten().enumerate() {
        match entry.split_once('=') {
            Some((key, value)) if valid_env_key(key) => vars.set(key, value.to_string()),
            _ => diags.error(
                codes::BAD_ENV_KEY,
                &Loc::at(format!("imageConfig.Env[{i}]")),
                format!(
                    "image env entry `{}` is not KEY=VALUE",
                    entry.escape_debug()
                ),
            ),
        }
    }
    // The image's GPU variables (`NVIDIA_VISIBLE_DEVICES=all` in CUDA images) yield to the
    // assignment; the user's spec and options still win over it.
    for (key, value) in gpu_env {
        vars.set(key, value.clone());
    }
    for var in &ctx.service.env {
        if let Some(value) = resolve(ctx, &var.value, &var.at, diags) {
            vars.set(&var.key, value);
        }
    }
    for (key, value) in &ctx.options.env.0 {
        if valid_env_key(key) {
            vars.set(key, value.clone());
        } else {
            diags.error(
                codes::BAD_ENV_KEY,
                &Loc::at(format!("options.env.{key}")),
                format!(
                    "`{}` is not a valid environment variable name",
                    key.escape_debug()
                ),
            );
        }
    }
    vars.set_default("PATH", DEFAULT_PATH);
    vars.set_default("TERM", "xterm");
    vars.vars
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect()
}

/// `$E:` and `$S:` values come from the options; the reference text never reaches the container.
fn resolve(
    ctx: &Context<'_>,
    value: &EnvValue,
    at: &Loc,
    diags: &mut Diagnostics,
) -> Option<String> {
    match value {
        EnvValue::Literal(text) => Some(text.clone()),
        EnvValue::HostEnv(name) => {
            let found = ctx.options.host_env.get(name).cloned();
            if found.is_none() {
                diags.error_hint(codes::MISSING_HOST_ENV, at, format!("host variable `{name}` was not given"), format!(
                        "allow it with `--host-env {name}` on the command line, or give it in `options.hostEnv`"
                    ));
            }
            found
        }
        EnvValue::Secret(reference) => {
            let found = ctx.options.secrets.get(reference).cloned();
            if found.is_none() {
                diags.error_hint(
                    codes::MISSING_SECRET,
                    at,
                    format!("secret `{reference}` was not given"),
                    format!("pass it with `--secret {reference}=VALUE` or in `options.secrets`"),
                );
            }
            found
        }
    }
}
