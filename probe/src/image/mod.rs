//! `--image oci:DIR[:TAG|@DIGEST]` and `--image oci-archive:FILE[:TAG]`: an OCI image layout read
//! from disk. `layout` reads and verifies its blobs (a directory, or a tar archive of one),
//! `resolve` walks `index.json` to the manifest of the node's platform with the core's rules
//! (`bundlec_core::image_layout`), and `unpack` applies the layers into a rootfs.

use std::path::PathBuf;

use bundlec_core::image_layout::{Digest, Selector};
use bundlec_core::Diagnostic;

use crate::codes;
use crate::failure::Coded;

mod identity;
mod layout;
mod resolve;
#[cfg(test)]
mod tests;
mod unpack;
mod within;

pub use identity::identity_files;
pub use layout::Layout;
pub use resolve::{node_platform, resolve, ResolvedImage};
pub use unpack::{unpack, Limits, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_LAYER_RATIO};

/// How the image is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// `oci:DIR`: a layout directory.
    Dir,
    /// `oci-archive:FILE`: a tar archive of a layout directory.
    Archive,
}

/// A parsed `--image` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub transport: Transport,
    pub path: PathBuf,
    pub selector: Selector,
}

impl ImageRef {
    /// `oci:DIR[:TAG|@DIGEST]` or `oci-archive:FILE[:TAG|@DIGEST]`. As in containers/image, the
    /// path ends at the first `:` after the transport (paths with a colon are not supported);
    /// `@` starts a digest.
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        let (transport, rest) = if let Some(rest) = text.strip_prefix("oci:") {
            (Transport::Dir, rest)
        } else if let Some(rest) = text.strip_prefix("oci-archive:") {
            (Transport::Archive, rest)
        } else {
            return Err(format!(
                "`{text}` is not oci:DIR[:TAG|@DIGEST] or oci-archive:FILE[:TAG|@DIGEST]"
            ));
        };
        let (path, selector) = if let Some((path, digest)) = rest.rsplit_once('@') {
            (path, Selector::Digest(Digest::parse(digest)?))
        } else if let Some((path, tag)) = rest.split_once(':') {
            if !valid_tag(tag) {
                return Err(format!("`{tag}` is not a valid image tag"));
            }
            (path, Selector::Tag(tag.to_string()))
        } else {
            (rest, Selector::Only)
        };
        if path.is_empty() {
            return Err(format!("`{text}` names no path"));
        }
        Ok(ImageRef {
            transport,
            path: PathBuf::from(path),
            selector,
        })
    }
}

/// A ref name as the image spec's annotation allows: letters, digits and `-._:@/+`, not empty.
fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:@/+".contains(&b))
}

/// Why an image could not be read or unpacked. The path is the blob or layer entry concerned.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// A fault the core's layout rules found (bad JSON, unknown media type, missing tag or
    /// platform), as its diagnostic.
    #[error("{}", .0.message)]
    Layout(Box<Diagnostic>),
    #[error("cannot {action} `{}`", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the image has no blob `{0}`")]
    MissingBlob(String),
    #[error("blob `{blob}` is {actual} bytes, and its descriptor says {expected}")]
    SizeMismatch {
        blob: String,
        expected: u64,
        actual: String,
    },
    #[error("blob `{blob}` does not match its digest (its content hashes to `{actual}`)")]
    DigestMismatch { blob: String, actual: String },
    #[error("blob `{blob}` is {size} bytes, larger than the {limit}-byte limit for JSON blobs; raise it with --max-input-bytes")]
    BlobTooLarge { blob: String, size: u64, limit: u64 },
    #[error("blob `{0}` is not UTF-8 JSON text")]
    NotUtf8(String),
    #[error("the archive `{}` is not a tar of an OCI layout: {reason}", path.display())]
    BadArchive { path: PathBuf, reason: String },
    #[error("layer `{layer}`: cannot read it: {reason}")]
    BadLayer { layer: String, reason: String },
    #[error("layer `{layer}`: entry `{entry}` is refused: {reason}")]
    UnsafeEntry {
        layer: String,
        entry: String,
        reason: &'static str,
    },
    #[error("layer `{layer}`: entry `{entry}`: cannot {action}")]
    Entry {
        layer: String,
        entry: String,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("layer `{layer}` expands to more than {limit} bytes ({why}); raise the limit with {flag} if the image is trusted")]
    TooLarge {
        layer: String,
        limit: u64,
        why: &'static str,
        flag: &'static str,
    },
    #[error("the kernel has no openat2 (Linux 5.6 or later), which bundlec needs to unpack layers safely")]
    NoOpenat2,
}

impl ImageError {
    pub(crate) fn layout(diagnostic: Diagnostic) -> ImageError {
        ImageError::Layout(Box::new(diagnostic))
    }
}

impl Coded for ImageError {
    fn code(&self) -> &'static str {
        match self {
            ImageError::Layout(diagnostic) => codes::layout_code(&diagnostic.code),
            ImageError::Io { source, .. } => crate::path_error::io_code(source),
            ImageError::MissingBlob(_)
            | ImageError::SizeMismatch { .. }
            | ImageError::DigestMismatch { .. } => codes::IMAGE_BLOB_MISMATCH,
            ImageError::BlobTooLarge { .. } => codes::TOO_LARGE,
            ImageError::NotUtf8(_) | ImageError::BadArchive { .. } => codes::BAD_IMAGE_ARCHIVE,
            ImageError::BadLayer { .. } => codes::BAD_LAYER,
            ImageError::UnsafeEntry { .. } => codes::UNSAFE_LAYER_ENTRY,
            ImageError::Entry { source, .. } => crate::path_error::io_code(source),
            ImageError::TooLarge { .. } => codes::LAYER_TOO_LARGE,
            ImageError::NoOpenat2 => codes::IO_ERROR,
        }
    }

    fn path(&self) -> String {
        match self {
            ImageError::Layout(diagnostic) => diagnostic.path.clone(),
            ImageError::Io { path, .. } | ImageError::BadArchive { path, .. } => {
                path.display().to_string()
            }
            ImageError::MissingBlob(blob)
            | ImageError::SizeMismatch { blob, .. }
            | ImageError::DigestMismatch { blob, .. }
            | ImageError::BlobTooLarge { blob, .. }
            | ImageError::NotUtf8(blob) => blob.clone(),
            ImageError::BadLayer { layer, .. } | ImageError::TooLarge { layer, .. } => {
                layer.clone()
            }
            ImageError::UnsafeEntry { layer, entry, .. }
            | ImageError::Entry { layer, entry, .. } => {
                format!("{layer}:{entry}")
            }
            ImageError::NoOpenat2 => "--image".to_string(),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ImageError::Layout(diagnostic) => diagnostic.hint.clone(),
            _ => None,
        }
    }
}
