//! The checks the CDI reference makes on a spec once it is read: the version is one it
//! knows and no field is newer than it, the kind and device names have their syntax, device
//! names are unique and their edits non-empty, and each edit is well formed. Shared by the text
//! reader and the inventory (whose specs arrive as JSON).

use std::collections::BTreeMap;

use super::model::{CdiSpec, ContainerEdits};
use super::version::{too_new, CDI_VERSIONS};
use crate::names::valid_env_key;

/// The OCI hook stages a CDI hook may name.
pub const HOOK_STAGES: &[&str] = &[
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
];

/// One fault of a spec: the path below the spec, what is wrong, and whether it is a field newer
/// than the declared version (its own diagnostic code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub path: String,
    pub message: String,
    pub too_new: bool,
}

pub(super) fn fault(path: impl Into<String>, message: impl Into<String>) -> Fault {
    Fault {
        path: path.into(),
        message: message.into(),
        too_new: false,
    }
}

/// Every fault of a spec, in document order.
pub fn check(spec: &CdiSpec) -> Vec<Fault> {
    let mut faults = Vec::new();
    if !CDI_VERSIONS.contains(&spec.cdi_version.as_str()) {
        faults.push(fault(
            "cdiVersion",
            format!(
                "CDI version `{}` is not one bundlec reads ({} to {})",
                spec.cdi_version,
                CDI_VERSIONS.first().copied().unwrap_or_default(),
                CDI_VERSIONS.last().copied().unwrap_or_default()
            ),
        ));
    } else {
        too_new(spec, &mut faults);
    }
    if let Err(message) = check_kind(&spec.kind) {
        faults.push(fault("kind", message));
    }
    check_annotations(&spec.annotations, "annotations", &mut faults);
    if spec.devices.is_empty() {
        faults.push(fault("devices", "a CDI spec needs at least one device"));
    }
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, device) in spec.devices.iter().enumerate() {
        let at = format!("devices[{i}]");
        if let Err(message) = check_device_name(&device.name) {
            faults.push(fault(format!("{at}.name"), message));
        } else if let Some(first) = names.insert(&device.name, i) {
            faults.push(fault(
                format!("{at}.name"),
                format!(
                    "device `{}` is defined twice (first at `devices[{first}]`)",
                    device.name
                ),
            ));
        }
        check_annotations(
            &device.annotations,
            &format!("{at}.annotations"),
            &mut faults,
        );
        if device.container_edits.is_empty() {
            faults.push(fault(
                format!("{at}.containerEdits"),
                format!("device `{}` has no edits", device.name),
            ));
        }
        check_edits(
            &device.container_edits,
            &format!("{at}.containerEdits"),
            &mut faults,
        );
    }
    check_edits(&spec.container_edits, "containerEdits", &mut faults);
    faults
}

/// `vendor.com/class`: a DNS-subdomain vendor and a class name, as the reference's parser
/// checks them.
pub fn check_kind(kind: &str) -> Result<(), String> {
    let Some((vendor, class)) = kind.split_once('/') else {
        return Err(format!(
            "kind `{kind}` must be `vendor/class`, such as `nvidia.com/gpu`"
        ));
    };
    check_vendor_or_class(vendor, "vendor", 253)
        .and_then(|()| check_vendor_or_class(class, "class", 63))
        .map_err(|problem| format!("kind `{kind}`: {problem}"))
}

fn check_vendor_or_class(name: &str, what: &str, longest: usize) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err(format!("the {what} is empty"));
    };
    if !first.is_ascii_alphabetic() {
        return Err(format!("the {what} `{name}` must start with a letter"));
    }
    if name.len() > longest {
        return Err(format!("the {what} is longer than {longest} characters"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!("the {what} `{name}` holds `{bad}`"));
    }
    if !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "the {what} `{name}` must end with a letter or digit"
        ));
    }
    Ok(())
}

