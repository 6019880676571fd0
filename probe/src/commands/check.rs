//! `bundlec check`: every service of a spec (or the one `--service` names) against a Pod
//! Security Standards level. Violations are errors, reported at their place in the spec; stdout
//! says, per service, whether it passes. Exit 1 when any service breaks the level or fails to
//! compile.
//!
//! What only fills values (secrets, host variables, volume host paths) may be left out: no
//! control reads them, so placeholders stand in for the missing ones.

use bundlec_core::{Diagnostic, Outline, PolicyMode, Request, ServiceOutline};

use crate::cli::{CheckArgs, PolicyLevelArg};
use crate::failure::Failure;
use crate::input::SpecSource;
use crate::report::Reporter;
use crate::{input, output, render, request, seccomp_files};

pub fn run(args: &CheckArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let spec = input::read_spec(&args.spec, args.options.max_input_bytes)?;
    let rootfs = args.rootfs.as_deref();
    if let Some(rootfs) = rootfs {
        request::check_rootfs(rootfs)?;
    }
    let mut request = super::build_request(&spec, &args.options, rootfs, reporter)?;
    request.options.policy = args.policy.into();
    request.options.policy_mode = PolicyMode::Enforce;
    let outline = bundlec_core::outline(&spec.text).map_err(|diagnostics| {
        reporter.spec(&diagnostics, &spec);
        Failure::Reported
    })?;
    let services: Vec<&ServiceOutline> = match &args.options.service {
        Some(name) => outline
            .services
            .iter()
            .filter(|s| &s.name == name)
            .collect(),
        None => outline.services.iter().collect(),
    };
    if let Err(diagnostics) = fill_placeholders(&mut request, &spec, (&outline, &services), args) {
        reporter.spec(&diagnostics, &spec);
        return Err(Failure::Reported);
    }
    let outcomes = match &args.options.service {
        // An unknown name is the compile's error, with its "did you mean".
        Some(name) => vec![(name.clone(), bundlec_core::compile(&request))],
        None => bundlec_core::compile_all(&request).map_err(|diagnostics| {
            reporter.spec(&diagnostics, &spec);
            Failure::Reported
        })?,
    };
    let level = level_name(args.policy);
    let mut summary = String::new();
    let mut failed = false;
    for (name, outcome) in outcomes {
        // A service's name is the spec's text: it reaches the terminal escaped.
        let service = render::escape_controls(&name);
        // Only what decides the check: violations, and errors that stop the compile.
        let shown: Vec<Diagnostic> = match outcome {
            Ok(compiled) => compiled.warnings,
            Err(diagnostics) => diagnostics,
        }
        .into_iter()
        .filter(|d| d.is_error() || d.code.starts_with("policy-"))
        .collect();
        let violations = shown
            .iter()
            .filter(|d| d.code.starts_with("policy-"))
            .count();
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let line = match (violations, shown.len() - violations) {
            (0, 0) => format!("{service}: passes {level}\n"),
            (0, errors) => format!(
                "{service}: does not compile ({})\n",
                plural(errors, "error")
            ),
            (n, 0) => format!("{service}: {} of {level}\n", plural(n, "violation")),
            (n, errors) => format!(
                "{service}: {} of {level}, {}\n",
                plural(n, "violation"),
                plural(errors, "other error")
            ),
        };
        summary.push_str(&line);
        failed |= !shown.is_empty();
        reporter.spec(&shown, &spec);
    }
    output::stdout(&summary)?;
    if failed {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

/// Placeholders for the secrets, host variables and volumes the services need and the
/// flags do not give, and the seccomp profiles every checked service names.
fn fill_placeholders(
    request: &mut Request,
    spec: &SpecSource,
    (outline, services): (&Outline, &[&ServiceOutline]),
    args: &CheckArgs,
) -> Result<(), Vec<Diagnostic>> {
    let options = &mut request.options;
    let mut unreadable = Vec::new();
    for service in services {
        for secret in &service.secrets {
            options
                .secrets
                .entry(secret.name.clone())
                .or_insert_with(|| format!("<secret:{}>", secret.name));
        }
        for variable in &service.host_env {
            options
                .host_env
                .entry(variable.name.clone())
                .or_insert_with(|| format!("<host-env:{}>", variable.name));
        }
        for volume in &service.volumes {
            options
                .volumes
                .entry(volume.key.clone())
                .or_insert_with(|| format!("/<volume:{}>", volume.key));
        }
        let (profiles, mut problems) = seccomp_files::read(
            spec,
            Some(outline),
            Some(&service.name),
            args.options.max_input_bytes,
        );
        options.seccomp_profiles.extend(profiles);
        unreadable.append(&mut problems);
    }
    if unreadable.is_empty() {
        Ok(())
    } else {
        Err(unreadable)
    }
}

/// The level's name as the flag writes it.
fn level_name(level: PolicyLevelArg) -> &'static str {
    match level {
        PolicyLevelArg::Privileged => "privileged",
        PolicyLevelArg::Baseline => "baseline",
        PolicyLevelArg::Restricted => "restricted",
    }
}
