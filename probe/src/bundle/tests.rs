//! The bundle checks and writes, on scratch directories.

use super::*;
use crate::failure::Coded;
use crate::path_error::PathError;
use std::os::unix::fs::symlink;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bundlec-apply-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("rootfs")).unwrap();
    dir
}

fn file(name: &str, contents: &str) -> BundleFile {
    BundleFile {
        name: name.into(),
        contents: contents.into(),
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Checks and writes, as `apply` does.
fn apply(
    bundle: &Path,
    rootfs: &Path,
    config: &str,
    files: &[BundleFile],
    force: bool,
) -> Result<PathBuf, BundleError> {
    let target = check(bundle, Some(rootfs), force)?;
    write_bundle(
        &target,
        Contents {
            config_json: config,
            files,
        },
    )
}

#[test]
fn writes_refuses_and_replaces() {
    let dir = scratch("replace");
    let bundle = dir.join("b");
    let rootfs = dir.join("rootfs");
    let files = [file("hosts", "127.0.0.1\tlocalhost\n")];
    let written = apply(&bundle, &rootfs, "{}\n", &files, false).unwrap();
    assert_eq!(written, fs::canonicalize(&dir).unwrap().join("b"));
    assert_eq!(
        fs::read_to_string(bundle.join("config.json")).unwrap(),
        "{}\n"
    );
    assert_eq!(
        fs::read_link(bundle.join("rootfs")).unwrap(),
        fs::canonicalize(&rootfs).unwrap()
    );
    assert_eq!(leftovers(&bundle), ["config.json", "hosts", "rootfs"]);
    let again = apply(&bundle, &rootfs, "{\"v\":2}\n", &[], false);
    assert!(matches!(again, Err(BundleError::Exists(_))), "{again:?}");
    apply(&bundle, &rootfs, "{\"v\":2}\n", &[], true).unwrap();
    assert_eq!(
        fs::read_to_string(bundle.join("config.json")).unwrap(),
        "{\"v\":2}\n"
    );
    assert_eq!(leftovers(&bundle), ["config.json", "rootfs"]);
    // Only the bundle and its lock file stay beside it.
    assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failure_leaves_the_old_bundle_and_no_temp() {
    let dir = scratch("failure");
    let bundle = dir.join("b");
    let rootfs = dir.join("rootfs");
    apply(&bundle, &rootfs, "{\"v\":1}\n", &[], false).unwrap();
    // A file name the core would never produce makes the write fail half way, after config.json.
    let bad = [file("hosts", "x\n"), file("../escape", "x\n")];
    let error = apply(&bundle, &rootfs, "{\"v\":2}\n", &bad, true).unwrap_err();
    assert!(matches!(error, BundleError::BadFileName(_)), "{error}");
    assert_eq!(
        fs::read_to_string(bundle.join("config.json")).unwrap(),
        "{\"v\":1}\n"
    );
    assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
    // A missing rootfs fails before anything is written.
    let error = apply(&dir.join("c"), &dir.join("nope"), "{}", &[], false).unwrap_err();
    assert!(
        matches!(error, BundleError::Path(PathError::Io { .. })),
        "{error}"
    );
    assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_bundle_and_the_rootfs_stay_apart() {
    let dir = scratch("overlap");
    let rootfs = dir.join("rootfs");
    fs::write(rootfs.join("keep"), "data").unwrap();
    let relation = |bundle: &Path| match check(bundle, Some(&rootfs), true) {
        Err(BundleError::Overlap { relation, .. }) => relation,
        other => panic!("{other:?}"),
    };
    // The usual OCI layout: the rootfs inside the bundle directory.
    assert_eq!(relation(&dir), "contains");
    assert_eq!(relation(&rootfs), "is");
    assert_eq!(relation(&dir.join("rootfs/../rootfs")), "is");
    assert_eq!(relation(&rootfs.join("sub/bundle")), "lies inside");
    // The same through a link to the rootfs's parent.
    symlink(&dir, dir.join("alias")).unwrap();
    assert_eq!(relation(&dir.join("alias/rootfs")), "is");
    assert_eq!(leftovers(&rootfs), ["keep"]);
    for bad in [".", "..", "/", "", "x/.."] {
        let error = check(Path::new(bad), Some(&rootfs), true).unwrap_err();
        assert!(
            matches!(error, BundleError::BadBundlePath(_)),
            "{bad}: {error}"
        );
        assert_eq!(error.code(), "unsafe-bundle");
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn only_a_bundle_bundlec_wrote_is_replaced() {
    let dir = scratch("foreign");
    let rootfs = dir.join("rootfs");
    let bundle = dir.join("b");
    fs::create_dir(&bundle).unwrap();
    fs::write(bundle.join("config.json"), "{}").unwrap();
    fs::write(bundle.join("notes.txt"), "mine").unwrap();
    let error = apply(&bundle, &rootfs, "{}", &[], true).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` holds `notes.txt`, which bundlec did not write; remove it yourself or choose another --bundle",
            fs::canonicalize(&bundle).unwrap().display()
        )
    );
    assert_eq!(error.code(), "unsafe-bundle");
    assert_eq!(leftovers(&bundle), ["config.json", "notes.txt"]);
    // A real rootfs directory where bundlec writes a link.
    fs::remove_file(bundle.join("notes.txt")).unwrap();
    fs::create_dir(bundle.join("rootfs")).unwrap();
    let error = apply(&bundle, &rootfs, "{}", &[], true).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("holds `rootfs` (a directory), which bundlec did not write"),
        "{error}"
    );
    // Without config.json it is not a bundle.
    fs::remove_dir(bundle.join("rootfs")).unwrap();
    fs::remove_file(bundle.join("config.json")).unwrap();
    let error = apply(&bundle, &rootfs, "{}", &[], true).unwrap_err();
    assert!(matches!(error, BundleError::NotABundle(_)), "{error}");
    // A link or a file at the bundle path.
    let elsewhere = dir.join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::write(elsewhere.join("config.json"), "{}").unwrap();
    symlink(&elsewhere, dir.join("link")).unwrap();
    let error = apply(&dir.join("link"), &rootfs, "{}", &[], true).unwrap_err();
    assert!(matches!(error, BundleError::Symlink(_)), "{error}");
    fs::write(dir.join("plain"), "x").unwrap();
    let error = apply(&dir.join("plain"), &rootfs, "{}", &[], true).unwrap_err();
    assert!(matches!(error, BundleError::NotADirectory(_)), "{error}");
    assert_eq!(leftovers(&elsewhere), ["config.json"]);
    assert_eq!(fs::read_to_string(dir.join("plain")).unwrap(), "x");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn concurrent_forced_applies_all_succeed() {
    let dir = scratch("concurrent");
    let bundle = dir.join("b");
    let rootfs = dir.join("rootfs");
    let threads: Vec<_> = (0..50)
        .map(|n| {
            let (bundle, rootfs) = (bundle.clone(), rootfs.clone());
            std::thread::spawn(move || {
                let config = format!("{{\"n\":{n}}}\n");
                apply(&bundle, &rootfs, &config, &[file("hosts", "h\n")], true)
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
    assert_eq!(leftovers(&bundle), ["config.json", "hosts", "rootfs"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn leftovers_of_a_crash_are_removed_and_nothing_else() {
    let dir = scratch("crash");
    let bundle = dir.join("b");
    let rootfs = dir.join("rootfs");
    apply(&bundle, &rootfs, "{}", &[], false).unwrap();
    // What a killed apply leaves: a half-filled temporary directory and an old bundle.
    let temp = dir.join(".b.tmp-0123456789abcdef");
    fs::create_dir(&temp).unwrap();
    fs::write(temp.join("config.json"), "{\"half").unwrap();
    let old = dir.join(".b.old-4242");
    fs::create_dir(&old).unwrap();
    fs::write(old.join("config.json"), "{}").unwrap();
    symlink(&rootfs, old.join("rootfs")).unwrap();
    // Not ours: a foreign name inside, another bundle's name, a file.
    let foreign = dir.join(".b.tmp-abcd");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    fs::create_dir(dir.join(".b.tmp-x.tmp-1234")).unwrap();
    fs::write(dir.join(".b.old-99"), "a file").unwrap();
    apply(&bundle, &rootfs, "{\"v\":2}", &[], true).unwrap();
    assert_eq!(
        leftovers(&dir),
        [
            ".b.lock",
            ".b.old-99",
            ".b.tmp-abcd",
            ".b.tmp-x.tmp-1234",
            "b",
            "rootfs"
        ]
    );
    assert_eq!(leftovers(&foreign), ["notes.txt"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_refusal_has_an_explained_code() {
    let path = || PathBuf::from("/b");
    let errors = [
        BundleError::Exists(path()),
        BundleError::BadBundlePath(path()),
        BundleError::CurrentDir(path()),
        BundleError::Overlap {
            bundle: path(),
            rootfs: path(),
            relation: "is",
        },
        BundleError::Symlink(path()),
        BundleError::NotADirectory(path()),
        BundleError::Foreign {
            bundle: path(),
            entry: "x".into(),
            kind: "",
        },
        BundleError::NotABundle(path()),
        BundleError::BadFileName("x".into()),
        BundleError::Path(PathError::RootfsNotADirectory(path())),
    ];
    let found: Vec<&str> = errors.iter().map(Coded::code).collect();
    assert_eq!(
        found,
        [
            "bundle-exists",
            "unsafe-bundle",
            "unsafe-bundle",
            "unsafe-bundle",
            "unsafe-bundle",
            "unsafe-bundle",
            "unsafe-bundle",
            "unsafe-bundle",
            "bad-bundle-file",
            "not-a-directory"
        ]
    );
    for code in found {
        assert!(crate::codes::explain(code).is_some(), "{code}");
    }
}

#[test]
fn an_unpacked_rootfs_is_bundlecs_only_beside_its_marker() {
    let dir = scratch("unpacked");
    let bundle = dir.join("b");
    let target = check(&bundle, None, true).unwrap();
    assert_eq!(target.rootfs, None);
    let contents = Contents {
        config_json: "{}",
        files: &[],
    };
    // Staged: the marker, then the rootfs directory an image is unpacked into.
    let mut staging = stage(&target).unwrap();
    let rootfs = staging.rootfs_dir().unwrap();
    fs::create_dir_all(rootfs.join("etc")).unwrap();
    fs::write(rootfs.join("etc/passwd"), "root:x:0:0::/:/bin/sh\n").unwrap();
    staging.finish(contents).unwrap();
    assert_eq!(
        leftovers(&bundle),
        [UNPACKED_MARKER, "config.json", "rootfs"]
    );
    // Replaced with --force, the old rootfs directory deleted with it.
    let mut staging = stage(&target).unwrap();
    staging.rootfs_dir().unwrap();
    staging.finish(contents).unwrap();
    assert_eq!(leftovers(&bundle.join("rootfs")), Vec::<String>::new());
    assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
    // A staging dropped unfinished (a failed unpack) leaves nothing beside the bundle.
    let mut staging = stage(&target).unwrap();
    fs::write(staging.rootfs_dir().unwrap().join("partial"), "x").unwrap();
    drop(staging);
    assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
    // Without the marker a rootfs directory is not bundlec's: refused, not deleted.
    fs::remove_file(bundle.join(UNPACKED_MARKER)).unwrap();
    let error = check(&bundle, None, true).unwrap_err();
    assert!(
        error.to_string().contains("holds `rootfs` (a directory)"),
        "{error}"
    );
    assert!(bundle.join("rootfs").is_dir());
    // A killed apply's leftover with the marker is removed; one without it is kept.
    let killed = dir.join(".b.tmp-00ff");
    fs::create_dir_all(killed.join("rootfs/usr")).unwrap();
    fs::write(killed.join(UNPACKED_MARKER), "").unwrap();
    let foreign = dir.join(".b.tmp-0abc");
    fs::create_dir_all(foreign.join("rootfs/usr")).unwrap();
    fs::write(bundle.join(UNPACKED_MARKER), "").unwrap();
    let staging = stage(&target).unwrap();
    drop(staging);
    assert_eq!(leftovers(&dir), [".b.lock", ".b.tmp-0abc", "b", "rootfs"]);
    fs::remove_dir_all(dir).unwrap();
}
