//! CDI devices (DESIGN §11): the requested names resolved in the inventory's specs, their
//! edits gathered in the reference's order (a spec's own edits once, before its first device's),
//! and applied with the reference's rules: env replaces in place, a device node replaces one at
//! its path and gets an allow rule, mounts replace one at their destination and are then stably
//! sorted by depth, hooks go to their stage, groups are added once, intelRdt and netDevices set.

use std::collections::BTreeMap;

use super::{node as node_of, rule};
use crate::cdi::{CdiDeviceNode, CdiHook, CdiMount, ContainerEdits};
use crate::codes;
use crate::config::{Config, Device, DeviceRule, Hook, HookStage, IntelRdt, Mount};
use crate::context::Context;
use crate::diagnostic::{closest, Diagnostic, Diagnostics, Loc};
use crate::inventory::{CdiIndex, DeviceType, InventoryIndex};
use crate::names::normalize;
use crate::spec::CdiRequest;

/// The edits of the requested CDI devices, in the order the reference applies them.
#[derive(Debug, Clone, Default)]
pub struct CdiPlan {
    mounts: Vec<Mount>,
    hooks: Vec<(HookStage, Hook)>,
    additional_gids: Vec<u32>,
    intel_rdt: Option<IntelRdt>,
    net_devices: Vec<(String, String)>,
    /// Paths of the nodes whose owner the CDI spec left to the container's user.
    owned_by_user: BTreeMap<String, usize>,
}

/// The edits of `requests`, each spec's own edits before its first device's; an unknown name
/// is reported with the closest names the inventory defines.
pub(super) fn gather<'a>(
    ctx: &Context<'a>,
    index: &CdiIndex<'a>,
    requests: impl Iterator<Item = &'a CdiRequest>,
    diags: &mut Diagnostics,
) -> Vec<&'a ContainerEdits> {
    let mut edits = Vec::new();
    // Specs already applied (by position) and names already injected (by text).
    let mut specs: BTreeMap<usize, usize> = BTreeMap::new();
    let mut injected: BTreeMap<String, usize> = BTreeMap::new();
    for request in requests {
        let qualified = format!("{}={}", request.kind, request.name);
        if injected.insert(qualified.clone(), 0).is_some() {
            continue;
        }
        let Some((position, entry, device)) = index.device(&request.kind, &request.name) else {
            diags.push(unknown(ctx, &qualified, &request.at));
            continue;
        };
        if specs.insert(position, 0).is_none() {
            edits.push(&entry.spec.container_edits);
        }
        edits.push(&device.container_edits);
    }
    edits
}

fn unknown(ctx: &Context<'_>, qualified: &str, at: &Loc) -> Diagnostic {
    let names: Vec<String> = ctx.inventory.cdi_names().collect();
    let error = Diagnostic::error_at(
        codes::UNKNOWN_CDI_DEVICE,
        at,
        format!("no CDI spec in the inventory defines `{qualified}`"),
    );
    if names.is_empty() {
        return error.with_hint(
            "the inventory has no CDI specs: probe a node that has them in /etc/cdi or /var/run/cdi, or run `bundlec cdi generate` there first",
        );
    }
    // Up to three names, the closest first.
    let mut near: Vec<&str> = Vec::new();
    while near.len() < 3 {
        let rest = names
            .iter()
            .map(String::as_str)
            .filter(|name| !near.contains(name));
        match closest(qualified, rest) {
            Some(name) => near.push(name),
            None => break,
        }
    }
    match near.as_slice() {
        [] => {
            let listed: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
            let more = if names.len() > listed.len() {
                ", …"
            } else {
                ""
            };
            error.with_hint(format!("the inventory defines {}{more}", listed.join(", ")))
        }
        [one] => error.with_hint(format!("did you mean `{one}`?")),
        several => error.with_hint(format!("did you mean one of `{}`?", several.join("`, `"))),
    }
}

