//! Which CDI version each field needs (SPEC.md's table of released versions, as the
//! reference's `MinimumRequiredVersion` applies it), and the versions bundlec reads.

use super::check::Fault;
use super::model::CdiSpec;

/// The CDI versions bundlec reads, oldest first.
pub const CDI_VERSIONS: &[&str] = &[
    "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "1.0.0", "1.1.0",
];

/// A version as numbers, for comparing.
fn version_number(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split('.').map(|part| part.parse::<u32>().ok());
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(Some(a)), Some(Some(b)), Some(Some(c)), None) => Some((a, b, c)),
        _ => None,
    }
}

/// Each field used that is newer than the declared version, as the reference's
/// `MinimumRequiredVersion` finds them.
pub(super) fn too_new(spec: &CdiSpec, faults: &mut Vec<Fault>) {
    let declared = version_number(&spec.cdi_version).unwrap_or_default();
    let mut uses: Vec<(&str, String, &str)> = Vec::new();
    if !spec.annotations.is_empty() {
        uses.push(("0.6.0", "annotations".into(), "spec annotations"));
    }
    if let Some((_, class)) = spec.kind.split_once('/') {
        if class.contains('.') {
            uses.push(("0.6.0", "kind".into(), "a dot in the kind's class"));
        }
    }
    let mut edits = Vec::new();
    for (i, device) in spec.devices.iter().enumerate() {
        let at = format!("devices[{i}]");
        if device.name.starts_with(|c: char| !c.is_ascii_alphabetic()) {
            uses.push((
                "0.5.0",
                format!("{at}.name"),
                "a device name that does not start with a letter",
            ));
        }
        if !device.annotations.is_empty() {
            uses.push(("0.6.0", format!("{at}.annotations"), "device annotations"));
        }
        edits.push((format!("{at}.containerEdits"), &device.container_edits));
    }
    edits.push(("containerEdits".to_string(), &spec.container_edits));
    for (at, edits) in &edits {
        for (j, node) in edits.device_nodes.iter().enumerate() {
            if node.host_path.is_some() {
                uses.push((
                    "0.5.0",
                    format!("{at}.deviceNodes[{j}].hostPath"),
                    "`hostPath`",
                ));
            }
        }
        for (j, mount) in edits.mounts.iter().enumerate() {
            if mount.kind.as_deref().is_some_and(|kind| !kind.is_empty()) {
                uses.push(("0.4.0", format!("{at}.mounts[{j}].type"), "a mount `type`"));
            }
        }
        if let Some(rdt) = &edits.intel_rdt {
            uses.push(("0.7.0", format!("{at}.intelRdt"), "`intelRdt`"));
            if !rdt.schemata.is_empty() {
                uses.push(("1.1.0", format!("{at}.intelRdt.schemata"), "`schemata`"));
            }
            if rdt.enable_monitoring {
                uses.push((
                    "1.1.0",
                    format!("{at}.intelRdt.enableMonitoring"),
                    "`enableMonitoring`",
                ));
            }
        }
        if !edits.additional_gids.is_empty() {
            uses.push(("0.7.0", format!("{at}.additionalGids"), "`additionalGids`"));
        }
        if !edits.net_devices.is_empty() {
            uses.push(("1.1.0", format!("{at}.netDevices"), "`netDevices`"));
        }
    }
    for (needed, path, what) in uses {
        if version_number(needed).unwrap_or_default() > declared {
            faults.push(Fault {
                path,
                message: format!(
                    "{what} needs CDI version {needed}, but the spec declares {}",
                    spec.cdi_version
                ),
                too_new: true,
            });
        }
    }
}
