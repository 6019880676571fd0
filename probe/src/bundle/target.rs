//! Where a bundle goes: the bundle and rootfs paths checked once, before anything is compiled
//! or created.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{
    entries, has_marker, io as failed, written_by_bundlec, BundleError, Kind, BUNDLE_NAMES,
};
use crate::path_error::PathError;

/// A checked place for a bundle: the bundle path (its parent canonical) and the rootfs
/// (canonical), apart from each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The canonical parent directory followed by the bundle's name.
    pub bundle: PathBuf,
    /// The rootfs as `root.path` needs it: absolute, every link resolved (runc refuses a rootfs
    /// reached through a link), and UTF-8; `None` when an image is unpacked into BUNDLE/rootfs.
    pub rootfs: Option<String>,
    pub(super) parent: PathBuf,
    pub(super) name: OsString,
    pub(super) force: bool,
}

/// Checks the bundle and rootfs paths once, before anything is compiled or created: the rootfs
/// is a directory, the bundle neither is, contains nor lies inside it, is not the current
/// directory, and is absent, or (with `force`) a directory bundlec wrote. With no rootfs (an
/// image is unpacked into the bundle) only the bundle is checked.
pub fn check(bundle: &Path, rootfs: Option<&Path>, force: bool) -> Result<Target, BundleError> {
    let (parent, name) = canonical_target(bundle)?;
    let path = parent.join(&name);
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        if cwd.starts_with(&path) {
            return Err(BundleError::CurrentDir(path));
        }
    }
    let Some(rootfs) = rootfs else {
        check_existing(&path, force)?;
        return Ok(Target {
            bundle: path,
            rootfs: None,
            parent,
            name,
            force,
        });
    };
    let rootfs = resolve_rootfs(rootfs)?;
    let rootfs_path = Path::new(&rootfs);
    let relation = if path == rootfs_path {
        Some("is")
    } else if rootfs_path.starts_with(&path) {
        Some("contains")
    } else if path.starts_with(rootfs_path) {
        Some("lies inside")
    } else {
        None
    };
    if let Some(relation) = relation {
        return Err(BundleError::Overlap {
            bundle: path,
            rootfs: rootfs_path.to_path_buf(),
            relation,
        });
    }
    check_existing(&path, force)?;
    Ok(Target {
        bundle: path,
        rootfs: Some(rootfs),
        parent,
        name,
        force,
    })
}

/// The rootfs made canonical; a directory with a UTF-8 path.
fn resolve_rootfs(rootfs: &Path) -> Result<String, BundleError> {
    let resolved = fs::canonicalize(rootfs).map_err(failed("resolve the rootfs", rootfs))?;
    if !resolved.is_dir() {
        return Err(PathError::RootfsNotADirectory(resolved).into());
    }
    resolved
        .into_os_string()
        .into_string()
        .map_err(|path| PathError::RootfsNotUtf8(PathBuf::from(path)).into())
}

/// The bundle's parent made canonical (its deepest existing ancestor resolved, the missing
/// directories below appended), and the bundle's own name, which is never resolved: a link
/// there is refused, not followed.
fn canonical_target(bundle: &Path) -> Result<(PathBuf, OsString), BundleError> {
    let bad = || BundleError::BadBundlePath(bundle.to_path_buf());
    let Some(Component::Normal(name)) = bundle.components().next_back() else {
        return Err(bad());
    };
    let absolute = std::path::absolute(bundle).map_err(failed("resolve", bundle))?;
    let parent = absolute.parent().ok_or_else(bad)?;
    let mut missing: Vec<&OsStr> = Vec::new();
    let mut existing = parent;
    let canonical = loop {
        match fs::canonicalize(existing) {
            Ok(canonical) => break canonical,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                match (existing.file_name(), existing.parent()) {
                    (Some(last), Some(up)) => {
                        missing.push(last);
                        existing = up;
                    }
                    // `..` of a missing directory, or nothing left to resolve.
                    _ => return Err(bad()),
                }
            }
            Err(error) => return Err(failed("resolve", existing)(error)),
        }
    };
    let parent = missing
        .iter()
        .rev()
        .fold(canonical, |path, part| path.join(part));
    Ok((parent, name.to_os_string()))
}

/// Refuses what is at the bundle path now unless it is nothing, or (with `force`) a bundle
/// bundlec wrote. Returns whether a bundle is there.
pub(super) fn check_existing(bundle: &Path, force: bool) -> Result<bool, BundleError> {
    let metadata = match fs::symlink_metadata(bundle) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(failed("inspect", bundle)(error)),
    };
    if metadata.file_type().is_symlink() {
        return Err(BundleError::Symlink(bundle.to_path_buf()));
    }
    if !metadata.is_dir() {
        return Err(BundleError::NotADirectory(bundle.to_path_buf()));
    }
    if !force {
        return Err(BundleError::Exists(bundle.to_path_buf()));
    }
    let entries = entries(bundle)?;
    let unpacked = has_marker(&entries);
    if let Some((entry, kind)) = entries
        .iter()
        .find(|(name, kind)| !written_by_bundlec(name, *kind, unpacked))
    {
        let entry = entry.to_string_lossy().into_owned();
        // A name bundlec writes, of another kind (a `rootfs` directory): say what is there.
        let kind = if BUNDLE_NAMES.contains(&entry.as_str()) {
            kind.describe()
        } else {
            ""
        };
        return Err(BundleError::Foreign {
            bundle: bundle.to_path_buf(),
            entry,
            kind,
        });
    }
    if !entries
        .iter()
        .any(|(name, kind)| name == "config.json" && *kind == Kind::File)
    {
        return Err(BundleError::NotABundle(bundle.to_path_buf()));
    }
    Ok(true)
}
