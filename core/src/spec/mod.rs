//! The ZLayer v1 deployment spec: its model, and its reading from YAML or JSON text.
//! Reading checks each value on its own; rules that need the inventory or options live in the
//! output sections.

mod devices;
mod model;
mod network;
mod read;
mod resources;
mod security;
mod storage;

// What the sections name; the rest of the model is reached through these.
pub use model::{
    AppArmorChoice, CdiRequest, Deployment, Distributed, EnvValue, GpuRequest, GpuVendor,
    NetworkMode, Resources, Seccomp, SelinuxChoice, Service, Storage, StorageKind,
};
pub use read::parse;
