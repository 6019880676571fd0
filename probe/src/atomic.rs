//! Files bundlec writes: created with an explicit mode (whatever the umask), never through a link
//! (`O_CREAT|O_EXCL|O_NOFOLLOW`), synced, and put in place by a rename from a temporary name that
//! nobody can predict, so a reader sees the old file or the new one and never a planted link.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;

/// Tries at a fresh temporary name before giving up (a clash of 64 random bits means an attacker
/// is guessing, or /dev/urandom is broken).
const NAME_ATTEMPTS: usize = 8;

/// 16 lowercase hex digits from the kernel's random source.
pub fn random_suffix() -> io::Result<String> {
    let mut bytes = [0u8; 8];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Creates `path`, which must not exist (a link there is refused, not followed), with exactly
/// `mode`, and writes and syncs `contents`.
pub fn write_new(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC).bits())
        .open(path)?;
    // The umask may have cleared bits of `mode` (0644 files must stay readable).
    file.set_permissions(Permissions::from_mode(mode))?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Syncs a directory, so that a rename inside it survives a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The directory a path's last component lives in (`.` for a bare name).
pub fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A name `.NAME.tmp-RANDOM` beside `path`, for a file or directory about to replace it.
pub fn temp_beside(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not end in a file name",
        )
    })?;
    let suffix = random_suffix()?;
    Ok(parent_of(path).join(format!(".{}.tmp-{suffix}", name.to_string_lossy())))
}

/// Replaces `path` with a file holding `contents` with exactly `mode`: written under a temporary
/// name in the same directory, synced, renamed over `path`, and the directory synced. The
/// temporary file is removed on failure. When `path` exists and is neither a regular file nor a
/// directory (`/dev/null`, a FIFO, `/dev/stdout`), `contents` are written into it instead: a
/// rename would replace the device or pipe with a file.
pub fn replace(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    if fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir()) {
        return OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut file| file.write_all(contents));
    }
    let mut attempts = 0;
    let temp = loop {
        let temp = temp_beside(path)?;
        match write_new(&temp, contents, mode) {
            Ok(()) => break temp,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                attempts += 1;
                if attempts >= NAME_ATTEMPTS {
                    return Err(error);
                }
            }
            Err(error) => {
                // Created, then a write failed: the name is ours, so is the file.
                let _ = fs::remove_file(&temp);
                return Err(error);
            }
        }
    };
    let renamed = fs::rename(&temp, path);
    if renamed.is_err() {
        let _ = fs::remove_file(&temp);
    }
    renamed?;
    sync_dir(parent_of(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("bundlec-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn suffixes_are_hex_and_differ() {
        let a = random_suffix().unwrap();
        let b = random_suffix().unwrap();
        assert_eq!(a.len(), 16);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn replace_writes_0600_and_leaves_no_temp() {
        let dir = scratch("replace");
        let target = dir.join("config.json");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o644)).unwrap();
        replace(&target, b"new", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600);
        assert_eq!(names(&dir), ["config.json"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_link_at_the_target_is_replaced_not_followed() {
        let dir = scratch("link");
        let victim = dir.join("victim");
        fs::write(&victim, "keep").unwrap();
        let target = dir.join("out.json");
        symlink(&victim, &target).unwrap();
        replace(&target, b"secret", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(fs::symlink_metadata(&target).unwrap().is_file());
        assert_eq!(fs::read_to_string(&target).unwrap(), "secret");
        // write_new refuses an existing name, a link included.
        let error = write_new(&dir.join("out.json"), b"x", 0o600).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_rename_removes_the_temp() {
        let dir = scratch("fail");
        // A directory at the target: the rename of a file over it fails.
        fs::create_dir(dir.join("out")).unwrap();
        fs::write(dir.join("out/inside"), "x").unwrap();
        assert!(replace(&dir.join("out"), b"x", 0o600).is_err());
        assert_eq!(names(&dir), ["out"]);
        fs::remove_dir_all(dir).unwrap();
    }
}
