//! NVIDIA's spec, in the shape `nvidia-ctk cdi generate` writes: `NVIDIA_VISIBLE_DEVICES=void`,
//! the shared nodes and the running driver's files in the common edits; `/dev/nvidiaN` (N the
//! GPU's Device Minor) and its DRM nodes per device. Libraries are found through the node's
//! `/etc/ld.so.cache` and bound at their real path and at their soname, so an image finds
//! `libcuda.so.1` with no hook; nvidia-cdi-hook hooks are added when the node has the tool.

use std::path::Path;

use bundlec_core::{CdiHook, CdiMount, CdiSpec, ContainerEdits, Inventory, Vendor};

use super::generate::{bare_node, per_gpu_devices, Root, GENERATED_CDI_VERSION};
use super::ldcache;
use crate::confined;

/// The driver's libraries, compute and utility first, then video and graphics when present;
/// each must be the running driver's version (`<name>.so.<version>`).
const LIBRARIES: &[&str] = &[
    "libcuda",
    "libcudadebugger",
    "libnvidia-ml",
    "libnvidia-ptxjitcompiler",
    "libnvidia-nvvm",
    "libnvidia-gpucomp",
    "libnvidia-allocator",
    "libnvidia-cfg",
    "libnvidia-opencl",
    "libnvidia-pkcs11",
    "libnvidia-pkcs11-openssl3",
    "libnvcuvid",
    "libnvidia-encode",
    "libnvidia-opticalflow",
    "libnvidia-eglcore",
    "libnvidia-glcore",
    "libnvidia-glsi",
    "libnvidia-tls",
    "libnvidia-fbc",
    "libnvidia-rtcore",
    "libnvidia-glvkspirv",
    "libnvoptix",
    "libGLX_nvidia",
    "libEGL_nvidia",
    "libGLESv2_nvidia",
    "libGLESv1_CM_nvidia",
];

/// Graphics configuration files nvidia-ctk binds when present (`{version}` is the driver's).
const CONFIG_FILES: &[&str] = &[
    "/etc/vulkan/icd.d/nvidia_icd.json",
    "/usr/share/vulkan/icd.d/nvidia_icd.json",
    "/etc/vulkan/implicit_layer.d/nvidia_layers.json",
    "/usr/share/vulkan/implicit_layer.d/nvidia_layers.json",
    "/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
    "/usr/share/egl/egl_external_platform.d/15_nvidia_gbm.json",
    "/usr/share/egl/egl_external_platform.d/10_nvidia_wayland.json",
    "/usr/share/X11/xorg.conf.d/10-nvidia.conf",
    "/usr/lib/xorg/modules/drivers/nvidia_drv.so",
    "/usr/lib/xorg/modules/extensions/libglxserver_nvidia.so.{version}",
    "/usr/share/nvidia/nvoptix.bin",
];

const BINARIES: &[&str] = &[
    "nvidia-smi",
    "nvidia-debugdump",
    "nvidia-persistenced",
    "nvidia-cuda-mps-control",
    "nvidia-cuda-mps-server",
];

/// Where binaries are looked for, in the order of a default PATH.
const BIN_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

const PERSISTENCED_SOCKETS: &[&str] = &[
    "/run/nvidia-persistenced/socket",
    "/var/run/nvidia-persistenced/socket",
];

const FIRMWARE_DIRS: &[&str] = &["/lib/firmware/nvidia", "/usr/lib/firmware/nvidia"];

const HOOK_PATHS: &[&str] = &["/usr/bin/nvidia-cdi-hook", "/usr/local/bin/nvidia-cdi-hook"];

/// The options of every bind nvidia-ctk writes.
const BIND: &[&str] = &["ro", "nosuid", "nodev", "bind"];

