//! A Compose service's storage: `volumes` (short `SRC:DST[:MODE]` and long syntax), `tmpfs`,
//! and the files `secrets` and `configs` bind (their readers in `files`).

use super::{files, Top};
use crate::codes;
use crate::decode::{self, items, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::names::valid_volume_name;
use crate::spec::{Service, Storage, StorageKind};
use crate::yaml::{Node, Value};

/// Mode words of the short syntax that change nothing in a config: SELinux relabelling is the
/// engine's, `nocopy` and the consistency words are Docker Desktop's, and every bind is private.
const NO_EFFECT: &[&str] = &[
    "rw",
    "z",
    "Z",
    "nocopy",
    "consistent",
    "cached",
    "delegated",
    "private",
    "rprivate",
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
        service.storage.extend(
            listed
                .into_iter()
                .filter_map(|text| files::tmpfs(text, diags)),
        );
    }
    for (key, entries, default_dir) in [
        ("secrets", &top.secrets, "/run/secrets/"),
        ("configs", &top.configs, "/"),
    ] {
        if let Some((node, path)) = fields.get(key) {
            for (item, item_path) in items(node, &path, diags) {
                service.storage.extend(files::file_bind(
                    item,
                    &item_path,
                    key,
                    entries,
                    default_dir,
                    top,
                    diags,
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
            source: files::host_path(source, top, diags)?,
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

/// `8080:80`, `80/tcp`, `8000-8010`: what a port looks like where a target should be.
fn looks_like_port(target: &str) -> bool {
    let port = target.split_once('/').map_or(target, |(port, _)| port);
    !port.is_empty() && port.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// The long syntax: `type`, `source`, `target`, `read_only` and the type's own options.
fn long(node: &Node<'_>, path: &str, top: &Top<'_>, diags: &mut Diagnostics) -> Option<Storage> {
    let known = [
        "type",
        "source",
        "target",
        "read_only",
        "bind",
        "volume",
        "tmpfs",
    ];
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
                source: files::host_path(source, top, diags)?,
            }
        }
        ("bind", None) => {
            diags.error(
                codes::MISSING_FIELD,
                &node.loc(path),
                format!("`{path}` needs a `source`"),
            );
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
                    mode = Some(crate::spec::octal_mode(&text, diags)?);
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
    let fields = Fields::read(
        node,
        path,
        &["propagation"],
        &["create_host_path", "selinux"],
        diags,
    )?;
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
