//! `bundlec apply`: compiles a spec and writes the OCI bundle `runc run -b` starts, with the
//! host directories of its named and anonymous volumes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::bundle::{self, Contents};
use crate::cli::ApplyArgs;
use crate::failure::Failure;
use crate::report::Reporter;
use crate::{input, output, volumes};

pub fn run(args: &ApplyArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let spec = input::read_spec(&args.spec, args.options.max_input_bytes)?;
    // The bundle and rootfs are checked once, before anything is compiled or created.
    let target = bundle::check(&args.bundle, &args.rootfs, args.force)?;
    let rootfs = Path::new(&target.rootfs);
    let mut request = super::build_request(&spec, &args.options, Some(rootfs), reporter)?;
    request.options.rootfs = Some(target.rootfs.clone());
    args.policy.apply_to(&mut request.options);
    let given: BTreeMap<String, String> = args.options.volumes.iter().cloned().collect();
    let planned = volumes::plan(
        &spec.text,
        args.options.service.as_deref(),
        args.options.replica.unwrap_or(1),
        &args.state_dir,
        &given,
    )?;
    for volume in &planned {
        request.options.volumes.insert(
            volume.key.clone(),
            volume.path.to_string_lossy().into_owned(),
        );
    }
    let compiled = super::compile_reported(&spec, &request, reporter)?;
    let (uid, gid) = compiled.user().unwrap_or((0, 0));
    volumes::create(&planned, uid, gid)?;
    let contents = Contents {
        config_json: &compiled.json,
        files: &compiled.files,
    };
    let written = bundle::write_bundle(&target, contents)?;
    output::stdout(&format!("{}\n", written.display()))?;
    Ok(())
}
