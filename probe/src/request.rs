//! Turns command line inputs into a `bundlec_core::Request`: reads the spec, inventory, image
//! config, secrets and the rootfs identity files, and fills `Options`. No compile rule lives here.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use bundlec_core::options::OrderedStrings;
use bundlec_core::{Diagnostic, ImageConfig, Inventory, Options, Request};

use crate::cli::CompileOptions;
use crate::{confined, probe};

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {what} `{}`", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the spec from stdin")]
    Stdin(#[source] std::io::Error),
    #[error("secret `{name}`: cannot read `{}`", path.display())]
    Secret {
        name: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("secret `{name}`: `{}` is not UTF-8 text", path.display())]
    SecretNotText { name: String, path: PathBuf },
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

/// The spec text and the name diagnostics show for it (`<stdin>` for `-`).
#[derive(Debug, Clone)]
pub struct SpecSource {
    pub name: String,
    pub text: String,
}

pub fn read_spec(arg: &str) -> Result<SpecSource, InputError> {
    if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(InputError::Stdin)?;
        return Ok(SpecSource {
            name: "<stdin>".to_string(),
            text,
        });
    }
    let text = read_file("spec", Path::new(arg))?;
    Ok(SpecSource {
        name: arg.to_string(),
        text,
    })
}

fn read_file(what: &'static str, path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
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
    let inventory = if args.probe {
        let mut inventory = probe::probe(Path::new("/"))?;
        probe_warnings.append(&mut inventory.warnings);
        Some(inventory)
    } else {
        match &args.inventory {
            Some(path) => Inventory::from_json(&read_file("inventory", path)?)
                .map_err(|d| diagnostics.push(d))
                .ok(),
            None => None,
        }
    };
    let image_config = match &args.image_config {
        Some(path) => ImageConfig::from_json(&read_file("image config", path)?)
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
        secrets.insert(name.clone(), secret_value(name, value)?);
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
            .collect(),
        passwd,
        group,
        ..Options::default()
    })
}

/// `VALUE`, or the text of `FILE` for `@FILE` less one final newline (files written by editors
/// and `echo` end with one, and a secret value never should).
fn secret_value(name: &str, value: &str) -> Result<String, InputError> {
    let Some(file) = value.strip_prefix('@') else {
        return Ok(value.to_string());
    };
    let path = PathBuf::from(file);
    let bytes = std::fs::read(&path).map_err(|source| InputError::Secret {
        name: name.to_string(),
        path: path.clone(),
        source,
    })?;
    let mut text = String::from_utf8(bytes).map_err(|_| InputError::SecretNotText {
        name: name.to_string(),
        path,
    })?;
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
        ]);
        let host_env = vec![("HOME".into(), "/root".into())];
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
        assert_eq!(
            options.host_env.get("HOME").map(String::as_str),
            Some("/root")
        );
        assert!(options.host_network);
        assert_eq!(options.hostname.as_deref(), Some("h"));
        assert_eq!((options.passwd, options.group), (None, None));
        let missing = compile_options(&["--secret", "x=@/nonexistent/bundlec"]);
        assert!(matches!(
            super::options(&missing, None, vec![]),
            Err(InputError::Secret { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
