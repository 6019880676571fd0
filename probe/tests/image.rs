//! `--image` end to end: OCI layouts built with umoci from a busybox rootfs (several layers, a
//! whiteout, an opaque directory, links, a setuid file, a multi-arch index), compiled and
//! applied by the command, run under runc, and compared with `umoci unpack` of the same image.
//! Needs umoci and a static busybox; the runc and umoci-comparison tests need root too.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bundlec, ok, requires, run, stderr, stdout, TempDir};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

fn umoci() -> Option<PathBuf> {
    common::find_tool(&["/usr/bin/umoci", "/usr/sbin/umoci", "/usr/local/bin/umoci"])
}

fn static_busybox() -> Option<PathBuf> {
    let path = common::find_tool(&["/bin/busybox", "/usr/bin/busybox"])?;
    let bytes = fs::read(&path).ok()?;
    let head = &bytes[..bytes.len().min(4096)];
    (!head.windows(4).any(|w| w == b"/ld-")).then_some(path)
}

fn umoci_ok(dir: &Path, args: &[&str]) {
    ok(Command::new(umoci().unwrap()).current_dir(dir).args(args));
}

/// What the image's Cmd prints from inside the container, one `key=value` a line.
const FACTS: &str = "echo uid=$(id -u) cwd=$(pwd) greeting=$GREETING; \
    echo keep=$(cat /etc/keep); \
    ls /etc/gone >/dev/null 2>&1 && echo gone=present || echo gone=absent; \
    echo cache=$(ls /cache | tr '\\n' ,); \
    echo suid=$(stat -c %a:%u:%g /bin/suid); \
    echo owned=$(stat -c %u:%g /home/app/owned); \
    echo link=$(readlink /var/run); \
    echo hardlinks=$(stat -c %h /bin/hard)";

/// An OCI layout `DIR/img` with tag `1.0`: three layers built by umoci (a busybox rootfs;
/// then a whiteout, a changed file and a replaced directory; then an opaque directory added as
/// a raw layer), a config with Cmd, Env, User and WorkingDir, and a `multi` tag whose index
/// has an amd64 and an arm64 manifest.
fn build_image(dir: &Path) {
    let busybox = static_busybox().unwrap();
    umoci_ok(dir, &["init", "--layout", "img"]);
    umoci_ok(dir, &["new", "--image", "img:1.0"]);
    umoci_ok(dir, &["unpack", "--image", "img:1.0", "work"]);
    let rootfs = dir.join("work/rootfs");
    for sub in [
        "bin",
        "etc",
        "tmp",
        "run",
        "var",
        "home/app",
        "cache/sub",
        "srv",
    ] {
        fs::create_dir_all(rootfs.join(sub)).unwrap();
    }
    fs::copy(&busybox, rootfs.join("bin/busybox")).unwrap();
    for applet in [
        "sh", "cat", "id", "ls", "stat", "echo", "pwd", "readlink", "tr",
    ] {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).unwrap();
    }
    fs::hard_link(rootfs.join("bin/busybox"), rootfs.join("bin/hard")).unwrap();
    fs::write(
        rootfs.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
    )
    .unwrap();
    fs::write(rootfs.join("etc/group"), "root:x:0:\napp:x:1000:\n").unwrap();
    fs::write(rootfs.join("etc/keep"), "lower").unwrap();
    fs::write(rootfs.join("etc/gone"), "deleted by a whiteout").unwrap();
    fs::write(rootfs.join("cache/old"), "hidden by the opaque directory").unwrap();
    fs::write(rootfs.join("bin/suid"), "#!/bin/sh\n").unwrap();
    fs::set_permissions(rootfs.join("bin/suid"), fs::Permissions::from_mode(0o4755)).unwrap();
    fs::write(rootfs.join("home/app/owned"), "mine").unwrap();
    std::os::unix::fs::chown(rootfs.join("home/app/owned"), Some(1000), Some(1000)).unwrap();
    std::os::unix::fs::chown(rootfs.join("home/app"), Some(1000), Some(1000)).unwrap();
    std::os::unix::fs::symlink("/run", rootfs.join("var/run")).unwrap();
    umoci_ok(dir, &["repack", "--image", "img:1.0", "work"]);
    // Layer 2: a whiteout and a changed file.
    umoci_ok(dir, &["unpack", "--image", "img:1.0", "work2"]);
    let rootfs = dir.join("work2/rootfs");
    fs::remove_file(rootfs.join("etc/gone")).unwrap();
    fs::write(rootfs.join("etc/keep"), "upper").unwrap();
    umoci_ok(dir, &["repack", "--image", "img:1.0", "work2"]);
    // Layer 3: `cache` made opaque, with a new file, as a raw tar layer.
    let mut layer = tar::Builder::new(Vec::new());
    for (name, data) in [("cache/.wh..wh..opq", &b""[..]), ("cache/new", &b"new"[..])] {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_600_000_000);
        header.set_cksum();
        layer.append(&header, data).unwrap();
    }
    fs::write(dir.join("opaque.tar"), layer.into_inner().unwrap()).unwrap();
    umoci_ok(
        dir,
        &["raw", "add-layer", "--image", "img:1.0", "opaque.tar"],
    );
    umoci_ok(
        dir,
        &[
            "config",
            "--image",
            "img:1.0",
            "--config.cmd",
            "/bin/sh",
            "--config.cmd",
            "-c",
            "--config.cmd",
            FACTS,
            "--config.user",
            "app",
            "--config.workingdir",
            "/srv",
            "--config.env",
            "GREETING=from-the-image",
            "--config.env",
            "PATH=/bin",
        ],
    );
    add_multi_arch(dir);
}

