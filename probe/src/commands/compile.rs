//! `bundlec compile`: the OCI config.json of one replica, on stdout or in `-o FILE`.

use crate::cli::CompileArgs;
use crate::failure::Failure;
use crate::report::Reporter;
use crate::{input, output, request};

pub fn run(args: &CompileArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let spec = input::read_spec(&args.spec, args.options.max_input_bytes)?;
    let rootfs = args.rootfs.as_deref();
    if let Some(rootfs) = rootfs {
        request::check_rootfs(rootfs)?;
    }
    let mut request = super::build_request(&spec, &args.options, rootfs, reporter)?;
    args.policy.apply_to(&mut request.options);
    let compiled = super::compile_reported(&spec, &request, reporter)?;
    output::write(args.output.as_deref(), &compiled.json)?;
    Ok(())
}
