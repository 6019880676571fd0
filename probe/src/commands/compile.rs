//! `bundlec compile`: the OCI config.json of one replica, on stdout or in `-o FILE`. With
//! `--image` and no `--rootfs`, user names come from the image's `/etc/passwd` and `/etc/group`.

use crate::cli::CompileArgs;
use crate::failure::Failure;
use crate::report::Reporter;
use crate::{image, input, output, request};

pub fn run(args: &CompileArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let spec = input::read_spec(&args.spec, args.options.max_input_bytes)?;
    let rootfs = args.rootfs.as_deref();
    if let Some(rootfs) = rootfs {
        request::check_rootfs(rootfs)?;
    }
    let node = request::read_node(&args.options)?;
    let image = super::resolve_image(&spec, &args.options, &node, reporter)?;
    let image_config = image.as_ref().map(|image| image.config_json.as_str());
    let mut request =
        super::build_request_with(&spec, &args.options, node, image_config, rootfs, reporter)?;
    // With an image and no --rootfs, user names come from the image's own layers.
    if let (Some(image), None) = (&image, rootfs) {
        let limit = args.options.max_input_bytes;
        let (passwd, group) = image::identity_files(&image.layout, &image.manifest.layers, limit)?;
        request.options.passwd = passwd;
        request.options.group = group;
    }
    let compiled = super::compile_reported(&spec, &request, reporter)?;
    output::write(args.output.as_deref(), &compiled.json)?;
    Ok(())
}