/// Tags `arm` (the same image with architecture arm64 and another Cmd) and `multi`, an index
/// listing the `1.0` and `arm` manifests by platform.
fn add_multi_arch(dir: &Path) {
    umoci_ok(
        dir,
        &[
            "config",
            "--image",
            "img:1.0",
            "--tag",
            "arm",
            "--architecture",
            "arm64",
            "--config.cmd",
            "echo arm64",
        ],
    );
    let index: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("img/index.json")).unwrap()).unwrap();
    let by_tag = |tag: &str| -> Value {
        let entry = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .unwrap();
        serde_json::json!({"mediaType": entry["mediaType"], "digest": entry["digest"], "size": entry["size"]})
    };
    let mut amd64 = by_tag("1.0");
    amd64["platform"] = serde_json::json!({"os": "linux", "architecture": "amd64"});
    let mut arm64 = by_tag("arm");
    arm64["platform"] =
        serde_json::json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let nested = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [arm64, amd64],
    }))
    .unwrap();
    let hex: String = Sha256::digest(&nested)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    fs::write(dir.join("img/blobs/sha256").join(&hex), &nested).unwrap();
    let mut index = index;
    index["manifests"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": format!("sha256:{hex}"),
            "size": nested.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"},
        }));
    fs::write(
        dir.join("img/index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
}

const SPEC: &str =
    "version: v1\ndeployment: imaged\nservices:\n  web:\n    image: { name: local/img:1.0 }\n";

fn inventory(dir: &Path, arch: &str) -> PathBuf {
    let probed: Value = serde_json::from_slice(&ok(bundlec().arg("probe")).stdout).unwrap();
    let mut inventory = probed;
    inventory["host"]["arch"] = Value::String(arch.to_string());
    let path = dir.join(format!("inventory-{arch}.json"));
    fs::write(&path, serde_json::to_vec(&inventory).unwrap()).unwrap();
    path
}

fn config_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).unwrap()
}

/// The scratch directory with the spec and the image, when umoci, busybox and root (umoci
/// keeps the owners the image needs only as root) are there.
fn setup(test: &str) -> Option<TempDir> {
    let requirements = [
        ("umoci", umoci().is_some()),
        ("a static busybox", static_busybox().is_some()),
        ("root", common::is_root()),
    ];
    if !requires(test, &requirements) {
        return None;
    }
    let dir = TempDir::new(test);
    fs::write(dir.join("spec.yaml"), SPEC).unwrap();
    build_image(dir.path());
    Some(dir)
}

