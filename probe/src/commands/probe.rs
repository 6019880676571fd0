//! `bundlec probe`: the inventory of this host (or of the tree under `--root`), its warnings
//! reported as `probe-warning` diagnostics.

use bundlec_core::Diagnostic;

use crate::cli::ProbeArgs;
use crate::failure::Failure;
use crate::output;
use crate::report::Reporter;

pub fn run(args: &ProbeArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let inventory = crate::probe::scan_host(&args.root)?;
    for warning in &inventory.warnings {
        reporter.probe_warning(warning.clone());
    }
    let json = inventory.to_json().map_err(|error| {
        Failure::Invalid(Box::new(Diagnostic::error(
            "internal",
            "inventory",
            format!("bundlec could not write the inventory as JSON: {error}"),
        )))
    })?;
    output::write(args.output.as_deref(), &json)?;
    Ok(())
}
