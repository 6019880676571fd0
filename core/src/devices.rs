//! Devices and GPUs: every requested node is looked up in the inventory and granted with the
//! host's own type, major and minor; GPUs add their nodes, the vendor's shared nodes and env.

use std::collections::{BTreeMap, BTreeSet};

use oci_spec::runtime::{
    LinuxDevice, LinuxDeviceBuilder, LinuxDeviceCgroup, LinuxDeviceCgroupBuilder, LinuxDeviceType,
};
use oci_spec::OciSpecError;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::inventory::{DeviceNode, DeviceType, Gpu, InventoryIndex, Vendor};
use crate::spec::{GpuRequest, GpuVendor};

/// What the devices section gives the others.
#[derive(Debug, Clone, Default)]
pub struct DevicePlan {
    /// `linux.devices`: the nodes created in the container.
    pub nodes: Vec<LinuxDevice>,
    /// `linux.resources.devices`: the cgroup allow list.
    pub rules: Vec<LinuxDeviceCgroup>,
    /// GPU environment, added to the process env where the user has not set the key.
    pub env: Vec<(String, String)>,
}

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

/// Access for GPU nodes: read and write, never mknod.
const GPU_ACCESS: &str = "rw";

struct Grant<'a> {
    path: String,
    node: &'a DeviceNode,
    access: String,
}

/// The nodes granted so far, in first-grant order, with an index by container path.
#[derive(Default)]
struct Grants<'a> {
    list: Vec<Grant<'a>>,
    by_path: BTreeMap<String, usize>,
}

pub fn devices(ctx: &Context<'_>, diags: &mut Diagnostics) -> Result<DevicePlan, OciSpecError> {
    let inventory = ctx.inventory.index();
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
    if let Some(gpu) = &ctx.service.resources.gpu {
        env = gpus(ctx, &inventory, gpu, &mut grants, diags);
    }
    let grants = grants.list;
    let nodes = grants
        .iter()
        .map(|grant| linux_device(grant))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = if ctx.service.privileged {
        vec![LinuxDeviceCgroupBuilder::default()
            .allow(true)
            .access("rwm")
            .build()?]
    } else {
        let mut rules = vec![LinuxDeviceCgroupBuilder::default()
            .allow(false)
            .access("rwm")
            .build()?];
        for (major, minor) in STANDARD_NODES {
            let mut rule = LinuxDeviceCgroupBuilder::default()
                .allow(true)
                .typ(LinuxDeviceType::C)
                .major(*major)
                .access("rwm");
            if let Some(minor) = minor {
                rule = rule.minor(*minor);
            }
            rules.push(rule.build()?);
        }
        // The device cgroup knows only char and block devices; a fifo needs no rule.
        for grant in grants
            .iter()
            .filter(|grant| grant.node.kind != DeviceType::Fifo)
        {
            rules.push(
                LinuxDeviceCgroupBuilder::default()
                    .allow(true)
                    .typ(device_type(grant.node.kind))
                    .major(i64::from(grant.node.major))
                    .minor(i64::from(grant.node.minor))
                    .access(grant.access.clone())
                    .build()?,
            );
        }
        rules
    };
    Ok(DevicePlan { nodes, rules, env })
}

fn access(read: bool, write: bool, mknod: bool) -> String {
    [(read, 'r'), (write, 'w'), (mknod, 'm')]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, letter)| *letter)
        .collect()
}

/// Adds a grant, merging access when the same path is granted twice.
fn grant<'a>(grants: &mut Grants<'a>, path: &str, node: &'a DeviceNode, access: &str) {
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
        grants.by_path.insert(path.to_string(), grants.list.len());
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
    path: &str,
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

