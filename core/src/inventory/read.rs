//! Reading an inventory: its version first, then the fields by type (crate::json's readers),
//! then what types cannot check (paths normalized and listed once, numbers Linux encodes, no
//! GPU counted twice).

use std::collections::BTreeMap;

use super::{
    AppArmor, DeviceLink, DeviceNode, DeviceType, Drivers, Gpu, Host, Inventory, Selinux, Vendor,
    INVENTORY_VERSION,
};
use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use crate::json::{self, defaulted, list, optional, required, string, strings, Invalid, Json};
use crate::names::{device_path, is_normal_device_path};

impl Inventory {
    /// Reads an inventory document, of this version or an older one.
    pub fn from_json(text: &str) -> Result<Inventory, Diagnostic> {
        let at = Loc::at("inventory");
        let invalid = |message: String| Diagnostic::error_at(codes::BAD_INVENTORY, &at, message);
        let value = json::json_object(text)
            .map_err(|problem| invalid(problem.sentence("the inventory", false)))?;
        // The version first: a newer inventory would fail on its new fields, unexplained.
        let version_at = at.child("inventoryVersion");
        let version = match value.get("inventoryVersion") {
            None => {
                return Err(Diagnostic::error_at(
                    codes::BAD_INVENTORY,
                    &version_at,
                    "the inventory has no `inventoryVersion`",
                )
                .with_hint("give the output of `bundlec probe`"));
            }
            Some(Json::Whole(version)) => *version,
            Some(_) => {
                return Err(Diagnostic::error_at(
                    codes::BAD_INVENTORY,
                    &version_at,
                    "the inventory is not valid: `inventoryVersion` must be a whole number",
                ));
            }
        };
        let inventory_version = u32::try_from(version)
            .ok()
            .filter(|v| (1..=INVENTORY_VERSION).contains(v))
            .ok_or_else(|| {
                Diagnostic::error_at(
                    codes::BAD_INVENTORY,
                    &version_at,
                    format!("inventory version {version} is not supported"),
                )
                .with_hint(format!(
                    "this bundlec reads inventory versions 1 to {INVENTORY_VERSION}; upgrade bundlec"
                ))
            })?;
        let inventory = read(&value, inventory_version)
            .map_err(|error| invalid(format!("the inventory is not valid: {}", error.message())))?;
        inventory.check().map_err(|(path, message)| {
            Diagnostic::error_at(codes::BAD_INVENTORY, &at.child(&path), message)
                .with_hint("give the output of `bundlec probe`, or correct the entry")
        })?;
        Ok(inventory)
    }

    /// What types cannot check: every path is a normalized path below /dev and listed once,
    /// numbers fit Linux's encoding, and no GPU (or GPU node) is listed twice, so none counts
    /// twice. The error is the entry's path below `inventory` and a message.
    fn check(&self) -> Result<(), (String, String)> {
        self.check_paths()?;
        self.check_numbers()?;
        self.check_gpus()?;
        self.check_shared()?;
        self.check_capabilities()?;
        self.check_cdi()
    }

    /// The bounding set names only capabilities this build knows (runc refuses others), once.
    fn check_capabilities(&self) -> Result<(), (String, String)> {
        let Some(capabilities) = &self.host.capabilities else {
            return Ok(());
        };
        for (i, name) in capabilities.iter().enumerate() {
            let at = || format!("host.capabilities[{i}]");
            if !crate::caps::ALL_CAPABILITIES.contains(&name.as_str()) {
                return Err((at(), format!("`{name}` is not a Linux capability this bundlec knows (write kernel names without `CAP_`)")));
            }
            if capabilities
                .get(..i)
                .is_some_and(|before| before.contains(name))
            {
                return Err((at(), format!("`{name}` is listed twice")));
            }
        }
        Ok(())
    }

    /// Every node and link path is normalized, below /dev, and listed once.
    fn check_paths(&self) -> Result<(), (String, String)> {
        // Device and link paths share one namespace: a path is a node or a link, once.
        // Entries are numbered devices first, then links; `entry` names one back.
        let devices = self.devices.len();
        let entry = |position: usize| match position.checked_sub(devices) {
            None => format!("devices[{position}]"),
            Some(link) => format!("links[{link}]"),
        };
        let mut paths: BTreeMap<&str, usize> = BTreeMap::new();
        let entries = self
            .devices
            .iter()
            .map(|node| node.path.as_str())
            .chain(self.links.iter().map(|link| link.path.as_str()));
        for (position, path) in entries.enumerate() {
            if let Err(message) = check_device_path(path) {
                return Err((format!("{}.path", entry(position)), message));
            }
            if let Some(first) = paths.insert(path, position) {
                return Err((
                    format!("{}.path", entry(position)),
                    format!("`{path}` is listed twice (first at `{}`)", entry(first)),
                ));
            }
        }
        Ok(())
    }

