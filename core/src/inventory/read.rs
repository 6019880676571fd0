//! Reading an inventory: serde for the shape and types, then what serde cannot check (paths
//! normalized and listed once, numbers Linux encodes, no GPU counted twice).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Inventory, INVENTORY_VERSION};
use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use crate::names::{device_path, is_normal_device_path};

impl Inventory {
    /// Reads an inventory document, of this version or an older one.
    pub fn from_json(text: &str) -> Result<Inventory, Diagnostic> {
        let at = Loc::at("inventory");
        // One pass in the common case; the version is read alone only to explain a failure
        // (a newer inventory fails on its new fields before its version could be checked).
        let parsed: Result<Inventory, _> = crate::json::from_json_object(text);
        let version = match &parsed {
            Ok(inventory) => Ok(Some(u64::from(inventory.inventory_version))),
            Err(_) => {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct VersionOnly {
                    inventory_version: Option<u64>,
                }
                crate::json::from_json_object::<VersionOnly>(text)
                    .map(|only| only.inventory_version)
            }
        };
        match version {
            Ok(Some(v)) if !(1..=u64::from(INVENTORY_VERSION)).contains(&v) => {
                return Err(Diagnostic::error_at(
                    codes::BAD_INVENTORY,
                    &at.child("inventoryVersion"),
                    format!("inventory version {v} is not supported"),
                )
                .with_hint(format!(
                    "this bundlec reads inventory versions 1 to {INVENTORY_VERSION}; upgrade bundlec"
                )));
            }
            Ok(None) => {
                return Err(Diagnostic::error_at(
                    codes::BAD_INVENTORY,
                    &at.child("inventoryVersion"),
                    "the inventory has no `inventoryVersion`",
                )
                .with_hint("give the output of `bundlec probe`"));
            }
            _ => {}
        }
        let inventory = parsed.map_err(|problem| {
            Diagnostic::error_at(
                codes::BAD_INVENTORY,
                &at,
                problem.sentence("the inventory", false),
            )
        })?;
        inventory.check().map_err(|(path, message)| {
            Diagnostic::error_at(codes::BAD_INVENTORY, &at.child(&path), message)
                .with_hint("give the output of `bundlec probe`, or correct the entry")
        })?;
        Ok(inventory)
    }

    /// What serde cannot check: every path is a normalized path below /dev and listed once,
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