fn gpus<'a>(
    ctx: &Context<'a>,
    inventory: &InventoryIndex<'a>,
    request: &GpuRequest,
    grants: &mut Grants<'a>,
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    let vendor = match request.vendor.value {
        GpuVendor::Nvidia => Vendor::Nvidia,
        GpuVendor::Amd => Vendor::Amd,
        GpuVendor::Intel => Vendor::Intel,
        GpuVendor::Apple => {
            diags.error_hint(
                codes::GPU_VENDOR_UNSUPPORTED,
                &request.vendor.at,
                "Apple GPUs have no Linux device nodes",
                "use `nvidia`, `amd` or `intel` for a Linux node",
            );
            return Vec::new();
        }
    };
    let Some(assigned) = assign(ctx, request, vendor, diags) else {
        return Vec::new();
    };
    for gpu in &assigned {
        let own = gpu.nodes.iter().chain(if vendor == Vendor::Nvidia {
            [].iter()
        } else {
            gpu.drm.iter()
        });
        let what = format!("{} GPU {}", vendor.name(), gpu.index);
        for path in own {
            grant_from_inventory(
                ctx,
                inventory,
                grants,
                path,
                GPU_ACCESS,
                (&request.vendor.at, &what),
                diags,
            );
        }
    }
    let shared = ctx
        .inventory
        .gpu_shared
        .get(&vendor)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let required: &[&str] = match vendor {
        Vendor::Nvidia => &["/dev/nvidiactl", "/dev/nvidia-uvm"],
        Vendor::Amd => &["/dev/kfd"],
        Vendor::Intel => &[],
    };
    for path in required
        .iter()
        .filter(|path| !shared.iter().any(|s| s == *path))
    {
        diags.error_hint(
            codes::GPU_SHARED_NODE_MISSING,
            &request.vendor.at,
            format!(
                "{} GPUs need `{path}`, which the inventory does not list",
                vendor.name()
            ),
            "load the driver on the node and probe it again",
        );
    }
    let what = format!("{} shared node", vendor.name());
    for path in shared {
        grant_from_inventory(
            ctx,
            inventory,
            grants,
            path,
            GPU_ACCESS,
            (&request.vendor.at, &what),
            diags,
        );
    }
    gpu_env(ctx, request, vendor, &assigned, diags)
}

/// The GPUs this replica gets: the option's indices, or the first `count` of the vendor.
fn assign<'a>(
    ctx: &Context<'a>,
    request: &GpuRequest,
    vendor: Vendor,
    diags: &mut Diagnostics,
) -> Option<Vec<&'a Gpu>> {
    let mut available: Vec<&Gpu> = ctx.inventory.gpus_of(vendor).collect();
    available.sort_by_key(|gpu| gpu.index);
    let count = request.count.value as usize;
    match &ctx.options.gpu_indices {
        Some(indices) => {
            let at = Loc::at("options.gpuIndices");
            // The same GPU given twice would count twice: each index is one GPU, once.
            let mut given = BTreeSet::new();
            let mut duplicated = false;
            for (i, index) in indices.iter().enumerate() {
                if !given.insert(*index) {
                    duplicated = true;
                    diags.error(
                        codes::GPU_INDICES_MISMATCH,
                        &at.child(&format!("[{i}]")),
                        format!("GPU {index} is given twice"),
                    );
                }
            }
            if indices.len() != count {
                diags.error(
                    codes::GPU_INDICES_MISMATCH,
                    &at,
                    format!(
                        "{} GPU indices were given for a count of {count}",
                        indices.len()
                    ),
                );
                return None;
            }
            if duplicated {
                return None;
            }
            let by_index: BTreeMap<u32, &Gpu> = available
                .iter()
                .rev()
                .map(|gpu| (gpu.index, *gpu))
                .collect();
            let mut chosen = Vec::with_capacity(count);
            for (i, index) in indices.iter().enumerate() {
                match by_index.get(index) {
                    Some(gpu) => chosen.push(*gpu),
                    None => diags.error(
                        codes::GPU_NOT_IN_INVENTORY,
                        &at.child(&format!("[{i}]")),
                        format!("the inventory has no {} GPU {index}", vendor.name()),
                    ),
                }
            }
            (chosen.len() == count).then_some(chosen)
        }
        None if available.len() < count => {
            diags.error_hint(
                codes::NOT_ENOUGH_GPUS,
                &request.count.at,
                format!(
                    "the service needs {count} {} GPUs but the inventory has {}",
                    vendor.name(),
                    available.len()
                ),
                "lower `count`, or compile for a node with more GPUs",
            );
            None
        }
        None => Some(available.into_iter().take(count).collect()),
    }
}

