//! Reading the command's inputs (the spec, the inventory, the image config, secret files): at
//! most `--max-input-bytes` of UTF-8 text, from a file or, for the spec, stdin.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::path_error::PathError;

/// Inputs larger than this are refused unless `--max-input-bytes` raises it.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 16 << 20;

/// The spec text, the name diagnostics show for it (`<stdin>` for `-`), and the folder its
/// relative paths (`seccomp=PATH`) start from.
#[derive(Debug, Clone)]
pub struct SpecSource {
    pub name: String,
    pub text: String,
    /// The spec file's folder; empty (the current directory) for stdin or a file named bare.
    pub folder: PathBuf,
}

/// The spec from a file or, for `-`, stdin; at most `limit` bytes of UTF-8.
pub fn read_spec(arg: &str, limit: u64) -> Result<SpecSource, PathError> {
    let text = if arg == "-" {
        let stdin = std::io::stdin().lock();
        let shown = Path::new("<stdin>");
        text_of(
            "the spec",
            shown,
            read_limited(stdin, "the spec", shown, limit)?,
        )?
    } else {
        read_text("the spec", Path::new(arg), limit)?
    };
    let (name, folder) = if arg == "-" {
        ("<stdin>", PathBuf::new())
    } else {
        let folder = Path::new(arg).parent().unwrap_or(Path::new(""));
        (arg, folder.to_path_buf())
    };
    Ok(SpecSource {
        name: name.to_string(),
        text,
        folder,
    })
}

/// The UTF-8 text of the file at `path`, at most `limit` bytes; `what` names it in errors
/// (`the inventory`).
pub fn read_text(
    what: impl Into<Cow<'static, str>>,
    path: &Path,
    limit: u64,
) -> Result<String, PathError> {
    let what = what.into();
    let file = std::fs::File::open(path).map_err(PathError::io(format!("read {what}"), path))?;
    let bytes = read_limited(file, &what, path, limit)?;
    text_of(what, path, bytes)
}

/// At most `limit` bytes of `reader`: one more is read to tell a file of exactly `limit` bytes
/// from a longer one, so that /dev/zero or an endless FIFO is refused, never read to the end.
fn read_limited(
    reader: impl Read,
    what: &str,
    path: &Path,
    limit: u64,
) -> Result<Vec<u8>, PathError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(PathError::io(format!("read {what}"), path))?;
    if bytes.len() as u64 > limit {
        return Err(PathError::TooLarge {
            what: what.to_string().into(),
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

fn text_of(
    what: impl Into<Cow<'static, str>>,
    path: &Path,
    bytes: Vec<u8>,
) -> Result<String, PathError> {
    String::from_utf8(bytes).map_err(|_| PathError::NotUtf8Text {
        what: what.into(),
        path: PathBuf::from(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Coded;

    #[test]
    fn inputs_stop_at_the_limit() {
        let dir = std::env::temp_dir().join(format!("bundlec-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exact = dir.join("exact");
        std::fs::write(&exact, "x".repeat(64)).unwrap();
        assert_eq!(read_text("the spec", &exact, 64).unwrap().len(), 64);
        match read_text("the spec", &exact, 63) {
            Err(error @ PathError::TooLarge { .. }) => {
                assert_eq!(error.code(), "too-large");
                assert_eq!(
                    error.to_string(),
                    format!(
                        "the spec `{}` is larger than the 63 bytes limit; raise it with --max-input-bytes",
                        exact.display()
                    )
                );
            }
            other => panic!("{other:?}"),
        }
        // An endless input is cut at the limit, not read until memory runs out.
        let error = read_text("the inventory", Path::new("/dev/zero"), 16 << 20).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the inventory `/dev/zero` is larger than the 16 MiB limit; raise it with --max-input-bytes"
        );
        std::fs::write(dir.join("latin1"), b"caf\xe9").unwrap();
        let error = read_text("the spec", &dir.join("latin1"), 64).unwrap_err();
        assert_eq!(error.code(), "not-utf8");
        assert_eq!(
            error.to_string(),
            format!(
                "the spec `{}` is not UTF-8 text",
                dir.join("latin1").display()
            )
        );
        let error = read_text("the spec", &dir.join("missing"), 64).unwrap_err();
        assert_eq!(error.code(), "io-error");
        assert!(
            crate::failure::message(&error).starts_with(&format!(
                "cannot read the spec `{}`: No such file",
                dir.join("missing").display()
            )),
            "{error}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
