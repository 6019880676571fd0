//! bundlec: the host side of bundlec. It probes a node for device nodes and GPUs, turns command
//! line inputs into a `bundlec_core::Request`, and writes compiled bundles; every compile rule
//! lives in the core. `commands` holds one module per subcommand; the binary only parses the
//! command line and maps outcomes to exit statuses.

pub mod atomic;
pub mod bundle;
pub mod cdi;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod compose_files;
pub mod confined;
pub mod devscan;
pub mod failure;
pub mod gpus;
pub mod host_confinement;
pub mod image;
pub mod input;
pub mod output;
pub mod path_error;
pub mod probe;
pub mod render;
pub mod report;
pub mod request;
pub mod seccomp_files;
pub mod volumes;
