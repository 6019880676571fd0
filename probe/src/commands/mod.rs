//! The subcommands, one file each; `run` dispatches. A command reports its diagnostics as it
//! goes and ends in `Ok` or a `Failure`, which the binary maps to an exit status.

use std::path::Path;

use bundlec_core::{Compiled, Request};

use crate::cli::{Command, CompileOptions};
use crate::failure::Failure;
use crate::input::SpecSource;
use crate::report::Reporter;
use crate::{image, request};

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

/// The request of `compile` and `check`. With `--image`, the image config is the image's, and
/// without `--rootfs` user names come from the image's `/etc/passwd` and `/etc/group`, read from
/// its layers.
fn build_request(
    spec: &SpecSource,
    options: &CompileOptions,
    rootfs: Option<&Path>,
    reporter: &mut Reporter,
) -> Result<Request, Failure> {
    let node = request::read_node(options)?;
    let image = resolve_image(spec, options, &node, reporter)?;
    let image_config = image.as_ref().map(|image| image.config_json.as_str());
    let mut request = build_request_with(spec, options, node, image_config, rootfs, reporter)?;
    if let (Some(image), None) = (&image, rootfs) {
        let layers = &image.manifest.layers;
        let limits = image::Limits {
            max_layer_ratio: options.max_layer_ratio,
            max_image_bytes: options.max_image_bytes,
        };
        let (passwd, group) =
            image::identity_files(&image.layout, layers, options.max_input_bytes, limits)?;
        request.options.passwd = passwd;
        request.options.group = group;
    }
    Ok(request)
}

/// The request of `compile` and `apply`, from the node already read and with the config of a
/// resolved `--image`; the warnings of a live probe are reported, and the diagnostics of its
/// inputs end the command (`Failure::Reported`).
fn build_request_with(
    spec: &SpecSource,
    options: &CompileOptions,
    node: request::Node,
    image_config: Option<&str>,
    rootfs: Option<&Path>,
    reporter: &mut Reporter,
) -> Result<Request, Failure> {
    let built = request::build_with(spec, options, node, image_config, rootfs)?;
    for warning in built.probe_warnings {
        reporter.probe_warning(format!("probe: {warning}"));
    }
    built.request.map_err(|diagnostics| {
        reporter.spec(&diagnostics, spec);
        Failure::Reported
    })
}

/// The `--image` of the options resolved for the node's platform (its inventory's `host.arch`,
/// or this machine's): an inventory that is not valid is reported first, since the platform
/// comes from it.
fn resolve_image(
    spec: &SpecSource,
    options: &CompileOptions,
    node: &request::Node,
    reporter: &mut Reporter,
) -> Result<Option<image::ResolvedImage>, Failure> {
    let Some(reference) = &options.image else {
        return Ok(None);
    };
    if !node.diagnostics.is_empty() {
        reporter.spec(&node.diagnostics, spec);
        return Err(Failure::Reported);
    }
    let platform = image::node_platform(node.inventory.as_ref())?;
    Ok(Some(image::resolve(
        reference,
        &platform,
        options.max_input_bytes,
    )?))
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
