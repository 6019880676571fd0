//! A Compose service's storage: `volumes` (short `SRC:DST[:MODE]` and long syntax), `tmpfs`,
//! and the files `secrets` and `configs` bind, relative paths resolved against the project.

use super::{FileEntry, Top};
use crate::codes;
use crate::decode::{self, items, Fields};
use crate::diagnostic::{closest, Diagnostics, Located};
use crate::names::{resolve_dots, valid_volume_name};
use crate::spec::{Service, Storage, StorageKind};
use crate::units::parse_octal_mode;
use crate::yaml::{Node, Value};

/// Mode words of the short syntax that change nothing in a config: SELinux relabelling is the
/// engine's, `nocopy` and the consistency words are Docker Desktop's, and every bind is private.
const NO_EFFECT: &[&str] = &[
    "rw", "z", "Z", "nocopy", "consistent", "cached", "delegated", "private", "rprivate",
];

/// Flags a tmpfs may add after `nosuid` and `nodev`.
const TMPFS_FLAGS: &[&str] = &[
    "ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "atime", "noatime",
    "relatime", "strictatime", "nodiratime",
];

pub(super) fn volumes(
    fields: &Fields<'_>,
    top: &Top<'_>,
    service: &mut Service,
    diags: &mut Diagnostics,
) {
    if let Some((node, path)) = fields.get("volumes") {
        for (item, item_path) in items(node, &path, diags) {
            let read = match item.value {
                Value::Map(_) => long(item, &item_path, top, diags),
                _ => short(item, &item_path, top, diags),
            };
            service.storage.extend(read);
        }
    }
    if let Some((node, path)) = fields.get("tmpfs") {
        let listed = match node.value {
            Value::Seq(_) => decode::strings(node, &path, diags),
            _ => decode::string(node, &path, diags).into_iter().collect(),
        };
        service
            .storage
            .extend(listed.into_iter().filter_map(|text| tmpfs(text, diags)));
    }
    for (key, entries, default_dir) in [
        ("secrets", &top.secrets, "/run/secrets/"),
        ("configs", &top.configs, "/"),
    ] {
        if let Some((node, path)) = fields.get(key) {
            for (item, item_path) in items(node, &path, diags) {
                service.storage.extend(file_bind(
                    item, &item_path, key, entries, default_dir, top, diags,
                ));
            }
        }
    }
}

/// `SRC:DST[:MODE]`, or `DST` alone for an anonymous volume.
fn short(node: &Node<'_>, path: &str, top: &Top<'_>, diags: &mut Diagnostics) -> Option<Storage> {
    let text = decode::string(node, path, diags)?;
    let part = |value: &str| Located {
        value: value.to_string(),
        at: text.at.clone(),
    };
    let parts: Vec<&str> = text.value.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, part(target), ""),
        [source, target] => (Some(part(source)), part(target), ""),
        [source, target, mode] => (Some(part(source)), part(target), *mode),
        _ => {
            diags.error_hint(
                codes::BAD_MOUNT,
                &text.at,
                format!("`{}` has too many `:`", text.value),
                "write `SOURCE:TARGET[:MODE]`, such as `./data:/data:ro`",
            );
            return None;
        }
    };
    if looks_like_port(&target.value) {
        diags.error_hint(
            codes::BAD_MOUNT,
            &text.at,
            format!("`{}` looks like a port mapping, not a volume", text.value),
            "ports go under `ports:`; a volume is `SOURCE:/absolute/target`",
        );
        return None;
    }
    let mut readonly = false;
    for word in mode.split(',').filter(|w| !w.is_empty()) {
        match word {
            "ro" => readonly = true,
            word if NO_EFFECT.contains(&word) => {}
            word => {
                diags.error_hint(
                    codes::UNSUPPORTED_COMPOSE_KEY,
                    &text.at,
                    format!("volume mode `{word}` is not supported"),
                    "use `ro` or `rw`; every bind bundlec writes is private",
                );
                return None;
            }
        }
    }
    let kind = match source {
        None => StorageKind::Anonymous,
        Some(source) => kind_of(source, top, diags)?,
    };
    Some(Storage {
        kind,
        target,
        readonly,
        at: text.at,
    })
}

