//! Writes a compiled bundle. The bundle path is checked before anything is compiled: it must not
//! overlap the rootfs, be a link, or (with `--force`) be a directory holding anything bundlec did
//! not write. The new bundle is built in a temporary directory beside it, synced, and put in place
//! in one step (`renameat2`: `RENAME_NOREPLACE`, or `RENAME_EXCHANGE` with the old one, which is
//! removed after). A lock file beside the bundle (`.NAME.lock`) serializes applies to one bundle,
//! and leftovers of an apply that crashed are removed under it. A failure leaves any existing
//! bundle untouched.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use bundlec_core::BundleFile;
use nix::errno::Errno;
use nix::fcntl::{renameat2, Flock, FlockArg, OFlag, RenameFlags};

use crate::atomic;
use crate::failure::{self, Coded};

/// Every name bundlec writes into a bundle: `config.json`, the `rootfs` link, and the files the
/// core may add. A directory holding any other name was not written by bundlec.
pub const BUNDLE_NAMES: &[&str] = &["config.json", "rootfs", "hosts", "resolv.conf"];

/// Tries at a fresh temporary directory name before giving up.
const NAME_ATTEMPTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
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
    #[error("the rootfs `{}` is not a directory", .0.display())]
    RootfsNotDir(PathBuf),
    #[error("the rootfs path `{}` is not UTF-8", .0.display())]
    RootfsNotUtf8(PathBuf),
    #[error("bundle file name `{0}` is not one bundlec writes")]
    BadFileName(String),
    #[error("cannot {action} `{}`", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl Coded for ApplyError {
    fn code(&self) -> &'static str {
        match self {
            ApplyError::Exists(_) => "bundle-exists",
            ApplyError::BadBundlePath(_)
            | ApplyError::CurrentDir(_)
            | ApplyError::Overlap { .. }
            | ApplyError::Symlink(_)
            | ApplyError::NotADirectory(_)
            | ApplyError::Foreign { .. }
            | ApplyError::NotABundle(_) => "unsafe-bundle",
            ApplyError::RootfsNotDir(_) => "not-a-directory",
            ApplyError::RootfsNotUtf8(_) => "not-utf8",
            ApplyError::BadFileName(_) => "bad-bundle-file",
            ApplyError::Io { source, .. } => failure::io_code(source),
        }
    }

    fn path(&self) -> String {
        match self {
            ApplyError::Exists(path)
            | ApplyError::BadBundlePath(path)
            | ApplyError::CurrentDir(path)
            | ApplyError::Symlink(path)
            | ApplyError::NotADirectory(path)
            | ApplyError::NotABundle(path)
            | ApplyError::RootfsNotDir(path)
            | ApplyError::RootfsNotUtf8(path)
            | ApplyError::Io { path, .. } => path.display().to_string(),
            ApplyError::Overlap { bundle, .. } | ApplyError::Foreign { bundle, .. } => {
                bundle.display().to_string()
            }
            ApplyError::BadFileName(_) => "--bundle".to_string(),
        }
    }
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> ApplyError + 'a {
    move |source| ApplyError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn errno<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(Errno) -> ApplyError + 'a {
    move |errno| ApplyError::Io {
        action,
        path: path.to_path_buf(),
        source: io::Error::from(errno),
    }
}

/// What goes into a bundle besides the `rootfs` link (kept for people and tools that look for
/// it; the config names the rootfs by its absolute path).
#[derive(Debug, Clone, Copy)]
pub struct Contents<'a> {
    pub config_json: &'a str,
    pub files: &'a [BundleFile],
}

/// A checked place for a bundle: the bundle path (its parent canonical) and the rootfs
/// (canonical), apart from each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The canonical parent directory followed by the bundle's name.
    pub bundle: PathBuf,
    /// The rootfs as `root.path` needs it: absolute, every link resolved (runc refuses a rootfs
    /// reached through a link), and UTF-8.
    pub rootfs: String,
    parent: PathBuf,
    name: OsString,
    force: bool,
}

/// Checks the bundle and rootfs paths once, before anything is compiled or created: the rootfs
/// is a directory, the bundle neither is, contains nor lies inside it, is not the current
/// directory, and is absent, or (with `force`) a directory bundlec wrote.
pub fn check(bundle: &Path, rootfs: &Path, force: bool) -> Result<Target, ApplyError> {
    let rootfs = resolve_rootfs(rootfs)?;
    let (parent, name) = canonical_target(bundle)?;
    let path = parent.join(&name);
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
        return Err(ApplyError::Overlap {
            bundle: path,
            rootfs: rootfs_path.to_path_buf(),
            relation,
        });
    }
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        if cwd.starts_with(&path) {
            return Err(ApplyError::CurrentDir(path));
        }
    }
    check_existing(&path, force)?;
    Ok(Target {
        bundle: path,
        rootfs,
        parent,
        name,
        force,
    })
}

