//! Reading a service's `storage`: binds, named, anonymous and S3 volumes, and tmpfs mounts,
//! each type with its own fields.

use super::model::{Storage, StorageKind};
use super::resources::nonzero_memory;
use crate::codes;
use crate::decode::{self, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::names::valid_volume_name;
use crate::units::parse_octal_mode;
use crate::yaml::{Node, Value};

pub(super) fn storage(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Storage> {
    let Some((type_node, type_path)) = decode::peek(node, path, "type") else {
        if matches!(node.value, Value::Map(_)) {
            diags.error_hint(
                codes::MISSING_FIELD,
                &node.loc(path),
                format!("`{path}` needs a `type` field"),
                "use bind, named, anonymous, tmpfs or s3",
            );
        } else {
            diags.push(decode::wrong_type(node, path, "a map"));
        }
        return None;
    };
    let kind = decode::string(type_node, &type_path, diags)?;
    let Some(known) = fields_of(&kind.value) else {
        diags.error_hint(
            codes::BAD_STORAGE_TYPE,
            &kind.at,
            format!("storage type `{}` is not known", kind.value),
            "use bind, named, anonymous, tmpfs or s3",
        );
        return None;
    };
    // Each type has its own fields, so `mode` on a bind is reported.
    let fields = Fields::read(node, path, known, &[], diags)?;
    let target = fields
        .require("target", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    let readonly = fields.boolean("readonly", diags).unwrap_or(false);
    Some(Storage {
        kind: kind_of(&kind.value, &fields, diags)?,
        target,
        readonly,
        at: node.loc(path),
    })
}

/// The fields a storage type has, or `None` for an unknown type.
fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "bind" => &["type", "source", "target", "readonly"],
        "named" => &["type", "name", "target", "readonly", "tier", "size"],
        "anonymous" => &["type", "target", "tier"],
        "tmpfs" => &["type", "target", "size", "mode"],
        "s3" => &[
            "type", "bucket", "prefix", "target", "readonly", "endpoint", "region",
        ],
        _ => return None,
    })
}

/// What a storage entry of a known type mounts, from the fields of that type.
fn kind_of(kind: &str, fields: &Fields<'_>, diags: &mut Diagnostics) -> Option<StorageKind> {
    Some(match kind {
        "bind" => StorageKind::Bind {
            source: fields
                .require("source", diags)
                .and_then(|(node, path)| decode::string(node, &path, diags))?,
        },
        "named" => {
            let name = fields
                .require("name", diags)
                .and_then(|(node, path)| decode::string(node, &path, diags))?;
            if !valid_volume_name(&name.value) {
                diags.error_hint(
                    codes::BAD_VOLUME_NAME,
                    &name.at,
                    format!("`{}` is not a valid volume name", name.value),
                    "use letters, digits, `.`, `_` and `-`; not `.` or `..`",
                );
                return None;
            }
            StorageKind::Named { name: name.value }
        }
        "anonymous" => StorageKind::Anonymous,
        "tmpfs" => {
            let size = match fields.get("size") {
                Some((node, path)) => Some(nonzero_memory(
                    node,
                    &path,
                    "a tmpfs size of 0 means no limit to the kernel",
                    diags,
                )?),
                None => None,
            };
            let mode = match fields.get("mode") {
                Some((node, path)) => Some(mode(node, &path, diags)?),
                None => None,
            };
            StorageKind::Tmpfs {
                size,
                mode,
                flags: Vec::new(),
            }
        }
        _ => StorageKind::S3 {
            bucket: fields
                .require("bucket", diags)
                .and_then(|(node, path)| decode::string(node, &path, diags))?
                .value,
        },
    })
}

/// `mode: 1777`, `mode: "1777"` and `mode: 0o1777` all mean 0o1777.
fn mode(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<u32> {
    let text = decode::string(node, path, diags)?;
    octal_mode(&text, diags)
}

/// An octal permission as written (`1777`, `0o1777`), or a `bad-mode` error at it; the
/// Compose reader reads its modes through this too.
pub(crate) fn octal_mode(text: &Located<String>, diags: &mut Diagnostics) -> Option<u32> {
    match parse_octal_mode(text.value.trim()) {
        Ok(mode) => Some(mode),
        Err(message) => {
            diags.error_hint(
                codes::BAD_MODE,
                &text.at,
                message,
                "write an octal permission such as `1777` or `0o755`",
            );
            None
        }
    }
}
