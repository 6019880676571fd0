//! The inventory's reading and checks, and its resolution of paths.

use super::*;
use crate::diagnostic::Diagnostic;

fn node(path: &str, major: u32, minor: u32) -> DeviceNode {
    DeviceNode {
        path: path.into(),
        kind: DeviceType::Char,
        major,
        minor,
        file_mode: 0o666,
        uid: 0,
        gid: 0,
    }
}

#[test]
fn links_resolve_inside_dev() {
    let inventory = Inventory {
        inventory_version: 1,
        devices: vec![node("/dev/dri/card1", 226, 1)],
        links: vec![
            DeviceLink {
                path: "/dev/dri/by-path/pci-0000:03:00.0-card".into(),
                target: "../card1".into(),
            },
            DeviceLink {
                path: "/dev/loop-a".into(),
                target: "loop-b".into(),
            },
            DeviceLink {
                path: "/dev/loop-b".into(),
                target: "loop-a".into(),
            },
        ],
        ..Inventory::default()
    };
    assert_eq!(
        inventory
            .resolve("/dev/dri/by-path/pci-0000:03:00.0-card")
            .map(|n| n.minor),
        Some(1)
    );
    assert_eq!(inventory.resolve("/dev/loop-a"), None);
    assert_eq!(inventory.resolve("/dev/../../etc"), None);
}

/// The inventory with `devices`, `links` and `gpus` as given (JSON arrays) and NVIDIA
/// shared nodes.
fn read(devices: &str, links: &str, gpus: &str, shared: &str) -> Result<Inventory, Diagnostic> {
    Inventory::from_json(&format!(
        r#"{{"inventoryVersion":1,"devices":{devices},"links":{links},"gpus":{gpus},"gpuShared":{{"nvidia":{shared}}}}}"#
    ))
}

fn device(path: &str, major: u32, minor: u32) -> String {
    format!(
        r#"{{"path":"{path}","type":"c","major":{major},"minor":{minor},"fileMode":438,"uid":0,"gid":0}}"#
    )
}

