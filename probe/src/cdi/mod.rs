//! CDI on the node (DESIGN §11): reading the specs in /etc/cdi and /var/run/cdi, and writing
//! specs for the GPUs the probe finds (`bundlec cdi generate`, and the probe's generated entry
//! when a vendor has GPUs but no spec).

pub mod generate;
pub mod ldcache;
mod nvidia;
pub mod read;
pub mod yaml;
