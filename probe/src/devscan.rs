//! The walk of `<root>/dev`: directories and links are told apart by the type `getdents` gives,
//! so only device nodes (and entries of unknown type) cost an `lstat`, once each; links are
//! recorded and never followed (`<root>/dev` itself is resolved inside the root); majors and
//! minors use the Linux layout. Failures become warnings.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use bundlec_core::{DeviceLink, DeviceNode, DeviceType};

use crate::confined;
use nix::dir::{Dir, Type};
use nix::fcntl::OFlag;
use nix::sys::stat::{self, Mode, SFlag};

/// Top-level entries of /dev that are per-container or per-process, never host devices.
pub const SKIPPED: &[&str] = &["pts", "shm", "mqueue", "fd"];

/// Directories deeper than this are not entered (only a bind-mount loop could reach it).
const MAX_DEPTH: usize = 32;

/// What one `lstat` says about an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    /// Permission bits only (`st_mode & 0o7777`).
    pub mode: u32,
    pub major: u32,
    pub minor: u32,
    pub uid: u32,
    pub gid: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    Symlink,
    Char,
    Block,
    Fifo,
    /// Regular files and sockets: not recorded.
    Other,
}

/// A directory entry as `getdents` lists it: its name, and its type when the filesystem gives
/// one (devtmpfs and tmpfs always do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: OsString,
    pub kind: Option<Kind>,
}

/// The three system calls the walk makes, so that tests can count them or make them fail.
pub trait Syscalls {
    fn lstat(&self, path: &Path) -> io::Result<Entry>;
    /// The entries of a directory; an entry that cannot be read is an `Err` in the list.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<io::Result<Listed>>>;
    fn read_link(&self, path: &Path) -> io::Result<OsString>;
}

/// The real system calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealSyscalls;

impl Syscalls for RealSyscalls {
    fn lstat(&self, path: &Path) -> io::Result<Entry> {
        let st = stat::lstat(path).map_err(io::Error::from)?;
        let kind = match SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits()) {
            SFlag::S_IFDIR => Kind::Dir,
            SFlag::S_IFLNK => Kind::Symlink,
            SFlag::S_IFCHR => Kind::Char,
            SFlag::S_IFBLK => Kind::Block,
            SFlag::S_IFIFO => Kind::Fifo,
            _ => Kind::Other,
        };
        // Linux majors run to 2^12-1 and minors to 2^20-1; nix decodes both halves of each.
        let major = u32::try_from(stat::major(st.st_rdev)).unwrap_or(u32::MAX);
        let minor = u32::try_from(stat::minor(st.st_rdev)).unwrap_or(u32::MAX);
        Ok(Entry {
            kind,
            mode: st.st_mode & 0o7777,
            major,
            minor,
            uid: st.st_uid,
            gid: st.st_gid,
        })
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<io::Result<Listed>>> {
        // nix's Dir gives d_type as is; std's DirEntry::file_type would lstat behind our back
        // when the type is unknown.
        // O_NOFOLLOW: a directory swapped for a link after it was listed is not followed.
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let mut dir = Dir::open(path, flags, Mode::empty()).map_err(io::Error::from)?;
        Ok(dir
            .iter()
            .filter_map(|entry| match entry {
                Ok(entry) => {
                    let name = OsStr::from_bytes(entry.file_name().to_bytes());
                    (name != "." && name != "..").then(|| {
                        Ok(Listed {
                            name: name.to_os_string(),
                            kind: entry.file_type().map(kind_of),
                        })
                    })
                }
                Err(error) => Some(Err(io::Error::from(error))),
            })
            .collect())
    }

    fn read_link(&self, path: &Path) -> io::Result<OsString> {
        std::fs::read_link(path).map(|target| target.into_os_string())
    }
}

fn kind_of(file_type: Type) -> Kind {
    match file_type {
        Type::Directory => Kind::Dir,
        Type::Symlink => Kind::Symlink,
        Type::CharacterDevice => Kind::Char,
        Type::BlockDevice => Kind::Block,
        Type::Fifo => Kind::Fifo,
        Type::File | Type::Socket => Kind::Other,
    }
}

/// What the walk found, devices and links sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub devices: Vec<DeviceNode>,
    pub links: Vec<DeviceLink>,
    pub warnings: Vec<String>,
}

