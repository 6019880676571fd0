//! Reading a service's `resources`: CPU, memory, process and OOM limits, and the GPU request.

use super::model::{Distributed, GpuRequest, GpuVendor, Resources};
use crate::codes;
use crate::decode::{self, bounded, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::units::{cpu_quota, parse_cpus, parse_memory, valid_cpuset};
use crate::yaml::{Node, Value};

const RESOURCE_FIELDS: &[&str] = &[
    "cpu",
    "memory",
    "pids_limit",
    "cpuset",
    "cpu_shares",
    "memory_swap",
    "memory_reservation",
    "memory_swappiness",
    "oom_score_adj",
    "gpu",
];

pub(super) fn resources(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Resources {
    let mut resources = Resources::default();
    let Some(fields) = Fields::read(node, path, RESOURCE_FIELDS, &[], diags) else {
        return resources;
    };
    if let Some((node, path)) = fields.get("cpu") {
        resources.cpu = cpus(node, &path, diags);
    }
    resources.memory = fields.get("memory").and_then(|(node, path)| {
        nonzero_memory(
            node,
            &path,
            "a memory limit of 0 means no limit to runc",
            diags,
        )
    });
    if let Some((node, path)) = fields.get("pids_limit") {
        resources.pids_limit = bounded(
            node,
            &path,
            1,
            i128::from(i64::MAX),
            codes::BAD_PIDS_LIMIT,
            diags,
        )
        .and_then(|v| i64::try_from(v).ok());
    }
    resources.cpuset = fields
        .string("cpuset", diags)
        .and_then(|cpuset| cpus_list(cpuset, diags));
    if let Some((node, path)) = fields.get("cpu_shares") {
        resources.cpu_shares = bounded(node, &path, 2, 262_144, codes::BAD_CPU_SHARES, diags)
            .and_then(|v| u64::try_from(v).ok());
    }
    resources.memory_swap = fields
        .get("memory_swap")
        .and_then(|(node, path)| memory_swap(node, &path, diags));
    resources.memory_reservation = fields
        .get("memory_reservation")
        .and_then(|(node, path)| memory(node, &path, diags));
    if let Some((node, path)) = fields.get("memory_swappiness") {
        resources.memory_swappiness = bounded(node, &path, 0, 100, codes::BAD_SWAPPINESS, diags)
            .and_then(|v| u64::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("oom_score_adj") {
        resources.oom_score_adj =
            bounded(node, &path, -1000, 1000, codes::BAD_OOM_SCORE_ADJ, diags)
                .and_then(|v| i32::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("gpu") {
        resources.gpu = gpu(node, &path, diags);
    }
    resources
}

/// `cpuset`: a CPU list such as `0-3,8`.
fn cpus_list(cpuset: Located<String>, diags: &mut Diagnostics) -> Option<String> {
    if valid_cpuset(&cpuset.value) {
        return Some(cpuset.value);
    }
    diags.error_hint(
        codes::BAD_CPUSET,
        &cpuset.at,
        format!("`{}` is not a CPU list", cpuset.value),
        "write CPUs as `0-3,8`",
    );
    None
}

/// `memory_swap`: a size, or `-1` for unlimited swap.
fn memory_swap(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Located<i64>> {
    if matches!(&node.value, Value::Scalar { text, .. } if text.trim() == "-1") {
        return Some(Located {
            value: -1,
            at: node.loc(path),
        });
    }
    let size = memory(node, path, diags)?;
    Some(Located {
        value: i64::try_from(size.value).ok()?,
        at: size.at,
    })
}

/// A CPU count, decimal only (see [`parse_cpus`]); messages quote it as written.
pub(crate) fn cpus(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<f64> {
    let Value::Scalar { text, .. } = &node.value else {
        diags.push(decode::wrong_type(node, path, "a number"));
        return None;
    };
    let written = text.trim();
    let checked = match parse_cpus(written) {
        None => Err(format!("`{written}` is not a decimal number of CPUs")),
        Some(cpus) => cpu_quota(cpus)
            .map(|_| cpus)
            .map_err(|error| error.message(written)),
    };
    match checked {
        Ok(cpus) => Some(cpus),
        Err(message) => {
            diags.error_hint(
                codes::BAD_CPU,
                &node.loc(path),
                message,
                "give the number of CPUs in decimal, such as `0.5` or `2`",
            );
            None
        }
    }
}

/// A memory size that must not be 0, which the kernel and runc read as "no limit".
pub(super) fn nonzero_memory(
    node: &Node<'_>,
    path: &str,
    why: &str,
    diags: &mut Diagnostics,
) -> Option<u64> {
    let size = memory(node, path, diags)?;
    if size.value == 0 {
        diags.error_hint(
            codes::BAD_MEMORY,
            &size.at,
            format!("`{}` is 0: {why}", display_path(path)),
            "give a size above 0, or leave the field out for no limit",
        );
        return None;
    }
    Some(size.value)
}

fn display_path(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn memory(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Located<u64>> {
    let text = decode::string(node, path, diags)?;
    match parse_memory(&text.value) {
        Ok(bytes) => Some(Located {
            value: bytes,
            at: text.at,
        }),
        Err(error) => {
            diags.error_hint(
                codes::BAD_MEMORY,
                &text.at,
                error.message(&text.value),
                error.hint(),
            );
            None
        }
    }
}

fn gpu(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<GpuRequest> {
    let fields = Fields::read(
        node,
        path,
        &["vendor", "count", "distributed", "mode"],
        &[],
        diags,
    )?;
    let vendor = match fields.string("vendor", diags) {
        None => Located {
            value: GpuVendor::Nvidia,
            at: node.loc(path),
        },
        Some(vendor) => gpu_vendor(vendor, diags)?,
    };
    let count = match fields.get("count") {
        None => Located {
            value: 1,
            at: node.loc(path),
        },
        Some((node, path)) => Located {
            value: bounded(node, &path, 1, 1024, codes::BAD_GPU_COUNT, diags)
                .and_then(|v| u32::try_from(v).ok())?,
            at: node.loc(&path),
        },
    };
    let distributed = fields
        .get("distributed")
        .and_then(|(node, path)| distributed(node, &path, diags));
    Some(GpuRequest {
        vendor,
        count,
        distributed,
        all: false,
        ids: Vec::new(),
    })
}

/// A GPU vendor, in any case.
pub(crate) fn gpu_vendor(
    vendor: Located<String>,
    diags: &mut Diagnostics,
) -> Option<Located<GpuVendor>> {
    let value = match vendor.value.to_ascii_lowercase().as_str() {
        "nvidia" => GpuVendor::Nvidia,
        "amd" => GpuVendor::Amd,
        "intel" => GpuVendor::Intel,
        "apple" => GpuVendor::Apple,
        _ => {
            diags.error_hint(
                codes::BAD_GPU_VENDOR,
                &vendor.at,
                format!("GPU vendor `{}` is not known", vendor.value),
                "use `nvidia`, `amd` or `intel`",
            );
            return None;
        }
    };
    Some(Located {
        value,
        at: vendor.at,
    })
}

/// `gpu.distributed`: the collective backend (NCCL by default) and the rendezvous port.
fn distributed(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Distributed> {
    let fields = Fields::read(node, path, &["backend", "master_port"], &[], diags)?;
    let backend = fields
        .string("backend", diags)
        .map_or_else(|| "nccl".to_string(), |b| b.value);
    let master_port = match fields.get("master_port") {
        None => 29500,
        Some((node, path)) => {
            u16::try_from(bounded(node, &path, 1, 65535, codes::BAD_PORT, diags)?).ok()?
        }
    };
    Some(Distributed {
        backend,
        master_port,
        at: node.loc(path),
    })
}
