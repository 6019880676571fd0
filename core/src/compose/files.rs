//! The paths and files a Compose service mounts besides `volumes`: `tmpfs` strings, the files
//! `secrets` and `configs` bind, and host paths resolved against the project folder.

use std::collections::BTreeMap;

use super::Top;
use crate::codes;
use crate::decode::{self, Fields};
use crate::diagnostic::{closest, Diagnostics, Located};
use crate::names::resolve_dots;
use crate::spec::{octal_mode, Storage, StorageKind};
use crate::yaml::{Node, Value};

/// Flags a tmpfs may add after `nosuid` and `nodev`.
const TMPFS_FLAGS: &[&str] = &[
    "ro",
    "rw",
    "exec",
    "noexec",
    "suid",
    "nosuid",
    "dev",
    "nodev",
    "atime",
    "noatime",
    "relatime",
    "strictatime",
    "nodiratime",
];

/// A host path: absolute as written, or resolved against `options.projectDir`.
pub(super) fn host_path(
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
            format!(
                "`{}` starts with the home of whoever runs Compose, which a config cannot know",
                source.value
            ),
            "write the absolute path",
        );
        return None;
    }
    let Some(dir) = top
        .options
        .project_dir
        .as_deref()
        .filter(|d| d.starts_with('/'))
    else {
        diags.error_hint(
            codes::NO_PROJECT_DIR,
            &source.at,
            format!(
                "`{}` is relative, and no project folder was given",
                source.value
            ),
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

/// `PATH[:OPTIONS]` with `size=`, `mode=` and mount flags, as `docker run --tmpfs` reads it.
pub(super) fn tmpfs(text: Located<String>, diags: &mut Diagnostics) -> Option<Storage> {
    let (target, options) = text.value.split_once(':').unwrap_or((&text.value, ""));
    let (mut size, mut mode, mut flags) = (None, None, Vec::new());
    for option in options.split(',').filter(|o| !o.is_empty()) {
        if let Some(value) = option.strip_prefix("size=") {
            match super::limits::parse_size(value) {
                Some(bytes) if bytes > 0 => size = Some(bytes),
                _ => {
                    diags.error_hint(
                        codes::BAD_MEMORY,
                        &text.at,
                        format!("tmpfs size `{value}` is not a size above 0"),
                        "write a size such as `64m`",
                    );
                    return None;
                }
            }
        } else if let Some(value) = option.strip_prefix("mode=") {
            mode = Some(octal_mode(
                &Located {
                    value: value.to_string(),
                    at: text.at.clone(),
                },
                diags,
            )?);
        } else if TMPFS_FLAGS.contains(&option) || owner_option(option) {
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

/// `uid=N` or `gid=N`: the owner of the tmpfs root, which the kernel takes as a mount option.
fn owner_option(option: &str) -> bool {
    ["uid=", "gid="].iter().any(|prefix| {
        option
            .strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A service's `secrets` or `configs` entry: the top-level entry's file, bound read-only.
pub(super) fn file_bind(
    node: &Node<'_>,
    path: &str,
    key: &str,
    entries: &BTreeMap<String, String>,
    default_dir: &str,
    top: &Top<'_>,
    diags: &mut Diagnostics,
) -> Option<Storage> {
    let (source, target) = if let Value::Map(_) = node.value {
        // The file keeps its owner and mode on the host: `uid`, `gid` and `mode` are the
        // engine's (Compose without Swarm ignores them too).
        let fields = Fields::read(
            node,
            path,
            &["source", "target"],
            &["uid", "gid", "mode"],
            diags,
        )?;
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
            None => format!(
                "define it: `{key}: {{ {0}: {{ file: ./{0} }} }}`",
                source.value
            ),
        };
        diags.error_hint(
            codes::BAD_COMPOSE_REFERENCE,
            &source.at,
            format!(
                "`{}` is not defined under the top-level `{key}`",
                source.value
            ),
            hint,
        );
        return None;
    };
    if entry.is_empty() {
        diags.error_hint(
            codes::BAD_COMPOSE_REFERENCE,
            &source.at,
            format!("`{key}.{}` has no `file` to bind", source.value),
            "an external, environment or content entry needs the engine; give a `file`",
        );
        return None;
    }
    // The bind is reported where the service names it.
    let file = Located {
        value: entry.clone(),
        at: source.at.clone(),
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
