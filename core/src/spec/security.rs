//! Reading what a service may do: capabilities, privilege, user and groups, the read-only
//! root, `security_opt`, and its limits (`sysctls`, `ulimits`).

use super::model::{Service, Ulimit};
use crate::codes;
use crate::decode::{self, bounded, entries, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::yaml::{Node, Value};

/// Capabilities, `privileged`, `user`, `extra_groups` and `read_only_root_fs`.
pub(super) fn identity(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    service.cap_add = fields.strings("capabilities", diags);
    service.cap_add.extend(fields.strings("cap_add", diags));
    service.cap_drop = fields.strings("cap_drop", diags);
    service.privileged = fields.boolean("privileged", diags).unwrap_or(false);
    service.user = fields.string("user", diags);
    service.extra_groups = fields.strings("extra_groups", diags);
    service.read_only_root_fs = fields.boolean("read_only_root_fs", diags).unwrap_or(false);
}

/// `sysctls`, `ulimits` and `security_opt`.
pub(super) fn limits(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    if let Some((node, path)) = fields.get("sysctls") {
        for (key, value, value_path) in entries(node, &path, diags) {
            if let Some(value) = decode::string(value, &value_path, diags) {
                service.sysctls.push((key, value.value));
            }
        }
    }
    if let Some((node, path)) = fields.get("ulimits") {
        service.ulimits = entries(node, &path, diags)
            .into_iter()
            .filter_map(|(name, value, path)| ulimit(name, value, &path, diags))
            .collect();
    }
    for option in fields.strings("security_opt", diags) {
        match security_opt(&option.value) {
            Some(flag) => service.no_new_privileges = Some(flag),
            None => diags.error_hint(
                codes::UNSUPPORTED_SECURITY_OPT,
                &option.at,
                format!("security option `{}` is not supported", option.value),
                "bundlec supports `no-new-privileges:true` and `no-new-privileges:false`",
            ),
        }
    }
}

fn ulimit(
    name: Located<String>,
    node: &Node<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Option<Ulimit> {
    let limit = |node: &Node<'_>, path: &str, diags: &mut Diagnostics| {
        if matches!(&node.value, Value::Scalar { text, .. } if text == "-1" || text == "unlimited")
        {
            return Some(u64::MAX);
        }
        bounded(
            node,
            path,
            0,
            i128::from(u64::MAX),
            codes::BAD_ULIMIT,
            diags,
        )
        .and_then(|v| u64::try_from(v).ok())
    };
    let (soft, hard) = if matches!(node.value, Value::Map(_)) {
        let fields = Fields::read(node, path, &["soft", "hard"], &[], diags)?;
        let (soft_node, soft_path) = fields.require("soft", diags)?;
        let soft = limit(soft_node, &soft_path, diags)?;
        let (hard_node, hard_path) = fields.require("hard", diags)?;
        let hard = limit(hard_node, &hard_path, diags)?;
        (soft, hard)
    } else {
        let both = limit(node, path, diags)?;
        (both, both)
    };
    if soft > hard {
        diags.error(
            codes::BAD_ULIMIT,
            &node.loc(path),
            format!(
                "ulimit `{}` has a soft limit above its hard limit",
                name.value
            ),
        );
        return None;
    }
    Some(Ulimit { name, soft, hard })
}

fn security_opt(option: &str) -> Option<bool> {
    match option {
        "no-new-privileges" | "no-new-privileges:true" | "no-new-privileges=true" => Some(true),
        "no-new-privileges:false" | "no-new-privileges=false" => Some(false),
        _ => None,
    }
}