/// Applies the env and device-node edits (the devices section's own), and returns the rest
/// for [`finish`].
pub(super) fn apply(
    edits: &[&ContainerEdits],
    inventory: &InventoryIndex<'_>,
    privileged: bool,
    plan: (
        &mut Vec<Device>,
        &mut Vec<DeviceRule>,
        &mut Vec<(String, String)>,
    ),
    diags: &mut Diagnostics,
) -> CdiPlan {
    let (nodes, rules, env) = plan;
    let mut rest = CdiPlan::default();
    for entry in edits.iter().flat_map(|e| &e.env) {
        // Checked when the spec was read: every entry is KEY=VALUE.
        if let Some((key, value)) = entry.split_once('=') {
            env.push((key.to_string(), value.to_string()));
        }
    }
    // A node replaces the one at its path: slots and an index by path keep this O(n log n).
    let mut by_path: BTreeMap<String, usize> = BTreeMap::new();
    let mut slots: Vec<Option<Device>> = Vec::with_capacity(nodes.len());
    for device in nodes.drain(..) {
        by_path.insert(device.path.clone(), slots.len());
        slots.push(Some(device));
    }
    for node in edits.iter().flat_map(|e| &e.device_nodes) {
        let Some((device, rule)) = device_node(node, inventory, diags) else {
            continue;
        };
        if node.uid.is_none() || node.gid.is_none() {
            rest.owned_by_user.insert(node.path.clone(), 0);
        }
        if let Some(old) = by_path
            .insert(node.path.clone(), slots.len())
            .and_then(|i| slots.get_mut(i))
        {
            *old = None;
        }
        slots.push(Some(device));
        if let (Some(rule), false) = (rule, privileged) {
            rules.push(rule);
        }
    }
    nodes.extend(slots.into_iter().flatten());
    rest.mounts = edits
        .iter()
        .flat_map(|e| &e.mounts)
        .map(config_mount)
        .collect();
    // Stages were checked when the spec was read.
    rest.hooks = edits
        .iter()
        .flat_map(|e| &e.hooks)
        .filter_map(|hook| Some((HookStage::from_name(&hook.hook_name)?, config_hook(hook))))
        .collect();
    // The last spec that sets intelRdt wins, as in the reference.
    for rdt in edits.iter().filter_map(|e| e.intel_rdt.as_ref()) {
        rest.intel_rdt = Some(IntelRdt {
            clos_id: rdt.clos_id.clone(),
            schemata: rdt.schemata.clone(),
            l3_cache_schema: rdt.l3_cache_schema.clone(),
            mem_bw_schema: rdt.mem_bw_schema.clone(),
            enable_monitoring: rdt.enable_monitoring,
        });
    }
    // The reference ignores 0; `finish` adds each group once.
    rest.additional_gids = edits
        .iter()
        .flat_map(|e| &e.additional_gids)
        .copied()
        .filter(|gid| *gid != 0)
        .collect();
    for net in edits.iter().flat_map(|e| &e.net_devices) {
        rest.net_devices
            .push((net.host_interface_name.clone(), net.name.clone()));
    }
    rest
}

