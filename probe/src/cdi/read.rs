//! CDI specs on the node (DESIGN §11): every `.json` and `.yaml` file in `<root>/etc/cdi` and
//! `<root>/var/run/cdi`, read and checked by the core. Priorities and conflicts are resolved as
//! the CDI reference resolves them (`/var/run/cdi` wins over `/etc/cdi`; a device name defined
//! twice at one priority is dropped from both), and each device node gets its type, numbers and
//! mode from the `/dev` scan, since the compile cannot stat. A broken file is a warning.

use std::collections::BTreeMap;
use std::path::Path;

use bundlec_core::{read_cdi_spec, CdiDeviceNode, CdiSpecEntry, DeviceNode, DeviceType};

use crate::confined;

/// The directories the reference reads, lowest priority first; the priority is 1 + position.
pub const CDI_DIRS: &[&str] = &["/etc/cdi", "/var/run/cdi"];

/// The CDI specs under `root`, with the warnings about the files that were left out.
pub fn read_specs(
    root: &Path,
    devices: &[DeviceNode],
    warnings: &mut Vec<String>,
) -> Vec<CdiSpecEntry> {
    let mut entries = Vec::new();
    for (position, dir) in CDI_DIRS.iter().enumerate() {
        let priority = u32::try_from(position)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let names = match confined::list_dir(root, Path::new(dir)) {
            Ok(names) => names.unwrap_or_default(),
            Err(error) => {
                warnings.push(format!("{dir}: cannot list: {error}"));
                continue;
            }
        };
        for name in names {
            let path = format!("{dir}/{name}");
            if name.ends_with(".yml") {
                warnings.push(format!(
                    "{path}: left out: CDI specs end in .json or .yaml, and runtimes ignore .yml"
                ));
                continue;
            }
            if !(name.ends_with(".json") || name.ends_with(".yaml")) {
                continue;
            }
            if let Some(spec) = read_one(root, &path, warnings) {
                entries.push(CdiSpecEntry {
                    path,
                    priority,
                    generated: false,
                    spec,
                });
            }
        }
    }
    drop_conflicts(&mut entries, warnings);
    for entry in &mut entries {
        fill_nodes(entry, devices, warnings);
    }
    entries
}

fn read_one(root: &Path, path: &str, warnings: &mut Vec<String>) -> Option<bundlec_core::CdiSpec> {
    let text = match confined::read_to_string(root, Path::new(path)) {
        Ok(Some(text)) => text,
        Ok(None) => return None,
        Err(error) => {
            warnings.push(format!("{path}: cannot read: {error}"));
            return None;
        }
    };
    match read_cdi_spec(&text) {
        Ok(spec) => Some(spec),
        Err(diagnostics) => {
            let faults: Vec<String> = diagnostics
                .iter()
                .map(|d| match (d.line, d.column) {
                    (Some(line), Some(column)) => {
                        format!("{} at line {line}, column {column}", d.message)
                    }
                    _ => d.message.clone(),
                })
                .collect();
            warnings.push(format!(
                "{path}: left out: not a valid CDI spec: {}",
                faults.join("; ")
            ));
            None
        }
    }
}

/// A name defined at two priorities goes to the higher one (the compile looks it up there). A
/// name defined twice at one priority is not used at all, from any file, as the reference's
/// cache drops it; a spec left without devices is dropped. Each is a warning.
fn drop_conflicts(entries: &mut Vec<CdiSpecEntry>, warnings: &mut Vec<String>) {
    let mut defined: BTreeMap<(u32, String), Vec<usize>> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        for device in &entry.spec.devices {
            let name = format!("{}={}", entry.spec.kind, device.name);
            defined.entry((entry.priority, name)).or_default().push(i);
        }
    }
    let mut conflicted: BTreeMap<String, ()> = BTreeMap::new();
    for ((_, name), at) in defined.into_iter().filter(|(_, at)| at.len() > 1) {
        let files: Vec<&str> = at
            .iter()
            .filter_map(|&i| entries.get(i))
            .map(|entry| entry.path.as_str())
            .collect();
        warnings.push(format!(
            "CDI device `{name}` is defined in both {}: it is not used, as CDI runtimes do",
            files.join(" and ")
        ));
        conflicted.insert(name, ());
    }
    if conflicted.is_empty() {
        return;
    }
    for entry in entries.iter_mut() {
        let kind = entry.spec.kind.clone();
        entry
            .spec
            .devices
            .retain(|device| !conflicted.contains_key(&format!("{kind}={}", device.name)));
    }
    entries.retain(|entry| {
        let keep = !entry.spec.devices.is_empty();
        if !keep {
            warnings.push(format!(
                "{}: left out: none of its devices is left after the conflicts",
                entry.path
            ));
        }
        keep
    });
}

/// Fills each node's type, numbers and mode from the `/dev` scan, where the spec leaves them out.
fn fill_nodes(entry: &mut CdiSpecEntry, devices: &[DeviceNode], warnings: &mut Vec<String>) {
    let by_path: BTreeMap<&str, &DeviceNode> = devices
        .iter()
        .map(|node| (node.path.as_str(), node))
        .collect();
    let path = entry.path.clone();
    let edits = std::iter::once(&mut entry.spec.container_edits).chain(
        entry
            .spec
            .devices
            .iter_mut()
            .map(|device| &mut device.container_edits),
    );
    for edits in edits {
        for node in &mut edits.device_nodes {
            fill_node(node, &by_path, &path, warnings);
        }
    }
}

fn fill_node(
    node: &mut CdiDeviceNode,
    by_path: &BTreeMap<&str, &DeviceNode>,
    spec_path: &str,
    warnings: &mut Vec<String>,
) {
    let host_path = node.host_path.clone().unwrap_or_else(|| node.path.clone());
    let Some(host) = by_path.get(host_path.as_str()) else {
        warnings.push(format!(
            "{spec_path}: device node {host_path} is not in /dev; a container using it will fail to start"
        ));
        return;
    };
    let complete = match node.kind.as_deref() {
        Some("p") => true,
        Some(kind) if !kind.is_empty() => node.major.is_some(),
        _ => false,
    };
    if !complete {
        node.kind = Some(
            match host.kind {
                DeviceType::Char => "c",
                DeviceType::Block => "b",
                DeviceType::Fifo => "p",
            }
            .to_string(),
        );
        if host.kind != DeviceType::Fifo {
            node.major = Some(i64::from(host.major));
            node.minor = Some(i64::from(host.minor));
        }
    }
    if node.file_mode.is_none() {
        node.file_mode = Some(host.file_mode & 0o777);
    }
}