#[test]
fn compile_reads_the_image_config_and_picks_the_nodes_platform() {
    let Some(dir) = setup("image-compile") else {
        return;
    };
    let spec = dir.join("spec.yaml");
    let amd64 = inventory(dir.path(), "x86_64");
    let compiled = ok(bundlec()
        .arg("compile")
        .arg(&spec)
        .arg("--image")
        .arg(format!("oci:{}:1.0", dir.join("img").display()))
        .arg("--inventory")
        .arg(&amd64));
    let config = config_of(&compiled.stdout);
    assert_eq!(
        config["process"]["args"],
        serde_json::json!(["/bin/sh", "-c", FACTS])
    );
    assert_eq!(config["process"]["cwd"], "/srv");
    // `app` resolved from the image's own /etc/passwd, read from its layers.
    assert_eq!(config["process"]["user"]["uid"], 1000);
    assert!(config["process"]["env"]
        .as_array()
        .unwrap()
        .contains(&Value::from("GREETING=from-the-image")));
    // The multi-arch tag: amd64 for an x86_64 node, arm64 for an aarch64 one.
    let multi = format!("oci:{}:multi", dir.join("img").display());
    let on_amd64 = config_of(
        &ok(bundlec()
            .arg("compile")
            .arg(&spec)
            .args(["--image", &multi])
            .arg("--inventory")
            .arg(&amd64))
        .stdout,
    );
    assert_eq!(on_amd64["process"]["args"][2], FACTS);
    let arm64 = inventory(dir.path(), "aarch64");
    let on_arm64 = config_of(
        &ok(bundlec()
            .arg("compile")
            .arg(&spec)
            .args(["--image", &multi])
            .arg("--inventory")
            .arg(&arm64))
        .stdout,
    );
    assert_eq!(
        on_arm64["process"]["args"],
        serde_json::json!(["echo arm64"])
    );
    // A node the image has no manifest for, and a tag it does not have.
    let riscv = inventory(dir.path(), "riscv64");
    let refused = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--image", &multi])
        .arg("--inventory")
        .arg(&riscv));
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("error: the image has no manifest for the node's platform linux/riscv64; it has linux/arm64/v8, linux/amd64"), "{}", stderr(&refused));
    let missing = run(bundlec()
        .arg("compile")
        .arg(&spec)
        .args(["--image", &format!("oci:{}:2.0", dir.join("img").display())])
        .arg("--inventory")
        .arg(&amd64));
    assert!(
        stderr(&missing)
            .contains("error: the image has no tag `2.0`; its tags are `1.0`, `arm`, `multi`"),
        "{}",
        stderr(&missing)
    );
    let json = run(bundlec()
        .args(["--diagnostics", "json", "compile"])
        .arg(&spec)
        .args(["--image", &multi])
        .arg("--inventory")
        .arg(&riscv));
    let report: Value = serde_json::from_slice(&json.stderr).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "image-platform-missing");
    assert!(report["diagnostics"][0]["path"]
        .as_str()
        .unwrap()
        .contains("/img/blobs/sha256/"));
    // --image and --image-config are exclusive.
    let both = run(bundlec().arg("compile").arg(&spec).args([
        "--image",
        &multi,
        "--image-config",
        "x.json",
    ]));
    assert_eq!(both.status.code(), Some(2));
    // The same image as an oci-archive.
    let archive = dir.join("img.tar");
    let mut builder = tar::Builder::new(fs::File::create(&archive).unwrap());
    builder.append_dir_all(".", dir.join("img")).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let from_archive = ok(bundlec()
        .arg("compile")
        .arg(&spec)
        .arg("--image")
        .arg(format!("oci-archive:{}:1.0", archive.display()))
        .arg("--inventory")
        .arg(&amd64));
    assert_eq!(from_archive.stdout, compiled.stdout);
}

#[test]
fn zlayer_examples_compile_with_an_image() {
    let Some(dir) = setup("image-zlayer") else {
        return;
    };
    let examples =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/zlayer-examples");
    let image = format!("oci:{}:1.0", dir.join("img").display());
    let amd64 = inventory(dir.path(), "x86_64");
    for (name, services) in [
        ("simple.yaml", &["web"][..]),
        ("simple.zlayer.yml", &["web"]),
        ("nginx-static.yaml", &["web"]),
        ("zlayer-web.zlayer.yml", &["web"]),
        (
            "full-service.yaml",
            &["api", "database", "worker", "cleanup"],
        ),
    ] {
        for service in services {
            let path = examples.join(name);
            assert!(path.exists(), "{}", path.display());
            let compiled = run(bundlec()
                .arg("compile")
                .arg(&path)
                .args(["--image", &image, "--service", service, "--host-env", "*"])
                .envs([
                    ("DATABASE_URL", "postgres://db"),
                    ("REDIS_URL", "redis://r"),
                    ("POSTGRES_DB", "shop"),
                    ("POSTGRES_USER", "shop"),
                    ("POSTGRES_PASSWORD", "pw"),
                    ("QUEUE_URL", "q"),
                ])
                .arg("--inventory")
                .arg(&amd64));
            assert!(
                compiled.status.success(),
                "{name} {service}: {}",
                stderr(&compiled)
            );
            let config = config_of(&compiled.stdout);
            assert_eq!(config["process"]["args"][0], "/bin/sh", "{name} {service}");
        }
    }
}

