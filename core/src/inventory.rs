//! The host inventory: device nodes, driver majors and GPUs, as `bundlec probe` prints it.
//! Versioned JSON; every version ever published stays readable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Loc};

/// The inventory version this build writes.
pub const INVENTORY_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inventory {
    pub inventory_version: u32,
    #[serde(default)]
    pub host: Host,
    /// Device nodes under /dev, sorted by path.
    #[serde(default)]
    pub devices: Vec<DeviceNode>,
    /// Symbolic links under /dev, recorded rather than followed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<DeviceLink>,
    /// Driver names by major number, from /proc/devices.
    #[serde(default)]
    pub drivers: Drivers,
    #[serde(default)]
    pub gpus: Vec<Gpu>,
    /// Nodes every GPU of a vendor needs (`nvidiactl`, `kfd`…), by vendor.
    #[serde(default)]
    pub gpu_shared: BTreeMap<Vendor, Vec<String>>,
    /// Nodes the probe could not read, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Host {
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub arch: String,
    #[serde(default)]
    pub kernel: String,
    /// `v1`, `v2` or `hybrid`.
    #[serde(default)]
    pub cgroup: String,
    #[serde(default)]
    pub seccomp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DeviceType {
    #[serde(rename = "c")]
    Char,
    #[serde(rename = "b")]
    Block,
    #[serde(rename = "p")]
    Fifo,
}

impl DeviceType {
    pub fn letter(self) -> &'static str {
        match self {
            DeviceType::Char => "c",
            DeviceType::Block => "b",
            DeviceType::Fifo => "p",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceNode {
    pub path: String,
    #[serde(rename = "type")]
    pub kind: DeviceType,
    /// Linux majors run to 4095 and minors to 2^20-1: never 8-bit.
    pub major: u32,
    pub minor: u32,
    /// Permission bits only (`st_mode & 0o7777`).
    pub file_mode: u32,
    pub uid: u32,
    pub gid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceLink {
    pub path: String,
    /// The link text as stored, relative or absolute.
    pub target: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drivers {
    #[serde(default)]
    pub char: BTreeMap<String, String>,
    #[serde(default)]
    pub block: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Nvidia,
    Amd,
    Intel,
}

impl Vendor {
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Nvidia => "nvidia",
            Vendor::Amd => "amd",
            Vendor::Intel => "intel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gpu {
    pub vendor: Vendor,
    /// The vendor's own index (NVIDIA's `Device Minor`, the DRM card order otherwise).
    pub index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pci_bus_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Vendor nodes of this GPU (`/dev/nvidia0`).
    #[serde(default)]
    pub nodes: Vec<String>,
    /// DRM nodes of this GPU (`/dev/dri/card1`, `/dev/dri/renderD129`).
    #[serde(default)]
    pub drm: Vec<String>,
}

/// How many links a device path may go through before it must be a node.
const MAX_LINK_HOPS: usize = 8;

impl Inventory {
    /// Reads an inventory document, of this version or an older one.
    pub fn from_json(text: &str) -> Result<Inventory, Diagnostic> {
        let at = Loc::at("inventory");
        // One pass in the common case; the version is read alone only to explain a failure
        // (a newer inventory fails on its new fields before its version could be checked).
        let parsed: Result<Inventory, String> = crate::options::from_json_object(text);
        let version = match &parsed {
            Ok(inventory) => Ok(Some(u64::from(inventory.inventory_version))),
            Err(_) => {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct VersionOnly {
                    inventory_version: Option<u64>,
                }
                crate::options::from_json_object::<VersionOnly>(text)
                    .map(|only| only.inventory_version)
            }
        };
        match version {
            Ok(Some(v)) if !(1..=u64::from(INVENTORY_VERSION)).contains(&v) => {
                return Err(Diagnostic::error(
                    "bad-inventory",
                    &at.child("inventoryVersion"),
                    format!("inventory version {v} is not supported"),
                )
                .with_hint(format!(
                    "this bundlec reads inventory versions 1 to {INVENTORY_VERSION}; upgrade bundlec"
                )));
            }
            Ok(None) => {
                return Err(Diagnostic::error(
                    "bad-inventory",
                    &at.child("inventoryVersion"),
                    "the inventory has no `inventoryVersion`",
                )
                .with_hint("give the output of `bundlec probe`"));
            }
            _ => {}
        }
        parsed.map_err(|message| {
            Diagnostic::error("bad-inventory", &at, format!("the inventory {message}"))
        })
    }

    /// The node a container path names, following recorded links inside /dev.
    pub fn resolve(&self, path: &str) -> Option<&DeviceNode> {
        let mut current = normalize(path)?;
        for _ in 0..=MAX_LINK_HOPS {
            if let Some(node) = self.devices.iter().find(|node| node.path == current) {
                return Some(node);
            }
            let link = self.links.iter().find(|link| link.path == current)?;
            current = if link.target.starts_with('/') {
                normalize(&link.target)?
            } else {
                let parent = current.rsplit_once('/').map_or("", |(parent, _)| parent);
                normalize(&format!("{parent}/{}", link.target))?
            };
        }
        None
    }

    pub fn gpus_of(&self, vendor: Vendor) -> impl Iterator<Item = &Gpu> {
        self.gpus.iter().filter(move |gpu| gpu.vendor == vendor)
    }

    /// The inventory in its canonical JSON form.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Resolves `.` and `..` lexically; `None` for a relative path or one that climbs out of `/`.
fn normalize(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The JSON Schema of the inventory (draft-07), printed by `bundlec schema inventory`.
pub const INVENTORY_SCHEMA: &str = include_str!("../schema/inventory.schema.json");

#[cfg(test)]
mod tests {
    use super::*;

    fn node(path: &str, major: u32, minor: u32) -> DeviceNode {
        DeviceNode {
            path: path.into(),
            kind: DeviceType::Char,
            major,
            minor,
            file_mode: 0o666,
            uid: 0,
            gid: 0,
        }
    }

    #[test]
    fn links_resolve_inside_dev() {
        let inventory = Inventory {
            inventory_version: 1,
            devices: vec![node("/dev/dri/card1", 226, 1)],
            links: vec![
                DeviceLink {
                    path: "/dev/dri/by-path/pci-0000:03:00.0-card".into(),
                    target: "../card1".into(),
                },
                DeviceLink {
                    path: "/dev/loop-a".into(),
                    target: "loop-b".into(),
                },
                DeviceLink {
                    path: "/dev/loop-b".into(),
                    target: "loop-a".into(),
                },
            ],
            ..Inventory::default()
        };
        assert_eq!(
            inventory
                .resolve("/dev/dri/by-path/pci-0000:03:00.0-card")
                .map(|n| n.minor),
            Some(1)
        );
        assert_eq!(inventory.resolve("/dev/loop-a"), None);
        assert_eq!(inventory.resolve("/dev/../../etc"), None);
    }

    #[test]
    fn rejects_future_versions() {
        let error = Inventory::from_json(r#"{"inventoryVersion": 99}"#).unwrap_err();
        assert_eq!(error.path, "inventory.inventoryVersion");
        let big = r#"{"inventoryVersion":1,"devices":[{"path":"/dev/x","type":"c","major":511,"minor":300,"fileMode":438,"uid":0,"gid":0}]}"#;
        let inventory = Inventory::from_json(big).unwrap();
        assert_eq!(
            (inventory.devices[0].major, inventory.devices[0].minor),
            (511, 300)
        );
    }
}
