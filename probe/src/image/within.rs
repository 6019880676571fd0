//! File operations confined to a rootfs. Every directory is opened with `openat2` and
//! `RESOLVE_IN_ROOT` from the rootfs's descriptor, so `..` and symbolic links on the way (an
//! absolute target included) resolve inside it, as the kernel does for a process chrooted
//! there; the last component is then created, replaced or removed with the `*at` calls relative
//! to that directory, never followed. Linux 5.6 or later is needed (openat2); there is no
//! path-walking fallback, since a hand resolver is exactly what layer-escape attacks target.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::dir::{Dir, Type};
use nix::errno::Errno;
use nix::fcntl::{openat, openat2, AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstatat, mkdirat, Mode, SFlag};
use nix::unistd::{unlinkat, UnlinkatFlags};

/// The rootfs being written, as a directory descriptor.
pub struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

fn how(flags: OFlag) -> OpenHow {
    OpenHow::new()
        .flags(flags | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS)
}

const DIR_FLAGS: OFlag = OFlag::O_RDONLY.union(OFlag::O_DIRECTORY);

impl Root {
    /// Opens `path`, a directory bundlec created, and checks that the kernel has openat2.
    pub fn open(path: &Path) -> io::Result<Root> {
        let fd = nix::fcntl::open(
            path,
            DIR_FLAGS | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        openat2(&fd, ".", how(DIR_FLAGS))?;
        Ok(Root {
            fd,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory at `parts` inside the root, links resolved inside it; missing directories
    /// are created (0755) when `create`, else `None` is returned for them.
    pub fn dir(&self, parts: &[&OsStr], create: bool) -> io::Result<Option<OwnedFd>> {
        if parts.is_empty() {
            return openat2(&self.fd, ".", how(DIR_FLAGS))
                .map(Some)
                .map_err(Into::into);
        }
        match openat2(&self.fd, joined(parts).as_os_str(), how(DIR_FLAGS)) {
            Ok(fd) => return Ok(Some(fd)),
            Err(Errno::ENOENT) if create => {}
            Err(Errno::ENOENT) => return Ok(None),
            Err(errno) => return Err(errno.into()),
        }
        // Some directory on the way is missing: walk down, creating each from the last one
        // that resolved; each prefix is resolved from the root again, links included.
        let mut current = openat2(&self.fd, ".", how(DIR_FLAGS))?;
        for depth in 1..=parts.len() {
            let prefix = joined(&parts[..depth]);
            current = match openat2(&self.fd, prefix.as_os_str(), how(DIR_FLAGS)) {
                Ok(fd) => fd,
                Err(Errno::ENOENT) => {
                    mkdirat(&current, parts[depth - 1], Mode::from_bits_truncate(0o755))?;
                    openat2(&self.fd, prefix.as_os_str(), how(DIR_FLAGS))?
                }
                Err(errno) => return Err(errno.into()),
            };
        }
        Ok(Some(current))
    }

    /// Opens `name` in `dir` as a directory, never through a link.
    pub fn open_child_dir(dir: &impl AsFd, name: &OsStr) -> io::Result<OwnedFd> {
        Ok(openat(
            dir,
            name,
            DIR_FLAGS | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?)
    }
}

fn joined(parts: &[&OsStr]) -> PathBuf {
    parts.iter().collect()
}

/// What is at `name` in `dir` (not followed); `None` when nothing is.
pub fn kind_of(dir: &impl AsFd, name: &OsStr) -> io::Result<Option<SFlag>> {
    match fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(stat) => Ok(Some(SFlag::from_bits_truncate(
            stat.st_mode & SFlag::S_IFMT.bits(),
        ))),
        Err(Errno::ENOENT) => Ok(None),
        Err(errno) => Err(errno.into()),
    }
}

/// Removes `name` from `dir`, a directory with everything in it; nothing there is fine.
pub fn remove(dir: &impl AsFd, name: &OsStr) -> io::Result<()> {
    match kind_of(dir, name)? {
        None => Ok(()),
        Some(SFlag::S_IFDIR) => remove_tree(dir, name),
        Some(_) => Ok(unlinkat(dir, name, UnlinkatFlags::NoRemoveDir)?),
    }
}

/// Removes the directory `name` of `dir` and everything below it, never following a link.
pub fn remove_tree(dir: &impl AsFd, name: &OsStr) -> io::Result<()> {
    let child = Root::open_child_dir(dir, name)?;
    remove_children(&child, |_| false)?;
    Ok(unlinkat(dir, name, UnlinkatFlags::RemoveDir)?)
}

/// Removes every entry of `dir` for which `keep` is false.
pub fn remove_children(dir: &OwnedFd, keep: impl Fn(&OsStr) -> bool) -> io::Result<()> {
    let listing = Dir::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    let mut listing = listing;
    for entry in listing.iter() {
        let entry = entry?;
        let name = OsStr::from_bytes(entry.file_name().to_bytes());
        if name == "." || name == ".." || keep(name) {
            continue;
        }
        names.push((name.to_os_string(), entry.file_type()));
    }
    for (name, kind) in names {
        match kind {
            Some(Type::Directory) => remove_tree(dir, &name)?,
            Some(_) => unlinkat(dir, name.as_os_str(), UnlinkatFlags::NoRemoveDir)?,
            None => remove(dir, &name)?,
        }
    }
    Ok(())
}
