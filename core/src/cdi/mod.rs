//! Container Device Interface specs (DESIGN §11): the model, reading one from its text, and
//! the reference's checks. Applying a spec's edits to a config is the devices section's work.

mod check;
mod json;
mod model;
mod read;
mod version;

pub use check::{check, check_device_name, check_kind};
pub(crate) use json::cdi_spec;
pub use model::{
    CdiDevice, CdiDeviceNode, CdiHook, CdiIntelRdt, CdiMount, CdiNetDevice, CdiSpec, ContainerEdits,
};
pub use read::{read_cdi_spec, MAX_CDI_SPEC_BYTES};
pub use version::CDI_VERSIONS;

#[cfg(test)]
mod tests;
