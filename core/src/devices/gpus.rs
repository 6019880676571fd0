//! GPUs: the replica's GPUs from the inventory (or the option's indices), their nodes, the
//! vendor's shared nodes, and the environment that tells the runtime and the job which they are.

use std::collections::BTreeMap;

use super::{grant_from_inventory, Grants};
use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostics, Loc};
use crate::inventory::{CdiIndex, Gpu, InventoryIndex, Vendor};
use crate::sorting::sort_by;
use crate::spec::{CdiRequest, Distributed, GpuRequest, GpuVendor};

/// Access for GPU nodes: read and write, never mknod.
const GPU_ACCESS: &str = "rw";

/// The GPU env, and the CDI devices of the assigned GPUs when the inventory has a spec of the
/// vendor's kind (else their nodes are granted from the inventory).
pub(super) fn gpus<'a>(
    ctx: &Context<'a>,
    (inventory, cdi): (&InventoryIndex<'a>, &CdiIndex<'a>),
    request: &GpuRequest,
    grants: &mut Grants<'a>,
    diags: &mut Diagnostics,
) -> (Vec<(String, String)>, Vec<CdiRequest>) {
    let Some(vendor) = vendor_of(request, diags) else {
        return (Vec::new(), Vec::new());
    };
    let Some(assigned) = assign(ctx, request, vendor, diags) else {
        return (Vec::new(), Vec::new());
    };
    let kind = cdi_kind(vendor);
    if ctx.inventory.has_cdi_kind(kind) {
        let names = assigned
            .iter()
            .map(|gpu| CdiRequest {
                kind: kind.to_string(),
                name: cdi_name(cdi, kind, gpu),
                at: request.vendor.at.clone(),
            })
            .collect();
        return (gpu_env(ctx, request, vendor, &assigned, diags), names);
    }
    if vendor == Vendor::Nvidia {
        diags.warning_hint(
            codes::GPU_NO_DRIVER_LIBRARIES,
            &request.vendor.at,
            "the container gets the GPUs' device nodes only, not the driver's libraries: the inventory has no CDI spec of kind `nvidia.com/gpu`",
            "run `bundlec cdi generate` (or `nvidia-ctk cdi generate`) on the node and probe it again",
        );
    }
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
    shared_nodes(ctx, inventory, request, vendor, grants, diags);
    (gpu_env(ctx, request, vendor, &assigned, diags), Vec::new())
}

/// The CDI kind of a vendor's GPUs.
fn cdi_kind(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Nvidia => "nvidia.com/gpu",
        Vendor::Amd => "amd.com/gpu",
        Vendor::Intel => "intel.com/gpu",
    }
}

/// A GPU's CDI name: its index, or its UUID when the spec names devices by UUID only. An
/// index the spec lacks is reported by the CDI section as an unknown device.
fn cdi_name(cdi: &CdiIndex<'_>, kind: &str, gpu: &Gpu) -> String {
    let index = gpu.index.to_string();
    if cdi.device(kind, &index).is_some() {
        return index;
    }
    gpu.uuid
        .as_ref()
        .filter(|uuid| cdi.device(kind, uuid).is_some())
        .cloned()
        .unwrap_or(index)
}

/// The inventory's vendor of a requested GPU; Apple GPUs have none on Linux.
fn vendor_of(request: &GpuRequest, diags: &mut Diagnostics) -> Option<Vendor> {
    match request.vendor.value {
        GpuVendor::Nvidia => Some(Vendor::Nvidia),
        GpuVendor::Amd => Some(Vendor::Amd),
        GpuVendor::Intel => Some(Vendor::Intel),
        GpuVendor::Apple => {
            diags.error_hint(
                codes::GPU_VENDOR_UNSUPPORTED,
                &request.vendor.at,
                "Apple GPUs have no Linux device nodes",
                "use `nvidia`, `amd` or `intel` for a Linux node",
            );
            None
        }
    }
}

