//! The OCI image layout read as data: `index.json`, image indexes, manifests and their
//! descriptors (Docker's v2 schema 2 media types too), the manifest chosen for the node's
//! platform, and the layers' compression. The bindings read the blobs and verify them; each
//! function here takes a JSON text and returns a choice or a diagnostic naming the blob.

use serde::Deserialize;

use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};

mod digest;
mod platform;
#[cfg(test)]
mod tests;

pub use digest::{Digest, DigestAlgorithm};
pub use platform::{choose_platform, platform_for_arch, platform_score, Platform};

/// The annotation that names a manifest in `index.json` (its tag).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

const INDEX_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];
const CONFIG_TYPES: &[&str] = &[
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];

/// What a descriptor points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// An image index (or Docker manifest list): more descriptors, one per platform.
    Index,
    /// An image manifest: a config and layers.
    Manifest,
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// `tar+gzip`.
    Gzip,
    /// `tar+zstd`.
    Zstd,
}

/// A descriptor: what a blob is, its digest and size, and for index entries the platform and
/// tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// `mediaType`.
    pub media_type: String,
    /// `digest`, checked for form.
    pub digest: Digest,
    /// `size` in bytes.
    pub size: u64,
    /// `platform`, in an index.
    pub platform: Option<Platform>,
    /// The `org.opencontainers.image.ref.name` annotation, in an index.
    pub tag: Option<String>,
}

/// Which manifest of `index.json` the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// No tag: the only entry (or the entries of the node's platform).
    Only,
    /// `:TAG`, matched against the ref-name annotation.
    Tag(String),
    /// `@DIGEST`, matched against the entry's digest.
    Digest(Digest),
}

/// An image manifest: its config and its layers in order, with their compression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageManifest {
    /// The image config blob.
    pub config: Descriptor,
    /// The layers, lowest first.
    pub layers: Vec<(Descriptor, Compression)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    media_type: Option<String>,
    digest: String,
    size: u64,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIndex {
    schema_version: u32,
    media_type: Option<String>,
    manifests: Vec<RawDescriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: u32,
    media_type: Option<String>,
    config: RawDescriptor,
    layers: Vec<RawDescriptor>,
}

fn bad(at: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error_at(codes::BAD_IMAGE_LAYOUT, &Loc::at(at), message)
}

fn descriptor(raw: RawDescriptor, at: &str, what: &str) -> Result<Descriptor, Diagnostic> {
    let digest =
        Digest::parse(&raw.digest).map_err(|reason| bad(at, format!("{what}: {reason}")))?;
    let media_type = raw
        .media_type
        .ok_or_else(|| bad(at, format!("{what} `{digest}` has no mediaType")))?;
    let tag = raw.annotations.and_then(|mut map| map.remove(REF_NAME));
    Ok(Descriptor {
        media_type,
        digest,
        size: raw.size,
        platform: raw.platform,
        tag,
    })
}

fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    at: &str,
    what: &str,
) -> Result<T, Diagnostic> {
    crate::json::from_json_object(text).map_err(|problem| bad(at, problem.sentence(what, false)))
}

fn check_schema(
    version: u32,
    media_type: Option<&str>,
    allowed: &[&str],
    at: &str,
    what: &str,
) -> Result<(), Diagnostic> {
    if version != 2 {
        return Err(bad(
            at,
            format!("{what} has schemaVersion {version}; bundlec reads version 2"),
        ));
    }
    match media_type {
        Some(media_type) if !allowed.contains(&media_type) => Err(Diagnostic::error_at(
            codes::UNSUPPORTED_MEDIA_TYPE,
            &Loc::at(at),
            format!(
                "{what} has mediaType `{media_type}`, expected {}",
                allowed.join(" or ")
            ),
        )),
        _ => Ok(()),
    }
}

/// The entries of an image index (`index.json` or a nested index); `at` names the blob.
pub fn read_index(text: &str, at: &str) -> Result<Vec<Descriptor>, Diagnostic> {
    let raw: RawIndex = parse(text, at, "the image index")?;
    check_schema(
        raw.schema_version,
        raw.media_type.as_deref(),
        INDEX_TYPES,
        at,
        "the image index",
    )?;
    raw.manifests
        .into_iter()
        .map(|entry| descriptor(entry, at, "an index entry"))
        .collect()
}

