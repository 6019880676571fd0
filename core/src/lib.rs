//! bundlec-core compiles a ZLayer v1 deployment spec, a host inventory, an image config and
//! options into an OCI runtime-spec `config.json`. It is pure: no I/O, no clock, no randomness,
//! no panics on any input; every fault comes back as a [`Diagnostic`] that says where it is.
//!
//! The bindings (the `bundlec` command, the browser module, the WASI component) hand it texts
//! as a [`RawRequest`] and call [`compile_raw`]; Rust callers may parse the JSON parts
//! themselves and call [`compile`] with a [`Request`]. [`outline`] reads what a spec declares
//! without compiling it, and [`explain`] gives a paragraph on each diagnostic code.
//!
//! ```
//! use bundlec_core::{compile_raw, RawRequest};
//!
//! let spec = "
//! version: v1
//! deployment: shop
//! services:
//!   api:
//!     image: { name: ghcr.io/acme/api:1.4 }
//!     command: { entrypoint: [/api, --port, \"8080\"] }
//!     resources: { memory: 512Mi }
//! ";
//! let compiled = compile_raw(RawRequest { spec, ..RawRequest::default() })
//!     .expect("the spec compiles");
//! assert!(compiled.json.starts_with("{\n  \"ociVersion\": \"1.2.1\""));
//! assert!(compiled.json.contains("\"limit\": 536870912"));
//!
//! // A fault is data: a code, a path, and the range of the token in the spec text.
//! let bad = spec.replace("512Mi", "100m");
//! let errors = compile_raw(RawRequest { spec: &bad, ..RawRequest::default() }).unwrap_err();
//! assert_eq!(errors[0].code, "bad-memory");
//! assert_eq!(errors[0].path, "services.api.resources.memory");
//! assert_eq!((errors[0].line, errors[0].column, errors[0].end_column), (Some(8), Some(26), Some(30)));
//! ```
#![warn(missing_docs)]

// Layers, each using only those before it (tests/tests/layers.rs checks there is no cycle):
// text and names, yaml, decode, CDI specs, the inputs (spec, inventory, image, options), context, the
// config model and its writer, the output sections, and compile.
mod caps;
mod cdi;
mod codes;
mod compile;
mod compose;
pub mod config;
mod context;
mod decode;
mod diagnostic;
mod identity;
mod image;
pub mod image_layout;
mod inventory;
mod json;
mod names;
mod options;
mod outline;
mod request;
mod sorting;
mod spec;
mod units;
mod yaml;

// One module per output section, and the policy that judges what they computed.
mod devices;
mod linux;
mod mounts;
mod policy;
mod process;
mod resources;
mod seccomp;

pub use caps::ALL_CAPABILITIES;
pub use cdi::{
    read_cdi_spec, CdiDevice, CdiDeviceNode, CdiHook, CdiIntelRdt, CdiMount, CdiNetDevice, CdiSpec,
    ContainerEdits, CDI_VERSIONS, MAX_CDI_SPEC_BYTES,
};
pub use codes::{codes, explain};
pub use compile::{compile, compile_all, compile_raw, Compiled, ServiceOutcome};
pub use config::OCI_VERSION;
pub use diagnostic::{closest, Diagnostic, Severity};
pub use image::ImageConfig;
pub use inventory::{
    AppArmor, CdiSpecEntry, DeviceLink, DeviceNode, DeviceType, Drivers, Gpu, Host, Inventory,
    Selinux, Vendor, INVENTORY_SCHEMA, INVENTORY_VERSION,
};
pub use mounts::BundleFile;
pub use options::{Options, OrderedStrings, PolicyLevel, PolicyMode, OPTIONS_SCHEMA};
pub use outline::{outline, Format, Outline, Reference, ServiceOutline, Span, Volume, VolumeKind};
pub use request::{RawRequest, Request, RequestText};

/// The phases on their own, for the benchmarks; not part of the API.
#[doc(hidden)]
pub mod internals {
    pub use crate::diagnostic::Diagnostics;
    pub use crate::seccomp::{
        default as default_seccomp, native_arch, ArchEntry, Condition, DefaultRule, KernelVersion,
        Target,
    };
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
