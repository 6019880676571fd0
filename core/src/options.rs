//! The options a caller gives beside the spec: overrides, host paths, secrets, identity files.
//! One JSON shape for every binding, published as a JSON Schema.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use crate::json::from_json_object;

/// What the node and the operator add to a compile: values for references, host paths of
/// volumes, identity files, overrides (see `bundlec schema options`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// Inventory indices of the GPUs this replica gets; default the first `count` of the vendor.
    #[serde(default)]
    pub gpu_indices: Option<Vec<u32>>,
    /// Share the host's network namespace.
    #[serde(default)]
    pub host_network: bool,
    /// Overrides the container's host name.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Extra environment, applied after the image's and the spec's, in order.
    #[serde(default)]
    pub env: OrderedStrings,
    /// Replaces the process arguments entirely.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Overrides the working directory.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Host paths of volumes: named volumes by name, anonymous ones by target, S3 ones by bucket.
    #[serde(default)]
    pub volumes: BTreeMap<String, String>,
    /// Values for `$S:` references.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Values for `$E:` references.
    #[serde(default)]
    pub host_env: BTreeMap<String, String>,
    /// A host socket bound read-only at the same path in the container.
    #[serde(default)]
    pub socket: Option<String>,
    /// The text of the rootfs `/etc/passwd`.
    #[serde(default)]
    pub passwd: Option<String>,
    /// The text of the rootfs `/etc/group`.
    #[serde(default)]
    pub group: Option<String>,
    /// Overrides `MASTER_ADDR` for distributed GPU jobs.
    #[serde(default)]
    pub master_addr: Option<String>,
    /// The interface `NCCL_SOCKET_IFNAME`/`GLOO_SOCKET_IFNAME` name; default `eth0`.
    #[serde(default)]
    pub socket_ifname: Option<String>,
    /// `root.path`: default `rootfs` in the bundle; `apply` gives the absolute rootfs, since
    /// runc refuses a rootfs reached through a symlink.
    #[serde(default)]
    pub rootfs: Option<String>,
    /// Texts of the seccomp profiles `security_opt: [seccomp=PATH]` names, keyed by PATH as
    /// the spec writes it (the CLI reads them relative to the spec's folder).
    #[serde(default)]
    pub seccomp_profiles: BTreeMap<String, String>,
    /// The Pod Security Standards level the service is checked against; default `privileged`
    /// (no checks).
    #[serde(default)]
    pub policy: PolicyLevel,
    /// What a policy violation does: stop the compile (`enforce`, the default) or ride along
    /// with the config as a warning (`warn`).
    #[serde(default)]
    pub policy_mode: PolicyMode,
}

/// A level of the Kubernetes Pod Security Standards; each allows less than the one before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyLevel {
    /// No checks.
    #[default]
    Privileged,
    /// Blocks the known privilege escalations: host namespaces and paths, privileged mode,
    /// added capabilities beyond the safe ones, unconfined LSMs, unsafe sysctls, devices.
    Baseline,
    /// Baseline, plus the hardening of a least-privilege pod: no capability but
    /// NET_BIND_SERVICE, no-new-privileges, a non-root uid, a seccomp filter.
    Restricted,
}

/// What a policy violation does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyMode {
    /// Violations are errors: no config.
    #[default]
    Enforce,
    /// Violations are warnings: the config is produced.
    Warn,
}

impl Options {
    /// Reads the options' JSON object, or says why it is not one.
    pub fn from_json(text: &str) -> Result<Options, Diagnostic> {
        from_json_object(text).map_err(|problem| {
            Diagnostic::error_at(
                codes::BAD_OPTIONS,
                &Loc::at("options"),
                problem.sentence("the options", true),
            )
            .with_hint("see `bundlec schema options` for the accepted fields")
        })
    }
}

/// A JSON object of strings that keeps its document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedStrings(
    /// The entries, in document order.
    pub Vec<(String, String)>,
);

impl<'de> Deserialize<'de> for OrderedStrings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedStrings;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedStrings, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(OrderedStrings(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

/// The JSON Schema of the options (draft-07), printed by `bundlec schema options`.
pub const OPTIONS_SCHEMA: &str = include_str!("../schema/options.schema.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_keeps_order_and_unknown_fields_fail() {
        let options =
            Options::from_json(r#"{"env":{"B":"1","A":"2"},"hostNetwork":true}"#).unwrap();
        assert_eq!(
            options.env.0,
            vec![("B".into(), "1".into()), ("A".into(), "2".into())]
        );
        assert!(options.host_network);
        let error = Options::from_json(r#"{"hostNetwrk":true}"#).unwrap_err();
        assert!(error.message.contains("hostNetwrk"), "{}", error.message);
    }

    #[test]
    fn policy_defaults_to_privileged_enforce_and_reads_its_names() {
        let options = Options::from_json("{}").unwrap();
        assert_eq!(
            (options.policy, options.policy_mode),
            (PolicyLevel::Privileged, PolicyMode::Enforce)
        );
        let options = Options::from_json(r#"{"policy":"restricted","policyMode":"warn"}"#).unwrap();
        assert_eq!(
            (options.policy, options.policy_mode),
            (PolicyLevel::Restricted, PolicyMode::Warn)
        );
        assert!(PolicyLevel::Privileged < PolicyLevel::Baseline);
        assert!(PolicyLevel::Baseline < PolicyLevel::Restricted);
        let error = Options::from_json(r#"{"policy":"strict"}"#).unwrap_err();
        assert!(error.message.contains("strict"), "{}", error.message);
    }
}
