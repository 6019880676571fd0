//! bundlec: the host side of bundlec. It probes a node for device nodes and GPUs, turns command
//! line inputs into a `bundlec_core::Request`, and writes compiled bundles; every compile rule lives in the core.

pub mod apply;
pub mod atomic;
pub mod cli;
pub mod confined;
pub mod devscan;
pub mod failure;
pub mod gpus;
pub mod output;
pub mod probe;
pub mod render;
pub mod request;
pub mod volumes;
