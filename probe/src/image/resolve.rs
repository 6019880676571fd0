//! From `index.json` to the manifest of the node's platform and its config, every JSON blob
//! verified before it is read, with the core's rules for tags, platforms and media types.

use bundlec_core::image_layout::{self, BlobKind, Descriptor, ImageManifest, Platform};
use bundlec_core::{Diagnostic, Inventory};

use super::{ImageError, ImageRef, Layout};

/// Nested indexes followed before giving up (real images have one or two levels).
const MAX_DEPTH: usize = 8;

/// An image resolved for one platform: its layout, manifest and config text.
#[derive(Debug)]
pub struct ResolvedImage {
    pub layout: Layout,
    pub manifest: ImageManifest,
    /// The image config document, verified.
    pub config_json: String,
}

/// The platform the image must run on: the inventory's `host.arch`, or this machine's.
pub fn node_platform(inventory: Option<&Inventory>) -> Result<Platform, ImageError> {
    let machine = match inventory {
        Some(inventory) => inventory.host.arch.clone(),
        None => nix::sys::utsname::uname()
            .map_err(|errno| ImageError::Io {
                action: "read the machine name (uname) of",
                path: "/".into(),
                source: errno.into(),
            })?
            .machine()
            .to_string_lossy()
            .into_owned(),
    };
    image_layout::platform_for_arch(&machine).ok_or_else(|| {
        ImageError::layout(Diagnostic::error(
            "image-platform-missing",
            "inventory.host.arch",
            format!("the node's architecture `{machine}` has no OCI name bundlec knows"),
        ))
    })
}

/// Opens the layout and resolves the reference for `platform`: the selected `index.json`
/// entries, nested indexes by platform, then the manifest and its config (checked to be for
/// the platform too). JSON blobs are read up to `limit` bytes.
pub fn resolve(
    image: &ImageRef,
    platform: &Platform,
    limit: u64,
) -> Result<ResolvedImage, ImageError> {
    let layout = Layout::open(image)?;
    let index_at = layout.shown("index.json");
    let entries = image_layout::read_index(&layout.index_text(limit)?, &index_at)
        .map_err(ImageError::layout)?;
    let selected =
        image_layout::select(&entries, &image.selector, &index_at).map_err(ImageError::layout)?;
    let mut chosen: Descriptor = image_layout::choose_platform(&selected, platform, &index_at)
        .map_err(ImageError::layout)?
        .clone();
    let mut at = index_at;
    for _ in 0..MAX_DEPTH {
        match image_layout::blob_kind(&chosen, &at).map_err(ImageError::layout)? {
            BlobKind::Manifest => {
                let manifest_at = layout.shown(&chosen.digest.blob_path());
                let text = layout.json_blob(&chosen, limit)?;
                let manifest =
                    image_layout::read_manifest(&text, &manifest_at).map_err(ImageError::layout)?;
                let config_at = layout.shown(&manifest.config.digest.blob_path());
                let config_json = layout.json_blob(&manifest.config, limit)?;
                image_layout::check_config_platform(&config_json, platform, &config_at)
                    .map_err(ImageError::layout)?;
                return Ok(ResolvedImage {
                    layout,
                    manifest,
                    config_json,
                });
            }
            BlobKind::Index => {
                at = layout.shown(&chosen.digest.blob_path());
                let text = layout.json_blob(&chosen, limit)?;
                let entries = image_layout::read_index(&text, &at).map_err(ImageError::layout)?;
                let all: Vec<&Descriptor> = entries.iter().collect();
                chosen = image_layout::choose_platform(&all, platform, &at)
                    .map_err(ImageError::layout)?
                    .clone();
            }
        }
    }
    Err(ImageError::layout(Diagnostic::error(
        "bad-image-layout",
        at,
        format!("the image indexes nest more than {MAX_DEPTH} deep"),
    )))
}
