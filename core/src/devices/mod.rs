//! Devices: every requested node is looked up in the inventory and granted with the host's
//! own type, major and minor; the GPUs (their own module) add their nodes and env, and CDI
//! devices (their own module) their edits.

mod cdi;
mod gpus;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::codes;
use crate::config::{Device, DeviceRule};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::inventory::{DeviceNode, DeviceType, InventoryIndex};

/// What the devices section gives the others.
#[derive(Debug, Clone, Default)]
pub struct DevicePlan {
    /// `linux.devices`: the nodes created in the container.
    pub nodes: Vec<Device>,
    /// `linux.resources.devices`: the cgroup allow list.
    pub rules: Vec<DeviceRule>,
    /// GPU and CDI environment, in that order, added to the process env where the user has
    /// not set the key.
    pub env: Vec<(String, String)>,
    /// The CDI edits for the other sections, applied by [`finish`] on the assembled spec.
    pub cdi: CdiPlan,
}

pub use cdi::{finish, CdiPlan};

/// Nodes every container may use (containerd's list): null, zero, full, random, urandom,
/// tty, console, ptmx, and every pts.
const STANDARD_NODES: &[(i64, Option<i64>)] = &[
    (1, Some(3)),
    (1, Some(5)),
    (1, Some(7)),
    (1, Some(8)),
    (1, Some(9)),
    (5, Some(0)),
    (5, Some(1)),
    (5, Some(2)),
    (136, None),
];

struct Grant<'a> {
    path: String,
    node: &'a DeviceNode,
    access: String,
}

/// The nodes granted so far, in first-grant order, with an index by container path.
#[derive(Default)]
struct Grants<'a> {
    list: Vec<Grant<'a>>,
    by_path: BTreeMap<&'a str, usize>,
}

pub fn devices(ctx: &Context<'_>, diags: &mut Diagnostics) -> DevicePlan {
    let inventory = ctx.inventory.index();
    let cdi_index = ctx.inventory.cdi_index();
    let mut grants = Grants::default();
    for (i, request) in ctx.service.devices.iter().enumerate() {
        let access = access(request.read, request.write, request.mknod);
        let what = format!("device {i}");
        grant_from_inventory(
            ctx,
            &inventory,
            &mut grants,
            &request.path.value,
            &access,
            (&request.path.at, &what),
            diags,
        );
    }
    let mut env = Vec::new();
    let mut gpu_requests = Vec::new();
    if let Some(gpu) = &ctx.service.resources.gpu {
        let (gpu_env, gpu_cdi) = gpus::gpus(ctx, (&inventory, &cdi_index), gpu, &mut grants, diags);
        env = gpu_env;
        gpu_requests = gpu_cdi;
    }
    if ctx.service.privileged {
        grant_every_host_device(ctx, &mut grants, diags);
    }
    let grants = grants.list;
    let mut nodes: Vec<Device> = grants.iter().map(linux_device).collect();
    let mut rules = if ctx.service.privileged {
        vec![rule(true, None, None, None, "rwm".into())]
    } else {
        cgroup_rules(&grants)
    };
    // The spec's CDI names, then the GPUs' (borrowed: no copy of the spec's list).
    let cdi_requests = ctx.service.cdi_devices.iter().chain(&gpu_requests);
    let edits = cdi::gather(ctx, &cdi_index, cdi_requests, diags);
    let cdi = cdi::apply(
        &edits,
        &inventory,
        ctx.service.privileged,
        (&mut nodes, &mut rules, &mut env),
        diags,
    );
    DevicePlan {
        nodes,
        rules,
        env,
        cdi,
    }
}

/// A privileged container gets every char and block device of the host, as Docker creates
/// them (containerd's `HostDevices`: FIFOs and nodes named `console` are left out, since runc
/// sets up the console itself).
fn grant_every_host_device<'a>(
    ctx: &Context<'a>,
    grants: &mut Grants<'a>,
    diags: &mut Diagnostics,
) {
    if ctx.inventory.devices.is_empty() {
        diags.warning_hint(
            codes::PRIVILEGED_WITHOUT_INVENTORY,
            &ctx.service.at,
            "a privileged container gets the host's device nodes, but no inventory lists them",
            "give the node's inventory (`--inventory FILE` or `--probe`)",
        );
        return;
    }
    for node in &ctx.inventory.devices {
        let console = node.path.rsplit('/').next() == Some("console");
        if node.kind != DeviceType::Fifo
            && !console
            && !grants.by_path.contains_key(node.path.as_str())
        {
            grant(grants, &node.path, node, "rwm");
        }
    }
}

