//! Reads files under a root directory as if it were `/`: every symbolic link is resolved by hand,
//! with `..` and absolute targets kept inside the root, so nothing outside it is ever read.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use nix::fcntl::OFlag;

/// Links followed in one resolution before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Files larger than this are refused: identity and kernel files are small.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The host path of `path` (taken relative to `root` even when absolute), with every link on
/// the way resolved inside `root`. The last component is followed only with `follow_last`.
pub fn resolve(root: &Path, path: &Path, follow_last: bool) -> io::Result<PathBuf> {
    let mut done: Vec<OsString> = Vec::new();
    let mut pending: VecDeque<OsString> = components(path);
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            done.pop();
            continue;
        }
        let candidate = join(root, &done).join(&part);
        let metadata = fs::symlink_metadata(&candidate)?;
        if metadata.file_type().is_symlink() && (follow_last || !pending.is_empty()) {
            links += 1;
            if links > MAX_LINKS {
                return Err(io::Error::from_raw_os_error(nix::libc::ELOOP));
            }
            let target = fs::read_link(&candidate)?;
            if target.is_absolute() {
                done.clear();
            }
            for part in components(&target).into_iter().rev() {
                pending.push_front(part);
            }
        } else {
            done.push(part);
        }
    }
    Ok(join(root, &done))
}

/// The text of a regular file under `root`; `None` when it, or a directory on its way, is missing.
pub fn read_to_string(root: &Path, path: &Path) -> io::Result<Option<String>> {
    let Some(file) = open_regular(root, path)? else {
        return Ok(None);
    };
    let bytes = read_at_most(file, MAX_FILE_BYTES, || "file is larger than 16 MiB".into())?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "file is not UTF-8"))
}

/// The bytes of a regular file under `root` (at most `limit`); `None` when it is missing.
pub fn read_bytes(root: &Path, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let Some(file) = open_regular(root, path)? else {
        return Ok(None);
    };
    read_at_most(file, limit, || format!("file is larger than {limit} bytes")).map(Some)
}

/// A regular file under `root`, opened for reading; `None` when it, or a directory on its way,
/// is missing.
fn open_regular(root: &Path, path: &Path) -> io::Result<Option<File>> {
    let resolved = match resolve(root, path, true) {
        Ok(resolved) => resolved,
        Err(error) if absent(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    // O_NOFOLLOW: a link swapped in after resolving is refused, not followed;
    // O_NONBLOCK: a FIFO in place of the file cannot hang the open.
    let flags = (OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits();
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(&resolved)
    {
        Ok(file) => file,
        Err(error) if absent(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(Some(file))
}

/// At most `limit` bytes of `file`; a longer file is an error saying `too_large`.
fn read_at_most(file: File, limit: u64, too_large: impl FnOnce() -> String) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(io::ErrorKind::InvalidData, too_large()));
    }
    Ok(bytes)
}

/// The text of a link under `root` (the link itself is not followed; the directories before it are).
pub fn read_link(root: &Path, path: &Path) -> io::Result<Option<PathBuf>> {
    match resolve(root, path, false).and_then(fs::read_link) {
        Ok(target) => Ok(Some(target)),
        Err(error) if absent(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The names in a directory under `root`; `None` when it is missing.
pub fn list_dir(root: &Path, path: &Path) -> io::Result<Option<Vec<String>>> {
    let resolved = match resolve(root, path, true) {
        Ok(resolved) => resolved,
        Err(error) if absent(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(resolved)? {
        if let Some(name) = entry?.file_name().to_str() {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(Some(names))
}

/// Missing, or a file where a directory was expected: the file is simply not there.
fn absent(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::NotFound || error.raw_os_error() == Some(nix::libc::ENOTDIR)
}

/// The normal components of a path, with `..` kept as a marker; `/` and `.` dropped.
fn components(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(part.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

fn join(root: &Path, parts: &[OsString]) -> PathBuf {
    let mut path = root.to_path_buf();
    for part in parts {
        path.push(OsStr::from_bytes(part.as_bytes()));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("bundlec-confined-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn links_stay_inside_the_root() {
        let base = scratch("links");
        let root = base.join("root");
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::create_dir_all(root.join("real")).unwrap();
        fs::write(base.join("outside"), "host secret\n").unwrap();
        fs::write(root.join("real/passwd"), "app:x:1:1::/:/bin/sh\n").unwrap();
        fs::write(root.join("outside"), "inside copy\n").unwrap();
        // Absolute and climbing links are taken relative to the root.
        symlink("/real/passwd", root.join("etc/passwd")).unwrap();
        symlink("../../../../../../outside", root.join("etc/group")).unwrap();
        symlink(base.join("outside"), root.join("etc/shadow")).unwrap();
        symlink("loop2", root.join("etc/loop1")).unwrap();
        symlink("loop1", root.join("etc/loop2")).unwrap();
        let read = |path: &str| read_to_string(&root, Path::new(path));
        assert_eq!(
            read("/etc/passwd").unwrap().as_deref(),
            Some("app:x:1:1::/:/bin/sh\n")
        );
        assert_eq!(read("etc/group").unwrap().as_deref(), Some("inside copy\n"));
        // The absolute host path is re-rooted, and does not exist inside.
        assert_eq!(read("etc/shadow").unwrap(), None);
        assert_eq!(read("etc/missing").unwrap(), None);
        assert_eq!(read("real/passwd/below").unwrap(), None);
        assert_eq!(
            read("etc/loop1").unwrap_err().raw_os_error(),
            Some(nix::libc::ELOOP)
        );
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn only_regular_files_are_read() {
        let root = scratch("kinds");
        fs::create_dir_all(root.join("etc/passwd")).unwrap();
        assert!(read_to_string(&root, Path::new("etc/passwd")).is_err());
        assert_eq!(
            list_dir(&root, Path::new("etc")).unwrap(),
            Some(vec!["passwd".to_string()])
        );
        symlink("../../x/0000:03:00.0", root.join("etc/device")).unwrap();
        assert_eq!(
            read_link(&root, Path::new("etc/device")).unwrap(),
            Some(PathBuf::from("../../x/0000:03:00.0"))
        );
        fs::remove_dir_all(root).unwrap();
    }
}