/// Walks `<root>/dev`; paths in the result are container paths (`/dev/...`).
pub fn scan(root: &Path, sys: &impl Syscalls) -> Scan {
    let mut found = Scan::default();
    // `<root>/dev` may be a link, and an absolute one means a path inside the root: resolve it
    // there, never on the host. A missing one is left to the walk to report.
    let dev = match confined::resolve(root, Path::new("dev"), true) {
        Ok(dev) => dev,
        Err(error) if error.kind() == io::ErrorKind::NotFound => root.join("dev"),
        Err(error) => {
            found
                .warnings
                .push(format!("/dev: cannot resolve inside the root: {error}"));
            return found;
        }
    };
    walk(sys, &dev, "/dev", 0, &mut found);
    found.devices.sort_by(|a, b| a.path.cmp(&b.path));
    found.links.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

fn walk(sys: &impl Syscalls, dir: &Path, container_dir: &str, depth: usize, found: &mut Scan) {
    if depth > MAX_DEPTH {
        found.warnings.push(format!(
            "{container_dir}: deeper than {MAX_DEPTH} directories; not scanned"
        ));
        return;
    }
    let names = match sys.read_dir(dir) {
        Ok(names) => names,
        Err(error) => {
            found
                .warnings
                .push(format!("{container_dir}: cannot read directory: {error}"));
            return;
        }
    };
    let mut names: Vec<Listed> = names
        .into_iter()
        .filter_map(|name| {
            name.map_err(|error| {
                found
                    .warnings
                    .push(format!("{container_dir}: cannot read an entry: {error}"))
            })
            .ok()
        })
        .collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    for Listed {
        name,
        kind: listed_kind,
    } in names
    {
        let Some(text) = name.to_str() else {
            found.warnings.push(format!(
                "{container_dir}/{}: name is not UTF-8; skipped",
                name.to_string_lossy()
            ));
            continue;
        };
        if depth == 0 && SKIPPED.contains(&text) {
            continue;
        }
        let container_path = format!("{container_dir}/{text}");
        let host_path = dir.join(&name);
        // Directories, links and other files are known from the listing; only device nodes
        // (and entries of unknown type) need their lstat, for the numbers, mode and owner.
        let (entry_kind, entry) = match listed_kind {
            Some(kind @ (Kind::Dir | Kind::Symlink | Kind::Other)) => (kind, None),
            _ => match sys.lstat(&host_path) {
                Ok(entry) => (entry.kind, Some(entry)),
                Err(error) if error.kind() == io::ErrorKind::NotFound => {
                    found
                        .warnings
                        .push(format!("{container_path}: vanished during the scan"));
                    continue;
                }
                Err(error) => {
                    found
                        .warnings
                        .push(format!("{container_path}: cannot stat: {error}"));
                    continue;
                }
            },
        };
        let kind = match entry_kind {
            Kind::Dir => {
                walk(sys, &host_path, &container_path, depth + 1, found);
                continue;
            }
            Kind::Symlink => {
                match sys.read_link(&host_path) {
                    Ok(target) => match target.into_string() {
                        Ok(target) => found.links.push(DeviceLink {
                            path: container_path,
                            target,
                        }),
                        Err(_) => found.warnings.push(format!(
                            "{container_path}: link target is not UTF-8; skipped"
                        )),
                    },
                    Err(error) => found
                        .warnings
                        .push(format!("{container_path}: cannot read link: {error}")),
                }
                continue;
            }
            Kind::Char => DeviceType::Char,
            Kind::Block => DeviceType::Block,
            Kind::Fifo => DeviceType::Fifo,
            Kind::Other => continue,
        };
        // A node's kind always comes from its lstat, so the entry is there.
        let Some(entry) = entry else { continue };
        let (major, minor) = if kind == DeviceType::Fifo {
            (0, 0)
        } else {
            (entry.major, entry.minor)
        };
        found.devices.push(DeviceNode {
            path: container_path,
            kind,
            major,
            minor,
            file_mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    /// An in-memory tree whose entries can fail the way a live /dev does.
    #[derive(Default)]
    struct Fake {
        entries: BTreeMap<PathBuf, Result<Entry, i32>>,
        links: BTreeMap<PathBuf, String>,
        unreadable_dirs: Vec<PathBuf>,
        untyped: Vec<PathBuf>,
        lstats: RefCell<Vec<PathBuf>>,
    }

    fn node(kind: Kind, major: u32, minor: u32) -> Entry {
        Entry {
            kind,
            mode: 0o666,
            major,
            minor,
            uid: 0,
            gid: 0,
        }
    }

    impl Fake {
        fn add(&mut self, path: &str, entry: Result<Entry, i32>) {
            self.entries.insert(PathBuf::from(path), entry);
        }
    }

    impl Syscalls for Fake {
        fn lstat(&self, path: &Path) -> io::Result<Entry> {
            self.lstats.borrow_mut().push(path.to_path_buf());
            match self.entries.get(path) {
                Some(Ok(entry)) => Ok(*entry),
                Some(Err(errno)) => Err(io::Error::from_raw_os_error(*errno)),
                None => Err(io::Error::from_raw_os_error(nix::libc::ENOENT)),
            }
        }

        fn read_dir(&self, path: &Path) -> io::Result<Vec<io::Result<Listed>>> {
            if self.unreadable_dirs.iter().any(|dir| dir == path) {
                return Err(io::Error::from_raw_os_error(nix::libc::EACCES));
            }
            // The listing types every entry, as devtmpfs does, except those in `untyped`.
            let mut names: Vec<io::Result<Listed>> = self
                .entries
                .iter()
                .filter(|(entry, _)| entry.parent() == Some(path))
                .filter_map(|(entry, stat)| {
                    let kind = match stat {
                        Ok(stat) if !self.untyped.contains(entry) => Some(stat.kind),
                        _ => None,
                    };
                    let name = entry.file_name()?.to_os_string();
                    Some(Ok(Listed { name, kind }))
                })
                .collect();
            if path == Path::new("/r/dev") {
                names.push(Ok(Listed {
                    name: OsString::from("gone"),
                    kind: Some(Kind::Char),
                }));
                names.push(Err(io::Error::from_raw_os_error(nix::libc::EIO)));
            }
            Ok(names)
        }

        fn read_link(&self, path: &Path) -> io::Result<OsString> {
            self.links
                .get(path)
                .map(OsString::from)
                .ok_or_else(|| io::Error::from_raw_os_error(nix::libc::EINVAL))
        }
    }

    #[test]
    fn failures_become_warnings_and_only_nodes_are_stat_once() {
        let mut fake = Fake::default();
        fake.add("/r/dev", Ok(node(Kind::Dir, 0, 0)));
        fake.add("/r/dev/weird", Ok(node(Kind::Char, 511, 300)));
        fake.add("/r/dev/secret", Ok(node(Kind::Dir, 0, 0)));
        fake.add("/r/dev/secret/inner", Ok(node(Kind::Char, 1, 1)));
        fake.add("/r/dev/denied", Err(nix::libc::EACCES));
        fake.add("/r/dev/pts", Ok(node(Kind::Dir, 0, 0)));
        fake.add("/r/dev/pts/0", Ok(node(Kind::Char, 136, 0)));
        fake.add("/r/dev/initctl", Ok(node(Kind::Fifo, 0, 0)));
        fake.add("/r/dev/log", Ok(node(Kind::Other, 0, 0)));
        fake.add("/r/dev/core", Ok(node(Kind::Symlink, 0, 0)));
        fake.links
            .insert(PathBuf::from("/r/dev/core"), "/proc/kcore".into());
        fake.unreadable_dirs.push(PathBuf::from("/r/dev/secret"));
        // A filesystem without d_type for this one: it costs an lstat to learn it is a directory.
        fake.untyped.push(PathBuf::from("/r/dev/secret"));
        let found = scan(Path::new("/r"), &fake);
        let paths: Vec<&str> = found.devices.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["/dev/initctl", "/dev/weird"]);
        assert_eq!((found.devices[1].major, found.devices[1].minor), (511, 300));
        assert_eq!(
            found.links,
            [DeviceLink {
                path: "/dev/core".into(),
                target: "/proc/kcore".into()
            }]
        );
        assert_eq!(
            found.warnings,
            [
                "/dev: cannot read an entry: Input/output error (os error 5)",
                "/dev/denied: cannot stat: Permission denied (os error 13)",
                "/dev/gone: vanished during the scan",
                "/dev/secret: cannot read directory: Permission denied (os error 13)",
            ]
        );
        // One lstat per device node or untyped entry; none for typed directories, links and
        // other files, none for the skipped pts, none for /dev itself.
        let lstats = fake.lstats.borrow();
        let mut unique = lstats.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            lstats.len(),
            "an entry was stat twice: {lstats:?}"
        );
        let expected = ["denied", "gone", "initctl", "secret", "weird"]
            .map(|name| PathBuf::from("/r/dev").join(name));
        assert_eq!(*lstats, expected, "{lstats:?}");
        assert!(!lstats.iter().any(|p| p.starts_with("/r/dev/pts/")));
    }

    #[test]
    fn a_dev_link_is_resolved_inside_the_root() {
        use std::os::unix::fs::symlink;
        let base = std::env::temp_dir().join(format!("bundlec-devscan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("root");
        std::fs::create_dir_all(root.join("realdev")).unwrap();
        nix::unistd::mkfifo(&root.join("realdev/initctl"), Mode::S_IRUSR).unwrap();
        // An absolute link to the host's /dev: inside the root it leads back to itself.
        symlink("/dev", root.join("dev")).unwrap();
        let found = scan(&root, &RealSyscalls);
        assert!(found.devices.is_empty(), "{:?}", found.devices);
        assert!(found.links.is_empty(), "{:?}", found.links);
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        assert!(found.warnings[0].starts_with("/dev: cannot resolve inside the root"));
        // An absolute link to a directory of the root is followed there.
        std::fs::remove_file(root.join("dev")).unwrap();
        symlink("/realdev", root.join("dev")).unwrap();
        let found = scan(&root, &RealSyscalls);
        let paths: Vec<&str> = found.devices.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["/dev/initctl"]);
        std::fs::remove_dir_all(base).unwrap();
    }
}
