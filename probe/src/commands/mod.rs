//! The subcommands, one file each; `run` dispatches. A command reports its diagnostics as it
//! goes and ends in `Ok` or a `Failure`, which the binary maps to an exit status.

use std::path::Path;

use bundlec_core::{Compiled, Request};

use crate::cli::{Command, CompileOptions};
use crate::failure::Failure;
use crate::input::SpecSource;
use crate::report::Reporter;
use crate::request;

pub mod apply;
pub mod cdi;
pub mod check;
pub mod compile;
pub mod explain;
pub mod probe;
pub mod schema;

/// Runs one subcommand.
pub fn run(command: Command, reporter: &mut Reporter) -> Result<(), Failure> {
    match command {
        Command::Compile(args) => compile::run(&args, reporter),
        Command::Apply(args) => apply::run(&args, reporter),
        Command::Probe(args) => probe::run(&args, reporter),
        Command::Schema(args) => schema::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Check(args) => check::run(&args, reporter),
        Command::Cdi(crate::cli::CdiCommand::Generate(args)) => {
            cdi::generate_command(&args, reporter)
        }
    }
}

/// The request of `compile` and `apply`; the warnings of a live probe are reported, and the
/// diagnostics of its inputs end the command (`Failure::Reported`).
fn build_request(
    spec: &SpecSource,
    options: &CompileOptions,
    rootfs: Option<&Path>,
    reporter: &mut Reporter,
) -> Result<Request, Failure> {
    let built = request::build(spec, options, rootfs)?;
    for warning in built.probe_warnings {
        reporter.probe_warning(format!("probe: {warning}"));
    }
    built.request.map_err(|diagnostics| {
        reporter.spec(&diagnostics, spec);
        Failure::Reported
    })
}

/// Compiles and reports the diagnostics, warnings included; a failed compile is
/// `Failure::Reported`.
fn compile_reported(
    spec: &SpecSource,
    request: &Request,
    reporter: &mut Reporter,
) -> Result<Compiled, Failure> {
    match bundlec_core::compile(request) {
        Ok(compiled) => {
            reporter.spec(&compiled.warnings, spec);
            Ok(compiled)
        }
        Err(diagnostics) => {
            reporter.spec(&diagnostics, spec);
            Err(Failure::Reported)
        }
    }
}
