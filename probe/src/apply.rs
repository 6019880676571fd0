//! Writes a compiled bundle atomically: everything goes into a temporary sibling directory, is
//! synced, and is renamed into place; a failure leaves any existing bundle untouched.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use bundlec_core::BundleFile;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the bundle `{}` already exists; pass --force to replace it", .0.display())]
    Exists(PathBuf),
    #[error("the bundle path `{}` has no parent directory and name", .0.display())]
    BadBundlePath(PathBuf),
    #[error("the rootfs `{}` is not a directory", .0.display())]
    RootfsNotDir(PathBuf),
    #[error("the rootfs path `{}` is not UTF-8", .0.display())]
    RootfsNotUtf8(PathBuf),
    #[error("bundle file name `{0}` is not a plain file name")]
    BadFileName(String),
    #[error("cannot {action} `{}`", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> ApplyError + 'a {
    move |source| ApplyError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// What goes into a bundle besides the `rootfs` link (kept for people and tools that look for
/// it; the config names the rootfs by its absolute path).
#[derive(Debug, Clone, Copy)]
pub struct Contents<'a> {
    pub config_json: &'a str,
    pub files: &'a [BundleFile],
}

/// The bundle path made absolute, and a refusal when it exists and `force` is off.
pub fn check_target(bundle: &Path, force: bool) -> Result<PathBuf, ApplyError> {
    let bundle = std::path::absolute(bundle).map_err(io("resolve", bundle))?;
    if !force && fs::symlink_metadata(&bundle).is_ok() {
        return Err(ApplyError::Exists(bundle));
    }
    Ok(bundle)
}

/// The rootfs as `root.path` needs it: absolute, every link resolved (runc refuses a rootfs
/// reached through a symlink), and UTF-8.
pub fn resolve_rootfs(rootfs: &Path) -> Result<String, ApplyError> {
    let resolved = fs::canonicalize(rootfs).map_err(io("resolve the rootfs", rootfs))?;
    if !resolved.is_dir() {
        return Err(ApplyError::RootfsNotDir(resolved));
    }
    resolved
        .into_os_string()
        .into_string()
        .map_err(|path| ApplyError::RootfsNotUtf8(PathBuf::from(path)))
}

/// Writes `contents` and a `rootfs` link to the absolute `rootfs` as the directory `bundle`.
/// Without `force` an existing bundle is refused; with it, the old one is replaced.
pub fn write_bundle(
    bundle: &Path,
    rootfs: &Path,
    contents: Contents<'_>,
    force: bool,
) -> Result<PathBuf, ApplyError> {
    let bundle = check_target(bundle, force)?;
    let rootfs = PathBuf::from(resolve_rootfs(rootfs)?);
    let (Some(parent), Some(name)) = (bundle.parent(), bundle.file_name()) else {
        return Err(ApplyError::BadBundlePath(bundle));
    };
    fs::create_dir_all(parent).map_err(io("create", parent))?;
    let pid = std::process::id();
    let name = name.to_string_lossy();
    let temp = parent.join(format!(".{name}.tmp-{pid}"));
    if fs::symlink_metadata(&temp).is_ok() {
        remove(&temp).map_err(io("remove the stale", &temp))?;
    }
    // The config holds secret values: only root reads the bundle directory and config.json.
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&temp)
        .map_err(io("create", &temp))?;
    let filled = fill(&temp, &rootfs, contents).and_then(|()| sync(&temp));
    if let Err(error) = filled {
        let _ = remove(&temp);
        return Err(error);
    }
    let exists = fs::symlink_metadata(&bundle).is_ok();
    if !exists {
        if let Err(source) = fs::rename(&temp, &bundle) {
            let _ = remove(&temp);
            return Err(ApplyError::Io {
                action: "move the new bundle to",
                path: bundle,
                source,
            });
        }
        return sync(parent).map(|()| bundle);
    }
    if !force {
        let _ = remove(&temp);
        return Err(ApplyError::Exists(bundle));
    }
    let old = parent.join(format!(".{name}.old-{pid}"));
    if let Err(source) = fs::rename(&bundle, &old) {
        let _ = remove(&temp);
        return Err(ApplyError::Io {
            action: "move aside the old bundle",
            path: bundle,
            source,
        });
    }
    if let Err(source) = fs::rename(&temp, &bundle) {
        // Put the old bundle back where it was.
        let _ = fs::rename(&old, &bundle);
        let _ = remove(&temp);
        return Err(ApplyError::Io {
            action: "move the new bundle to",
            path: bundle,
            source,
        });
    }
    sync(parent)?;
    remove(&old).map_err(io("remove the old bundle", &old))?;
    Ok(bundle)
}

