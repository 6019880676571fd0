//! `bundlec apply`: compiles a spec and writes the OCI bundle `runc run -b` starts, with the
//! host directories of its named and anonymous volumes. With `--image` the image's layers are
//! unpacked into BUNDLE/rootfs first (in the temporary bundle, so a failure or a kill leaves
//! nothing at the bundle path), and the user names come from the unpacked rootfs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bundle::{self, Contents};
use crate::cli::ApplyArgs;
use crate::failure::Failure;
use crate::image::{self, Limits};
use crate::report::Reporter;
use crate::{codes, input, output, request, volumes};
use bundlec_core::Diagnostic;

pub fn run(args: &ApplyArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let spec = input::read_spec(&args.spec, args.options.max_input_bytes)?;
    // The bundle and rootfs are checked once, before anything is compiled or created.
    let target = bundle::check(&args.bundle, args.rootfs.as_deref(), args.force)?;
    let node = request::read_node(&args.options)?;
    let image = super::resolve_image(&spec, &args.options, &node, reporter)?;
    // With an image, the bundle is staged now and the layers unpacked into it.
    let mut staging = None;
    let (rootfs, root_path): (PathBuf, Option<String>) = match (&image, &target.rootfs) {
        (Some(image), _) => {
            let stage = staging.insert(bundle::stage(&target)?);
            let dir = stage.rootfs_dir()?;
            let limits = Limits {
                max_layer_ratio: args.options.max_layer_ratio,
                max_image_bytes: args.options.max_image_bytes,
            };
            image::unpack(&image.layout, &image.manifest.layers, &dir, limits)?;
            // The runtime-spec bundle layout: the core's default `root.path`, `rootfs`.
            (dir, None)
        }
        (None, Some(rootfs)) => (PathBuf::from(rootfs), Some(rootfs.clone())),
        (None, None) => {
            let missing =
                Diagnostic::error(codes::USAGE, "--rootfs", "apply needs --rootfs or --image");
            return Err(Failure::Usage(Box::new(missing)));
        }
    };
    let image_config = image.as_ref().map(|image| image.config_json.as_str());
    let mut request = super::build_request_with(
        &spec,
        &args.options,
        node,
        image_config,
        Some(Path::new(&rootfs)),
        reporter,
    )?;
    request.options.rootfs = root_path;
    args.policy.apply_to(&mut request.options);
    let given: BTreeMap<String, String> = args.options.volumes.iter().cloned().collect();
    let planned = volumes::plan(
        &spec.text,
        args.options.service.as_deref(),
        args.options.replica.unwrap_or(1),
        &args.state_dir,
        &given,
        request.options.project.as_deref(),
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
    let written = match staging {
        Some(stage) => stage.finish(contents)?,
        None => bundle::write_bundle(&target, contents)?,
    };
    output::stdout(&format!("{}\n", written.display()))?;
    Ok(())
}
