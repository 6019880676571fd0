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
pub(crate) use devices::{cdi_request, is_cdi_name};
pub use model::{
    AppArmorChoice, CdiRequest, Deployment, DeviceRequest, DeviceRule, Distributed, EnvValue,
    EnvVar, GpuRequest, GpuVendor, NetworkMode, Resources, Scale, Seccomp, SelinuxChoice, Service,
    Storage, StorageKind,
};
pub(crate) use network::{extra_host, ip};
pub use read::parse;
pub(crate) use read::read;
pub(crate) use read::valid_env_key_at;
pub(crate) use resources::{cpus, gpu_vendor};
pub(crate) use security::{confinement, ulimit};
pub(crate) use storage::octal_mode;
