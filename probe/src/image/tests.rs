//! Layers written by the tests, hostile ones included, unpacked into scratch rootfs
//! directories; each checks what lands in the rootfs and that nothing outside it changes.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bundlec_core::image_layout::{Compression, Descriptor, Digest};
use sha2::{Digest as _, Sha256};

use super::*;
use crate::failure::Coded;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bundlec-image-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("layout/blobs/sha256")).unwrap();
    fs::create_dir_all(dir.join("bundle/rootfs")).unwrap();
    // What must never change: a file beside the bundle, where `..` would lead.
    fs::write(dir.join("outside"), "untouched").unwrap();
    fs::write(
        dir.join("layout/index.json"),
        r#"{"schemaVersion":2,"manifests":[]}"#,
    )
    .unwrap();
    dir
}

/// One tar entry, its name written as raw bytes (the tar crate refuses `..` in names it sets).
enum Entry<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str, u32),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Fifo(&'a str),
    CharDevice(&'a str, u32, u32),
}

fn tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        let (name, data, kind, mode, link): (&str, &[u8], tar::EntryType, u32, Option<&str>) =
            match entry {
                Entry::File(name, data, mode) => (name, data, tar::EntryType::Regular, *mode, None),
                Entry::Dir(name, mode) => (name, b"", tar::EntryType::Directory, *mode, None),
                Entry::Symlink(name, target) => {
                    (name, b"", tar::EntryType::Symlink, 0o777, Some(target))
                }
                Entry::HardLink(name, target) => {
                    (name, b"", tar::EntryType::Link, 0o644, Some(target))
                }
                Entry::Fifo(name) => (name, b"", tar::EntryType::Fifo, 0o600, None),
                Entry::CharDevice(name, major, minor) => {
                    header.set_device_major(*major).unwrap();
                    header.set_device_minor(*minor).unwrap();
                    (name, b"", tar::EntryType::Char, 0o666, None)
                }
            };
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(link) = link {
            header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(1_600_000_000);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Stores a blob in the layout and returns its descriptor.
fn blob(dir: &Path, bytes: &[u8], compression: Compression) -> (Descriptor, Compression) {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    fs::write(dir.join("layout/blobs/sha256").join(&hex), bytes).unwrap();
    let descriptor = Descriptor {
        media_type: "application/vnd.oci.image.layer.v1.tar".into(),
        digest: Digest::parse(&format!("sha256:{hex}")).unwrap(),
        size: bytes.len() as u64,
        platform: None,
        tag: None,
    };
    (descriptor, compression)
}

fn layout(dir: &Path) -> Layout {
    Layout::open(&ImageRef::parse(&format!("oci:{}", dir.join("layout").display())).unwrap())
        .unwrap()
}

fn unpack_into(dir: &Path, layers: &[(Descriptor, Compression)]) -> Result<PathBuf, ImageError> {
    let rootfs = dir.join("bundle/rootfs");
    unpack(&layout(dir), layers, &rootfs, Limits::default())?;
    Ok(rootfs)
}

/// Nothing beside the bundle changed: the sentinel, and no new names.
fn outside_untouched(dir: &Path) {
    assert_eq!(
        fs::read_to_string(dir.join("outside")).unwrap(),
        "untouched"
    );
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bundle", "layout", "outside"]);
    let bundle: Vec<String> = fs::read_dir(dir.join("bundle"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(bundle, ["rootfs"]);
}

fn refused(error: &ImageError) -> (String, String) {
    (error.code().to_string(), error.to_string())
}

#[test]
fn references_parse_as_containers_image_does() {
    let tagged = ImageRef::parse("oci:/srv/img:1.0").unwrap();
    assert_eq!(
        (tagged.transport, tagged.path),
        (Transport::Dir, PathBuf::from("/srv/img"))
    );
    assert_eq!(tagged.selector, Selector::Tag("1.0".into()));
    assert_eq!(ImageRef::parse("oci:img").unwrap().selector, Selector::Only);
    let digest = format!("sha256:{}", "a".repeat(64));
    let pinned = ImageRef::parse(&format!("oci-archive:img.tar@{digest}")).unwrap();
    assert_eq!(pinned.transport, Transport::Archive);
    assert_eq!(
        pinned.selector,
        Selector::Digest(Digest::parse(&digest).unwrap())
    );
    for bad in [
        "docker://x",
        "oci:",
        "oci:img:",
        "oci:img:a b",
        "oci:img@sha256:12",
    ] {
        assert!(ImageRef::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn layers_apply_in_order_with_whiteouts_and_opaque_dirs() {
    let dir = scratch("layers");
    let lower = tar(&[
        Entry::Dir("etc", 0o755),
        Entry::File("etc/keep", b"lower", 0o644),
        Entry::File("etc/gone", b"lower", 0o644),
        Entry::Dir("cache", 0o700),
        Entry::File("cache/old", b"x", 0o600),
        Entry::Dir("cache/sub", 0o755),
        Entry::File("bin/tool", b"#!", 0o4755),
        Entry::Symlink("var-run", "/run"),
    ]);
    let upper = tar(&[
        Entry::File("etc/.wh.gone", b"", 0o644),
        Entry::File("cache/new", b"y", 0o644),
        Entry::File("cache/.wh..wh..opq", b"", 0o644),
        Entry::File("etc/keep", b"upper", 0o640),
        Entry::HardLink("etc/keep-link", "etc/keep"),
        Entry::Fifo("pipe"),
        Entry::CharDevice("dev/null", 1, 3),
    ]);
    let layers = [
        blob(&dir, &gzip(&lower), Compression::Gzip),
        blob(&dir, &upper, Compression::None),
    ];
    let rootfs = unpack_into(&dir, &layers).unwrap();
    assert_eq!(
        fs::read_to_string(rootfs.join("etc/keep")).unwrap(),
        "upper"
    );
    assert!(!rootfs.join("etc/gone").exists());
    // The opaque directory hides the lower layer's entries, not the upper layer's own.
    let mut cache: Vec<String> = fs::read_dir(rootfs.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cache.sort();
    assert_eq!(cache, ["new"]);
    let keep = fs::metadata(rootfs.join("etc/keep")).unwrap();
    assert_eq!(keep.permissions().mode() & 0o7777, 0o640);
    assert_eq!(
        keep.ino(),
        fs::metadata(rootfs.join("etc/keep-link")).unwrap().ino()
    );
    assert_eq!(keep.mtime(), 1_600_000_000);
    assert_eq!(
        fs::metadata(rootfs.join("bin/tool"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o4755
    );
    assert_eq!(
        fs::metadata(rootfs.join("cache"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o700
    );
    assert_eq!(
        fs::read_link(rootfs.join("var-run")).unwrap(),
        Path::new("/run")
    );
    assert!(fs::symlink_metadata(rootfs.join("pipe"))
        .unwrap()
        .file_type()
        .is_fifo());
    outside_untouched(&dir);
    fs::remove_dir_all(dir).unwrap();
}

use std::os::unix::fs::FileTypeExt;

#[test]
fn zstd_layers_unpack() {
    let dir = scratch("zstd");
    let layer = tar(&[Entry::File("hello", b"from zstd", 0o644)]);
    let compressed =
        ruzstd::encoding::compress_to_vec(&layer[..], ruzstd::encoding::CompressionLevel::Fastest);
    let rootfs = unpack_into(&dir, &[blob(&dir, &compressed, Compression::Zstd)]).unwrap();
    assert_eq!(
        fs::read_to_string(rootfs.join("hello")).unwrap(),
        "from zstd"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn names_that_climb_out_or_are_absolute_are_refused() {
    for (name, entry) in [
        ("dotdot", "../outside"),
        ("passwd", "../etc/passwd"),
        ("deep", "a/../../outside"),
        ("abs", "/abs"),
    ] {
        let dir = scratch(name);
        let layer = tar(&[Entry::File(entry, b"pwned", 0o644)]);
        let error = unpack_into(&dir, &[blob(&dir, &layer, Compression::None)]).unwrap_err();
        let (code, message) = refused(&error);
        assert_eq!(code, "unsafe-layer-entry");
        assert!(
            message.contains(&format!("entry `{entry}` is refused")),
            "{message}"
        );
        assert!(
            error.path().ends_with(&format!(":{entry}")),
            "{}",
            error.path()
        );
        outside_untouched(&dir);
        fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn links_on_the_way_resolve_inside_the_rootfs() {
    let dir = scratch("symlinks");
    let layer = tar(&[
        Entry::Symlink("root-link", "/"),
        Entry::File("root-link/etc/passwd", b"inside", 0o644),
        Entry::Symlink("up", "../../.."),
        Entry::File("up/outside", b"pwned", 0o644),
        Entry::Symlink("abs-out", &"/../".repeat(8)),
        Entry::File("abs-out/outside2", b"pwned", 0o644),
    ]);
    let host_passwd = fs::read("/etc/passwd").unwrap();
    let rootfs = unpack_into(&dir, &[blob(&dir, &layer, Compression::None)]).unwrap();
    assert_eq!(
        fs::read_to_string(rootfs.join("etc/passwd")).unwrap(),
        "inside"
    );
    assert_eq!(fs::read_to_string(rootfs.join("outside")).unwrap(), "pwned");
    assert_eq!(
        fs::read_to_string(rootfs.join("outside2")).unwrap(),
        "pwned"
    );
    assert_eq!(fs::read("/etc/passwd").unwrap(), host_passwd);
    outside_untouched(&dir);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn hard_links_to_outside_are_refused() {
    for (name, target) in [("hl-dotdot", "../outside"), ("hl-abs", "/etc/passwd")] {
        let dir = scratch(name);
        let layer = tar(&[Entry::HardLink("stolen", target)]);
        let error = unpack_into(&dir, &[blob(&dir, &layer, Compression::None)]).unwrap_err();
        let (code, message) = refused(&error);
        assert_eq!(code, "unsafe-layer-entry");
        assert!(
            message.contains(
                "entry `stolen` is refused: it is a hard link to a path outside the rootfs"
            ),
            "{message}"
        );
        outside_untouched(&dir);
        fs::remove_dir_all(dir).unwrap();
    }
    // Through a link to `/`, a hard link's target is still inside.
    let dir = scratch("hl-through");
    let layer = tar(&[
        Entry::Symlink("r", "/"),
        Entry::File("secret", b"inside", 0o600),
        Entry::HardLink("copy", "r/secret"),
    ]);
    let rootfs = unpack_into(&dir, &[blob(&dir, &layer, Compression::None)]).unwrap();
    assert_eq!(fs::read_to_string(rootfs.join("copy")).unwrap(), "inside");
    outside_untouched(&dir);
    fs::remove_dir_all(dir).unwrap();
}

/// 1 GiB of zeros in a tar, gzip-compressed to about 1 MiB: deflate's best ratio, reached by
/// repeating one compressed member of 1 MiB of zeros (gzip members may follow each other).
fn zero_bomb() -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path("zeros").unwrap();
    header.set_size(1 << 30);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_cksum();
    let mut bomb = gzip(header.as_bytes());
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    for _ in 0..1024 {
        bomb.extend_from_slice(&member);
    }
    bomb
}

#[test]
fn a_decompression_bomb_is_refused() {
    let dir = scratch("bomb");
    let bomb = zero_bomb();
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let error = unpack_into(&dir, &[blob(&dir, &bomb, Compression::Gzip)]).unwrap_err();
    let (code, message) = refused(&error);
    assert_eq!(code, "layer-too-large", "{message}");
    assert!(message.contains("--max-layer-ratio"), "{message}");
    outside_untouched(&dir);
    // The total cap applies across layers too.
    let rootfs = dir.join("bundle/rootfs");
    fs::remove_dir_all(&rootfs).unwrap();
    fs::create_dir(&rootfs).unwrap();
    let small = tar(&[Entry::File("a", &[7; 4096], 0o644)]);
    let limits = Limits {
        max_layer_ratio: DEFAULT_MAX_LAYER_RATIO,
        max_image_bytes: 4096,
    };
    let layers = [blob(&dir, &small, Compression::None)];
    let error = unpack(&layout(&dir), &layers, &rootfs, limits).unwrap_err();
    assert!(error.to_string().contains("--max-image-bytes"), "{error}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_blob_that_is_not_its_digest_or_size_is_refused() {
    let dir = scratch("digest");
    let layer = tar(&[Entry::File("f", b"original", 0o644)]);
    let (descriptor, compression) = blob(&dir, &layer, Compression::None);
    let path = dir.join("layout").join(descriptor.digest.blob_path());
    let mut changed = layer.clone();
    let at = changed.iter().position(|&b| b == b'o').unwrap();
    changed[at] = b'O';
    fs::write(&path, &changed).unwrap();
    let error = unpack_into(&dir, &[(descriptor.clone(), compression)]).unwrap_err();
    let (code, message) = refused(&error);
    assert_eq!(code, "image-blob-mismatch");
    assert!(
        message.starts_with(&format!(
            "blob `{}` does not match its digest",
            path.display()
        )),
        "{message}"
    );
    fs::write(&path, &layer[..layer.len() - 512]).unwrap();
    let error = unpack_into(&dir, &[(descriptor, compression)]).unwrap_err();
    assert_eq!(refused(&error).0, "image-blob-mismatch");
    assert!(
        error.to_string().contains("bytes, and its descriptor says"),
        "{error}"
    );
    outside_untouched(&dir);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_truncated_gzip_stream_is_refused() {
    let dir = scratch("truncated");
    let layer = gzip(&tar(&[Entry::File("f", &[1; 100_000], 0o644)]));
    // The blob's digest is of the truncated bytes, so only the decoder can tell.
    let truncated = &layer[..layer.len() / 2];
    let error = unpack_into(&dir, &[blob(&dir, truncated, Compression::Gzip)]).unwrap_err();
    let (code, message) = refused(&error);
    assert_eq!(code, "bad-layer");
    assert!(
        message.starts_with("layer `") && message.contains("cannot read it"),
        "{message}"
    );
    outside_untouched(&dir);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn identity_files_come_from_the_last_layer_that_has_them() {
    let dir = scratch("identity");
    let lower = tar(&[
        Entry::File("etc/passwd", b"root:x:0:0::/:/bin/sh\n", 0o644),
        Entry::File("etc/group", b"root:x:0:\n", 0o644),
    ]);
    let upper = tar(&[
        Entry::File("etc/passwd", b"app:x:1000:1000::/:/bin/sh\n", 0o644),
        Entry::File("etc/.wh.group", b"", 0o644),
    ]);
    let layers = [
        blob(&dir, &gzip(&lower), Compression::Gzip),
        blob(&dir, &upper, Compression::None),
    ];
    let (passwd, group) =
        identity_files(&layout(&dir), &layers, 1 << 20, Limits::default()).unwrap();
    assert_eq!(passwd.as_deref(), Some("app:x:1000:1000::/:/bin/sh\n"));
    assert_eq!(group, None);
    // An opaque /etc above hides the lower layer's files.
    let opaque = tar(&[Entry::File("etc/.wh..wh..opq", b"", 0o644)]);
    let hidden = [layers[0].clone(), blob(&dir, &opaque, Compression::None)];
    let (passwd, group) =
        identity_files(&layout(&dir), &hidden, 1 << 20, Limits::default()).unwrap();
    assert_eq!((passwd, group), (None, None));
    // A bomb is refused here too, naming the flags.
    let bomb = [blob(&dir, &zero_bomb(), Compression::Gzip)];
    let error = identity_files(&layout(&dir), &bomb, 1 << 20, Limits::default()).unwrap_err();
    assert!(error.to_string().contains("--max-layer-ratio"), "{error}");
    fs::remove_dir_all(dir).unwrap();
}
