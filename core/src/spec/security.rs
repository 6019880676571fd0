//! Reading what a service may do: capabilities, privilege, user and groups, the read-only
//! root, `security_opt`, and its limits (`sysctls`, `ulimits`).

use super::model::{
    AppArmorChoice, Confinement, Seccomp, SelinuxChoice, SelinuxLabel, Service, Ulimit,
};
use crate::codes;
use crate::decode::{self, bounded, entries, Fields};
use crate::diagnostic::{Diagnostics, Loc, Located};
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
    service.confinement = confinement(fields.strings("security_opt", diags), diags);
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

/// The forms `security_opt` accepts, for the error that lists them.
const SECURITY_OPT_FORMS: &str = "accepted: `seccomp=unconfined`, `seccomp=PATH`, \
`apparmor=NAME`, `apparmor=unconfined`, `label=user:USER`, `label=role:ROLE`, \
`label=type:TYPE`, `label=level:LEVEL`, `label=disable`, `no-new-privileges[:true|false]` \
(`:` works in place of `=`, as in Docker)";

/// Reads `security_opt` as Docker reads `--security-opt`: `KEY=VALUE` or `KEY:VALUE`; a later
/// option of one kind replaces an earlier one.
pub fn confinement(options: Vec<Located<String>>, diags: &mut Diagnostics) -> Confinement {
    let mut confinement = Confinement::default();
    let mut label = SelinuxLabel::default();
    let mut label_disabled: Option<Loc> = None;
    for option in options {
        let text = option.value.trim();
        let (key, value) = match text.split_once(['=', ':']) {
            Some((key, value)) => (key, Some(value)),
            None => (text, None),
        };
        let at = &option.at;
        let unsupported = |diags: &mut Diagnostics, what: String| {
            diags.error_hint(
                codes::UNSUPPORTED_SECURITY_OPT,
                at,
                what,
                SECURITY_OPT_FORMS,
            );
        };
        match (key, value) {
            ("no-new-privileges", None | Some("true")) => {
                confinement.no_new_privileges = Some(Located {
                    value: true,
                    at: at.clone(),
                });
            }
            ("no-new-privileges", Some("false")) => {
                confinement.no_new_privileges = Some(Located {
                    value: false,
                    at: at.clone(),
                });
            }
            ("seccomp", Some("unconfined")) => {
                confinement.seccomp = Seccomp::Unconfined(at.clone());
            }
            // moby's name for its default profile.
            ("seccomp", Some("builtin")) => confinement.seccomp = Seccomp::Default,
            ("seccomp", Some(path)) if !path.is_empty() => {
                confinement.seccomp = Seccomp::Profile(Located {
                    value: path.to_string(),
                    at: at.clone(),
                });
            }
            ("apparmor", Some(name)) if !name.is_empty() => {
                let choice = if name == "unconfined" {
                    AppArmorChoice::Unconfined
                } else {
                    AppArmorChoice::Profile(name.to_string())
                };
                confinement.apparmor = Some(Located {
                    value: choice,
                    at: at.clone(),
                });
            }
            ("label", Some("disable")) => label_disabled = Some(at.clone()),
            ("label", Some(part)) => {
                let (kind, value) = part.split_once(':').unwrap_or((part, ""));
                let slot = match kind {
                    "user" => &mut label.user,
                    "role" => &mut label.role,
                    "type" => &mut label.kind,
                    "level" => &mut label.level,
                    _ => {
                        unsupported(diags, format!("`{text}` is not an SELinux label option"));
                        continue;
                    }
                };
                if value.is_empty() || value.contains(char::is_whitespace) {
                    diags.error_hint(
                        codes::UNSUPPORTED_SECURITY_OPT,
                        at,
                        format!("the SELinux {kind} in `{text}` is empty or has spaces"),
                        format!("write `label={kind}:VALUE`"),
                    );
                    continue;
                }
                *slot = Some(Located {
                    value: value.to_string(),
                    at: at.clone(),
                });
            }
            _ => unsupported(diags, format!("security option `{text}` is not supported")),
        }
    }
    let label_set = [&label.user, &label.role, &label.kind, &label.level]
        .into_iter()
        .flatten()
        .next()
        .cloned();
    confinement.selinux = match (label_disabled, label_set) {
        (Some(disabled), Some(part)) => {
            diags.error_hint(
                codes::UNSUPPORTED_SECURITY_OPT,
                &part.at,
                "`label=disable` and an SELinux label part contradict each other",
                "keep `label=disable` or the label parts, not both",
            );
            Some(SelinuxChoice::Disabled(disabled))
        }
        (Some(disabled), None) => Some(SelinuxChoice::Disabled(disabled)),
        (None, Some(_)) => Some(SelinuxChoice::Label(Box::new(label))),
        (None, None) => None,
    };
    confinement
}