/// The device cgroup of an unprivileged container: deny all, then the standard nodes and
/// each grant.
fn cgroup_rules(grants: &[Grant<'_>]) -> Vec<DeviceRule> {
    let mut rules = vec![rule(false, None, None, None, "rwm".into())];
    for (major, minor) in STANDARD_NODES {
        rules.push(rule(true, Some('c'), Some(*major), *minor, "rwm".into()));
    }
    // The device cgroup knows only char and block devices; a fifo needs no rule.
    for grant in grants
        .iter()
        .filter(|grant| grant.node.kind != DeviceType::Fifo)
    {
        rules.push(rule(
            true,
            Some(device_type(grant.node.kind)),
            Some(i64::from(grant.node.major)),
            Some(i64::from(grant.node.minor)),
            grant.access.clone().into(),
        ));
    }
    rules
}

/// A device cgroup rule: every rule of the section is built here, so WebAssembly carries this
/// code once.
#[inline(never)]
fn rule(
    allow: bool,
    kind: Option<char>,
    major: Option<i64>,
    minor: Option<i64>,
    access: Cow<'static, str>,
) -> DeviceRule {
    DeviceRule {
        allow,
        kind,
        major,
        minor,
        access,
    }
}

/// A device node to create: the one place the section builds them (see [`rule`]).
#[inline(never)]
fn node(
    path: &str,
    (kind, major, minor): (char, i64, i64),
    file_mode: Option<u32>,
    (uid, gid): (Option<u32>, Option<u32>),
) -> Device {
    Device {
        path: path.to_string(),
        kind,
        major,
        minor,
        file_mode,
        uid,
        gid,
    }
}

fn access(read: bool, write: bool, mknod: bool) -> String {
    [(read, 'r'), (write, 'w'), (mknod, 'm')]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, letter)| *letter)
        .collect()
}

/// Adds a grant, merging access when the same path is granted twice.
fn grant<'a>(grants: &mut Grants<'a>, path: &'a str, node: &'a DeviceNode, access: &str) {
    if let Some(existing) = grants
        .by_path
        .get(path)
        .and_then(|&i| grants.list.get_mut(i))
    {
        let merged = existing.access.clone() + access;
        existing.access = ["r", "w", "m"]
            .iter()
            .filter(|letter| merged.contains(**letter))
            .copied()
            .collect();
    } else {
        grants.by_path.insert(path, grants.list.len());
        grants.list.push(Grant {
            path: path.to_string(),
            node,
            access: access.to_string(),
        });
    }
}

/// Grants the inventory's node at `path`, or reports `what` (written at `at`) as missing.
fn grant_from_inventory<'a>(
    ctx: &Context<'a>,
    inventory: &InventoryIndex<'a>,
    grants: &mut Grants<'a>,
    path: &'a str,
    access: &str,
    (at, what): (&Loc, &str),
    diags: &mut Diagnostics,
) {
    match inventory.resolve(path) {
        Some(node) => grant(grants, path, node, access),
        None => diags.push(not_in_inventory(ctx, path, at, what)),
    }
}

fn not_in_inventory(ctx: &Context<'_>, path: &str, at: &Loc, what: &str) -> Diagnostic {
    let hint = if ctx.inventory.devices.is_empty() {
        "no inventory was given: pass the output of `bundlec probe` from the node".to_string()
    } else {
        format!("the inventory lists {} device nodes; probe the node again if the device was added since", ctx.inventory.devices.len())
    };
    Diagnostic::error_at(
        codes::DEVICE_NOT_IN_INVENTORY,
        at,
        format!("{what}: `{path}` is not a device node in the inventory"),
    )
    .with_hint(hint)
}

fn device_type(kind: DeviceType) -> char {
    match kind {
        DeviceType::Char => 'c',
        DeviceType::Block => 'b',
        DeviceType::Fifo => 'p',
    }
}

fn linux_device(grant: &Grant<'_>) -> Device {
    let host = grant.node;
    node(
        &grant.path,
        (
            device_type(host.kind),
            i64::from(host.major),
            i64::from(host.minor),
        ),
        // Permission bits only: the OCI schema caps fileMode at 0777, and set-id or sticky bits
        // mean nothing on a device node.
        Some(host.file_mode & 0o777),
        (Some(host.uid), Some(host.gid)),
    )
}
