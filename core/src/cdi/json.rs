//! Reading a CDI spec from the inventory's JSON tree with the core's field readers: the same
//! fields, types and defaults as the text reader (`read`), without serde's derive, which the
//! WebAssembly modules cannot afford.

use super::model::{
    CdiDevice, CdiDeviceNode, CdiHook, CdiIntelRdt, CdiMount, CdiNetDevice, CdiSpec, ContainerEdits,
};
use crate::json::{
    self, defaulted, list, optional, required, string, string_map, strings, Invalid, Json,
};

/// A spec as JSON; the reference's other checks are `check`'s.
pub(crate) fn cdi_spec(value: &Json<'_>) -> Result<CdiSpec, Invalid> {
    let map = json::object(
        value,
        &[
            "cdiVersion",
            "kind",
            "annotations",
            "devices",
            "containerEdits",
        ],
    )?;
    Ok(CdiSpec {
        cdi_version: required(map, "cdiVersion", string)?,
        kind: required(map, "kind", string)?,
        annotations: defaulted(map, "annotations", string_map)?,
        devices: required(map, "devices", |value| list(value, device))?,
        container_edits: defaulted(map, "containerEdits", edits)?,
    })
}

fn device(value: &Json<'_>) -> Result<CdiDevice, Invalid> {
    let map = json::object(value, &["name", "annotations", "containerEdits"])?;
    Ok(CdiDevice {
        name: required(map, "name", string)?,
        annotations: defaulted(map, "annotations", string_map)?,
        container_edits: defaulted(map, "containerEdits", edits)?,
    })
}

fn edits(value: &Json<'_>) -> Result<ContainerEdits, Invalid> {
    let map = json::object(
        value,
        &[
            "env",
            "deviceNodes",
            "hooks",
            "mounts",
            "intelRdt",
            "additionalGids",
            "netDevices",
        ],
    )?;
    Ok(ContainerEdits {
        env: defaulted(map, "env", strings)?,
        device_nodes: defaulted(map, "deviceNodes", |value| list(value, device_node))?,
        hooks: defaulted(map, "hooks", |value| list(value, hook))?,
        mounts: defaulted(map, "mounts", |value| list(value, mount))?,
        intel_rdt: optional(map, "intelRdt", intel_rdt)?,
        additional_gids: defaulted(map, "additionalGids", json::whole_u32s)?,
        net_devices: defaulted(map, "netDevices", |value| list(value, net_device))?,
    })
}

fn device_node(value: &Json<'_>) -> Result<CdiDeviceNode, Invalid> {
    let map = json::object(
        value,
        &[
            "path",
            "hostPath",
            "type",
            "major",
            "minor",
            "fileMode",
            "permissions",
            "uid",
            "gid",
        ],
    )?;
    Ok(CdiDeviceNode {
        path: required(map, "path", string)?,
        host_path: optional(map, "hostPath", string)?,
        kind: optional(map, "type", string)?,
        major: optional(map, "major", json::whole_i64)?,
        minor: optional(map, "minor", json::whole_i64)?,
        file_mode: optional(map, "fileMode", json::whole_u32)?,
        permissions: optional(map, "permissions", string)?,
        uid: optional(map, "uid", json::whole_u32)?,
        gid: optional(map, "gid", json::whole_u32)?,
    })
}

fn hook(value: &Json<'_>) -> Result<CdiHook, Invalid> {
    let map = json::object(value, &["hookName", "path", "args", "env", "timeout"])?;
    Ok(CdiHook {
        hook_name: required(map, "hookName", string)?,
        path: required(map, "path", string)?,
        args: defaulted(map, "args", strings)?,
        env: defaulted(map, "env", strings)?,
        timeout: optional(map, "timeout", json::whole_i64)?,
    })
}

fn mount(value: &Json<'_>) -> Result<CdiMount, Invalid> {
    let map = json::object(value, &["hostPath", "containerPath", "options", "type"])?;
    Ok(CdiMount {
        host_path: required(map, "hostPath", string)?,
        container_path: required(map, "containerPath", string)?,
        options: defaulted(map, "options", strings)?,
        kind: optional(map, "type", string)?,
    })
}

fn intel_rdt(value: &Json<'_>) -> Result<CdiIntelRdt, Invalid> {
    let map = json::object(
        value,
        &[
            "closID",
            "l3CacheSchema",
            "memBwSchema",
            "schemata",
            "enableMonitoring",
        ],
    )?;
    Ok(CdiIntelRdt {
        clos_id: optional(map, "closID", string)?,
        l3_cache_schema: optional(map, "l3CacheSchema", string)?,
        mem_bw_schema: optional(map, "memBwSchema", string)?,
        schemata: defaulted(map, "schemata", strings)?,
        enable_monitoring: defaulted(map, "enableMonitoring", json::boolean)?,
    })
}

fn net_device(value: &Json<'_>) -> Result<CdiNetDevice, Invalid> {
    let map = json::object(value, &["hostInterfaceName", "name"])?;
    Ok(CdiNetDevice {
        host_interface_name: required(map, "hostInterfaceName", string)?,
        name: required(map, "name", string)?,
    })
}
