//! Resources: CPU quota and shares, cpuset, memory, pids, and the device allow list.

use crate::codes;
use crate::config::{self, Cpu, DeviceRule, Memory};
use crate::context::Context;
use crate::diagnostic::Diagnostics;
use crate::spec::Resources;
use crate::units::{cpu_quota, CPU_PERIOD_US};

pub fn resources(
    ctx: &Context<'_>,
    device_rules: Vec<DeviceRule>,
    diags: &mut Diagnostics,
) -> config::Resources {
    let wanted = &ctx.service.resources;
    let mut devices = device_rules;
    // The service's own rules (Compose `device_cgroup_rules`) follow the grants, as Docker
    // appends them.
    for rule in &ctx.service.device_rules {
        devices.push(DeviceRule {
            allow: true,
            kind: Some(if matches!(rule.kind, 'b' | 'c') {
                rule.kind
            } else {
                'a'
            }),
            major: rule.major,
            minor: rule.minor,
            access: rule.access.clone().into(),
        });
    }
    config::Resources {
        devices,
        memory: memory(wanted, diags),
        cpu: cpu(wanted),
        pids_limit: wanted.pids_limit,
    }
}

/// The CPU quota, shares and set, when the spec gives any.
fn cpu(wanted: &Resources) -> Option<Cpu> {
    if wanted.cpu.is_none() && wanted.cpu_shares.is_none() && wanted.cpuset.is_none() {
        return None;
    }
    // Checked when the spec was read; an error here would already be reported.
    let quota = wanted.cpu.and_then(|cpus| cpu_quota(cpus).ok());
    Some(Cpu {
        shares: wanted.cpu_shares,
        quota,
        period: quota.map(|_| CPU_PERIOD_US),
        cpus: wanted.cpuset.clone(),
    })
}

/// The memory limit, reservation, swap and swappiness, when the spec gives any; the
/// reservation and swap are checked against the limit.
fn memory(wanted: &Resources, diags: &mut Diagnostics) -> Option<Memory> {
    let memory_set = wanted.memory.is_some()
        || wanted.memory_swap.is_some()
        || wanted.memory_reservation.is_some()
        || wanted.memory_swappiness.is_some();
    if !memory_set {
        return None;
    }
    let mut memory = Memory::default();
    let limit = wanted.memory.and_then(|bytes| i64::try_from(bytes).ok());
    memory.limit = limit;
    if let Some(reservation) = &wanted.memory_reservation {
        match (i64::try_from(reservation.value).ok(), limit) {
            (Some(value), Some(limit)) if value > limit => diags.error_hint(
                codes::BAD_MEMORY,
                &reservation.at,
                "the memory reservation is above the memory limit",
                "a reservation is a soft limit below `memory`",
            ),
            (Some(value), _) => memory.reservation = Some(value),
            (None, _) => {}
        }
    }
    if let Some(swap) = &wanted.memory_swap {
        match limit {
            None => diags.error_hint(
                codes::BAD_MEMORY,
                &swap.at,
                "`memory_swap` needs a `memory` limit",
                "`memory_swap` is memory plus swap, as in Docker",
            ),
            Some(limit) if swap.value != -1 && swap.value < limit => diags.error_hint(
                codes::BAD_MEMORY,
                &swap.at,
                "`memory_swap` is below the memory limit",
                "`memory_swap` is memory plus swap, so it must be at least `memory`; -1 means unlimited",
            ),
            Some(_) => memory.swap = Some(swap.value),
        }
    }
    memory.swappiness = wanted.memory_swappiness;
    Some(memory)
}
