//! Turns command line inputs into a `bundlec_core::Request`: reads the spec, inventory, image
//! config, secrets and the rootfs identity files, and fills `Options`. No compile rule lives here.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use bundlec_core::options::OrderedStrings;
use bundlec_core::{Diagnostic, ImageConfig, Inventory, Options, Request};

use crate::cli::CompileOptions;
use crate::failure::{self, Coded};
use crate::{confined, probe};

/// Inputs larger than this are refused unless `--max-input-bytes` raises it.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {what} `{path}`")]
    Read {
        what: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} `{path}` is larger than the {} limit; raise it with --max-input-bytes", bytes(*.limit))]
    TooLarge {
        what: String,
        path: String,
        limit: u64,
    },
    #[error("{what} `{path}` is not UTF-8 text")]
    NotUtf8 { what: String, path: String },
    #[error("cannot read `{file}` in the rootfs `{}`", rootfs.display())]
    Rootfs {
        file: &'static str,
        rootfs: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the rootfs `{}` is not a directory", .0.display())]
    RootfsNotDir(PathBuf),
    #[error("volume `{name}`: the path `{}` is not UTF-8", path.display())]
    VolumePath { name: String, path: PathBuf },
    #[error("cannot find the current directory")]
    CurrentDir(#[source] std::io::Error),
    #[error(transparent)]
    Probe(#[from] probe::ProbeError),
}

impl Coded for InputError {
    fn code(&self) -> &'static str {
        match self {
            InputError::Read { .. } | InputError::CurrentDir(_) => "io-error",
            InputError::Rootfs { source, .. } => failure::io_code(source),
            InputError::TooLarge { .. } => "too-large",
            InputError::NotUtf8 { .. } | InputError::VolumePath { .. } => "not-utf8",
            InputError::RootfsNotDir(_) => "not-a-directory",
            InputError::Probe(error) => error.code(),
        }
    }

    fn path(&self) -> String {
        match self {
            InputError::Read { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::NotUtf8 { path, .. } => path.clone(),
            InputError::Rootfs { file, rootfs, .. } => rootfs.join(file).display().to_string(),
            InputError::RootfsNotDir(path) => path.display().to_string(),
            InputError::VolumePath { name, .. } => format!("--volume {name}"),
            InputError::CurrentDir(_) => String::new(),
            InputError::Probe(error) => error.path(),
        }
    }
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

/// The spec text and the name diagnostics show for it (`<stdin>` for `-`).
#[derive(Debug, Clone)]
pub struct SpecSource {
    pub name: String,
    pub text: String,
}

/// The spec from a file or, for `-`, stdin; at most `limit` bytes of UTF-8.
pub fn read_spec(arg: &str, limit: u64) -> Result<SpecSource, InputError> {
    let text = if arg == "-" {
        let stdin = std::io::stdin().lock();
        text_of(
            "the spec",
            "<stdin>",
            read_limited(stdin, "the spec", "<stdin>", limit)?,
        )?
    } else {
        read_text("the spec", Path::new(arg), limit)?
    };
    let name = if arg == "-" { "<stdin>" } else { arg };
    Ok(SpecSource {
        name: name.to_string(),
        text,
    })
}

/// At most `limit` bytes of `reader`: one more is read to tell a file of exactly `limit` bytes
/// from a longer one, so that /dev/zero or an endless FIFO is refused, never read to the end.
fn read_limited(
    reader: impl Read,
    what: &str,
    path: &str,
    limit: u64,
) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Read {
            what: what.to_string(),
            path: path.to_string(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            what: what.to_string(),
            path: path.to_string(),
            limit,
        });
    }
    Ok(bytes)
}

fn text_of(what: &str, path: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|_| InputError::NotUtf8 {
        what: what.to_string(),
        path: path.to_string(),
    })
}

/// The bytes of the file at `path`, at most `limit` of them.
fn read_bytes(what: &str, path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| InputError::Read {
        what: what.to_string(),
        path: shown.clone(),
        source,
    })?;
    read_limited(file, what, &shown, limit)
}

/// The UTF-8 text of the file at `path`, at most `limit` bytes.
fn read_text(what: &str, path: &Path, limit: u64) -> Result<String, InputError> {
    let bytes = read_bytes(what, path, limit)?;
    text_of(what, &path.display().to_string(), bytes)
}

/// A request, or the diagnostics of its inventory and image config; file errors are `Err`.
/// `probe_warnings` receives the warnings of a live `--probe`.
pub fn build(
    spec: &SpecSource,
    args: &CompileOptions,
    rootfs: Option<&Path>,
    probe_warnings: &mut Vec<String>,
) -> Result<Result<Request, Vec<Diagnostic>>, InputError> {
    let mut diagnostics = Vec::new();
    let limit = args.max_input_bytes;
    let inventory = if args.probe {
        let mut inventory = probe::probe(Path::new("/"))?;
        probe_warnings.append(&mut inventory.warnings);
        Some(inventory)
    } else {
        match &args.inventory {
            Some(path) => Inventory::from_json(&read_text("the inventory", path, limit)?)
                .map_err(|d| diagnostics.push(d))
                .ok(),
            None => None,
        }
    };
    let image_config = match &args.image_config {
        Some(path) => ImageConfig::from_json(&read_text("the image config", path, limit)?)
            .map_err(|d| diagnostics.push(d))
            .ok(),
        None => None,
    };
    let options = options(args, rootfs, std::env::vars_os())?;
    if !diagnostics.is_empty() {
        return Ok(Err(diagnostics));
    }
    Ok(Ok(Request {
        spec: spec.text.clone(),
        service: args.service.clone(),
        replica: args.replica,
        inventory,
        image_config,
        options,
    }))
}

