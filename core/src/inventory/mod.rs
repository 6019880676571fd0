//! The host inventory: device nodes, driver majors and GPUs, as `bundlec probe` prints it.
//! Versioned JSON; every version ever published stays readable.

mod cdi;
mod index;
mod read;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The inventory version this build writes.
/// Version 2 adds the host's confinement facts (`capabilities`, `apparmor`, `selinux`) and the
/// node's CDI specs (`cdi`).
pub const INVENTORY_VERSION: u32 = 2;

/// What a node has: its device nodes and links, driver majors and GPUs, as `bundlec probe`
/// writes it (see `bundlec schema inventory`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inventory {
    /// The format's version: [`INVENTORY_VERSION`] when this build writes it.
    pub inventory_version: u32,
    /// Facts about the host itself.
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
    /// The GPUs, by vendor and index.
    #[serde(default)]
    pub gpus: Vec<Gpu>,
    /// Nodes every GPU of a vendor needs (`nvidiactl`, `kfd`…), by vendor.
    #[serde(default)]
    pub gpu_shared: BTreeMap<Vendor, Vec<String>>,
    /// Version 2: the node's CDI specs, with each device node's numbers filled from `/dev`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cdi: Vec<CdiSpecEntry>,
    /// Nodes the probe could not read, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Facts about the host. The compile reads `arch` and `kernel` (the seccomp profile), the
/// capability bounding set (privileged) and the loaded AppArmor profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Host {
    /// The node's host name.
    #[serde(default)]
    pub hostname: String,
    /// The machine architecture (`x86_64`, `aarch64`).
    #[serde(default)]
    pub arch: String,
    /// The kernel release.
    #[serde(default)]
    pub kernel: String,
    /// `v1`, `v2` or `hybrid`.
    #[serde(default)]
    pub cgroup: String,
    /// Whether the kernel supports seccomp filters.
    #[serde(default)]
    pub seccomp: bool,
    /// Version 2: the capability bounding set the probe ran with (`CapBnd` of
    /// `/proc/self/status`), kernel names without `CAP_`, in kernel order. A privileged
    /// container gets these; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
    /// Version 2: AppArmor on the node; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apparmor: Option<AppArmor>,
    /// Version 2: SELinux on the node; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selinux: Option<Selinux>,
}

/// AppArmor on a node, as `/sys/kernel/security/apparmor` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppArmor {
    /// Whether AppArmor is enabled (`/sys/module/apparmor/parameters/enabled` is `Y`).
    pub enabled: bool,
    /// The names of the loaded profiles, sorted, without their mode.
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// SELinux on a node, as `/sys/fs/selinux/enforce` shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Selinux {
    /// Whether SELinux is enabled (selinuxfs is mounted).
    pub enabled: bool,
    /// Whether it enforces (`enforce` reads `1`) rather than only logs.
    #[serde(default)]
    pub enforcing: bool,
}

/// The kind of a device node, written as `ls -l` and the OCI spec write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceLink {
    /// The link's own path.
    pub path: String,
    /// The link text as stored, relative or absolute.
    pub target: String,
}

/// Driver names by major number, as `/proc/devices` lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drivers {
    /// Character device drivers, by major (as a decimal string).
    #[serde(default)]
    pub char: BTreeMap<String, String>,
    /// Block device drivers, by major (as a decimal string).
    #[serde(default)]
    pub block: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
/// One GPU and the device nodes that reach it.
pub struct Gpu {
    /// Its vendor.
    pub vendor: Vendor,
    /// The vendor's own index (NVIDIA's `Device Minor`, the DRM card order otherwise).
    pub index: u32,
    /// The PCI address (`0000:3b:00.0`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pci_bus_id: Option<String>,
    /// The vendor's UUID of the GPU, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The model name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Vendor nodes of this GPU (`/dev/nvidia0`).
    #[serde(default)]
    pub nodes: Vec<String>,
    /// DRM nodes of this GPU (`/dev/dri/card1`, `/dev/dri/renderD129`).
    #[serde(default)]
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
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

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

    /// The inventory with `devices`, `links` and `gpus` as given (JSON arrays) and NVIDIA
    /// shared nodes.
    fn read(devices: &str, links: &str, gpus: &str, shared: &str) -> Result<Inventory, Diagnostic> {
        Inventory::from_json(&format!(
            r#"{{"inventoryVersion":1,"devices":{devices},"links":{links},"gpus":{gpus},"gpuShared":{{"nvidia":{shared}}}}}"#
        ))
    }

    fn device(path: &str, major: u32, minor: u32) -> String {
        format!(
            r#"{{"path":"{path}","type":"c","major":{major},"minor":{minor},"fileMode":438,"uid":0,"gid":0}}"#
        )
    }