/// A CDI node as an OCI device and its allow rule: type and numbers from the spec (the probe
/// fills them), else from the inventory's node at its host path.
fn device_node(
    node: &CdiDeviceNode,
    inventory: &InventoryIndex<'_>,
    diags: &mut Diagnostics,
) -> Option<(Device, Option<DeviceRule>)> {
    let host_path = node.host_path.as_deref().unwrap_or(&node.path);
    let given = node.kind.as_deref().filter(|kind| !kind.is_empty());
    let complete = given.is_some_and(|kind| kind == "p" || node.major.is_some());
    let host = inventory.resolve(host_path);
    let (kind, major, minor, file_mode) = match (complete, host) {
        (true, _) => (
            given.unwrap_or("c").to_string(),
            node.major.unwrap_or(0),
            node.minor.unwrap_or(0),
            node.file_mode.or(host.map(|h| h.file_mode & 0o777)),
        ),
        (false, Some(host)) => (
            match host.kind {
                DeviceType::Char => "c",
                DeviceType::Block => "b",
                DeviceType::Fifo => "p",
            }
            .to_string(),
            i64::from(host.major),
            i64::from(host.minor),
            node.file_mode.or(Some(host.file_mode & 0o777)),
        ),
        (false, None) => {
            diags.error_hint(
                codes::DEVICE_NOT_IN_INVENTORY,
                &Loc::at("inventory.cdi"),
                format!("CDI device node `{host_path}` has no type and numbers, and the inventory does not list it"),
                "probe the node again: the probe fills each CDI node's numbers from /dev",
            );
            return None;
        }
    };
    let typ = match kind.as_str() {
        "b" => 'b',
        "u" => 'u',
        "p" => 'p',
        _ => 'c',
    };
    let device = node_of(
        &node.path,
        (typ, major, minor),
        file_mode.map(|mode| mode & 0o777),
        (node.uid, node.gid),
    );
    let access = match node.permissions.as_deref() {
        None | Some("") => "rwm",
        Some(access) => access,
    };
    let rule = (matches!(kind.as_str(), "b" | "c") && access != "none").then(|| {
        rule(
            true,
            Some(typ),
            Some(major),
            Some(minor),
            access.to_string().into(),
        )
    });
    Some((device, rule))
}

fn config_mount(mount: &CdiMount) -> Mount {
    Mount {
        destination: mount.container_path.clone().into(),
        kind: mount
            .kind
            .clone()
            .filter(|kind| !kind.is_empty())
            .map(Into::into),
        source: mount.host_path.clone().into(),
        options: mount.options.iter().cloned().map(Into::into).collect(),
    }
}

fn config_hook(hook: &CdiHook) -> Hook {
    Hook {
        path: hook.path.clone(),
        args: hook.args.clone(),
        env: hook.env.clone(),
        timeout: hook.timeout,
    }
}

/// Applies the edits that land outside the devices section, on the assembled config.
pub fn finish(config: &mut Config, plan: CdiPlan) {
    let user = &mut config.process.user;
    if !plan.additional_gids.is_empty() {
        // Maps keyed by `usize`: the core's one number-keyed B-tree type.
        // Filled by inserts: collecting into a map would carry another sort.
        let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
        for &gid in &user.additional_gids {
            seen.insert(gid as usize, 0);
        }
        for gid in plan.additional_gids {
            if seen.insert(gid as usize, 0).is_none() {
                user.additional_gids.push(gid);
            }
        }
    }
    let (uid, gid) = (user.uid, user.gid);
    let linux = &mut config.linux;
    // As the reference: a node whose owner the spec leaves open belongs to a non-root user.
    for device in &mut linux.devices {
        if plan.owned_by_user.contains_key(&device.path) {
            if device.uid.is_none() && uid > 0 {
                device.uid = Some(uid);
            }
            if device.gid.is_none() && gid > 0 {
                device.gid = Some(gid);
            }
        }
    }
    if plan.intel_rdt.is_some() {
        linux.intel_rdt = plan.intel_rdt;
    }
    linux.net_devices.extend(plan.net_devices);
    if !plan.mounts.is_empty() {
        // A mount replaces the one at its destination; slots and an index keep this O(n log n).
        let mut by_destination: BTreeMap<String, usize> = BTreeMap::new();
        let mut slots: Vec<Option<Mount>> = Vec::new();
        for mount in std::mem::take(&mut config.mounts)
            .into_iter()
            .chain(plan.mounts)
        {
            let destination = normalize(&mount.destination);
            if let Some(old) = by_destination
                .insert(destination, slots.len())
                .and_then(|i| slots.get_mut(i))
            {
                *old = None;
            }
            slots.push(Some(mount));
        }
        let mounts: Vec<Mount> = slots.into_iter().flatten().collect();
        // The reference's order: stable by the number of `/` in the cleaned destination.
        config.mounts = crate::sorting::sort_by(mounts, |a, b| depth(a).cmp(&depth(b)));
    }
    config.hooks.extend(plan.hooks);
}

fn depth(mount: &Mount) -> usize {
    normalize(&mount.destination).matches('/').count()
}
