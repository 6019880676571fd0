//! The host inventory: device nodes, driver majors and GPUs, as `bundlec probe` prints it.
//! Versioned JSON; every version ever published stays readable.

mod cdi;
mod index;
mod read;

use std::collections::BTreeMap;

use serde::Serialize;

/// The inventory version this build writes.
/// Version 2 adds the host's confinement facts (`capabilities`, `apparmor`, `selinux`) and the
/// node's CDI specs (`cdi`).
pub const INVENTORY_VERSION: u32 = 2;

/// What a node has: its device nodes and links, driver majors and GPUs, as `bundlec probe`
/// writes it (see `bundlec schema inventory`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// The format's version: [`INVENTORY_VERSION`] when this build writes it.
    pub inventory_version: u32,
    /// Facts about the host itself.
    pub host: Host,
    /// Device nodes under /dev, sorted by path.
    pub devices: Vec<DeviceNode>,
    /// Symbolic links under /dev, recorded rather than followed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<DeviceLink>,
    /// Driver names by major number, from /proc/devices.
    pub drivers: Drivers,
    /// The GPUs, by vendor and index.
    pub gpus: Vec<Gpu>,
    /// Nodes every GPU of a vendor needs (`nvidiactl`, `kfd`…), by vendor.
    pub gpu_shared: BTreeMap<Vendor, Vec<String>>,
    /// Version 2: the node's CDI specs, with each device node's numbers filled from `/dev`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cdi: Vec<CdiSpecEntry>,
    /// Nodes the probe could not read, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Facts about the host. The compile reads `arch` and `kernel` (the seccomp profile), the
/// capability bounding set (privileged) and the loaded AppArmor profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// The node's host name.
    pub hostname: String,
    /// The machine architecture (`x86_64`, `aarch64`).
    pub arch: String,
    /// The kernel release.
    pub kernel: String,
    /// `v1`, `v2` or `hybrid`.
    pub cgroup: String,
    /// Whether the kernel supports seccomp filters.
    pub seccomp: bool,
    /// Version 2: the capability bounding set the probe ran with (`CapBnd` of
    /// `/proc/self/status`), kernel names without `CAP_`, in kernel order. A privileged
    /// container gets these; `None` when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
    /// Version 2: AppArmor on the node; `None` when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apparmor: Option<AppArmor>,
    /// Version 2: SELinux on the node; `None` when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selinux: Option<Selinux>,
}

/// AppArmor on a node, as `/sys/kernel/security/apparmor` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppArmor {
    /// Whether AppArmor is enabled (`/sys/module/apparmor/parameters/enabled` is `Y`).
    pub enabled: bool,
    /// The names of the loaded profiles, sorted, without their mode.
    pub profiles: Vec<String>,
}

/// SELinux on a node, as `/sys/fs/selinux/enforce` shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selinux {
    /// Whether SELinux is enabled (selinuxfs is mounted).
    pub enabled: bool,
    /// Whether it enforces (`enforce` reads `1`) rather than only logs.
    pub enforcing: bool,
}

/// The kind of a device node, written as `ls -l` and the OCI spec write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum DeviceType {
    /// A character device (`c`).
    #[serde(rename = "c")]
    Char,
    /// A block device (`b`).
    #[serde(rename = "b")]
    Block,
    /// A named pipe (`p`).
    #[serde(rename = "p")]
    Fifo,
}

/// A device node under `/dev`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceNode {
    /// Its normalized path, below `/dev`.
    pub path: String,
    /// Character, block or FIFO.
    #[serde(rename = "type")]
    pub kind: DeviceType,
    /// Linux majors run to 4095 and minors to 2^20-1: never 8-bit.
    pub major: u32,
    /// The minor number.
    pub minor: u32,
    /// Permission bits only (`st_mode & 0o7777`).
    pub file_mode: u32,
    /// The owner's uid.
    pub uid: u32,
    /// The owner's gid.
    pub gid: u32,
}

/// A symbolic link under `/dev` (such as `/dev/fd` or a by-id name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceLink {
    /// The link's own path.
    pub path: String,
    /// The link text as stored, relative or absolute.
    pub target: String,
}

/// Driver names by major number, as `/proc/devices` lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drivers {
    /// Character device drivers, by major (as a decimal string).
    pub char: BTreeMap<String, String>,
    /// Block device drivers, by major (as a decimal string).
    pub block: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
/// A GPU vendor with Linux device nodes.
pub enum Vendor {
    /// NVIDIA (`/dev/nvidia*`).
    Nvidia,
    /// AMD (`/dev/kfd` and DRM nodes).
    Amd,
    /// Intel (DRM nodes).
    Intel,
}

impl Vendor {
    /// The vendor's name as the inventory and the spec write it: `nvidia`, `amd`, `intel`.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Nvidia => "nvidia",
            Vendor::Amd => "amd",
            Vendor::Intel => "intel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
/// One GPU and the device nodes that reach it.
pub struct Gpu {
    /// Its vendor.
    pub vendor: Vendor,
    /// The vendor's own index (NVIDIA's `Device Minor`, the DRM card order otherwise).
    pub index: u32,
    /// The PCI address (`0000:3b:00.0`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pci_bus_id: Option<String>,
    /// The vendor's UUID of the GPU, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The model name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Vendor nodes of this GPU (`/dev/nvidia0`).
    pub nodes: Vec<String>,
    /// DRM nodes of this GPU (`/dev/dri/card1`, `/dev/dri/renderD129`).
    pub drm: Vec<String>,
}

pub use cdi::{CdiIndex, CdiSpecEntry};
pub use index::InventoryIndex;

impl Inventory {
    /// The GPUs of one vendor, in inventory order.
    pub(crate) fn gpus_of(&self, vendor: Vendor) -> impl Iterator<Item = &Gpu> {
        self.gpus.iter().filter(move |gpu| gpu.vendor == vendor)
    }

    /// The inventory in its canonical JSON form, with a final newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }
}

/// The JSON Schema of the inventory (draft-07), printed by `bundlec schema inventory`.
pub const INVENTORY_SCHEMA: &str = include_str!("../../schema/inventory.schema.json");

#[cfg(test)]
mod tests;
