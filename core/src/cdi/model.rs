//! The CDI spec as data: the fields of the Container Device Interface specification
//! (`cdiVersion` 0.3.0 to 1.1.0), named and ordered as the reference's Go types write them, so
//! that a spec bundlec writes reads the same in Docker, Podman and containerd.

use std::collections::BTreeMap;

use serde::Serialize;

/// One CDI spec: a vendor's kind of device, its devices, and the edits they all share.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiSpec {
    /// The CDI specification version the spec is written for (`0.5.0`).
    pub cdi_version: String,
    /// `vendor.com/class`: the first half of every qualified device name.
    pub kind: String,
    /// Free-form key-value pairs (0.6.0).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The devices, by name; at least one.
    pub devices: Vec<CdiDevice>,
    /// Edits made once when any device of the spec is injected.
    #[serde(skip_serializing_if = "ContainerEdits::is_empty")]
    pub container_edits: ContainerEdits,
}

/// A device of a spec: `kind=name` injects its edits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiDevice {
    /// The device's name within the kind (`0`, `GPU-…`, `all`).
    pub name: String,
    /// Free-form key-value pairs (0.6.0).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The edits this device makes; never empty.
    pub container_edits: ContainerEdits,
}

/// Edits to an OCI spec, applied in the reference's order: env, device nodes, mounts, hooks,
/// intelRdt, additionalGids, netDevices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerEdits {
    /// `KEY=VALUE` entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Device nodes created in the container.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_nodes: Vec<CdiDeviceNode>,
    /// OCI hooks, each for one stage.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<CdiHook>,
    /// Mounts, usually binds of host files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<CdiMount>,
    /// Intel RDT (resctrl) settings (0.7.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intel_rdt: Option<CdiIntelRdt>,
    /// Groups added to the process (0.7.0); 0 is ignored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_gids: Vec<u32>,
    /// Host network interfaces moved into the container (1.1.0).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub net_devices: Vec<CdiNetDevice>,
}

impl ContainerEdits {
    /// Whether the edits change nothing.
    pub fn is_empty(&self) -> bool {
        self.env.is_empty()
            && self.device_nodes.is_empty()
            && self.hooks.is_empty()
            && self.mounts.is_empty()
            && self.intel_rdt.is_none()
            && self.additional_gids.is_empty()
            && self.net_devices.is_empty()
    }
}

/// A device node to create in the container. The probe fills `type`, `major`, `minor` and
/// `fileMode` from the node's `/dev` scan, since the compile cannot stat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiDeviceNode {
    /// Its path in the container.
    pub path: String,
    /// Its path on the host, when not `path` (0.5.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
    /// `c`, `b`, `p` (or `u`, the same as `c`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The major number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub major: Option<i64>,
    /// The minor number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor: Option<i64>,
    /// The permission bits of the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_mode: Option<u32>,
    /// Cgroup access: letters of `rwm`; empty means `rwm`, `none` means none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<String>,
    /// The owner in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// The group in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
}

/// A mount to add; it replaces any mount at the same `containerPath`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiMount {
    /// The source on the host.
    pub host_path: String,
    /// The destination in the container.
    pub container_path: String,
    /// Mount options (`ro`, `nosuid`, `nodev`, `bind`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The filesystem type (0.4.0).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// An OCI hook and the stage it runs at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiHook {
    /// The stage: `prestart`, `createRuntime`, `createContainer`, `startContainer`,
    /// `poststart` or `poststop`.
    pub hook_name: String,
    /// The absolute path of the program.
    pub path: String,
    /// Its argv, the program's name first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Its environment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Seconds before the runtime gives up on it; above zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
}

/// Intel RDT settings of the container's class of service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiIntelRdt {
    /// The class of service's name.
    #[serde(rename = "closID", skip_serializing_if = "Option::is_none")]
    pub clos_id: Option<String>,
    /// The L3 cache allocation schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l3_cache_schema: Option<String>,
    /// The memory bandwidth allocation schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_bw_schema: Option<String>,
    /// resctrl schemata lines (1.1.0).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemata: Vec<String>,
    /// Whether to create a monitoring group (1.1.0).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enable_monitoring: bool,
}

/// A host network interface moved into the container under a new name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiNetDevice {
    /// The interface's name on the host.
    pub host_interface_name: String,
    /// Its name in the container.
    pub name: String,
}
