//! bundlec-core: compiles a ZLayer v1 deployment spec, a host inventory, an image config and
//! options into an OCI runtime-spec `config.json`. Pure: no I/O, no clock, no randomness.

pub mod canonical;
mod codes;
mod compile;
mod decode;
pub mod diagnostic;
pub mod identity;
pub mod image;
pub mod inventory;
pub mod options;
mod outline;
pub mod spec;
pub mod units;
mod yaml;

// One module per output section.
pub mod devices;
pub mod linux;
pub mod mounts;
pub mod process;
pub mod resources;

pub use codes::{codes, explain};
pub use compile::{compile, compile_all, BundleFile, Compiled, ServiceOutcome};
pub use diagnostic::{Diagnostic, Severity};
pub use image::ImageConfig;
pub use inventory::{Inventory, INVENTORY_SCHEMA};
pub use options::{Options, OPTIONS_SCHEMA};
pub use outline::{outline, Outline, Reference, ServiceOutline, Span, Volume, VolumeKind};

/// The OCI runtime-spec version of every config bundlec writes.
pub const OCI_VERSION: &str = "1.2.1";

/// This crate's version, as the bindings report it.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Everything one compile needs, already parsed.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The spec text, YAML or JSON.
    pub spec: String,
    /// The service to compile; may be left out when the deployment has one.
    pub service: Option<String>,
    /// 1-based; default 1.
    pub replica: Option<u32>,
    /// The host; without one, no device or GPU can be granted.
    pub inventory: Option<Inventory>,
    pub image_config: Option<ImageConfig>,
    pub options: Options,
}

/// A request as the bindings receive it: the spec and JSON texts.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawRequest<'a> {
    pub spec: &'a str,
    pub service: Option<&'a str>,
    pub replica: Option<u32>,
    pub inventory: Option<&'a str>,
    pub image_config: Option<&'a str>,
    pub options: Option<&'a str>,
}

/// A request's texts, owned: what a binding assembles before lending them as a [`RawRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestText {
    pub spec: String,
    pub service: Option<String>,
    pub replica: Option<u32>,
    pub inventory: Option<String>,
    pub image_config: Option<String>,
    pub options: Option<String>,
}

impl RequestText {
    pub fn as_raw(&self) -> RawRequest<'_> {
        RawRequest {
            spec: &self.spec,
            service: self.service.as_deref(),
            replica: self.replica,
            inventory: self.inventory.as_deref(),
            image_config: self.image_config.as_deref(),
            options: self.options.as_deref(),
        }
    }
}

impl Request {
    /// Parses the JSON parts of a raw request, reporting every one that is bad.
    pub fn from_raw(raw: RawRequest<'_>) -> Result<Request, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let inventory = raw
            .inventory
            .map(Inventory::from_json)
            .transpose()
            .unwrap_or_else(|e| keep(e, &mut errors));
        let image_config = raw
            .image_config
            .map(ImageConfig::from_json)
            .transpose()
            .unwrap_or_else(|e| keep(e, &mut errors));
        let options = raw
            .options
            .map(Options::from_json)
            .transpose()
            .unwrap_or_else(|e| keep(e, &mut errors))
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Request {
            spec: raw.spec.to_string(),
            service: raw.service.map(str::to_string),
            replica: raw.replica,
            inventory,
            image_config,
            options,
        })
    }
}

fn keep<T>(error: Diagnostic, errors: &mut Vec<Diagnostic>) -> Option<T> {
    errors.push(error);
    None
}

/// Parses and compiles a raw request: what every binding calls.
pub fn compile_raw(raw: RawRequest<'_>) -> Result<Compiled, Vec<Diagnostic>> {
    match Request::from_raw(raw) {
        Ok(request) => compile(&request),
        Err(mut errors) => {
            // Report the spec's own faults alongside the bad options or inventory.
            let mut spec_diagnostics = diagnostic::Diagnostics::default();
            spec::parse(raw.spec, &mut spec_diagnostics);
            errors.extend(spec_diagnostics.into_sorted());
            Err(errors)
        }
    }
}

/// The JSON Schema of the spec as bundlec reads it (draft-07).
pub const SPEC_SCHEMA: &str = include_str!("../schema/spec.schema.json");

/// The JSON Schemas bundlec publishes, by name: `inventory`, `options`, `spec`.
pub fn schema(name: &str) -> Option<&'static str> {
    match name {
        "inventory" => Some(INVENTORY_SCHEMA),
        "options" => Some(OPTIONS_SCHEMA),
        "spec" => Some(SPEC_SCHEMA),
        _ => None,
    }
}
