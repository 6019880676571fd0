//! The canonical `config.json`, written straight from the [`Config`]: pretty JSON as serde_json
//! prints it (two spaces, `"key": value`), fields in the OCI spec's order, maps in key order,
//! capability sets sorted, and a final newline, so the same config gives the same bytes anywhere.

use super::pretty::{in_key_order, Writer};
use super::{Config, Device, DeviceRule, Hook, HookStage, IntelRdt, Linux, Mount, Process};
use crate::seccomp::{render, SeccompSection};
use crate::sorting::sort_by;

/// The OCI runtime-spec version of every config bundlec writes.
pub const OCI_VERSION: &str = "1.2.1";

/// The config as `config.json`.
pub fn to_json(config: &Config, seccomp: &SeccompSection) -> String {
    let seccomp_len = match seccomp {
        SeccompSection::Filter(filter) => render::estimated_len(filter),
        SeccompSection::None => 0,
    };
    let mut w = Writer::with_capacity(4096 + seccomp_len);
    w.open('{');
    w.key("ociVersion");
    w.string(OCI_VERSION);
    w.key("root");
    w.open('{');
    w.key("path");
    w.string(&config.root.path);
    w.key("readonly");
    w.bool(config.root.readonly);
    w.close('}');
    w.key("mounts");
    w.list(&config.mounts, mount);
    w.key("process");
    process(&mut w, &config.process);
    w.key("hostname");
    w.string(&config.hostname);
    w.optional_string("domainname", config.domainname.as_deref());
    if !config.hooks.is_empty() {
        w.key("hooks");
        hooks(&mut w, &config.hooks);
    }
    if !config.annotations.is_empty() {
        w.key("annotations");
        w.string_map(&config.annotations);
    }
    w.key("linux");
    linux(&mut w, &config.linux, seccomp);
    w.close('}');
    w.out.push('\n');
    w.out
}

fn mount(w: &mut Writer, mount: &Mount) {
    w.open('{');
    w.key("destination");
    w.string(&mount.destination);
    w.optional_string("type", mount.kind.as_deref());
    w.key("source");
    w.string(&mount.source);
    w.strings_if_any("options", &mount.options);
    w.close('}');
}

fn process(w: &mut Writer, process: &Process) {
    w.open('{');
    w.key("terminal");
    w.bool(process.terminal);
    w.key("user");
    w.open('{');
    w.key("uid");
    w.number(process.user.uid);
    w.key("gid");
    w.number(process.user.gid);
    if !process.user.additional_gids.is_empty() {
        w.key("additionalGids");
        w.list(&process.user.additional_gids, |w, gid| w.number(*gid));
    }
    w.close('}');
    w.key("args");
    w.strings(process.args.iter().map(String::as_str));
    w.key("env");
    w.strings(process.env.iter().map(String::as_str));
    w.key("cwd");
    w.string(&process.cwd);
    w.key("capabilities");
    let mut names = sort_by(process.capabilities.clone(), |a, b| a.cmp(b));
    names.dedup();
    w.open('{');
    for set in [
        "bounding",
        "effective",
        "inheritable",
        "permitted",
        "ambient",
    ] {
        w.key(set);
        if set == "inheritable" || set == "ambient" {
            w.strings([]);
        } else {
            w.list(&names, |w, name| {
                w.out.push_str("\"CAP_");
                w.out.push_str(name);
                w.out.push('"');
            });
        }
    }
    w.close('}');
    w.key("rlimits");
    w.list(&process.rlimits, |w, limit| {
        w.open('{');
        w.key("type");
        w.string(limit.kind);
        w.key("hard");
        w.number(limit.hard);
        w.key("soft");
        w.number(limit.soft);
        w.close('}');
    });
    w.key("noNewPrivileges");
    w.bool(process.no_new_privileges);
    w.optional_string("apparmorProfile", process.apparmor_profile.as_deref());
    w.optional_number("oomScoreAdj", process.oom_score_adj);
    w.optional_string("selinuxLabel", process.selinux_label.as_deref());
    w.close('}');
}

fn hooks(w: &mut Writer, hooks: &[(HookStage, Hook)]) {
    w.open('{');
    for stage in HookStage::ALL {
        let mut of_stage = hooks.iter().filter(|(s, _)| *s == stage).peekable();
        if of_stage.peek().is_none() {
            continue;
        }
        w.key(stage.name());
        w.open('[');
        for (_, hook) in of_stage {
            w.separator();
            self::hook(w, hook);
        }
        w.close(']');
    }
    w.close('}');
}

