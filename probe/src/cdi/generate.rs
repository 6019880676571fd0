//! CDI specs for the GPUs the probe finds, in the shape the vendors' tools write them (DESIGN
//! §11): a device per GPU by index (and by UUID for NVIDIA) and `all`. NVIDIA's common edits hold
//! the shared nodes and the running driver's files, bound `ro,nosuid,nodev,bind`; AMD and Intel
//! specs hold nodes only, with their numbers. A `hostPath` is where a file was found, `--root`
//! included; a `containerPath` is its path inside the root.

use std::path::{Path, PathBuf};

use bundlec_core::{
    CdiDevice, CdiDeviceNode, CdiSpec, CdiSpecEntry, ContainerEdits, DeviceType, Inventory, Vendor,
};

use super::nvidia;

/// The CDI version generated specs declare: device names start with a digit and nodes may
/// carry `hostPath`, both 0.5.0.
pub const GENERATED_CDI_VERSION: &str = "0.5.0";

/// Where the probe's tree is, for turning paths inside it into host paths.
#[derive(Debug, Clone)]
pub struct Root {
    /// The root as given (`/` for this host).
    pub dir: PathBuf,
    /// Its absolute form, which host paths start with.
    absolute: PathBuf,
}

impl Root {
    pub fn new(dir: &Path) -> Root {
        Root {
            dir: dir.to_path_buf(),
            absolute: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        }
    }

    /// The host path of a path inside the root (`/dev/nvidia0` under `/tmp/r`: `/tmp/r/dev/nvidia0`).
    pub fn host_path(&self, inside: &str) -> String {
        if self.absolute == Path::new("/") {
            return inside.to_string();
        }
        self.absolute
            .join(inside.trim_start_matches('/'))
            .to_string_lossy()
            .into_owned()
    }

    /// The path inside the root of a host path under it.
    pub fn inside(&self, host: &Path) -> Option<String> {
        let rest = host.strip_prefix(&self.dir).ok()?;
        Some(format!("/{}", rest.to_string_lossy()))
    }
}

/// The CDI kind of a vendor's GPUs, and the file name `cdi generate` gives its spec.
pub fn kind_and_file(vendor: Vendor) -> (&'static str, &'static str) {
    match vendor {
        Vendor::Nvidia => ("nvidia.com/gpu", "nvidia"),
        Vendor::Amd => ("amd.com/gpu", "amd"),
        Vendor::Intel => ("intel.com/gpu", "intel"),
    }
}

/// The spec of one vendor's GPUs, or why there is none.
pub fn generate(root: &Root, inventory: &Inventory, vendor: Vendor) -> Result<CdiSpec, String> {
    if inventory.gpus.iter().all(|gpu| gpu.vendor != vendor) {
        return Err(format!("{}: no GPU found", vendor.name()));
    }
    let spec = match vendor {
        Vendor::Nvidia => nvidia::spec(root, inventory)?,
        Vendor::Amd | Vendor::Intel => drm_spec(root, inventory, vendor),
    };
    // What runtimes will check: the spec reads back through the reference's rules.
    let json = serde_json::to_string(&spec).map_err(|error| error.to_string())?;
    bundlec_core::read_cdi_spec(&json).map_err(|diagnostics| {
        let faults: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{} ({})", d.message, d.path))
            .collect();
        format!("the spec made is not valid: {}", faults.join("; "))
    })
}

/// The generated specs the probe records: for each vendor with GPUs and no spec of its kind.
/// A vendor whose spec cannot be made is a warning.
pub fn add_generated(root: &Path, inventory: &mut Inventory) {
    let root = Root::new(root);
    for vendor in [Vendor::Nvidia, Vendor::Amd, Vendor::Intel] {
        let (kind, file) = kind_and_file(vendor);
        let has_gpus = inventory.gpus.iter().any(|gpu| gpu.vendor == vendor);
        let has_spec = inventory.cdi.iter().any(|entry| entry.spec.kind == kind);
        if !has_gpus || has_spec {
            continue;
        }
        match generate(&root, inventory, vendor) {
            Ok(mut spec) => {
                fill_numbers(&mut spec, inventory);
                inventory.cdi.push(CdiSpecEntry {
                    path: format!("/etc/cdi/{file}.yaml"),
                    priority: 0,
                    generated: true,
                    spec,
                });
            }
            Err(why) => inventory.warnings.push(format!(
                "no CDI spec of kind `{kind}` on the node, and none could be generated: {why}"
            )),
        }
    }
}

