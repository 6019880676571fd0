//! bundlec-core: compiles a ZLayer v1 deployment spec, a host inventory, an image config and
//! options into an OCI runtime-spec `config.json`. Pure: no I/O, no clock, no randomness.

// Layers, each using only those before it (tests/tests/layers.rs checks there is no cycle):
// text and names, yaml, decode, the inputs (spec, inventory, image, options), context, the
// output sections, compile, and the canonical form.
mod canonical;
mod caps;
mod codes;
mod compile;
mod context;
mod decode;
mod diagnostic;
mod identity;
mod image;
mod inventory;
mod json;
mod names;
mod options;
mod outline;
mod request;
mod spec;
mod units;
mod yaml;

// One module per output section.
mod devices;
mod linux;
mod mounts;
mod process;
mod resources;

pub use codes::{codes, explain};
pub use compile::{compile, compile_all, compile_raw, Compiled, ServiceOutcome, OCI_VERSION};
pub use diagnostic::{closest, Diagnostic, Severity};
pub use image::ImageConfig;
pub use inventory::{
    DeviceLink, DeviceNode, DeviceType, Drivers, Gpu, Host, Inventory, Vendor, INVENTORY_SCHEMA,
    INVENTORY_VERSION,
};
pub use mounts::BundleFile;
pub use options::{Options, OrderedStrings, OPTIONS_SCHEMA};
pub use outline::{outline, Outline, Reference, ServiceOutline, Span, Volume, VolumeKind};
pub use request::{RawRequest, Request, RequestText};

/// The phases on their own, for the benchmarks; not part of the API.
#[doc(hidden)]
pub mod internals {
    pub use crate::canonical::to_json as canonical_json;
    pub use crate::diagnostic::Diagnostics;
    pub use crate::spec::parse as parse_spec;
}

/// This crate's version, as the bindings report it.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
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