/// The `Options` the flags describe; `host_env` becomes the values of `$E:` references.
pub fn options(
    args: &CompileOptions,
    rootfs: Option<&Path>,
    host_env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Options, InputError> {
    let mut secrets = BTreeMap::new();
    for (name, value) in &args.secrets {
        secrets.insert(
            name.clone(),
            secret_value(name, value, args.max_input_bytes)?,
        );
    }
    let mut volumes = BTreeMap::new();
    for (name, path) in &args.volumes {
        volumes.insert(name.clone(), absolute(name, Path::new(path))?);
    }
    let (passwd, group) = match rootfs {
        Some(rootfs) if !rootfs.is_dir() => {
            return Err(InputError::RootfsNotDir(rootfs.to_path_buf()))
        }
        Some(rootfs) => (
            identity_file(rootfs, "etc/passwd")?,
            identity_file(rootfs, "etc/group")?,
        ),
        None => (None, None),
    };
    Ok(Options {
        gpu_indices: (!args.gpus.is_empty()).then(|| args.gpus.clone()),
        host_network: args.host_network,
        hostname: args.hostname.clone(),
        env: OrderedStrings(args.env.clone()),
        volumes,
        secrets,
        host_env: host_env
            .into_iter()
            .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
            .filter(|(key, _)| args.host_env.iter().any(|allowed| allowed.matches(key)))
            .collect(),
        passwd,
        group,
        ..Options::default()
    })
}

/// `VALUE`, or the text of `FILE` for `@FILE` less one final newline (files written by editors
/// and `echo` end with one, and a secret value never should).
fn secret_value(name: &str, value: &str, limit: u64) -> Result<String, InputError> {
    let Some(file) = value.strip_prefix('@') else {
        return Ok(value.to_string());
    };
    let mut text = read_text(&format!("secret `{name}` from"), Path::new(file), limit)?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// A volume path as the core wants it: absolute (relative ones are taken from the current directory).
fn absolute(name: &str, path: &Path) -> Result<String, InputError> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::path::absolute(path).map_err(InputError::CurrentDir)?
    };
    path.into_os_string()
        .into_string()
        .map_err(|path| InputError::VolumePath {
            name: name.to_string(),
            path: PathBuf::from(path),
        })
}

/// `passwd` or `group` of the rootfs, read without following links out of it; missing is `None`.
fn identity_file(rootfs: &Path, file: &'static str) -> Result<Option<String>, InputError> {
    confined::read_to_string(rootfs, Path::new(file)).map_err(|source| InputError::Rootfs {
        file,
        rootfs: rootfs.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn compile_options(args: &[&str]) -> CompileOptions {
        let mut argv = vec!["bundlec", "compile", "spec.yaml"];
        argv.extend_from_slice(args);
        match Cli::parse_from(argv).command {
            Command::Compile(compile) => compile.options,
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_fill_the_options() {
        let dir = std::env::temp_dir().join(format!("bundlec-request-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("token");
        std::fs::write(&secret, "s3cret\n").unwrap();
        let secret_arg = format!("token=@{}", secret.display());
        let args = compile_options(&[
            "--env",
            "B=1",
            "--env",
            "A=2=3",
            "--secret",
            "plain=v",
            "--secret",
            &secret_arg,
            "--volume",
            "data=/srv/data",
            "--volume",
            "rel=x/y",
            "--gpu",
            "1",
            "--gpu",
            "0",
            "--hostname",
            "h",
            "--host-network",
            "--host-env",
            "HOME",
            "--host-env",
            "APP_*",
        ]);
        let host_env = vec![
            ("HOME".into(), "/root".into()),
            ("APP_MODE".into(), "fast".into()),
            ("HOMEDIR".into(), "/h".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "hidden".into()),
        ];
        let options = options(&args, None, host_env).unwrap();
        assert_eq!(
            options.env.0,
            vec![("B".into(), "1".into()), ("A".into(), "2=3".into())]
        );
        assert_eq!(options.secrets.get("plain").map(String::as_str), Some("v"));
        assert_eq!(
            options.secrets.get("token").map(String::as_str),
            Some("s3cret")
        );
        assert_eq!(
            options.volumes.get("data").map(String::as_str),
            Some("/srv/data")
        );
        assert!(options
            .volumes
            .get("rel")
            .is_some_and(|p| p.starts_with('/') && p.ends_with("/x/y")));
        assert_eq!(options.gpu_indices, Some(vec![1, 0]));
        // Only the variables the operator allowed reach `$E:`.
        assert_eq!(
            options.host_env,
            BTreeMap::from([
                ("APP_MODE".to_string(), "fast".to_string()),
                ("HOME".to_string(), "/root".to_string()),
            ])
        );
        assert!(options.host_network);
        assert_eq!(options.hostname.as_deref(), Some("h"));
        assert_eq!((options.passwd, options.group), (None, None));
        let missing = compile_options(&["--secret", "x=@/nonexistent/bundlec"]);
        assert!(matches!(
            super::options(&missing, None, vec![]),
            Err(InputError::Read { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn inputs_stop_at_the_limit() {
        let dir = std::env::temp_dir().join(format!("bundlec-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exact = dir.join("exact");
        std::fs::write(&exact, "x".repeat(64)).unwrap();
        assert_eq!(read_text("the spec", &exact, 64).unwrap().len(), 64);
        match read_text("the spec", &exact, 63) {
            Err(error @ InputError::TooLarge { .. }) => {
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
        assert_eq!(bytes(1024), "1 KiB");
        assert_eq!(bytes(3 << 20), "3 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