    /// Every major and minor fits Linux's `dev_t`.
    fn check_numbers(&self) -> Result<(), (String, String)> {
        for (i, node) in self.devices.iter().enumerate() {
            if node.major > MAX_MAJOR {
                return Err((
                    format!("devices[{i}].major"),
                    format!(
                        "major {} of `{}` is above {MAX_MAJOR}, the largest Linux encodes",
                        node.major, node.path
                    ),
                ));
            }
            if node.minor > MAX_MINOR {
                return Err((
                    format!("devices[{i}].minor"),
                    format!(
                        "minor {} of `{}` is above {MAX_MINOR}, the largest Linux encodes",
                        node.minor, node.path
                    ),
                ));
            }
        }
        Ok(())
    }

    /// No GPU is listed twice, and no GPU node belongs to two GPUs.
    fn check_gpus(&self) -> Result<(), (String, String)> {
        // Keyed by text (`nvidia 0`) so this index shares the core's one index type.
        let keys: Vec<String> = self
            .gpus
            .iter()
            .map(|gpu| format!("{} {}", gpu.vendor.name(), gpu.index))
            .collect();
        let mut gpus: BTreeMap<&str, usize> = BTreeMap::new();
        // Where each GPU node path was listed (GPU, list, position), by its position in `listed`;
        // the path text is only built for an error.
        let mut listed: Vec<(usize, &str, usize)> = Vec::new();
        let place = |(i, list, j): (usize, &str, usize)| format!("gpus[{i}].{list}[{j}]");
        let mut gpu_nodes: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (gpu, key)) in self.gpus.iter().zip(&keys).enumerate() {
            if let Some(first) = gpus.insert(key, i) {
                return Err((
                    format!("gpus[{i}].index"),
                    format!(
                        "{} GPU {} is listed twice (first at `gpus[{first}]`)",
                        gpu.vendor.name(),
                        gpu.index
                    ),
                ));
            }
            let nodes = gpu
                .nodes
                .iter()
                .enumerate()
                .map(|(j, path)| ((i, "nodes", j), path));
            let drm = gpu
                .drm
                .iter()
                .enumerate()
                .map(|(j, path)| ((i, "drm", j), path));
            for (at, path) in nodes.chain(drm) {
                if let Err(message) = check_device_path(path) {
                    return Err((place(at), message));
                }
                if let Some(first) = gpu_nodes.insert(path, listed.len()) {
                    let first = listed.get(first).map_or_else(String::new, |&at| place(at));
                    return Err((
                        place(at),
                        format!(
                            "`{path}` is listed for two GPUs or twice for one (first at `{first}`)"
                        ),
                    ));
                }
                listed.push(at);
            }
        }
        Ok(())
    }

    /// Each vendor's shared nodes are normalized and listed once.
    fn check_shared(&self) -> Result<(), (String, String)> {
        for (vendor, shared) in &self.gpu_shared {
            let mut seen = BTreeMap::new();
            for (j, path) in shared.iter().enumerate() {
                let at = || format!("gpuShared.{}[{j}]", vendor.name());
                check_device_path(path).map_err(|message| (at(), message))?;
                if let Some(first) = seen.insert(path.as_str(), j) {
                    return Err((
                        at(),
                        format!(
                            "`{path}` is listed twice (first at `gpuShared.{}[{first}]`)",
                            vendor.name()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The largest major and minor Linux encodes in a `dev_t` (12 and 20 bits).
pub const MAX_MAJOR: u32 = (1 << 12) - 1;
pub const MAX_MINOR: u32 = (1 << 20) - 1;

/// An inventory path must already be in the normal form the probe writes.
fn check_device_path(path: &str) -> Result<(), String> {
    if is_normal_device_path(path) {
        return Ok(());
    }
    let normalized = device_path(path)?;
    if normalized != path {
        return Err(format!(
            "`{path}` is not a normalized path: write `{normalized}`"
        ));
    }
    Ok(())
}

/// The vendors by the names the inventory writes.
const VENDORS: &[(&str, Vendor)] = &[
    ("nvidia", Vendor::Nvidia),
    ("amd", Vendor::Amd),
    ("intel", Vendor::Intel),
];

fn read(value: &Json<'_>, inventory_version: u32) -> Result<Inventory, Invalid> {
    let map = json::object(
        value,
        &[
            "inventoryVersion",
            "host",
            "devices",
            "links",
            "drivers",
            "gpus",
            "gpuShared",
            "cdi",
            "warnings",
        ],
    )?;
    Ok(Inventory {
        inventory_version,
        host: defaulted(map, "host", host)?,
        devices: defaulted(map, "devices", |value| list(value, device_node))?,
        links: defaulted(map, "links", |value| list(value, device_link))?,
        drivers: defaulted(map, "drivers", drivers)?,
        gpus: defaulted(map, "gpus", |value| list(value, gpu))?,
        gpu_shared: defaulted(map, "gpuShared", gpu_shared)?,
        cdi: defaulted(map, "cdi", |value| list(value, super::cdi::cdi_entry))?,
        warnings: defaulted(map, "warnings", strings)?,
    })
}

fn host(value: &Json<'_>) -> Result<Host, Invalid> {
    let map = json::object(
        value,
        &[
            "hostname",
            "arch",
            "kernel",
            "cgroup",
            "seccomp",
            "capabilities",
            "apparmor",
            "selinux",
        ],
    )?;
    Ok(Host {
        hostname: defaulted(map, "hostname", string)?,
        arch: defaulted(map, "arch", string)?,
        kernel: defaulted(map, "kernel", string)?,
        cgroup: defaulted(map, "cgroup", string)?,
        seccomp: defaulted(map, "seccomp", json::boolean)?,
        capabilities: optional(map, "capabilities", strings)?,
        apparmor: optional(map, "apparmor", |value| {
            let map = json::object(value, &["enabled", "profiles"])?;
            Ok(AppArmor {
                enabled: required(map, "enabled", json::boolean)?,
                profiles: defaulted(map, "profiles", strings)?,
            })
        })?,
        selinux: optional(map, "selinux", |value| {
            let map = json::object(value, &["enabled", "enforcing"])?;
            Ok(Selinux {
                enabled: required(map, "enabled", json::boolean)?,
                enforcing: defaulted(map, "enforcing", json::boolean)?,
            })
        })?,
    })
}

fn device_node(value: &Json<'_>) -> Result<DeviceNode, Invalid> {
    let map = json::object(
        value,
        &["path", "type", "major", "minor", "fileMode", "uid", "gid"],
    )?;
    let number = |key| required(map, key, json::whole_u32);
    Ok(DeviceNode {
        path: required(map, "path", string)?,
        kind: required(map, "type", |value| {
            json::one_of(
                value,
                &[
                    ("c", DeviceType::Char),
                    ("b", DeviceType::Block),
                    ("p", DeviceType::Fifo),
                ],
            )
        })?,
        major: number("major")?,
        minor: number("minor")?,
        file_mode: number("fileMode")?,
        uid: number("uid")?,
        gid: number("gid")?,
    })
}

fn device_link(value: &Json<'_>) -> Result<DeviceLink, Invalid> {
    let map = json::object(value, &["path", "target"])?;
    Ok(DeviceLink {
        path: required(map, "path", string)?,
        target: required(map, "target", string)?,
    })
}

fn drivers(value: &Json<'_>) -> Result<Drivers, Invalid> {
    let map = json::object(value, &["char", "block"])?;
    Ok(Drivers {
        char: defaulted(map, "char", json::string_map)?,
        block: defaulted(map, "block", json::string_map)?,
    })
}

fn gpu(value: &Json<'_>) -> Result<Gpu, Invalid> {
    let map = json::object(
        value,
        &[
            "vendor", "index", "pciBusId", "uuid", "model", "nodes", "drm",
        ],
    )?;
    Ok(Gpu {
        vendor: required(map, "vendor", |value| json::one_of(value, VENDORS))?,
        index: required(map, "index", json::whole_u32)?,
        pci_bus_id: optional(map, "pciBusId", string)?,
        uuid: optional(map, "uuid", string)?,
        model: optional(map, "model", string)?,
        nodes: defaulted(map, "nodes", strings)?,
        drm: defaulted(map, "drm", strings)?,
    })
}

fn gpu_shared(value: &Json<'_>) -> Result<BTreeMap<Vendor, Vec<String>>, Invalid> {
    json::object(value, &["nvidia", "amd", "intel"])?
        .iter()
        .map(|(name, nodes)| {
            let vendor = json::named(name, VENDORS)?;
            Ok((vendor, strings(nodes).map_err(|error| error.within(name))?))
        })
        .collect()
}