/// A node as an NVIDIA spec writes it: path (and host path under another root), no numbers,
/// which runtimes read from the node when they start a container.
pub fn bare_node(root: &Root, path: &str) -> CdiDeviceNode {
    let host = root.host_path(path);
    CdiDeviceNode {
        path: path.to_string(),
        host_path: (host != path).then_some(host),
        ..CdiDeviceNode::default()
    }
}

/// A node with the type, numbers and mode of the inventory's node, or `None` when it has none.
fn numbered_node(root: &Root, inventory: &Inventory, path: &str) -> Option<CdiDeviceNode> {
    let node = inventory.devices.iter().find(|node| node.path == path)?;
    Some(CdiDeviceNode {
        kind: Some(device_type(node.kind).to_string()),
        major: Some(i64::from(node.major)),
        minor: Some(i64::from(node.minor)),
        file_mode: Some(node.file_mode & 0o777),
        ..bare_node(root, path)
    })
}

fn device_type(kind: DeviceType) -> &'static str {
    match kind {
        DeviceType::Char => "c",
        DeviceType::Block => "b",
        DeviceType::Fifo => "p",
    }
}

/// The probe's inventory numbers for the nodes of a generated spec, as for a spec read from disk.
fn fill_numbers(spec: &mut CdiSpec, inventory: &Inventory) {
    let edits = std::iter::once(&mut spec.container_edits).chain(
        spec.devices
            .iter_mut()
            .map(|device| &mut device.container_edits),
    );
    for edits in edits {
        for node in edits.device_nodes.iter_mut().filter(|n| n.major.is_none()) {
            if let Some(found) = inventory.devices.iter().find(|d| d.path == node.path) {
                node.kind = Some(device_type(found.kind).to_string());
                node.major = Some(i64::from(found.major));
                node.minor = Some(i64::from(found.minor));
                node.file_mode = Some(found.file_mode & 0o777);
            }
        }
    }
}

/// A device per GPU (named by its index) and `all`, from the nodes of each GPU.
pub fn per_gpu_devices(
    inventory: &Inventory,
    vendor: Vendor,
    uuids: bool,
    nodes_of: impl Fn(&bundlec_core::Gpu) -> Vec<CdiDeviceNode>,
) -> Vec<CdiDevice> {
    let mut devices = Vec::new();
    let mut all: Vec<CdiDeviceNode> = Vec::new();
    let mut gpus: Vec<&bundlec_core::Gpu> = inventory
        .gpus
        .iter()
        .filter(|gpu| gpu.vendor == vendor)
        .collect();
    gpus.sort_by_key(|gpu| gpu.index);
    for gpu in &gpus {
        let nodes = nodes_of(gpu);
        if nodes.is_empty() {
            continue;
        }
        for node in &nodes {
            if !all.iter().any(|known| known.path == node.path) {
                all.push(node.clone());
            }
        }
        let edits = ContainerEdits {
            device_nodes: nodes,
            ..ContainerEdits::default()
        };
        devices.push(CdiDevice {
            name: gpu.index.to_string(),
            container_edits: edits.clone(),
            ..CdiDevice::default()
        });
        if let Some(uuid) = gpu.uuid.as_ref().filter(|_| uuids) {
            devices.push(CdiDevice {
                name: uuid.clone(),
                container_edits: edits,
                ..CdiDevice::default()
            });
        }
    }
    devices.push(CdiDevice {
        name: "all".to_string(),
        container_edits: ContainerEdits {
            device_nodes: all,
            ..ContainerEdits::default()
        },
        ..CdiDevice::default()
    });
    devices
}

/// AMD (`card`, `renderD` and `/dev/kfd` per GPU) and Intel (`card` and `renderD`) specs.
fn drm_spec(root: &Root, inventory: &Inventory, vendor: Vendor) -> CdiSpec {
    let (kind, _) = kind_and_file(vendor);
    let devices = per_gpu_devices(inventory, vendor, false, |gpu| {
        let mut paths: Vec<&str> = gpu.drm.iter().map(String::as_str).collect();
        if vendor == Vendor::Amd {
            paths.push("/dev/kfd");
        }
        paths
            .into_iter()
            .filter_map(|path| numbered_node(root, inventory, path))
            .collect()
    });
    CdiSpec {
        cdi_version: GENERATED_CDI_VERSION.to_string(),
        kind: kind.to_string(),
        devices,
        ..CdiSpec::default()
    }
}