/// A manifest (config and layers, each layer's media type known); `at` names the blob.
pub fn read_manifest(text: &str, at: &str) -> Result<ImageManifest, Diagnostic> {
    let raw: RawManifest = parse(text, at, "the image manifest")?;
    check_schema(
        raw.schema_version,
        raw.media_type.as_deref(),
        MANIFEST_TYPES,
        at,
        "the image manifest",
    )?;
    let config = descriptor(raw.config, at, "the config")?;
    if !CONFIG_TYPES.contains(&config.media_type.as_str()) {
        return Err(unsupported(at, "the config", &config));
    }
    let layers = raw
        .layers
        .into_iter()
        .map(|layer| {
            let layer = descriptor(layer, at, "a layer")?;
            let compression = layer_compression(&layer.media_type)
                .ok_or_else(|| unsupported(at, "a layer", &layer))?;
            Ok((layer, compression))
        })
        .collect::<Result<_, Diagnostic>>()?;
    Ok(ImageManifest { config, layers })
}

fn unsupported(at: &str, what: &str, descriptor: &Descriptor) -> Diagnostic {
    Diagnostic::error_at(
        codes::UNSUPPORTED_MEDIA_TYPE,
        &Loc::at(at),
        format!(
            "{what} `{}` has media type `{}`, which bundlec does not read",
            descriptor.digest, descriptor.media_type
        ),
    )
}

/// A layer media type's compression: OCI's tar, tar+gzip, tar+zstd (non-distributable ones too)
/// and Docker's gzip layers; `None` for any other.
pub fn layer_compression(media_type: &str) -> Option<Compression> {
    match media_type {
        "application/vnd.oci.image.layer.v1.tar"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar"
        | "application/vnd.docker.image.rootfs.diff.tar" => Some(Compression::None),
        "application/vnd.oci.image.layer.v1.tar+gzip"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        | "application/vnd.docker.image.rootfs.diff.tar.gzip"
        | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Some(Compression::Gzip),
        "application/vnd.oci.image.layer.v1.tar+zstd"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
        | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Some(Compression::Zstd),
        _ => None,
    }
}

/// What an index entry points at, from its media type.
pub fn blob_kind(descriptor: &Descriptor, at: &str) -> Result<BlobKind, Diagnostic> {
    let media_type = descriptor.media_type.as_str();
    if INDEX_TYPES.contains(&media_type) {
        Ok(BlobKind::Index)
    } else if MANIFEST_TYPES.contains(&media_type) {
        Ok(BlobKind::Manifest)
    } else {
        Err(unsupported(at, "the index entry", descriptor))
    }
}

/// The entries of `index.json` the selector names: the tagged ones, the one of that digest, or
/// with no selector all of them. None is an error listing the tags there are.
pub fn select<'a>(
    entries: &'a [Descriptor],
    selector: &Selector,
    at: &str,
) -> Result<Vec<&'a Descriptor>, Diagnostic> {
    let chosen: Vec<&Descriptor> = match selector {
        Selector::Only => entries.iter().collect(),
        Selector::Tag(tag) => entries
            .iter()
            .filter(|entry| entry.tag.as_deref() == Some(tag))
            .collect(),
        Selector::Digest(digest) => entries
            .iter()
            .filter(|entry| &entry.digest == digest)
            .collect(),
    };
    if !chosen.is_empty() {
        return Ok(chosen);
    }
    let mut tags: Vec<&str> = entries
        .iter()
        .filter_map(|entry| entry.tag.as_deref())
        .collect();
    tags.sort_unstable();
    tags.dedup();
    let listed = if tags.is_empty() {
        "it has no tagged manifest".to_string()
    } else {
        format!(
            "its tags are {}",
            tags.iter()
                .map(|tag| format!("`{tag}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let message = match selector {
        Selector::Only => "the image index lists no manifest".to_string(),
        Selector::Tag(tag) => format!("the image has no tag `{tag}`; {listed}"),
        Selector::Digest(digest) => format!("the image index has no manifest `{digest}`; {listed}"),
    };
    Err(Diagnostic::error_at(
        codes::IMAGE_NOT_FOUND,
        &Loc::at(at),
        message,
    ))
}

#[derive(Deserialize)]
struct RawConfigPlatform {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
}

/// Refuses an image config made for another platform than the node's (a single-platform image
/// built for another machine); fields the config leaves out are not checked.
pub fn check_config_platform(text: &str, node: &Platform, at: &str) -> Result<(), Diagnostic> {
    let raw: RawConfigPlatform = parse(text, at, "the image config")?;
    let (Some(os), Some(architecture)) = (raw.os, raw.architecture) else {
        return Ok(());
    };
    let offered = Platform {
        os,
        architecture,
        variant: raw.variant,
    };
    match platform_score(&offered, node) {
        Some(_) => Ok(()),
        None => Err(Diagnostic::error_at(
            codes::IMAGE_PLATFORM_MISSING,
            &Loc::at(at),
            format!("the image is built for {offered}, and the node is {node}"),
        )),
    }
}