pub fn spec(root: &Root, inventory: &Inventory) -> Result<CdiSpec, String> {
    let version = driver_version(&root.dir)?;
    let mut mounts = Vec::new();
    let libraries = libraries(root, &version, &mut mounts)?;
    for file in CONFIG_FILES {
        let inside = file.replace("{version}", &version);
        if let Some(host) = existing(&root.dir, &inside) {
            mounts.push(bind(&host, &inside));
        }
    }
    for name in BINARIES {
        let found = BIN_DIRS.iter().find_map(|dir| {
            let inside = format!("{dir}/{name}");
            existing(&root.dir, &inside).map(|host| (inside, host))
        });
        if let Some((inside, host)) = found {
            mounts.push(bind(&host, &inside));
        }
    }
    if let Some((inside, host)) = PERSISTENCED_SOCKETS
        .iter()
        .find_map(|inside| existing(&root.dir, inside).map(|host| (inside, host)))
    {
        mounts.push(bind(&host, inside));
    }
    for dir in FIRMWARE_DIRS {
        let dir = format!("{dir}/{version}");
        let names = confined::list_dir(&root.dir, Path::new(&dir))
            .ok()
            .flatten()
            .unwrap_or_default();
        for name in names
            .iter()
            .filter(|n| n.starts_with("gsp") && n.ends_with(".bin"))
        {
            let inside = format!("{dir}/{name}");
            if let Some(host) = existing(&root.dir, &inside) {
                mounts.push(bind(&host, &inside));
            }
        }
    }
    let hooks = hooks(root, &libraries);
    let shared = inventory
        .gpu_shared
        .get(&Vendor::Nvidia)
        .cloned()
        .unwrap_or_default();
    let devices = per_gpu_devices(inventory, Vendor::Nvidia, true, |gpu| {
        gpu.nodes
            .iter()
            .chain(&gpu.drm)
            .map(|path| bare_node(root, path))
            .collect()
    });
    Ok(CdiSpec {
        cdi_version: GENERATED_CDI_VERSION.to_string(),
        kind: "nvidia.com/gpu".to_string(),
        devices,
        container_edits: ContainerEdits {
            env: vec!["NVIDIA_VISIBLE_DEVICES=void".to_string()],
            device_nodes: shared.iter().map(|path| bare_node(root, path)).collect(),
            hooks,
            mounts,
            ..ContainerEdits::default()
        },
        ..CdiSpec::default()
    })
}

/// The running driver's version: `/proc/driver/nvidia/version`, else `/sys/module/nvidia/version`.
fn driver_version(root: &Path) -> Result<String, String> {
    let proc = confined::read_to_string(root, Path::new("proc/driver/nvidia/version"))
        .ok()
        .flatten()
        .and_then(|text| {
            // `NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 …`
            let line = text
                .lines()
                .find(|line| line.starts_with("NVRM version:"))?;
            line.split_whitespace()
                .find(|word| is_version(word))
                .map(str::to_string)
        });
    let sys = || {
        confined::read_to_string(root, Path::new("sys/module/nvidia/version"))
            .ok()
            .flatten()
            .map(|text| text.trim().to_string())
            .filter(|text| is_version(text))
    };
    proc.or_else(sys).ok_or_else(|| {
        "the driver version is unknown (no /proc/driver/nvidia/version or /sys/module/nvidia/version)"
            .to_string()
    })
}