/// A source path or name: a bind when it is a path, else a named volume.
fn kind_of(source: Located<String>, top: &Top<'_>, diags: &mut Diagnostics) -> Option<StorageKind> {
    if source.value.starts_with(['/', '.', '~']) {
        return Some(StorageKind::Bind {
            source: host_path(source, top, diags)?,
        });
    }
    if !valid_volume_name(&source.value) {
        diags.error_hint(
            codes::BAD_VOLUME_NAME,
            &source.at,
            format!("`{}` is neither a path nor a volume name", source.value),
            "start a host path with `/` or `./`; name volumes with letters, digits, `.`, `_` and `-`",
        );
        return None;
    }
    Some(StorageKind::Named { name: source.value })
}

/// A host path: absolute as written, or resolved against `options.projectDir`.
fn host_path(
    source: Located<String>,
    top: &Top<'_>,
    diags: &mut Diagnostics,
) -> Option<Located<String>> {
    if source.value.starts_with('/') {
        return Some(source);
    }
    if source.value.starts_with('~') {
        diags.error_hint(
            codes::BAD_MOUNT,
            &source.at,
            format!("`{}` starts with the home of whoever runs Compose, which a config cannot know", source.value),
            "write the absolute path",
        );
        return None;
    }
    let Some(dir) = top.options.project_dir.as_deref().filter(|d| d.starts_with('/')) else {
        diags.error_hint(
            codes::NO_PROJECT_DIR,
            &source.at,
            format!("`{}` is relative, and no project folder was given", source.value),
            "give `options.projectDir` (the CLI gives the compose file's folder)",
        );
        return None;
    };
    match resolve_dots(&format!("{dir}/{}", source.value)) {
        Some(path) if path != "/" => Some(Located {
            value: path,
            at: source.at,
        }),
        _ => {
            diags.error(
                codes::BAD_MOUNT,
                &source.at,
                format!("`{}` climbs out of the project folder to `/`", source.value),
            );
            None
        }
    }
}