/// Runs `runc run` on the bundle and returns its stdout.
fn runc_run(bundle: &Path, id: &str) -> String {
    let runc = common::find_tool(&[
        "/usr/sbin/runc",
        "/usr/bin/runc",
        "/usr/local/sbin/runc",
        "/usr/local/bin/runc",
    ])
    .unwrap();
    let state = bundle.parent().unwrap().join("runc-state");
    let output = run(Command::new(runc)
        .arg("--root")
        .arg(&state)
        .args(["run", "-b"])
        .arg(bundle)
        .arg(id));
    let _ = Command::new("runc")
        .arg("--root")
        .arg(&state)
        .args(["delete", "-f", id])
        .output();
    assert!(
        output.status.success(),
        "runc run failed: {}\n{}",
        stderr(&output),
        stdout(&output)
    );
    stdout(&output)
}

#[test]
fn an_applied_image_runs_its_own_cmd_under_runc() {
    let has_runc = common::find_tool(&[
        "/usr/sbin/runc",
        "/usr/bin/runc",
        "/usr/local/sbin/runc",
        "/usr/local/bin/runc",
    ])
    .is_some();
    if !requires(
        "an_applied_image_runs_its_own_cmd_under_runc",
        &[("runc", has_runc)],
    ) {
        return;
    }
    let Some(dir) = setup("image-runc") else {
        return;
    };
    let bundle = dir.join("bundle");
    let image = format!("oci:{}:1.0", dir.join("img").display());
    ok(bundlec()
        .arg("apply")
        .arg(dir.join("spec.yaml"))
        .args(["--image", &image])
        .arg("--bundle")
        .arg(&bundle)
        .arg("--state-dir")
        .arg(dir.join("state")));
    let config: Value =
        serde_json::from_str(&fs::read_to_string(bundle.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["root"]["path"], "rootfs");
    assert!(bundle.join("rootfs/bin/busybox").is_file());
    let facts = runc_run(&bundle, &format!("bundlec-image-{}", std::process::id()));
    let expected = "uid=1000 cwd=/srv greeting=from-the-image\nkeep=upper\ngone=absent\ncache=new,\nsuid=4755:0:0\nowned=1000:1000\nlink=/run\nhardlinks=2\n";
    assert_eq!(facts, expected);
    // Applied again with --force over the bundle bundlec wrote, rootfs directory included.
    ok(bundlec()
        .arg("apply")
        .arg(dir.join("spec.yaml"))
        .args(["--image", &image, "--force"])
        .arg("--bundle")
        .arg(&bundle)
        .arg("--state-dir")
        .arg(dir.join("state")));
    // A layer whose bytes changed: refused, naming the blob, and the bundle is left as it was.
    let manifest_layer = largest_blob(&dir.join("img/blobs/sha256"));
    let mut bytes = fs::read(&manifest_layer).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    fs::write(&manifest_layer, &bytes).unwrap();
    let fresh = dir.join("fresh");
    let refused = run(bundlec()
        .arg("apply")
        .arg(dir.join("spec.yaml"))
        .args(["--image", &image])
        .arg("--bundle")
        .arg(&fresh)
        .arg("--state-dir")
        .arg(dir.join("state")));
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(message.contains("does not match its digest"), "{message}");
    assert!(
        message.contains(&manifest_layer.display().to_string()),
        "{message}"
    );
    assert!(!fresh.exists());
    let beside: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

fn largest_blob(dir: &Path) -> PathBuf {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| fs::metadata(p).unwrap().len())
        .unwrap()
}

/// Every path under `root` with its type, mode, owner, link target and content digest.
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let kind = if meta.file_type().is_symlink() {
                format!("link -> {}", fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                pending.push(path.clone());
                "dir".to_string()
            } else if meta.is_file() {
                let hex: String = Sha256::digest(fs::read(&path).unwrap())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!("file {}", &hex[..16])
            } else {
                "other".to_string()
            };
            let mode = if meta.file_type().is_symlink() {
                0
            } else {
                meta.mode() & 0o7777
            };
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            found.insert(
                relative,
                format!("{kind} {mode:o} {}:{}", meta.uid(), meta.gid()),
            );
        }
    }
    found
}

