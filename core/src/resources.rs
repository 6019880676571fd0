//! Resources: CPU quota and shares, cpuset, memory, pids, and the device allow list.

use oci_spec::runtime::{
    LinuxCpu, LinuxCpuBuilder, LinuxDeviceCgroup, LinuxDeviceCgroupBuilder, LinuxDeviceType,
    LinuxMemory, LinuxMemoryBuilder, LinuxPidsBuilder, LinuxResources, LinuxResourcesBuilder,
};
use oci_spec::OciSpecError;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::Diagnostics;
use crate::spec::{DeviceRule, Resources};
use crate::units::{cpu_quota, CPU_PERIOD_US};

pub fn resources(
    ctx: &Context<'_>,
    device_rules: Vec<LinuxDeviceCgroup>,
    diags: &mut Diagnostics,
) -> Result<LinuxResources, OciSpecError> {
    let wanted = &ctx.service.resources;
    let mut device_rules = device_rules;
    // The service's own rules (Compose `device_cgroup_rules`) follow the grants, as Docker
    // appends them.
    for rule in &ctx.service.device_rules {
        device_rules.push(device_rule(rule)?);
    }
    let mut builder = LinuxResourcesBuilder::default().devices(device_rules);
    if let Some(cpu) = cpu(wanted)? {
        builder = builder.cpu(cpu);
    }
    if let Some(memory) = memory(wanted, diags)? {
        builder = builder.memory(memory);
    }
    if let Some(limit) = wanted.pids_limit {
        builder = builder.pids(LinuxPidsBuilder::default().limit(limit).build()?);
    }
    builder.build()
}

fn device_rule(rule: &DeviceRule) -> Result<LinuxDeviceCgroup, OciSpecError> {
    let mut built = LinuxDeviceCgroupBuilder::default()
        .allow(true)
        .access(rule.access.clone());
    built = match rule.kind {
        'b' => built.typ(LinuxDeviceType::B),
        'c' => built.typ(LinuxDeviceType::C),
        _ => built.typ(LinuxDeviceType::A),
    };
    if let Some(major) = rule.major {
        built = built.major(major);
    }
    if let Some(minor) = rule.minor {
        built = built.minor(minor);
    }
    built.build()
}

/// The CPU quota, shares and set, when the spec gives any.
fn cpu(wanted: &Resources) -> Result<Option<LinuxCpu>, OciSpecError> {
    if wanted.cpu.is_none() && wanted.cpu_shares.is_none() && wanted.cpuset.is_none() {
        return Ok(None);
    }
    let mut cpu = LinuxCpuBuilder::default();
    if let Some(cpus) = wanted.cpu {
        // Checked when the spec was read; an error here would already be reported.
        if let Ok(quota) = cpu_quota(cpus) {
            cpu = cpu.quota(quota).period(CPU_PERIOD_US);
        }
    }
    if let Some(shares) = wanted.cpu_shares {
        cpu = cpu.shares(shares);
    }
    if let Some(cpuset) = &wanted.cpuset {
        cpu = cpu.cpus(cpuset.clone());
    }
    cpu.build().map(Some)
}

/// The memory limit, reservation, swap and swappiness, when the spec gives any; the
/// reservation and swap are checked against the limit.
fn memory(
    wanted: &Resources,
    diags: &mut Diagnostics,
) -> Result<Option<LinuxMemory>, OciSpecError> {
    let memory_set = wanted.memory.is_some()
        || wanted.memory_swap.is_some()
        || wanted.memory_reservation.is_some()
        || wanted.memory_swappiness.is_some();
    if !memory_set {
        return Ok(None);
    }
    let mut memory = LinuxMemoryBuilder::default();
    let limit = wanted.memory.and_then(|bytes| i64::try_from(bytes).ok());
    if let Some(limit) = limit {
        memory = memory.limit(limit);
    }
    if let Some(reservation) = &wanted.memory_reservation {
        match (i64::try_from(reservation.value).ok(), limit) {
            (Some(value), Some(limit)) if value > limit => diags.error_hint(
                codes::BAD_MEMORY,
                &reservation.at,
                "the memory reservation is above the memory limit",
                "a reservation is a soft limit below `memory`",
            ),
            (Some(value), _) => memory = memory.reservation(value),
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
            Some(_) => memory = memory.swap(swap.value),
        }
    }
    if let Some(swappiness) = wanted.memory_swappiness {
        memory = memory.swappiness(swappiness);
    }
    memory.build().map(Some)
}
