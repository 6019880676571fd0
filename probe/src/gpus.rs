//! GPUs: NVIDIA ones from `/proc/driver/nvidia/gpus/*/information`, DRM cards (AMD, Intel, and
//! the DRM nodes of NVIDIA cards) from `/sys/class/drm`, and each vendor's shared nodes.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use bundlec_core::{DeviceNode, Gpu, Vendor};

use crate::confined;

/// NVIDIA nodes every NVIDIA GPU needs, in the order the inventory lists them.
const NVIDIA_SHARED: &[&str] = &[
    "/dev/nvidiactl",
    "/dev/nvidia-uvm",
    "/dev/nvidia-uvm-tools",
    "/dev/nvidia-modeset",
];

const NVIDIA_GPUS: &str = "proc/driver/nvidia/gpus";
const DRM: &str = "sys/class/drm";

/// What the GPU scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GpuScan {
    pub gpus: Vec<Gpu>,
    pub shared: BTreeMap<Vendor, Vec<String>>,
    pub warnings: Vec<String>,
}

/// Finds the GPUs under `root`; `devices` are the nodes the /dev walk found.
pub fn discover(root: &Path, devices: &[DeviceNode]) -> GpuScan {
    let mut found = GpuScan::default();
    let has = |path: &str| devices.iter().any(|node| node.path == path);
    nvidia(root, devices, &mut found);
    drm(root, &mut found);
    for gpu in &found.gpus {
        for path in gpu.nodes.iter().chain(&gpu.drm) {
            if !has(path) {
                found.warnings.push(format!(
                    "{} GPU {}: {path} is not in /dev",
                    gpu.vendor.name(),
                    gpu.index
                ));
            }
        }
    }
    found.gpus.sort_by_key(|gpu| (gpu.vendor, gpu.index));
    let nvidia_shared: Vec<String> = NVIDIA_SHARED
        .iter()
        .filter(|path| has(path))
        .map(|path| (*path).to_string())
        .collect();
    if !nvidia_shared.is_empty() {
        found.shared.insert(Vendor::Nvidia, nvidia_shared);
    }
    if has("/dev/kfd") {
        found
            .shared
            .insert(Vendor::Amd, vec!["/dev/kfd".to_string()]);
    }
    found
}

/// The fields of one `information` file that the inventory keeps.
#[derive(Debug, Default, PartialEq, Eq)]
struct NvidiaInfo {
    model: Option<String>,
    uuid: Option<String>,
    minor: Option<u32>,
    bus: Option<String>,
}

fn parse_nvidia_information(text: &str) -> NvidiaInfo {
    let mut info = NvidiaInfo::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "Model" => info.model = Some(value.to_string()),
            "GPU UUID" => info.uuid = Some(value.to_string()),
            "Device Minor" => info.minor = value.parse().ok(),
            "Bus Location" => info.bus = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    info
}

fn nvidia(root: &Path, devices: &[DeviceNode], found: &mut GpuScan) {
    let pcis = match confined::list_dir(root, Path::new(NVIDIA_GPUS)) {
        Ok(pcis) => pcis.unwrap_or_default(),
        Err(error) => {
            found
                .warnings
                .push(format!("/{NVIDIA_GPUS}: cannot read: {error}"));
            Vec::new()
        }
    };
    for pci in pcis {
        let file = format!("{NVIDIA_GPUS}/{pci}/information");
        let text = match confined::read_to_string(root, Path::new(&file)) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(error) => {
                found
                    .warnings
                    .push(format!("/{file}: cannot read: {error}"));
                continue;
            }
        };
        let info = parse_nvidia_information(&text);
        let Some(minor) = info.minor else {
            found
                .warnings
                .push(format!("/{file}: no `Device Minor`; GPU skipped"));
            continue;
        };
        found.gpus.push(Gpu {
            vendor: Vendor::Nvidia,
            index: minor,
            pci_bus_id: Some(info.bus.unwrap_or_else(|| pci.to_ascii_lowercase())),
            uuid: info.uuid,
            model: info.model,
            nodes: vec![format!("/dev/nvidia{minor}")],
            drm: Vec::new(),
        });
    }
    // A node the driver did not describe (no /proc/driver/nvidia, as in some containers) is still a GPU.
    for node in devices {
        let Some(minor) = node
            .path
            .strip_prefix("/dev/nvidia")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(index) = minor.parse::<u32>() else {
            continue;
        };
        if !found
            .gpus
            .iter()
            .any(|gpu| gpu.vendor == Vendor::Nvidia && gpu.index == index)
        {
            found.warnings.push(format!(
                "{}: no driver information in /{NVIDIA_GPUS}; recorded without UUID",
                node.path
            ));
            found.gpus.push(Gpu {
                vendor: Vendor::Nvidia,
                index,
                pci_bus_id: None,
                uuid: None,
                model: None,
                nodes: vec![node.path.clone()],
                drm: Vec::new(),
            });
        }
    }
}

