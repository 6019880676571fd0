//! Writing a bundle: built in a temporary directory beside its place, synced, and put there in
//! one step, under a lock file beside it.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{renameat2, Flock, FlockArg, OFlag, RenameFlags};

use super::target::check_existing;
use super::{
    entries, errno, io as failed, written_by_bundlec, BundleError, Contents, Kind, Target,
    BUNDLE_NAMES,
};
use crate::atomic;

/// Tries at a fresh temporary directory name before giving up.
const NAME_ATTEMPTS: usize = 8;

/// Writes `contents` and a `rootfs` link to the target's rootfs as the bundle directory, under
/// the lock beside it. The bundle is checked again under the lock (another apply may have
/// written one meanwhile): without `force` an existing one is refused; with it, one bundlec
/// wrote is exchanged for the new one and removed.
pub fn write_bundle(target: &Target, contents: Contents<'_>) -> Result<PathBuf, BundleError> {
    let parent = &target.parent;
    let name = target.name.to_string_lossy();
    fs::create_dir_all(parent).map_err(failed("create", parent))?;
    let _lock = lock(&parent.join(format!(".{name}.lock")))?;
    remove_leftovers(parent, &name)?;
    let exists = check_existing(&target.bundle, target.force)?;
    let temp = create_temp_dir(parent, &name)?;
    let filled = fill(&temp, Path::new(&target.rootfs), contents).and_then(|()| sync(&temp));
    if let Err(error) = filled {
        let _ = fs::remove_dir_all(&temp);
        return Err(error);
    }
    let dir = File::open(parent).map_err(failed("open", parent))?;
    let flags = if exists {
        RenameFlags::RENAME_EXCHANGE
    } else {
        RenameFlags::RENAME_NOREPLACE
    };
    let temp_name = temp.file_name().unwrap_or_default();
    if let Err(error) = renameat2(&dir, temp_name, &dir, target.name.as_os_str(), flags) {
        let _ = fs::remove_dir_all(&temp);
        if error == Errno::EEXIST {
            return Err(BundleError::Exists(target.bundle.clone()));
        }
        return Err(errno("move the new bundle to", &target.bundle)(error));
    }
    dir.sync_all().map_err(failed("sync", parent))?;
    if exists {
        // The old bundle, now at the temporary name.
        remove_bundle(&temp).map_err(failed("remove the old bundle, now at", &temp))?;
    }
    Ok(target.bundle.clone())
}

/// Holds an exclusive `flock` on the lock file (created 0600, never through a link) until dropped.
fn lock(path: &Path) -> Result<Flock<File>, BundleError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC).bits())
        .open(path)
        .map_err(failed("open the lock file", path))?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, error)| errno("lock", path)(error))
}

/// `.NAME.tmp-RANDOM`, made 0700: the config holds secret values, and only its owner reads it.
fn create_temp_dir(parent: &Path, name: &str) -> Result<PathBuf, BundleError> {
    let mut attempts = 0;
    loop {
        let suffix = atomic::random_suffix().map_err(failed("read", Path::new("/dev/urandom")))?;
        let temp = parent.join(format!(".{name}.tmp-{suffix}"));
        match fs::DirBuilder::new().mode(0o700).create(&temp) {
            Ok(()) => return Ok(temp),
            Err(error)
                if error.kind() == io::ErrorKind::AlreadyExists && attempts < NAME_ATTEMPTS =>
            {
                attempts += 1;
            }
            Err(error) => return Err(failed("create", &temp)(error)),
        }
    }
}

/// Removes what an apply of `name` that was killed left beside it: directories named
/// `.NAME.tmp-HEX` or `.NAME.old-HEX` (the names bundlec uses, pids of older versions included)
/// that hold nothing but names bundlec writes. Anything else is left alone.
fn remove_leftovers(parent: &Path, name: &str) -> Result<(), BundleError> {
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    for (entry, kind) in entries(parent)? {
        let Some(entry) = entry.to_str() else {
            continue;
        };
        let ours = prefixes.iter().any(|prefix| {
            entry.strip_prefix(prefix.as_str()).is_some_and(|suffix| {
                !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_hexdigit())
            })
        });
        if !ours || kind != Kind::Dir {
            continue;
        }
        let path = parent.join(entry);
        let inside = entries(&path)?;
        if inside
            .iter()
            .all(|(name, kind)| written_by_bundlec(name, *kind))
        {
            remove_bundle(&path).map_err(failed("remove the leftover", &path))?;
        }
    }
    Ok(())
}

/// Removes a bundle directory bundlec wrote: its known names, then the directory; anything
/// else found in it makes the removal fail rather than be deleted.
fn remove_bundle(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|name| BUNDLE_NAMES.contains(&name))
        {
            return Err(io::Error::new(
                io::ErrorKind::DirectoryNotEmpty,
                format!(
                    "it holds `{}`, which bundlec did not write",
                    name.to_string_lossy()
                ),
            ));
        }
        fs::remove_file(entry.path())?;
    }
    fs::remove_dir(dir)
}

fn fill(dir: &Path, rootfs: &Path, contents: Contents<'_>) -> Result<(), BundleError> {
    write_file(&dir.join("config.json"), contents.config_json, 0o600)?;
    for file in contents.files {
        if !BUNDLE_NAMES.contains(&file.name.as_str())
            || file.name == "config.json"
            || file.name == "rootfs"
        {
            return Err(BundleError::BadFileName(file.name.clone()));
        }
        // Bound read-only into the container, where any user may need to read them.
        write_file(&dir.join(&file.name), &file.contents, 0o644)?;
    }
    let link = dir.join("rootfs");
    std::os::unix::fs::symlink(rootfs, &link).map_err(failed("link", &link))
}

fn write_file(path: &Path, contents: &str, mode: u32) -> Result<(), BundleError> {
    atomic::write_new(path, contents.as_bytes(), mode).map_err(failed("write", path))
}

fn sync(dir: &Path) -> Result<(), BundleError> {
    atomic::sync_dir(dir).map_err(failed("sync", dir))
}