    /// Issue 9: inventory paths were taken as written, so a node could be listed outside /dev,
    /// twice, or with numbers Linux cannot encode, and one GPU could count twice.
    #[test]
    fn refuses_bad_paths_numbers_and_duplicates_naming_the_entry() {
        let fuse = device("/dev/fuse", 10, 229);
        let gpu = |index: u32, node: &str| {
            format!(r#"{{"vendor":"nvidia","index":{index},"nodes":["{node}"],"drm":[]}}"#)
        };
        let ok = read(
            &format!("[{fuse},{}]", device("/dev/big", 4095, 1_048_575)),
            r#"[{"path":"/dev/link","target":"fuse"}]"#,
            &format!("[{},{}]", gpu(0, "/dev/nvidia0"), gpu(1, "/dev/nvidia1")),
            r#"["/dev/nvidiactl"]"#,
        );
        assert!(ok.is_ok(), "{ok:?}");
        for (devices, links, gpus, shared, path, message) in [
            (format!("[{}]", device("dev/fuse", 10, 229)), "[]", "[]".to_string(), "[]",
             "inventory.devices[0].path", "device `dev/fuse` must be an absolute path under /dev"),
            (format!("[{}]", device("/etc/shadow", 10, 229)), "[]", "[]".to_string(), "[]",
             "inventory.devices[0].path", "device `/etc/shadow` must be a path under /dev, but it names `/etc/shadow`"),
            (format!("[{}]", device("/dev/../etc/shadow", 10, 229)), "[]", "[]".to_string(), "[]",
             "inventory.devices[0].path", "device `/dev/../etc/shadow` must be a path under /dev, but it names `/etc/shadow`"),
            (format!("[{}]", device("/dev/./fuse", 10, 229)), "[]", "[]".to_string(), "[]",
             "inventory.devices[0].path", "`/dev/./fuse` is not a normalized path: write `/dev/fuse`"),
            (format!("[{fuse},{fuse}]"), "[]", "[]".to_string(), "[]",
             "inventory.devices[1].path", "`/dev/fuse` is listed twice (first at `devices[0]`)"),
            (format!("[{fuse}]"), r#"[{"path":"/dev/fuse","target":"null"}]"#, "[]".to_string(), "[]",
             "inventory.links[0].path", "`/dev/fuse` is listed twice (first at `devices[0]`)"),
            ("[]".to_string(), r#"[{"path":"/dev//x","target":"null"}]"#, "[]".to_string(), "[]",
             "inventory.links[0].path", "`/dev//x` is not a normalized path: write `/dev/x`"),
            (format!("[{fuse},{}]", device("/dev/x", 4096, 0)), "[]", "[]".to_string(), "[]",
             "inventory.devices[1].major", "major 4096 of `/dev/x` is above 4095, the largest Linux encodes"),
            (format!("[{}]", device("/dev/x", 1, 1 << 20)), "[]", "[]".to_string(), "[]",
             "inventory.devices[0].minor", "minor 1048576 of `/dev/x` is above 1048575, the largest Linux encodes"),
            ("[]".to_string(), "[]", format!("[{},{}]", gpu(0, "/dev/nvidia0"), gpu(0, "/dev/nvidia1")), "[]",
             "inventory.gpus[1].index", "nvidia GPU 0 is listed twice (first at `gpus[0]`)"),
            ("[]".to_string(), "[]", format!("[{},{}]", gpu(0, "/dev/nvidia0"), gpu(1, "/dev/nvidia0")), "[]",
             "inventory.gpus[1].nodes[0]", "`/dev/nvidia0` is listed for two GPUs or twice for one (first at `gpus[0].nodes[0]`)"),
            ("[]".to_string(), "[]", format!("[{}]", gpu(0, "nvidia0")), "[]",
             "inventory.gpus[0].nodes[0]", "device `nvidia0` must be an absolute path under /dev"),
            ("[]".to_string(), "[]", "[]".to_string(), r#"["/dev/nvidiactl","/dev/nvidiactl"]"#,
             "inventory.gpuShared.nvidia[1]", "`/dev/nvidiactl` is listed twice (first at `gpuShared.nvidia[0]`)"),
        ] {
            let error = read(&devices, links, &gpus, shared).unwrap_err();
            assert_eq!(error.code, "bad-inventory");
            assert_eq!((error.path.as_str(), error.message.as_str()), (path, message));
            assert_eq!((error.line, error.column), (None, None));
        }
    }

    /// Issue 9: "the inventory are not valid".
    #[test]
    fn messages_agree_with_their_subject() {
        let error = Inventory::from_json(r#"{"inventoryVersion":1,"extra":1}"#).unwrap_err();
        assert!(
            error
                .message
                .starts_with("the inventory is not valid: unknown field `extra`"),
            "{}",
            error.message
        );
        let error = Inventory::from_json("{").unwrap_err();
        assert!(
            error.message.starts_with("the inventory is not valid"),
            "{}",
            error.message
        );
        let error = Inventory::from_json("[1]").unwrap_err();
        assert_eq!(error.message, "the inventory must be a JSON object");
    }

    #[test]
    fn the_index_resolves_like_the_inventory() {
        let inventory = Inventory {
            inventory_version: 1,
            devices: vec![node("/dev/dri/card1", 226, 1), node("/dev/fuse", 10, 229)],
            links: vec![DeviceLink {
                path: "/dev/dri/by-path/a".into(),
                target: "../card1".into(),
            }],
            ..Inventory::default()
        };
        let index = inventory.index();
        for path in [
            "/dev/dri/by-path/a",
            "/dev/./fuse",
            "/dev/none",
            "/dev/../../x",
        ] {
            assert_eq!(index.resolve(path), inventory.resolve(path), "{path}");
        }
        assert_eq!(
            index.resolve("/dev/dri/by-path/a").map(|n| n.minor),
            Some(1)
        );
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