/// Dotted decimal: `550.54.15`, `535.183`.
fn is_version(text: &str) -> bool {
    text.contains('.')
        && text
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// A library found: its soname, and where the soname link lives inside the root.
pub struct Library {
    pub soname: String,
    pub dir: String,
}

/// The driver's libraries through the ld cache: each bound at its real path and at its soname.
fn libraries(
    root: &Root,
    version: &str,
    mounts: &mut Vec<CdiMount>,
) -> Result<Vec<Library>, String> {
    let bytes = confined::read_bytes(
        &root.dir,
        Path::new("etc/ld.so.cache"),
        ldcache::MAX_CACHE_BYTES as u64,
    )
    .map_err(|error| format!("/etc/ld.so.cache: cannot read: {error}"))?
    .ok_or("there is no /etc/ld.so.cache to find the driver's libraries in")?;
    let entries = ldcache::parse(&bytes).map_err(|error| format!("/etc/ld.so.cache: {error}"))?;
    let mut found: Vec<Library> = Vec::new();
    for name in LIBRARIES {
        // Versioned sonames only (`libcuda.so.1`): the cache also lists the `libcuda.so`
        // link that linkers use, which is no soname.
        let prefix = format!("{name}.so.");
        let wanted = format!("{name}.so.{version}");
        for entry in entries
            .iter()
            .filter(|e| e.is_native() && e.soname.starts_with(&prefix))
        {
            if found.iter().any(|library| library.soname == entry.soname) {
                continue;
            }
            let Ok(resolved) = confined::resolve(&root.dir, Path::new(&entry.path), true) else {
                continue;
            };
            let Some(real) = root.inside(&resolved) else {
                continue;
            };
            if !real.ends_with(&format!("/{wanted}")) {
                continue;
            }
            let dir = entry
                .path
                .rsplit_once('/')
                .map_or("", |(dir, _)| dir)
                .to_string();
            let host = resolved.to_string_lossy().into_owned();
            let soname_path = format!("{dir}/{}", entry.soname);
            for inside in [&real, &soname_path] {
                if !mounts.iter().any(|m| &m.container_path == inside) {
                    mounts.push(bind(&host, inside));
                }
            }
            found.push(Library {
                soname: entry.soname.clone(),
                dir,
            });
        }
    }
    if !found
        .iter()
        .any(|library| library.soname.starts_with("libcuda.so"))
    {
        return Err(format!(
            "/etc/ld.so.cache lists no libcuda.so of driver {version}: is the driver's user-space part installed, and ldconfig run?"
        ));
    }
    Ok(found)
}

/// nvidia-cdi-hook's hooks, when the node has it: the `libcuda.so` link that linkers look for,
/// and the container's ld cache updated for the library directories.
fn hooks(root: &Root, libraries: &[Library]) -> Vec<CdiHook> {
    let Some(tool) = HOOK_PATHS
        .iter()
        .find_map(|inside| existing(&root.dir, inside).map(|_| root.host_path(inside)))
    else {
        return Vec::new();
    };
    let mut hooks = Vec::new();
    if let Some(cuda) = libraries
        .iter()
        .find(|l| l.soname.starts_with("libcuda.so"))
    {
        hooks.push(CdiHook {
            hook_name: "createContainer".to_string(),
            path: tool.clone(),
            args: vec![
                "nvidia-cdi-hook".to_string(),
                "create-symlinks".to_string(),
                "--link".to_string(),
                format!("{}::{}/libcuda.so", cuda.soname, cuda.dir),
            ],
            ..CdiHook::default()
        });
    }
    let mut args = vec!["nvidia-cdi-hook".to_string(), "update-ldcache".to_string()];
    let mut dirs: Vec<&str> = Vec::new();
    for library in libraries {
        if !dirs.contains(&library.dir.as_str()) {
            dirs.push(&library.dir);
        }
    }
    for dir in dirs {
        args.push("--folder".to_string());
        args.push(dir.to_string());
    }
    hooks.push(CdiHook {
        hook_name: "createContainer".to_string(),
        path: tool,
        args,
        ..CdiHook::default()
    });
    hooks
}

/// The host path of a file (of any kind) inside the root, links resolved; `None` when missing.
fn existing(root: &Path, inside: &str) -> Option<String> {
    let resolved = confined::resolve(root, Path::new(inside), true).ok()?;
    std::fs::symlink_metadata(&resolved).ok()?;
    Some(resolved.to_string_lossy().into_owned())
}

fn bind(host: &str, inside: &str) -> CdiMount {
    CdiMount {
        host_path: host.to_string(),
        container_path: inside.to_string(),
        options: BIND.iter().map(|o| (*o).to_string()).collect(),
        kind: None,
    }
}