/// The rootfs made canonical; a directory with a UTF-8 path.
fn resolve_rootfs(rootfs: &Path) -> Result<String, ApplyError> {
    let resolved = fs::canonicalize(rootfs).map_err(io("resolve the rootfs", rootfs))?;
    if !resolved.is_dir() {
        return Err(ApplyError::RootfsNotDir(resolved));
    }
    resolved
        .into_os_string()
        .into_string()
        .map_err(|path| ApplyError::RootfsNotUtf8(PathBuf::from(path)))
}

/// The bundle's parent made canonical (its deepest existing ancestor resolved, the missing
/// directories below appended), and the bundle's own name, which is never resolved: a link
/// there is refused, not followed.
fn canonical_target(bundle: &Path) -> Result<(PathBuf, OsString), ApplyError> {
    let bad = || ApplyError::BadBundlePath(bundle.to_path_buf());
    let Some(Component::Normal(name)) = bundle.components().next_back() else {
        return Err(bad());
    };
    let absolute = std::path::absolute(bundle).map_err(io("resolve", bundle))?;
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
            Err(error) => return Err(io("resolve", existing)(error)),
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
fn check_existing(bundle: &Path, force: bool) -> Result<bool, ApplyError> {
    let metadata = match fs::symlink_metadata(bundle) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(io("inspect", bundle)(error)),
    };
    if metadata.file_type().is_symlink() {
        return Err(ApplyError::Symlink(bundle.to_path_buf()));
    }
    if !metadata.is_dir() {
        return Err(ApplyError::NotADirectory(bundle.to_path_buf()));
    }
    if !force {
        return Err(ApplyError::Exists(bundle.to_path_buf()));
    }
    let entries = entries(bundle)?;
    if let Some((entry, kind)) = entries
        .iter()
        .find(|(name, kind)| !written_by_bundlec(name, *kind))
    {
        let entry = entry.to_string_lossy().into_owned();
        // A name bundlec writes, of another kind (a `rootfs` directory): say what is there.
        let kind = if BUNDLE_NAMES.contains(&entry.as_str()) {
            kind.describe()
        } else {
            ""
        };
        return Err(ApplyError::Foreign {
            bundle: bundle.to_path_buf(),
            entry,
            kind,
        });
    }
    if !entries
        .iter()
        .any(|(name, kind)| name == "config.json" && *kind == Kind::File)
    {
        return Err(ApplyError::NotABundle(bundle.to_path_buf()));
    }
    Ok(true)
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

/// The names in a directory and their kinds (links not followed), sorted by name.
fn entries(dir: &Path) -> Result<Vec<(OsString, Kind)>, ApplyError> {
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

/// A name and kind that bundlec writes: the `rootfs` link, or one of its regular files.
fn written_by_bundlec(name: &OsStr, kind: Kind) -> bool {
    match name.to_str() {
        Some("rootfs") => kind == Kind::Link,
        Some(name) => BUNDLE_NAMES.contains(&name) && kind == Kind::File,
        None => false,
    }
}

/// Writes `contents` and a `rootfs` link to the target's rootfs as the bundle directory, under
/// the lock beside it. The bundle is checked again under the lock (another apply may have
/// written one meanwhile): without `force` an existing one is refused; with it, one bundlec
/// wrote is exchanged for the new one and removed.
pub fn write_bundle(target: &Target, contents: Contents<'_>) -> Result<PathBuf, ApplyError> {
    let parent = &target.parent;
    let name = target.name.to_string_lossy();
    fs::create_dir_all(parent).map_err(io("create", parent))?;
    let _lock = lock(&parent.join(format!(".{name}.lock")))?;
    remove_leftovers(parent, &name)?;
    let exists = check_existing(&target.bundle, target.force)?;
    let temp = create_temp_dir(parent, &name)?;
    let filled = fill(&temp, Path::new(&target.rootfs), contents).and_then(|()| sync(&temp));
    if let Err(error) = filled {
        let _ = fs::remove_dir_all(&temp);
        return Err(error);
    }
    let dir = File::open(parent).map_err(io("open", parent))?;
    let flags = if exists {
        RenameFlags::RENAME_EXCHANGE
    } else {
        RenameFlags::RENAME_NOREPLACE
    };
    let temp_name = temp.file_name().unwrap_or_default();
    if let Err(error) = renameat2(&dir, temp_name, &dir, target.name.as_os_str(), flags) {
        let _ = fs::remove_dir_all(&temp);
        if error == Errno::EEXIST {
            return Err(ApplyError::Exists(target.bundle.clone()));
        }
        return Err(errno("move the new bundle to", &target.bundle)(error));
    }
    dir.sync_all().map_err(io("sync", parent))?;
    if exists {
        // The old bundle, now at the temporary name.
        remove_bundle(&temp).map_err(io("remove the old bundle, now at", &temp))?;
    }
    Ok(target.bundle.clone())
}

/// Holds an exclusive `flock` on the lock file (created 0600, never through a link) until dropped.
fn lock(path: &Path) -> Result<Flock<File>, ApplyError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC).bits())
        .open(path)
        .map_err(io("open the lock file", path))?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, error)| errno("lock", path)(error))
}