#[test]
fn the_unpacked_tree_and_process_match_umoci_unpack() {
    let Some(dir) = setup("image-umoci") else {
        return;
    };
    let bundle = dir.join("bundle");
    let image = format!("oci:{}:1.0", dir.join("img").display());
    ok(bundlec()
        .arg("apply")
        .arg(dir.join("spec.yaml"))
        .args(["--image", &image])
        .arg("--bundle")
        .arg(&bundle)
        .arg("--state-dir")
        .arg(dir.join("state")));
    umoci_ok(dir.path(), &["unpack", "--image", "img:1.0", "by-umoci"]);
    let ours = tree(&bundle.join("rootfs"));
    let theirs = tree(&dir.join("by-umoci/rootfs"));
    assert!(ours.len() > 20, "{ours:?}");
    assert_eq!(ours, theirs);
    let config: Value =
        serde_json::from_str(&fs::read_to_string(bundle.join("config.json")).unwrap()).unwrap();
    let umoci_config: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("by-umoci/config.json")).unwrap())
            .unwrap();
    for field in ["args", "cwd"] {
        assert_eq!(
            config["process"][field], umoci_config["process"][field],
            "{field}"
        );
    }
    for field in ["uid", "gid"] {
        assert_eq!(
            config["process"]["user"][field], umoci_config["process"]["user"][field],
            "{field}"
        );
    }
    // umoci adds HOME from the image's passwd; bundlec's core sets no HOME.
    let env: Vec<&Value> = umoci_config["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|variable| !variable.as_str().unwrap().starts_with("HOME="))
        .collect();
    assert!(env.len() >= 2, "{env:?}");
    for variable in env {
        assert!(
            config["process"]["env"]
                .as_array()
                .unwrap()
                .contains(variable),
            "{variable}"
        );
    }
}

/// Stores `bytes` as a blob of the layout at `dir` and returns its descriptor.
fn put_blob(dir: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    fs::write(dir.join("blobs/sha256").join(&hex), bytes).unwrap();
    serde_json::json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": bytes.len()})
}

/// A one-layer layout whose layer holds a file named `name` (written as raw header bytes).
fn hostile_layout(dir: &Path, name: &str) {
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_size(6);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_cksum();
    let mut layer = tar::Builder::new(Vec::new());
    layer.append(&header, &b"pwned\n"[..]).unwrap();
    let layer = put_blob(
        dir,
        "application/vnd.oci.image.layer.v1.tar",
        &layer.into_inner().unwrap(),
    );
    let config = br#"{"config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config = put_blob(dir, "application/vnd.oci.image.config.v1+json", config);
    let manifest = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config, "layers": [layer]});
    let manifest = put_blob(
        dir,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [manifest]});
    fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

#[test]
fn apply_refuses_a_layer_that_escapes_and_writes_nothing() {
    for (case, name) in [("dotdot", "../../outside"), ("absolute", "/outside")] {
        let dir = TempDir::new(&format!("image-hostile-{case}"));
        fs::write(dir.join("spec.yaml"), SPEC).unwrap();
        fs::write(dir.join("outside"), "untouched").unwrap();
        hostile_layout(&dir.join("img"), name);
        let bundle = dir.join("out/bundle");
        let refused = run(bundlec()
            .args(["--diagnostics", "json", "apply"])
            .arg(dir.join("spec.yaml"))
            .arg("--image")
            .arg(format!("oci:{}", dir.join("img").display()))
            .arg("--bundle")
            .arg(&bundle)
            .arg("--state-dir")
            .arg(dir.join("state")));
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        let report: Value = serde_json::from_slice(&refused.stderr).unwrap();
        let diagnostic = &report["diagnostics"][0];
        assert_eq!(diagnostic["code"], "unsafe-layer-entry");
        assert!(
            diagnostic["message"]
                .as_str()
                .unwrap()
                .contains(&format!("entry `{name}` is refused")),
            "{diagnostic}"
        );
        assert_eq!(
            fs::read_to_string(dir.join("outside")).unwrap(),
            "untouched"
        );
        assert!(!bundle.exists());
        // Beside the bundle only the lock file stays: the temporary bundle was removed.
        let beside: Vec<String> = fs::read_dir(dir.join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(beside, [".bundle.lock"]);
    }
}
