//! OCI bundles: `target` checks where one goes, `write` writes it. The bundle path is checked before anything is compiled: it must not
//! overlap the rootfs, be a link, or (with `--force`) be a directory holding anything bundlec did
//! not write. The new bundle is built in a temporary directory beside it, synced, and put in place
//! in one step (`renameat2`: `RENAME_NOREPLACE`, or `RENAME_EXCHANGE` with the old one, which is
//! removed after). A lock file beside the bundle (`.NAME.lock`) serializes applies to one bundle,
//! and leftovers of an apply that crashed are removed under it. A failure leaves any existing
//! bundle untouched.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bundlec_core::BundleFile;
use nix::errno::Errno;

use crate::codes;
use crate::failure::Coded;
use crate::path_error::PathError;

mod target;
#[cfg(test)]
mod tests;
mod write;

pub use target::{check, Target};
pub use write::{stage, write_bundle, Staging};

/// Every name bundlec writes into a bundle: `config.json`, the `rootfs` link (or, with
/// `--image`, the unpacked rootfs directory and its marker), and the files the core may add. A
/// directory holding any other name was not written by bundlec.
pub const BUNDLE_NAMES: &[&str] = &[
    "config.json",
    "rootfs",
    "hosts",
    "resolv.conf",
    UNPACKED_MARKER,
];

/// Written, empty, before an image is unpacked into `rootfs`: a `rootfs` directory is
/// bundlec's (and may be removed with the bundle) only beside it.
pub const UNPACKED_MARKER: &str = ".bundlec-unpacked";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the bundle `{}` already exists; pass --force to replace it", .0.display())]
    Exists(PathBuf),
    #[error("the bundle path `{}` does not end in a directory name", .0.display())]
    BadBundlePath(PathBuf),
    #[error("the bundle `{}` is the current directory or contains it", .0.display())]
    CurrentDir(PathBuf),
    #[error("the bundle `{}` {relation} the rootfs `{}`; keep the bundle beside the rootfs, not around or inside it", bundle.display(), rootfs.display())]
    Overlap {
        bundle: PathBuf,
        rootfs: PathBuf,
        relation: &'static str,
    },
    #[error("the bundle `{}` is a symbolic link; give the directory itself or choose another --bundle", .0.display())]
    Symlink(PathBuf),
    #[error("the bundle `{}` exists and is not a directory; remove it yourself or choose another --bundle", .0.display())]
    NotADirectory(PathBuf),
    #[error("`{}` holds `{entry}`{kind}, which bundlec did not write; remove it yourself or choose another --bundle", bundle.display())]
    Foreign {
        bundle: PathBuf,
        entry: String,
        kind: &'static str,
    },
    #[error("`{}` has no config.json, so bundlec did not write it; remove it yourself or choose another --bundle", .0.display())]
    NotABundle(PathBuf),
    #[error("bundle file name `{0}` is not one bundlec writes")]
    BadFileName(String),
    #[error(transparent)]
    Path(#[from] PathError),
}

impl Coded for BundleError {
    fn code(&self) -> &'static str {
        match self {
            BundleError::Exists(_) => codes::BUNDLE_EXISTS,
            BundleError::BadBundlePath(_)
            | BundleError::CurrentDir(_)
            | BundleError::Overlap { .. }
            | BundleError::Symlink(_)
            | BundleError::NotADirectory(_)
            | BundleError::Foreign { .. }
            | BundleError::NotABundle(_) => codes::UNSAFE_BUNDLE,
            BundleError::BadFileName(_) => codes::BAD_BUNDLE_FILE,
            BundleError::Path(error) => error.code(),
        }
    }

    fn path(&self) -> String {
        match self {
            BundleError::Exists(path)
            | BundleError::BadBundlePath(path)
            | BundleError::CurrentDir(path)
            | BundleError::Symlink(path)
            | BundleError::NotADirectory(path)
            | BundleError::NotABundle(path) => path.display().to_string(),
            BundleError::Overlap { bundle, .. } | BundleError::Foreign { bundle, .. } => {
                bundle.display().to_string()
            }
            BundleError::BadFileName(_) => "--bundle".to_string(),
            BundleError::Path(error) => error.path(),
        }
    }
}

/// A failed `action` on `path`, as a `map_err` argument.
fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BundleError {
    let failed = PathError::io(action, path);
    move |source| BundleError::Path(failed(source))
}

/// `io` for the errno of a nix call.
fn errno(action: &'static str, path: &Path) -> impl FnOnce(Errno) -> BundleError {
    let failed = io(action, path);
    move |errno| failed(io::Error::from(errno))
}

/// What goes into a bundle besides the rootfs (the `rootfs` link is kept for people and tools
/// that look for it; the config names the rootfs by its absolute path).
#[derive(Debug, Clone, Copy)]
pub struct Contents<'a> {
    pub config_json: &'a str,
    pub files: &'a [BundleFile],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Link,
    Dir,
    Other,
}

impl Kind {
    /// Said after a name that bundlec writes as another kind (` (a directory)`).
    fn describe(self) -> &'static str {
        match self {
            Kind::File => " (a file)",
            Kind::Link => " (a link)",
            Kind::Dir => " (a directory)",
            Kind::Other => " (a special file)",
        }
    }
}

/// Whether a bundle's entries include the marker of an unpacked rootfs.
fn has_marker(entries: &[(OsString, Kind)]) -> bool {
    entries
        .iter()
        .any(|(name, kind)| name == UNPACKED_MARKER && *kind == Kind::File)
}

/// The names in a directory and their kinds (links not followed), sorted by name.
fn entries(dir: &Path) -> Result<Vec<(OsString, Kind)>, BundleError> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        let file_type = entry.file_type().map_err(io("inspect", &entry.path()))?;
        let kind = if file_type.is_symlink() {
            Kind::Link
        } else if file_type.is_dir() {
            Kind::Dir
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        entries.push((entry.file_name(), kind));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// A name and kind that bundlec writes: the `rootfs` link (a directory when `unpacked`: the
/// marker is there), or one of its regular files.
fn written_by_bundlec(name: &OsStr, kind: Kind, unpacked: bool) -> bool {
    match name.to_str() {
        Some("rootfs") => kind == Kind::Link || (unpacked && kind == Kind::Dir),
        Some(name) => BUNDLE_NAMES.contains(&name) && kind == Kind::File,
        None => false,
    }
}