/// A device name: letters, digits, `-`, `_`, `.` and `:`, starting and ending with a letter
/// or digit.
pub fn check_device_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a device name is empty".to_string());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
    {
        return Err(format!("device name `{name}` holds `{bad}`"));
    }
    let alphanumeric = |c: char| c.is_ascii_alphanumeric();
    if !name.starts_with(alphanumeric) || !name.ends_with(alphanumeric) {
        return Err(format!(
            "device name `{name}` must start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// Annotation keys: an optional DNS prefix and `/`, then a name of at most 63 letters,
/// digits, `-`, `_` and `.`, starting and ending alphanumeric.
fn check_annotations(annotations: &BTreeMap<String, String>, at: &str, faults: &mut Vec<Fault>) {
    for key in annotations.keys() {
        let name = key.rsplit_once('/').map_or(key.as_str(), |(_, name)| name);
        let prefix_ok = key
            .rsplit_once('/')
            .is_none_or(|(prefix, _)| !prefix.is_empty() && prefix.len() <= 253);
        let name_ok = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !(prefix_ok && name_ok) {
            faults.push(fault(
                format!("{at}.{key}"),
                format!("annotation key `{key}` is not a valid key"),
            ));
        }
    }
}

fn check_edits(edits: &ContainerEdits, at: &str, faults: &mut Vec<Fault>) {
    for (j, entry) in edits.env.iter().enumerate() {
        if !entry
            .split_once('=')
            .is_some_and(|(key, _)| valid_env_key(key))
        {
            faults.push(fault(
                format!("{at}.env[{j}]"),
                format!("env entry `{}` is not KEY=VALUE", entry.escape_debug()),
            ));
        }
    }
    for (j, node) in edits.device_nodes.iter().enumerate() {
        let here = format!("{at}.deviceNodes[{j}]");
        if !node.path.starts_with('/') {
            faults.push(fault(
                format!("{here}.path"),
                format!("device node path `{}` must be absolute", node.path),
            ));
        }
        if let Some(host) = node.host_path.as_deref().filter(|p| !p.starts_with('/')) {
            faults.push(fault(
                format!("{here}.hostPath"),
                format!("device node host path `{host}` must be absolute"),
            ));
        }
        if let Some(kind) = node
            .kind
            .as_deref()
            .filter(|kind| !matches!(*kind, "" | "b" | "c" | "u" | "p"))
        {
            faults.push(fault(
                format!("{here}.type"),
                format!("device type `{kind}` is not `b`, `c`, `u` or `p`"),
            ));
        }
        if let Some(permissions) = node
            .permissions
            .as_deref()
            .filter(|p| *p != "none" && !p.chars().all(|c| matches!(c, 'r' | 'w' | 'm')))
        {
            faults.push(fault(
                format!("{here}.permissions"),
                format!("permissions `{permissions}` must be letters of `rwm`, or `none`"),
            ));
        }
        // Linux encodes majors in 12 bits and minors in 20; the reference does not check, but
        // a config must not carry a number runc cannot create.
        for (value, field, largest) in [
            (node.major, "major", 4095),
            (node.minor, "minor", 1_048_575),
        ] {
            if value.is_some_and(|n| !(0..=largest).contains(&n)) {
                faults.push(fault(
                    format!("{here}.{field}"),
                    format!(
                        "the {field} number of `{}` is outside 0 to {largest}, what Linux encodes",
                        node.path
                    ),
                ));
            }
        }
    }
    for (j, hook) in edits.hooks.iter().enumerate() {
        let here = format!("{at}.hooks[{j}]");
        if !HOOK_STAGES.contains(&hook.hook_name.as_str()) {
            faults.push(fault(
                format!("{here}.hookName"),
                format!(
                    "`{}` is not a hook stage ({})",
                    hook.hook_name,
                    HOOK_STAGES.join(", ")
                ),
            ));
        }
        if !hook.path.starts_with('/') {
            faults.push(fault(
                format!("{here}.path"),
                format!("hook path `{}` must be absolute", hook.path),
            ));
        }
        if hook.timeout.is_some_and(|t| t <= 0) {
            faults.push(fault(
                format!("{here}.timeout"),
                "a hook timeout must be above zero",
            ));
        }
        for (k, entry) in hook.env.iter().enumerate() {
            if !entry
                .split_once('=')
                .is_some_and(|(key, _)| valid_env_key(key))
            {
                faults.push(fault(
                    format!("{here}.env[{k}]"),
                    format!("env entry `{}` is not KEY=VALUE", entry.escape_debug()),
                ));
            }
        }
    }
    for (j, mount) in edits.mounts.iter().enumerate() {
        let here = format!("{at}.mounts[{j}]");
        if mount.host_path.is_empty() {
            faults.push(fault(
                format!("{here}.hostPath"),
                "a mount's `hostPath` is empty",
            ));
        }
        if !mount.container_path.starts_with('/') {
            faults.push(fault(
                format!("{here}.containerPath"),
                format!(
                    "mount destination `{}` must be absolute",
                    mount.container_path
                ),
            ));
        }
    }
    if let Some(clos) = edits
        .intel_rdt
        .as_ref()
        .and_then(|rdt| rdt.clos_id.as_deref())
    {
        if matches!(clos, "." | "..") || clos.contains(['/', '\n']) {
            faults.push(fault(
                format!("{at}.intelRdt.closID"),
                format!("`{clos}` is not a valid class of service name"),
            ));
        }
    }
    let mut host_names: BTreeMap<&str, usize> = BTreeMap::new();
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (j, device) in edits.net_devices.iter().enumerate() {
        let here = format!("{at}.netDevices[{j}]");
        for (name, field, seen) in [
            (
                &device.host_interface_name,
                "hostInterfaceName",
                &mut host_names,
            ),
            (&device.name, "name", &mut names),
        ] {
            if !valid_interface_name(name) {
                faults.push(fault(
                    format!("{here}.{field}"),
                    format!("`{name}` is not a valid network interface name"),
                ));
            } else if seen.insert(name, j).is_some() {
                faults.push(fault(
                    format!("{here}.{field}"),
                    format!("network interface `{name}` is named twice"),
                ));
            }
        }
    }
}

/// A Linux interface name: 1 to 15 bytes, no `/`, `:` or white space, not `.` or `..`.
fn valid_interface_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && !matches!(name, "." | "..")
        && !name.contains(|c: char| c == '/' || c == ':' || c.is_whitespace())
}