/// `8080:80`, `80/tcp`, `8000-8010`: what a port looks like where a target should be.
fn looks_like_port(target: &str) -> bool {
    let port = target.split_once('/').map_or(target, |(port, _)| port);
    !port.is_empty() && port.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// The long syntax: `type`, `source`, `target`, `read_only` and the type's own options.
fn long(node: &Node<'_>, path: &str, top: &Top<'_>, diags: &mut Diagnostics) -> Option<Storage> {
    let known = ["type", "source", "target", "read_only", "bind", "volume", "tmpfs"];
    let fields = Fields::read(node, path, &known, &["consistency"], diags)?;
    let kind = fields
        .require("type", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    let target = fields
        .require("target", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    let readonly = fields.boolean("read_only", diags).unwrap_or(false);
    let source = fields.string("source", diags);
    let storage_kind = match (kind.value.as_str(), source) {
        ("bind", Some(source)) => {
            if let Some((node, path)) = fields.get("bind") {
                bind_options(node, &path, diags)?;
            }
            StorageKind::Bind {
                source: host_path(source, top, diags)?,
            }
        }
        ("bind", None) => {
            diags.error(codes::MISSING_FIELD, &node.loc(path), format!("`{path}` needs a `source`"));
            return None;
        }
        ("volume", None) => StorageKind::Anonymous,
        ("volume", Some(source)) => kind_of(source, top, diags)?,
        ("tmpfs", _) => {
            let (mut size, mut mode) = (None, None);
            if let Some((node, path)) = fields.get("tmpfs") {
                let options = Fields::read(node, &path, &["size", "mode"], &[], diags)?;
                if let Some((node, path)) = options.get("size") {
                    size = Some(super::limits::size(node, &path, diags)?.value);
                }
                if let Some(text) = options.string("mode", diags) {
                    mode = Some(octal(&text, diags)?);
                }
            }
            StorageKind::Tmpfs {
                size,
                mode,
                flags: Vec::new(),
            }
        }
        (other, _) => {
            diags.error_hint(
                codes::UNSUPPORTED_COMPOSE_KEY,
                &kind.at,
                format!("volume type `{other}` is not supported"),
                "use `bind`, `volume` or `tmpfs`",
            );
            return None;
        }
    };
    Some(Storage {
        kind: storage_kind,
        target,
        readonly,
        at: node.loc(path),
    })
}

/// A bind's options: private propagation only; `create_host_path` and `selinux` are the
/// engine's work on the host.
fn bind_options(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<()> {
    let fields = Fields::read(node, path, &["propagation"], &["create_host_path", "selinux"], diags)?;
    if let Some(propagation) = fields.string("propagation", diags) {
        if !matches!(propagation.value.as_str(), "private" | "rprivate") {
            diags.error_hint(
                codes::UNSUPPORTED_COMPOSE_KEY,
                &propagation.at,
                format!("bind propagation `{}` is not supported", propagation.value),
                "every bind bundlec writes is `rprivate`",
            );
            return None;
        }
    }
    Some(())
}

fn octal(text: &Located<String>, diags: &mut Diagnostics) -> Option<u32> {
    match parse_octal_mode(text.value.trim()) {
        Ok(mode) => Some(mode),
        Err(message) => {
            diags.error_hint(codes::BAD_MODE, &text.at, message, "write an octal permission such as `1777`");
            None
        }
    }
}

/// `PATH[:OPTIONS]` with `size=`, `mode=` and mount flags, as `docker run --tmpfs` reads it.
fn tmpfs(text: Located<String>, diags: &mut Diagnostics) -> Option<Storage> {
    let (target, options) = text.value.split_once(':').unwrap_or((&text.value, ""));
    let (mut size, mut mode, mut flags) = (None, None, Vec::new());
    for option in options.split(',').filter(|o| !o.is_empty()) {
        if let Some(value) = option.strip_prefix("size=") {
            match super::limits::parse_size(value) {
                Some(bytes) if bytes > 0 => size = Some(bytes),
                _ => {
                    diags.error_hint(codes::BAD_MEMORY, &text.at, format!("tmpfs size `{value}` is not a size above 0"), "write a size such as `64m`");
                    return None;
                }
            }
        } else if let Some(value) = option.strip_prefix("mode=") {
            mode = Some(octal(&Located { value: value.to_string(), at: text.at.clone() }, diags)?);
        } else if TMPFS_FLAGS.contains(&option) {
            flags.push(option.to_string());
        } else {
            diags.error_hint(
                codes::BAD_MOUNT,
                &text.at,
                format!("tmpfs option `{option}` is not known"),
                "use `size=`, `mode=` and mount flags such as `noexec`",
            );
            return None;
        }
    }
    Some(Storage {
        target: Located {
            value: target.to_string(),
            at: text.at.clone(),
        },
        kind: StorageKind::Tmpfs { size, mode, flags },
        readonly: false,
        at: text.at,
    })
}

/// A service's `secrets` or `configs` entry: the top-level entry's file, bound read-only.
fn file_bind(
    node: &Node<'_>,
    path: &str,
    key: &str,
    entries: &std::collections::BTreeMap<String, FileEntry>,
    default_dir: &str,
    top: &Top<'_>,
    diags: &mut Diagnostics,
) -> Option<Storage> {
    let (source, target) = if let Value::Map(_) = node.value {
        // The file keeps its owner and mode on the host: `uid`, `gid` and `mode` are the
        // engine's (Compose without Swarm ignores them too).
        let fields = Fields::read(node, path, &["source", "target"], &["uid", "gid", "mode"], diags)?;
        let source = fields
            .require("source", diags)
            .and_then(|(node, path)| decode::string(node, &path, diags))?;
        (source, fields.string("target", diags))
    } else {
        (decode::string(node, path, diags)?, None)
    };
    let Some(entry) = entries.get(&source.value) else {
        let hint = match closest(&source.value, entries.keys().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("define it: `{key}: {{ {0}: {{ file: ./{0} }} }}`", source.value),
        };
        diags.error_hint(
            codes::BAD_COMPOSE_REFERENCE,
            &source.at,
            format!("`{}` is not defined under the top-level `{key}`", source.value),
            hint,
        );
        return None;
    };
    let Some(file) = entry.file.clone() else {
        diags.error_hint(
            codes::BAD_COMPOSE_REFERENCE,
            &source.at,
            format!("`{key}.{}` has no `file` to bind", source.value),
            "an external, environment or content entry needs the engine; give a `file`",
        );
        return None;
    };
    let target_path = match &target {
        Some(target) if target.value.starts_with('/') => target.value.clone(),
        Some(target) => format!("{default_dir}{}", target.value),
        None => format!("{default_dir}{}", source.value),
    };
    Some(Storage {
        kind: StorageKind::Bind {
            source: host_path(file, top, diags)?,
        },
        target: Located {
            value: target_path,
            at: target.map_or_else(|| source.at.clone(), |t| t.at),
        },
        readonly: true,
        at: node.loc(path),
    })
}