/// `.NAME.tmp-RANDOM`, made 0700: the config holds secret values, and only its owner reads it.
fn create_temp_dir(parent: &Path, name: &str) -> Result<PathBuf, ApplyError> {
    let mut attempts = 0;
    loop {
        let suffix = atomic::random_suffix().map_err(io("read", Path::new("/dev/urandom")))?;
        let temp = parent.join(format!(".{name}.tmp-{suffix}"));
        match fs::DirBuilder::new().mode(0o700).create(&temp) {
            Ok(()) => return Ok(temp),
            Err(error)
                if error.kind() == io::ErrorKind::AlreadyExists && attempts < NAME_ATTEMPTS =>
            {
                attempts += 1;
            }
            Err(error) => return Err(io("create", &temp)(error)),
        }
    }
}

/// Removes what an apply of `name` that was killed left beside it: directories named
/// `.NAME.tmp-HEX` or `.NAME.old-HEX` (the names bundlec uses, pids of older versions included)
/// that hold nothing but names bundlec writes. Anything else is left alone.
fn remove_leftovers(parent: &Path, name: &str) -> Result<(), ApplyError> {
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
            remove_bundle(&path).map_err(io("remove the leftover", &path))?;
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

fn fill(dir: &Path, rootfs: &Path, contents: Contents<'_>) -> Result<(), ApplyError> {
    write_file(&dir.join("config.json"), contents.config_json, 0o600)?;
    for file in contents.files {
        if !BUNDLE_NAMES.contains(&file.name.as_str())
            || file.name == "config.json"
            || file.name == "rootfs"
        {
            return Err(ApplyError::BadFileName(file.name.clone()));
        }
        // Bound read-only into the container, where any user may need to read them.
        write_file(&dir.join(&file.name), &file.contents, 0o644)?;
    }
    let link = dir.join("rootfs");
    std::os::unix::fs::symlink(rootfs, &link).map_err(io("link", &link))
}

fn write_file(path: &Path, contents: &str, mode: u32) -> Result<(), ApplyError> {
    atomic::write_new(path, contents.as_bytes(), mode).map_err(io("write", path))
}

fn sync(dir: &Path) -> Result<(), ApplyError> {
    atomic::sync_dir(dir).map_err(io("sync", dir))
}

#[cfg(test)]
mod tests {
    use super::*;
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
    ) -> Result<PathBuf, ApplyError> {
        let target = check(bundle, rootfs, force)?;
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
        assert!(matches!(again, Err(ApplyError::Exists(_))), "{again:?}");
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
        assert!(matches!(error, ApplyError::BadFileName(_)), "{error}");
        assert_eq!(
            fs::read_to_string(bundle.join("config.json")).unwrap(),
            "{\"v\":1}\n"
        );
        assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
        // A missing rootfs fails before anything is written.
        let error = apply(&dir.join("c"), &dir.join("nope"), "{}", &[], false).unwrap_err();
        assert!(matches!(error, ApplyError::Io { .. }), "{error}");
        assert_eq!(leftovers(&dir), [".b.lock", "b", "rootfs"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_bundle_and_the_rootfs_stay_apart() {
        let dir = scratch("overlap");
        let rootfs = dir.join("rootfs");
        fs::write(rootfs.join("keep"), "data").unwrap();
        let relation = |bundle: &Path| match check(bundle, &rootfs, true) {
            Err(ApplyError::Overlap { relation, .. }) => relation,
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
            let error = check(Path::new(bad), &rootfs, true).unwrap_err();
            assert!(
                matches!(error, ApplyError::BadBundlePath(_)),
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
        assert!(matches!(error, ApplyError::NotABundle(_)), "{error}");
        // A link or a file at the bundle path.
        let elsewhere = dir.join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("config.json"), "{}").unwrap();
        symlink(&elsewhere, dir.join("link")).unwrap();
        let error = apply(&dir.join("link"), &rootfs, "{}", &[], true).unwrap_err();
        assert!(matches!(error, ApplyError::Symlink(_)), "{error}");
        fs::write(dir.join("plain"), "x").unwrap();
        let error = apply(&dir.join("plain"), &rootfs, "{}", &[], true).unwrap_err();
        assert!(matches!(error, ApplyError::NotADirectory(_)), "{error}");
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
}