/// Grants the vendor's shared nodes (the control and UVM nodes, AMD's kfd), reporting the
/// ones the vendor needs and the inventory lacks.
fn shared_nodes<'a>(
    ctx: &Context<'a>,
    inventory: &InventoryIndex<'a>,
    request: &GpuRequest,
    vendor: Vendor,
    grants: &mut Grants<'a>,
    diags: &mut Diagnostics,
) {
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
}

/// The GPUs this replica gets: the option's indices, or the first `count` of the vendor.
fn assign<'a>(
    ctx: &Context<'a>,
    request: &GpuRequest,
    vendor: Vendor,
    diags: &mut Diagnostics,
) -> Option<Vec<&'a Gpu>> {
    let available: Vec<&Gpu> = ctx.inventory.gpus_of(vendor).collect();
    let available = sort_by(available, |a, b| a.index.cmp(&b.index));
    if !request.ids.is_empty() && ctx.options.gpu_indices.is_none() {
        return by_ids(request, &available, vendor, diags);
    }
    // `all`: every GPU of the vendor on the node (there may be none: then the service gets none).
    let count = if request.all {
        available.len()
    } else {
        request.count.value as usize
    };
    match &ctx.options.gpu_indices {
        Some(indices) => by_indices(indices, &available, count, vendor, diags),
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

/// The GPUs Compose's `device_ids` names, each by its inventory index or UUID.
fn by_ids<'a>(
    request: &GpuRequest,
    available: &[&'a Gpu],
    vendor: Vendor,
    diags: &mut Diagnostics,
) -> Option<Vec<&'a Gpu>> {
    let mut chosen: Vec<&'a Gpu> = Vec::with_capacity(request.ids.len());
    for id in &request.ids {
        let found = available.iter().find(|gpu| {
            gpu.index.to_string() == id.value || gpu.uuid.as_deref() == Some(id.value.as_str())
        });
        match found {
            Some(gpu) if chosen.iter().any(|c| c.index == gpu.index) => diags.error(
                codes::GPU_INDICES_MISMATCH,
                &id.at,
                format!("GPU `{}` is given twice", id.value),
            ),
            Some(gpu) => chosen.push(gpu),
            None => diags.error(
                codes::GPU_NOT_IN_INVENTORY,
                &id.at,
                format!("the inventory has no {} GPU `{}`", vendor.name(), id.value),
            ),
        }
    }
    (chosen.len() == request.ids.len()).then_some(chosen)
}

/// The GPUs `options.gpuIndices` names: `count` of them, each once, each in the inventory.
fn by_indices<'a>(
    indices: &[u32],
    available: &[&'a Gpu],
    count: usize,
    vendor: Vendor,
    diags: &mut Diagnostics,
) -> Option<Vec<&'a Gpu>> {
    let at = Loc::at("options.gpuIndices");
    // The same GPU given twice would count twice: each index is one GPU, once.
    // Maps rather than sets, keyed by `usize`: the core's one number-keyed B-tree type
    // (smaller WebAssembly).
    let mut given: BTreeMap<usize, usize> = BTreeMap::new();
    let mut duplicated = false;
    for (i, index) in indices.iter().enumerate() {
        if given.insert(*index as usize, i).is_some() {
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
    // The first GPU of an index wins.
    let mut by_index: BTreeMap<usize, usize> = BTreeMap::new();
    for (position, gpu) in available.iter().enumerate() {
        by_index.entry(gpu.index as usize).or_insert(position);
    }
    let mut chosen = Vec::with_capacity(count);
    for (i, index) in indices.iter().enumerate() {
        match by_index
            .get(&(*index as usize))
            .and_then(|&position| available.get(position))
        {
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
        distributed_env(ctx, distributed, &mut env, diags);
    }
    env
}

/// The rendezvous of a distributed job: one rank per replica of a fixed scale.
fn distributed_env(
    ctx: &Context<'_>,
    distributed: &Distributed,
    env: &mut Vec<(String, String)>,
    diags: &mut Diagnostics,
) {
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
        return;
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