/// Issue 9: inventory paths were taken as written, so a node could be listed outside /dev,
/// twice, or with numbers Linux cannot encode, and one GPU could count twice.
#[test]
fn refuses_bad_paths_numbers_and_duplicates_naming_the_entry() {
    let fuse = device("/dev/fuse", 10, 229);
    let gpu = |index: u32, node: &str| {
        format!(r#"{{"vendor":"nvidia","index":{index},"nodes":["{node}"],"drm":[]}}"#)
    };
    let ok = read(
        &format!("[{fuse},{}]", device("/dev/big", 4095, 1_048_575)),
        r#"[{"path":"/dev/link","target":"fuse"}]"#,
        &format!("[{},{}]", gpu(0, "/dev/nvidia0"), gpu(1, "/dev/nvidia1")),
        r#"["/dev/nvidiactl"]"#,
    );
    assert!(ok.is_ok(), "{ok:?}");
    for (devices, links, gpus, shared, path, message) in [
        (
            format!("[{}]", device("dev/fuse", 10, 229)),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[0].path",
            "device `dev/fuse` must be an absolute path under /dev",
        ),
        (
            format!("[{}]", device("/etc/shadow", 10, 229)),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[0].path",
            "device `/etc/shadow` must be a path under /dev, but it names `/etc/shadow`",
        ),
        (
            format!("[{}]", device("/dev/../etc/shadow", 10, 229)),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[0].path",
            "device `/dev/../etc/shadow` must be a path under /dev, but it names `/etc/shadow`",
        ),
        (
            format!("[{}]", device("/dev/./fuse", 10, 229)),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[0].path",
            "`/dev/./fuse` is not a normalized path: write `/dev/fuse`",
        ),
        (
            format!("[{fuse},{fuse}]"),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[1].path",
            "`/dev/fuse` is listed twice (first at `devices[0]`)",
        ),
        (
            format!("[{fuse}]"),
            r#"[{"path":"/dev/fuse","target":"null"}]"#,
            "[]".to_string(),
            "[]",
            "inventory.links[0].path",
            "`/dev/fuse` is listed twice (first at `devices[0]`)",
        ),
        (
            "[]".to_string(),
            r#"[{"path":"/dev//x","target":"null"}]"#,
            "[]".to_string(),
            "[]",
            "inventory.links[0].path",
            "`/dev//x` is not a normalized path: write `/dev/x`",
        ),
        (
            format!("[{fuse},{}]", device("/dev/x", 4096, 0)),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[1].major",
            "major 4096 of `/dev/x` is above 4095, the largest Linux encodes",
        ),
        (
            format!("[{}]", device("/dev/x", 1, 1 << 20)),
            "[]",
            "[]".to_string(),
            "[]",
            "inventory.devices[0].minor",
            "minor 1048576 of `/dev/x` is above 1048575, the largest Linux encodes",
        ),
        (
            "[]".to_string(),
            "[]",
            format!("[{},{}]", gpu(0, "/dev/nvidia0"), gpu(0, "/dev/nvidia1")),
            "[]",
            "inventory.gpus[1].index",
            "nvidia GPU 0 is listed twice (first at `gpus[0]`)",
        ),
        (
            "[]".to_string(),
            "[]",
            format!("[{},{}]", gpu(0, "/dev/nvidia0"), gpu(1, "/dev/nvidia0")),
            "[]",
            "inventory.gpus[1].nodes[0]",
            "`/dev/nvidia0` is listed for two GPUs or twice for one (first at `gpus[0].nodes[0]`)",
        ),
        (
            "[]".to_string(),
            "[]",
            format!("[{}]", gpu(0, "nvidia0")),
            "[]",
            "inventory.gpus[0].nodes[0]",
            "device `nvidia0` must be an absolute path under /dev",
        ),
        (
            "[]".to_string(),
            "[]",
            "[]".to_string(),
            r#"["/dev/nvidiactl","/dev/nvidiactl"]"#,
            "inventory.gpuShared.nvidia[1]",
            "`/dev/nvidiactl` is listed twice (first at `gpuShared.nvidia[0]`)",
        ),
    ] {
        let error = read(&devices, links, &gpus, shared).unwrap_err();
        assert_eq!(error.code, "bad-inventory");
        assert_eq!(
            (error.path.as_str(), error.message.as_str()),
            (path, message)
        );
        assert_eq!((error.line, error.column), (None, None));
    }
}

/// Issue 9: "the inventory are not valid".
#[test]
fn messages_agree_with_their_subject() {
    let error = Inventory::from_json(r#"{"inventoryVersion":1,"extra":1}"#).unwrap_err();
    assert!(
        error
            .message
            .starts_with("the inventory is not valid: unknown field `extra`"),
        "{}",
        error.message
    );
    let error = Inventory::from_json("{").unwrap_err();
    assert!(
        error.message.starts_with("the inventory is not valid"),
        "{}",
        error.message
    );
    let error = Inventory::from_json("[1]").unwrap_err();
    assert_eq!(error.message, "the inventory must be a JSON object");
}

/// The field readers that replaced serde's derive keep its checks, and say where.
#[test]
fn refuses_wrong_types_missing_and_unknown_fields_naming_the_field() {
    for (text, path, message) in [
        (r#"{"inventoryVersion":1,"devices":[{"path":"/dev/x","type":"c","major":-1,"minor":0,"fileMode":438,"uid":0,"gid":0}]}"#,
         "inventory", "the inventory is not valid: `devices[0].major` must be a whole number from 0 to 4294967295"),
        (r#"{"inventoryVersion":1,"devices":[{"path":"/dev/x","major":1,"minor":0,"fileMode":438,"uid":0,"gid":0}]}"#,
         "inventory", "the inventory is not valid: missing field `type` in `devices[0]`"),
        (r#"{"inventoryVersion":1,"devices":[{"path":"/dev/x","type":"d","major":1,"minor":0,"fileMode":438,"uid":0,"gid":0}]}"#,
         "inventory", "the inventory is not valid: `devices[0].type` `d` is not one of c, b, p"),
        (r#"{"inventoryVersion":2,"host":{"kernal":"6.8"}}"#,
         "inventory", "the inventory is not valid: unknown field `kernal` in `host` (did you mean `kernel`?)"),
        (r#"{"inventoryVersion":2,"host":{"apparmor":{"profiles":[]}}}"#,
         "inventory", "the inventory is not valid: missing field `enabled` in `host.apparmor`"),
        (r#"{"inventoryVersion":1,"gpuShared":{"apple":[]}}"#,
         "inventory", "the inventory is not valid: unknown field `apple` in `gpuShared`"),
        (r#"{"inventoryVersion":1,"gpus":[{"vendor":"nvidia","index":0,"nodes":"/dev/nvidia0"}]}"#,
         "inventory", "the inventory is not valid: `gpus[0].nodes` must be a list"),
        (r#"{"inventoryVersion":1,"drivers":{"char":{"195":1}}}"#,
         "inventory", "the inventory is not valid: `drivers.char.195` must be a string"),
        (r#"{"inventoryVersion":"2"}"#,
         "inventory.inventoryVersion", "the inventory is not valid: `inventoryVersion` must be a whole number"),
        (r#"{"inventoryVersion":1,"devices":[],"devices":[]}"#,
         "inventory", "the inventory is not valid JSON: the key `devices` is given twice at line 1 column 44"),
    ] {
        let error = Inventory::from_json(text).unwrap_err();
        assert_eq!(error.code, "bad-inventory");
        assert_eq!((error.path.as_str(), error.message.as_str()), (path, message), "{text}");
    }
    // Optional facts may be `null`, as the probe's older builds wrote them.
    let inventory = Inventory::from_json(
        r#"{"inventoryVersion":2,"host":{"capabilities":null,"selinux":{"enabled":true}},"gpus":[{"vendor":"amd","index":1,"uuid":null}],"gpuShared":{"amd":["/dev/kfd"]}}"#,
    )
    .unwrap();
    assert_eq!(inventory.host.capabilities, None);
    assert_eq!(
        inventory.host.selinux,
        Some(Selinux {
            enabled: true,
            enforcing: false
        })
    );
    assert_eq!(
        (inventory.gpus[0].vendor, inventory.gpus[0].uuid.as_deref()),
        (Vendor::Amd, None)
    );
    assert_eq!(inventory.gpu_shared[&Vendor::Amd], ["/dev/kfd"]);
}

#[test]
fn the_index_resolves_like_the_inventory() {
    let inventory = Inventory {
        inventory_version: 1,
        devices: vec![node("/dev/dri/card1", 226, 1), node("/dev/fuse", 10, 229)],
        links: vec![DeviceLink {
            path: "/dev/dri/by-path/a".into(),
            target: "../card1".into(),
        }],
        ..Inventory::default()
    };
    let index = inventory.index();
    for path in [
        "/dev/dri/by-path/a",
        "/dev/./fuse",
        "/dev/none",
        "/dev/../../x",
    ] {
        assert_eq!(index.resolve(path), inventory.resolve(path), "{path}");
    }
    assert_eq!(
        index.resolve("/dev/dri/by-path/a").map(|n| n.minor),
        Some(1)
    );
}

#[test]
fn rejects_future_versions() {
    let error = Inventory::from_json(r#"{"inventoryVersion": 99}"#).unwrap_err();
    assert_eq!(error.path, "inventory.inventoryVersion");
    let big = r#"{"inventoryVersion":1,"devices":[{"path":"/dev/x","type":"c","major":511,"minor":300,"fileMode":438,"uid":0,"gid":0}]}"#;
    let inventory = Inventory::from_json(big).unwrap();
    assert_eq!(
        (inventory.devices[0].major, inventory.devices[0].minor),
        (511, 300)
    );
}