fn hook(w: &mut Writer, hook: &Hook) {
    w.open('{');
    w.key("path");
    w.string(&hook.path);
    w.strings_if_any("args", &hook.args);
    w.strings_if_any("env", &hook.env);
    w.optional_number("timeout", hook.timeout);
    w.close('}');
}

fn linux(w: &mut Writer, linux: &Linux, seccomp: &SeccompSection) {
    w.open('{');
    if !linux.net_devices.is_empty() {
        w.key("netDevices");
        w.open('{');
        for (host, name) in in_key_order(&linux.net_devices) {
            w.separator();
            w.string(host);
            w.out.push_str(": ");
            w.open('{');
            w.key("name");
            w.string(name);
            w.close('}');
        }
        w.close('}');
    }
    if !linux.sysctl.is_empty() {
        w.key("sysctl");
        w.string_map(&linux.sysctl);
    }
    w.key("resources");
    w.open('{');
    w.key("devices");
    w.list(&linux.resources.devices, device_rule);
    if let Some(memory) = &linux.resources.memory {
        w.key("memory");
        w.open('{');
        w.optional_number("limit", memory.limit);
        w.optional_number("reservation", memory.reservation);
        w.optional_number("swap", memory.swap);
        w.optional_number("swappiness", memory.swappiness);
        w.close('}');
    }
    if let Some(cpu) = &linux.resources.cpu {
        w.key("cpu");
        w.open('{');
        w.optional_number("shares", cpu.shares);
        w.optional_number("quota", cpu.quota);
        w.optional_number("period", cpu.period);
        w.optional_string("cpus", cpu.cpus.as_deref());
        w.close('}');
    }
    if let Some(limit) = linux.resources.pids_limit {
        w.key("pids");
        w.open('{');
        w.key("limit");
        w.number(limit);
        w.close('}');
    }
    w.close('}');
    w.key("namespaces");
    w.list(&linux.namespaces, |w, kind| {
        w.open('{');
        w.key("type");
        w.string(kind);
        w.close('}');
    });
    w.key("devices");
    w.list(&linux.devices, device);
    if let SeccompSection::Filter(filter) = seccomp {
        w.key("seccomp");
        render::write(&mut w.out, filter);
    }
    w.key("rootfsPropagation");
    w.string(linux.rootfs_propagation);
    for (key, paths) in [
        ("maskedPaths", linux.masked_paths),
        ("readonlyPaths", linux.readonly_paths),
    ] {
        if let Some(paths) = paths {
            w.key(key);
            w.strings(paths.iter().copied());
        }
    }
    if let Some(rdt) = &linux.intel_rdt {
        w.key("intelRdt");
        intel_rdt(w, rdt);
    }
    w.close('}');
}

fn device_rule(w: &mut Writer, rule: &DeviceRule) {
    w.open('{');
    w.key("allow");
    w.bool(rule.allow);
    if let Some(kind) = rule.kind {
        w.key("type");
        w.out.push('"');
        w.out.push(kind);
        w.out.push('"');
    }
    w.optional_number("major", rule.major);
    w.optional_number("minor", rule.minor);
    w.key("access");
    w.string(&rule.access);
    w.close('}');
}

fn device(w: &mut Writer, device: &Device) {
    w.open('{');
    w.key("path");
    w.string(&device.path);
    w.key("type");
    w.out.push('"');
    w.out.push(device.kind);
    w.out.push('"');
    w.key("major");
    w.number(device.major);
    w.key("minor");
    w.number(device.minor);
    w.optional_number("fileMode", device.file_mode);
    w.optional_number("uid", device.uid);
    w.optional_number("gid", device.gid);
    w.close('}');
}

fn intel_rdt(w: &mut Writer, rdt: &IntelRdt) {
    w.open('{');
    w.optional_string("closID", rdt.clos_id.as_deref());
    w.strings_if_any("schemata", &rdt.schemata);
    w.optional_string("l3CacheSchema", rdt.l3_cache_schema.as_deref());
    w.optional_string("memBwSchema", rdt.mem_bw_schema.as_deref());
    if rdt.enable_monitoring {
        w.key("enableMonitoring");
        w.bool(true);
    }
    w.close('}');
}
