//! The one error type for problems with a file, a directory or a path the command reads, writes
//! or checks: the spec and other inputs, the rootfs, the probe root, the state directory,
//! volume directories, output files and stdout. Each variant has a stable code (see `codes`).

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use crate::codes;
use crate::failure::Coded;

/// A problem with a path; the diagnostic's `path` is the file or directory concerned.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// An operation on a file or directory failed (`cannot read the spec `x``).
    #[error("cannot {action} `{}`", path.display())]
    Io {
        action: Cow<'static, str>,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A rootfs identity file (`etc/passwd`, `etc/group`) could not be read.
    #[error("cannot read `{file}` in the rootfs `{}`", rootfs.display())]
    InRootfs {
        file: &'static str,
        rootfs: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write to stdout")]
    Stdout(#[source] io::Error),
    #[error("cannot find the current directory")]
    CurrentDir(#[source] io::Error),
    #[error("{what} `{}` is larger than the {} limit; raise it with --max-input-bytes", path.display(), bytes(*limit))]
    TooLarge {
        what: Cow<'static, str>,
        path: PathBuf,
        limit: u64,
    },
    #[error("{what} `{}` is not UTF-8 text", path.display())]
    NotUtf8Text {
        what: Cow<'static, str>,
        path: PathBuf,
    },
    #[error("the rootfs `{}` is not a directory", .0.display())]
    RootfsNotADirectory(PathBuf),
    #[error("cannot probe `{}`: it is not a directory", .0.display())]
    ProbeRootNotADirectory(PathBuf),
    #[error("the rootfs path `{}` is not UTF-8", .0.display())]
    RootfsNotUtf8(PathBuf),
    #[error("the state directory `{}` is not UTF-8", .0.display())]
    StateDirNotUtf8(PathBuf),
    #[error("volume `{name}`: the path `{}` is not UTF-8", path.display())]
    VolumeNotUtf8 { name: String, path: PathBuf },
}

impl PathError {
    /// `Io` for `action` on `path`, as a `map_err` argument.
    pub fn io(
        action: impl Into<Cow<'static, str>>,
        path: &Path,
    ) -> impl FnOnce(io::Error) -> PathError {
        let (action, path) = (action.into(), path.to_path_buf());
        move |source| PathError::Io {
            action,
            path,
            source,
        }
    }
}

impl Coded for PathError {
    fn code(&self) -> &'static str {
        match self {
            PathError::Io { source, .. } | PathError::InRootfs { source, .. } => io_code(source),
            PathError::Stdout(_) | PathError::CurrentDir(_) => codes::IO_ERROR,
            PathError::TooLarge { .. } => codes::TOO_LARGE,
            PathError::NotUtf8Text { .. }
            | PathError::RootfsNotUtf8(_)
            | PathError::StateDirNotUtf8(_)
            | PathError::VolumeNotUtf8 { .. } => codes::NOT_UTF8,
            PathError::RootfsNotADirectory(_) | PathError::ProbeRootNotADirectory(_) => {
                codes::NOT_A_DIRECTORY
            }
        }
    }

    fn path(&self) -> String {
        match self {
            PathError::Io { path, .. }
            | PathError::TooLarge { path, .. }
            | PathError::NotUtf8Text { path, .. }
            | PathError::RootfsNotADirectory(path)
            | PathError::ProbeRootNotADirectory(path)
            | PathError::RootfsNotUtf8(path)
            | PathError::StateDirNotUtf8(path) => path.display().to_string(),
            PathError::InRootfs { file, rootfs, .. } => rootfs.join(file).display().to_string(),
            PathError::Stdout(_) => "<stdout>".to_string(),
            PathError::CurrentDir(_) => String::new(),
            PathError::VolumeNotUtf8 { name, .. } => format!("--volume {name}"),
        }
    }
}

/// The code of an I/O failure: `too-large` and `not-utf8` for the confined readers' own refusals
/// (InvalidData with those words), `io-error` otherwise.
pub fn io_code(error: &io::Error) -> &'static str {
    if error.kind() == io::ErrorKind::InvalidData {
        let text = error.to_string();
        if text.contains("larger than") {
            return codes::TOO_LARGE;
        }
        if text.contains("not UTF-8") {
            return codes::NOT_UTF8;
        }
    }
    codes::IO_ERROR
}

/// `16 MiB`, `4 KiB` or `1000 bytes`: a limit as people write it.
pub fn bytes(count: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    // Both units are powers of two: a multiple has none of the bits below.
    if count >= MIB && count & (MIB - 1) == 0 {
        format!("{} MiB", count / MIB)
    } else if count >= KIB && count & (KIB - 1) == 0 {
        format!("{} KiB", count / KIB)
    } else {
        format!("{count} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_an_explained_code() {
        let os = || io::Error::from(io::ErrorKind::NotFound);
        let path = || PathBuf::from("/x");
        let errors = [
            PathError::io("read the spec", Path::new("/x"))(os()),
            PathError::InRootfs {
                file: "etc/passwd",
                rootfs: path(),
                source: io::Error::new(io::ErrorKind::InvalidData, "file is not UTF-8"),
            },
            PathError::Stdout(os()),
            PathError::CurrentDir(os()),
            PathError::TooLarge {
                what: "the spec".into(),
                path: path(),
                limit: 1,
            },
            PathError::NotUtf8Text {
                what: "the spec".into(),
                path: path(),
            },
            PathError::RootfsNotADirectory(path()),
            PathError::ProbeRootNotADirectory(path()),
            PathError::RootfsNotUtf8(path()),
            PathError::StateDirNotUtf8(path()),
            PathError::VolumeNotUtf8 {
                name: "data".into(),
                path: path(),
            },
        ];
        let found: Vec<&str> = errors.iter().map(Coded::code).collect();
        assert_eq!(
            found,
            [
                "io-error",
                "not-utf8",
                "io-error",
                "io-error",
                "too-large",
                "not-utf8",
                "not-a-directory",
                "not-a-directory",
                "not-utf8",
                "not-utf8",
                "not-utf8"
            ]
        );
        for code in found {
            assert!(codes::explain(code).is_some(), "{code}");
        }
        assert_eq!(errors[1].path(), "/x/etc/passwd");
        assert_eq!(errors[10].path(), "--volume data");
    }

    #[test]
    fn limits_read_as_people_write_them() {
        assert_eq!(bytes(1024), "1 KiB");
        assert_eq!(bytes(3 << 20), "3 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
        assert_eq!(bytes(1536), "1536 bytes");
    }
}