/// `card3` → 3, `renderD129` → 129 for the given prefix.
fn number(name: &str, prefix: &str) -> Option<u32> {
    name.strip_prefix(prefix)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

/// The PCI address a DRM entry's `device` link points to (its last component), read without following it.
fn pci_address(root: &Path, name: &str) -> io::Result<Option<String>> {
    let link = confined::read_link(root, Path::new(&format!("{DRM}/{name}/device")))?;
    Ok(link.and_then(|target| {
        target
            .file_name()
            .and_then(|last| last.to_str())
            .map(str::to_ascii_lowercase)
    }))
}

fn drm(root: &Path, found: &mut GpuScan) {
    let names = match confined::list_dir(root, Path::new(DRM)) {
        Ok(names) => names.unwrap_or_default(),
        Err(error) => {
            found.warnings.push(format!("/{DRM}: cannot read: {error}"));
            return;
        }
    };
    let mut cards: Vec<(u32, &str)> = names
        .iter()
        .filter_map(|name| Some((number(name, "card")?, name.as_str())))
        .collect();
    cards.sort();
    let mut renders: Vec<(u32, String)> = Vec::new();
    for name in &names {
        let Some(n) = number(name, "renderD") else {
            continue;
        };
        match pci_address(root, name) {
            Ok(Some(pci)) => renders.push((n, pci)),
            Ok(None) => {}
            Err(error) => found
                .warnings
                .push(format!("/{DRM}/{name}/device: cannot read: {error}")),
        }
    }
    renders.sort();
    let mut next_index: BTreeMap<Vendor, u32> = BTreeMap::new();
    for (n, name) in cards {
        let pci = match pci_address(root, name) {
            Ok(Some(pci)) => pci,
            Ok(None) => continue,
            Err(error) => {
                found
                    .warnings
                    .push(format!("/{DRM}/{name}/device: cannot read: {error}"));
                continue;
            }
        };
        let vendor =
            match confined::read_to_string(root, Path::new(&format!("{DRM}/{name}/device/vendor")))
            {
                Ok(Some(text)) => match text.trim() {
                    "0x10de" => Vendor::Nvidia,
                    "0x1002" => Vendor::Amd,
                    "0x8086" => Vendor::Intel,
                    _ => continue,
                },
                Ok(None) => continue,
                Err(error) => {
                    found
                        .warnings
                        .push(format!("/{DRM}/{name}/device/vendor: cannot read: {error}"));
                    continue;
                }
            };
        let mut nodes = vec![format!("/dev/dri/card{n}")];
        if let Some((render, _)) = renders.iter().find(|(_, render_pci)| *render_pci == pci) {
            nodes.push(format!("/dev/dri/renderD{render}"));
        }
        if vendor == Vendor::Nvidia {
            match found.gpus.iter_mut().find(|gpu| {
                gpu.vendor == Vendor::Nvidia && gpu.pci_bus_id.as_deref() == Some(pci.as_str())
            }) {
                Some(gpu) => gpu.drm = nodes,
                None => found.warnings.push(format!(
                    "/{DRM}/{name}: NVIDIA card at {pci} has no NVIDIA driver entry; skipped"
                )),
            }
            continue;
        }
        let index = next_index.entry(vendor).or_insert(0);
        found.gpus.push(Gpu {
            vendor,
            index: *index,
            pci_bus_id: Some(pci),
            uuid: None,
            model: None,
            nodes: Vec::new(),
            drm: nodes,
        });
        *index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_driver_information_file() {
        let text = "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 42\nGPU UUID: \t GPU-5f0c1d2e\nVideo BIOS: \t ??.??.??.??.??\n\
                    Bus Type: \t PCIe\nDevice Minor: \t 3\nBus Location: \t 0000:3B:00.0\n";
        let info = parse_nvidia_information(text);
        assert_eq!(
            info,
            NvidiaInfo {
                model: Some("NVIDIA H100 80GB HBM3".into()),
                uuid: Some("GPU-5f0c1d2e".into()),
                minor: Some(3),
                bus: Some("0000:3b:00.0".into()),
            }
        );
    }

    #[test]
    fn numbers_of_drm_names() {
        assert_eq!(number("card10", "card"), Some(10));
        assert_eq!(number("card0-DP-1", "card"), None);
        assert_eq!(number("renderD128", "renderD"), Some(128));
        assert_eq!(number("card", "card"), None);
    }
}
