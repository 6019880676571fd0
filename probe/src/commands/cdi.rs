//! `bundlec cdi generate`: CDI specs for the GPUs of this host (or of the tree under `--root`),
//! printed, or written into a directory such as /etc/cdi as `<vendor>.yaml` (mode 0644: the
//! runtimes read them; they hold no secret). A vendor whose spec cannot be made is a warning;
//! no spec at all is a failure.

use bundlec_core::{Diagnostic, Vendor};

use crate::atomic;
use crate::cdi::generate::{generate, kind_and_file, Root};
use crate::cdi::yaml::to_yaml;
use crate::cli::{CdiFormat, CdiGenerateArgs, GpuVendorArg};
use crate::codes;
use crate::failure::Failure;
use crate::output;
use crate::path_error::PathError;
use crate::report::Reporter;

pub fn generate_command(args: &CdiGenerateArgs, reporter: &mut Reporter) -> Result<(), Failure> {
    let inventory = crate::probe::scan_host(&args.root)?;
    let root = Root::new(&args.root);
    let vendors: Vec<Vendor> = match args.vendor {
        Some(GpuVendorArg::Nvidia) => vec![Vendor::Nvidia],
        Some(GpuVendorArg::Amd) => vec![Vendor::Amd],
        Some(GpuVendorArg::Intel) => vec![Vendor::Intel],
        None => vec![Vendor::Nvidia, Vendor::Amd, Vendor::Intel],
    };
    let mut documents = Vec::new();
    for vendor in vendors {
        if args.vendor.is_none() && inventory.gpus.iter().all(|gpu| gpu.vendor != vendor) {
            continue;
        }
        match generate(&root, &inventory, vendor) {
            Ok(spec) => documents.push((vendor, spec)),
            Err(why) => reporter.probe_warning(format!("cdi generate: {why}")),
        }
    }
    if documents.is_empty() {
        return Err(Failure::Invalid(Box::new(
            Diagnostic::error(codes::NO_CDI_SPEC, "", "no CDI spec was generated")
                .with_hint("the warnings above say why for each vendor"),
        )));
    }
    let (extension, texts) = render(&documents, args.format)?;
    match &args.output {
        None => output::stdout(&texts.concat())?,
        Some(dir) => {
            let paths: Vec<_> = documents
                .iter()
                .map(|(vendor, _)| dir.join(format!("{}.{extension}", kind_and_file(*vendor).1)))
                .collect();
            if let Some(existing) = paths.iter().find(|path| path.symlink_metadata().is_ok()) {
                if !args.force {
                    return Err(Failure::Invalid(Box::new(
                        Diagnostic::error(
                            codes::CDI_SPEC_EXISTS,
                            existing.display().to_string(),
                            format!("`{}` exists", existing.display()),
                        )
                        .with_hint("pass --force to replace it, or write elsewhere with -o"),
                    )));
                }
            }
            for (path, text) in paths.iter().zip(&texts) {
                atomic::replace(path, text.as_bytes(), 0o644)
                    .map_err(PathError::io("write", path))?;
            }
        }
    }
    Ok(())
}

/// Each spec's text, and the file extension of the format.
fn render(
    documents: &[(Vendor, bundlec_core::CdiSpec)],
    format: CdiFormat,
) -> Result<(&'static str, Vec<String>), Failure> {
    let mut texts = Vec::new();
    for (_, spec) in documents {
        let value = serde_json::to_value(spec).map_err(|error| {
            Failure::Invalid(Box::new(Diagnostic::error(
                "internal",
                "",
                format!("bundlec could not write the CDI spec: {error}"),
            )))
        })?;
        texts.push(match format {
            CdiFormat::Yaml => to_yaml(&value),
            CdiFormat::Json => {
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                text
            }
        });
    }
    Ok((
        match format {
            CdiFormat::Yaml => "yaml",
            CdiFormat::Json => "json",
        },
        texts,
    ))
}