fn fill(dir: &Path, rootfs: &Path, contents: Contents<'_>) -> Result<(), ApplyError> {
    write_file(&dir.join("config.json"), contents.config_json, 0o600)?;
    for file in contents.files {
        if !plain_name(&file.name) || file.name == "config.json" || file.name == "rootfs" {
            return Err(ApplyError::BadFileName(file.name.clone()));
        }
        // Bound read-only into the container, where any user may need to read them.
        write_file(&dir.join(&file.name), &file.contents, 0o644)?;
    }
    let link = dir.join("rootfs");
    std::os::unix::fs::symlink(rootfs, &link).map_err(io("link", &link))
}

fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0')
}

fn write_file(path: &Path, contents: &str, mode: u32) -> Result<(), ApplyError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io("create", path))?;
    file.write_all(contents.as_bytes())
        .map_err(io("write", path))?;
    file.sync_all().map_err(io("sync", path))
}

fn sync(dir: &Path) -> Result<(), ApplyError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync", dir))
}

/// Removes a directory tree (links inside are removed, never followed) or a single file.
fn remove(path: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn writes_refuses_and_replaces() {
        let dir = scratch("replace");
        let bundle = dir.join("b");
        let files = [file("hosts", "127.0.0.1\tlocalhost\n")];
        let written = write_bundle(
            &bundle,
            &dir.join("rootfs"),
            Contents {
                config_json: "{}\n",
                files: &files,
            },
            false,
        )
        .unwrap();
        assert_eq!(written, bundle);
        assert_eq!(
            fs::read_to_string(bundle.join("config.json")).unwrap(),
            "{}\n"
        );
        assert_eq!(
            fs::read_link(bundle.join("rootfs")).unwrap(),
            fs::canonicalize(dir.join("rootfs")).unwrap()
        );
        assert_eq!(leftovers(&bundle), ["config.json", "hosts", "rootfs"]);
        let again = write_bundle(
            &bundle,
            &dir.join("rootfs"),
            Contents {
                config_json: "{\"v\":2}\n",
                files: &[],
            },
            false,
        );
        assert!(matches!(again, Err(ApplyError::Exists(_))));
        write_bundle(
            &bundle,
            &dir.join("rootfs"),
            Contents {
                config_json: "{\"v\":2}\n",
                files: &[],
            },
            true,
        )
        .unwrap();
        assert_eq!(
            fs::read_to_string(bundle.join("config.json")).unwrap(),
            "{\"v\":2}\n"
        );
        assert_eq!(leftovers(&bundle), ["config.json", "rootfs"]);
        assert_eq!(leftovers(&dir), ["b", "rootfs"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failure_leaves_the_old_bundle_and_no_temp() {
        let dir = scratch("failure");
        let bundle = dir.join("b");
        write_bundle(
            &bundle,
            &dir.join("rootfs"),
            Contents {
                config_json: "{\"v\":1}\n",
                files: &[],
            },
            false,
        )
        .unwrap();
        // A file name the core would never produce makes the write fail half way, after config.json.
        let bad = [file("hosts", "x\n"), file("../escape", "x\n")];
        let error = write_bundle(
            &bundle,
            &dir.join("rootfs"),
            Contents {
                config_json: "{\"v\":2}\n",
                files: &bad,
            },
            true,
        )
        .unwrap_err();
        assert!(matches!(error, ApplyError::BadFileName(_)), "{error}");
        assert_eq!(
            fs::read_to_string(bundle.join("config.json")).unwrap(),
            "{\"v\":1}\n"
        );
        assert_eq!(leftovers(&dir), ["b", "rootfs"]);
        // A missing rootfs fails before anything is written.
        let error = write_bundle(
            &dir.join("c"),
            &dir.join("nope"),
            Contents {
                config_json: "{}",
                files: &[],
            },
            false,
        )
        .unwrap_err();
        assert!(matches!(error, ApplyError::Io { .. }), "{error}");
        assert_eq!(leftovers(&dir), ["b", "rootfs"]);
        fs::remove_dir_all(dir).unwrap();
    }
}
