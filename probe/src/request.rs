//! Turns command line inputs into a `bundlec_core::Request`: reads the inventory, image config,
//! secrets, the rootfs identity files and the spec's seccomp profiles, and fills `Options`. No
//! compile rule lives here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bundlec_core::OrderedStrings;
use bundlec_core::{Diagnostic, ImageConfig, Inventory, Options, Request};

use crate::cli::CompileOptions;
use crate::input::{read_text, SpecSource};
use crate::path_error::PathError;
use crate::{compose_files, confined, probe, seccomp_files};

/// A request and what came with it.
#[derive(Debug)]
pub struct Built {
    /// The request, or the diagnostics of its inventory and image config.
    pub request: Result<Request, Vec<Diagnostic>>,
    /// The warnings of a live `--probe`.
    pub probe_warnings: Vec<String>,
}

/// Refuses a `--rootfs` that is not a directory.
pub fn check_rootfs(rootfs: &Path) -> Result<(), PathError> {
    if rootfs.is_dir() {
        Ok(())
    } else {
        Err(PathError::RootfsNotADirectory(rootfs.to_path_buf()))
    }
}

/// The node's inventory (`--probe` or `--inventory`), read before the rest of the request when
/// an image must be resolved for its platform.
#[derive(Debug, Default)]
pub struct Node {
    pub inventory: Option<Inventory>,
    /// The inventory's diagnostics, when it is not valid.
    pub diagnostics: Vec<Diagnostic>,
    /// The warnings of a live `--probe`.
    pub probe_warnings: Vec<String>,
}

/// The request the inputs describe; file errors are `Err`. `rootfs`, when given, has been
/// checked to be a directory (`check_rootfs`, or `bundle::check` for `apply`).
pub fn build(
    spec: &SpecSource,
    args: &CompileOptions,
    rootfs: Option<&Path>,
) -> Result<Built, PathError> {
    build_with(spec, args, read_node(args)?, None, rootfs)
}

/// Reads the inventory, or probes this host for it.
pub fn read_node(args: &CompileOptions) -> Result<Node, PathError> {
    let mut diagnostics = Vec::new();
    let mut probe_warnings = Vec::new();
    let limit = args.max_input_bytes;
    let inventory = if args.probe {
        let mut inventory = probe::scan_host(Path::new("/"))?;
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
    Ok(Node {
        inventory,
        diagnostics,
        probe_warnings,
    })
}

/// `build` from a node already read, and with the image config of `--image` when one was
/// resolved (`image_config`, the config document's text).
pub fn build_with(
    spec: &SpecSource,
    args: &CompileOptions,
    node: Node,
    image_config: Option<&str>,
    rootfs: Option<&Path>,
) -> Result<Built, PathError> {
    let Node {
        inventory,
        mut diagnostics,
        probe_warnings,
    } = node;
    let limit = args.max_input_bytes;
    let image_config = match (image_config, &args.image_config) {
        (Some(text), _) => ImageConfig::from_json(text)
            .map_err(|d| diagnostics.push(d))
            .ok(),
        (None, Some(path)) => ImageConfig::from_json(&read_text("the image config", path, limit)?)
            .map_err(|d| diagnostics.push(d))
            .ok(),
        (None, None) => None,
    };
    let mut options = options(args, rootfs, std::env::vars_os())?;
    // One outline for every file read beside the spec: each would otherwise parse it again.
    let outline = bundlec_core::outline(&spec.text).ok();
    let (profiles, mut unreadable) = seccomp_files::read(
        spec,
        outline.as_ref(),
        args.service.as_deref(),
        args.max_input_bytes,
    );
    options.seccomp_profiles = profiles;
    diagnostics.append(&mut unreadable);
    diagnostics.append(&mut compose_files::fill(
        spec,
        outline.as_ref(),
        args.service.as_deref(),
        limit,
        &mut options,
    )?);
    let request = if diagnostics.is_empty() {
        Ok(Request {
            spec: spec.text.clone(),
            service: args.service.clone(),
            replica: args.replica,
            inventory,
            image_config,
            options,
        })
    } else {
        Err(diagnostics)
    };
    Ok(Built {
        request,
        probe_warnings,
    })
}

/// The `Options` the flags describe; `host_env` becomes the values of `$E:` references, and the
/// identity files of `rootfs` (a checked directory) give user and group names.
pub fn options(
    args: &CompileOptions,
    rootfs: Option<&Path>,
    host_env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Options, PathError> {
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
fn secret_value(name: &str, value: &str, limit: u64) -> Result<String, PathError> {
    let Some(file) = value.strip_prefix('@') else {
        return Ok(value.to_string());
    };
    let mut text = read_text(format!("secret `{name}` from"), Path::new(file), limit)?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// A volume path as the core wants it: absolute (relative ones are taken from the current directory).
fn absolute(name: &str, path: &Path) -> Result<String, PathError> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::path::absolute(path).map_err(PathError::CurrentDir)?
    };
    path.into_os_string()
        .into_string()
        .map_err(|path| PathError::VolumeNotUtf8 {
            name: name.to_string(),
            path: PathBuf::from(path),
        })
}

/// `passwd` or `group` of the rootfs, read without following links out of it; missing is `None`.
fn identity_file(rootfs: &Path, file: &'static str) -> Result<Option<String>, PathError> {
    confined::read_to_string(rootfs, Path::new(file)).map_err(|source| PathError::InRootfs {
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
            Err(PathError::Io { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
