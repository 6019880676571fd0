//! `bundlec probe`: the inventory of this host (or of the tree under `--root`), its warnings
//! reported as `probe-warning` diagnostics.

use crate::cli::ProbeArgs;
use crate::failure::Failure;
use crate::output;
use crate::report::Reporter;

pub fn run(args: &ProbeArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let inventory = crate::probe::scan_host(&args.root)?;
    for warning in &inventory.warnings {
        reporter.probe_warning(warning.clone());
    }
    output::write(args.output.as_deref(), &inventory.to_json())?;
    Ok(())
}