fn gpu_env(
    ctx: &Context<'_>,
    request: &GpuRequest,
    vendor: Vendor,
    assigned: &[&Gpu],
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    let in_container = (0..assigned.len())
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut env = Vec::new();
    match vendor {
        Vendor::Nvidia => {
            let uuids: Option<Vec<&str>> = assigned.iter().map(|gpu| gpu.uuid.as_deref()).collect();
            let visible = match uuids {
                Some(uuids) => uuids.join(","),
                None => assigned
                    .iter()
                    .map(|gpu| gpu.index.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            };
            env.push(("NVIDIA_VISIBLE_DEVICES".to_string(), visible));
            env.push(("CUDA_VISIBLE_DEVICES".to_string(), in_container));
        }
        Vendor::Amd => {
            env.push(("ROCR_VISIBLE_DEVICES".to_string(), in_container.clone()));
            env.push(("HIP_VISIBLE_DEVICES".to_string(), in_container));
        }
        Vendor::Intel => env.push(("ZE_AFFINITY_MASK".to_string(), in_container)),
    }
    if let Some(distributed) = &request.distributed {
        let Some(world_size) = ctx.service.fixed_replicas() else {
            let at = ctx
                .service
                .scale
                .as_ref()
                .map_or(&distributed.at, |scale| &scale.at);
            diags.error_hint(
                codes::DISTRIBUTED_NEEDS_FIXED_SCALE,
                at,
                "a distributed GPU job needs a fixed number of replicas",
                "use `scale: { mode: fixed, replicas: N }`",
            );
            return env;
        };
        let master = ctx
            .options
            .master_addr
            .clone()
            .unwrap_or_else(|| format!("{}-rep-1", ctx.service.name));
        let ifname = ctx
            .options
            .socket_ifname
            .clone()
            .unwrap_or_else(|| "eth0".to_string());
        env.push(("MASTER_ADDR".to_string(), master));
        env.push((
            "MASTER_PORT".to_string(),
            distributed.master_port.to_string(),
        ));
        env.push(("WORLD_SIZE".to_string(), world_size.to_string()));
        env.push((
            "RANK".to_string(),
            ctx.replica.saturating_sub(1).to_string(),
        ));
        env.push(("LOCAL_RANK".to_string(), "0".to_string()));
        env.push(("NCCL_SOCKET_IFNAME".to_string(), ifname.clone()));
        env.push(("GLOO_SOCKET_IFNAME".to_string(), ifname));
    }
    env
}

fn device_type(kind: DeviceType) -> LinuxDeviceType {
    match kind {
        DeviceType::Char => LinuxDeviceType::C,
        DeviceType::Block => LinuxDeviceType::B,
        DeviceType::Fifo => LinuxDeviceType::P,
    }
}

fn linux_device(grant: &Grant<'_>) -> Result<LinuxDevice, OciSpecError> {
    LinuxDeviceBuilder::default()
        .path(grant.path.as_str())
        .typ(device_type(grant.node.kind))
        .major(i64::from(grant.node.major))
        .minor(i64::from(grant.node.minor))
        // Permission bits only: the OCI schema caps fileMode at 0777, and set-id or sticky bits
        // mean nothing on a device node.
        .file_mode(grant.node.file_mode & 0o777)
        .uid(grant.node.uid)
        .gid(grant.node.gid)
        .build()
}
