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
    entries, errno, has_marker, io as failed, written_by_bundlec, BundleError, Contents, Kind,
    Target, BUNDLE_NAMES, UNPACKED_MARKER,
};
use crate::atomic;

/// Tries at a fresh temporary directory name before giving up.
const NAME_ATTEMPTS: usize = 8;

/// Writes `contents` and a `rootfs` link to the target's rootfs as the bundle directory, under
/// the lock beside it: `stage`, then `Staging::finish`.
pub fn write_bundle(target: &Target, contents: Contents<'_>) -> Result<PathBuf, BundleError> {
    stage(target)?.finish(contents)
}

/// A new bundle being built in a temporary directory beside its place, under the lock; dropped
/// unfinished, the directory is removed.
pub struct Staging<'a> {
    target: &'a Target,
    temp: PathBuf,
    exists: bool,
    unpacked: bool,
    /// The temporary directory has been moved to the bundle's place.
    moved: bool,
    _lock: Flock<File>,
}

/// Takes the lock beside the bundle, removes leftovers of killed applies, checks the bundle
/// again under the lock (another apply may have written one meanwhile: without `force` an
/// existing one is refused), and creates the temporary directory.
pub fn stage(target: &Target) -> Result<Staging<'_>, BundleError> {
    let parent = &target.parent;
    let name = target.name.to_string_lossy();
    fs::create_dir_all(parent).map_err(failed("create", parent))?;
    let lock = lock(&parent.join(format!(".{name}.lock")))?;
    remove_leftovers(parent, &name)?;
    let exists = check_existing(&target.bundle, target.force)?;
    let temp = create_temp_dir(parent, &name)?;
    Ok(Staging {
        target,
        temp,
        exists,
        unpacked: false,
        moved: false,
        _lock: lock,
    })
}

impl Staging<'_> {
    /// Creates the empty `rootfs` directory an image is unpacked into (0755: the container's
    /// users walk through it), after the marker that makes it bundlec's.
    pub fn rootfs_dir(&mut self) -> Result<PathBuf, BundleError> {
        write_file(&self.temp.join(UNPACKED_MARKER), "", 0o644)?;
        let rootfs = self.temp.join("rootfs");
        fs::DirBuilder::new()
            .mode(0o755)
            .create(&rootfs)
            .map_err(failed("create", &rootfs))?;
        self.unpacked = true;
        Ok(rootfs)
    }

    /// Writes `contents` (and the `rootfs` link unless an image was unpacked), syncs, and puts
    /// the bundle in place in one step: with `force`, one bundlec wrote is exchanged for the new
    /// one and removed.
    pub fn finish(mut self, contents: Contents<'_>) -> Result<PathBuf, BundleError> {
        let link = match (&self.target.rootfs, self.unpacked) {
            (Some(rootfs), false) => Some(Path::new(rootfs)),
            _ => None,
        };
        fill(&self.temp, link, contents)?;
        sync(&self.temp, self.unpacked)?;
        let parent = &self.target.parent;
        let dir = File::open(parent).map_err(failed("open", parent))?;
        let flags = if self.exists {
            RenameFlags::RENAME_EXCHANGE
        } else {
            RenameFlags::RENAME_NOREPLACE
        };
        let temp_name = self.temp.file_name().unwrap_or_default();
        let bundle = &self.target.bundle;
        if let Err(error) = renameat2(&dir, temp_name, &dir, self.target.name.as_os_str(), flags) {
            if error == Errno::EEXIST {
                return Err(BundleError::Exists(bundle.clone()));
            }
            return Err(errno("move the new bundle to", bundle)(error));
        }
        self.moved = true;
        dir.sync_all().map_err(failed("sync", parent))?;
        if self.exists {
            // The old bundle, now at the temporary name; the drop removes nothing more.
            remove_bundle(&self.temp)
                .map_err(failed("remove the old bundle, now at", &self.temp))?;
        }
        Ok(bundle.clone())
    }
}

impl Drop for Staging<'_> {
    /// A bundle not put in place is removed: the temporary directory is bundlec's alone until
    /// it is moved (after that, `finish` removes the old bundle it then holds, or reports why).
    fn drop(&mut self) {
        if !self.moved {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
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
        let unpacked = has_marker(&inside);
        if inside
            .iter()
            .all(|(name, kind)| written_by_bundlec(name, *kind, unpacked))
        {
            remove_bundle(&path).map_err(failed("remove the leftover", &path))?;
        }
    }
    Ok(())
}

/// Removes a bundle directory bundlec wrote: its known names, then the directory; anything
/// else found in it makes the removal fail rather than be deleted. A `rootfs` directory is
/// removed (links in it not followed) only beside the marker, which goes after it.
fn remove_bundle(dir: &Path) -> io::Result<()> {
    let rootfs = dir.join("rootfs");
    let marker = dir.join(UNPACKED_MARKER);
    if fs::symlink_metadata(&rootfs).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file())
    {
        fs::remove_dir_all(&rootfs)?;
    }
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

fn fill(dir: &Path, rootfs_link: Option<&Path>, contents: Contents<'_>) -> Result<(), BundleError> {
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
    let Some(rootfs) = rootfs_link else {
        return Ok(());
    };
    let link = dir.join("rootfs");
    std::os::unix::fs::symlink(rootfs, &link).map_err(failed("link", &link))
}

fn write_file(path: &Path, contents: &str, mode: u32) -> Result<(), BundleError> {
    atomic::write_new(path, contents.as_bytes(), mode).map_err(failed("write", path))
}

/// Syncs the bundle directory; with an unpacked rootfs, its whole file system (`syncfs`: one
/// call instead of one fsync per file of the image).
fn sync(dir: &Path, unpacked: bool) -> Result<(), BundleError> {
    if unpacked {
        let file = File::open(dir).map_err(failed("open", dir))?;
        nix::unistd::syncfs(&file).map_err(|e| errno("sync", dir)(e))?;
    }
    atomic::sync_dir(dir).map_err(failed("sync", dir))
}
