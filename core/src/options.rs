//! The options a caller gives beside the spec: overrides, host paths, secrets, identity files.
//! One JSON shape for every binding, published as a JSON Schema.

use std::collections::BTreeMap;

use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use crate::json::{self, defaulted, optional, Invalid, Json, JsonProblem};

/// What the node and the operator add to a compile: values for references, host paths of
/// volumes, identity files, overrides (see `bundlec schema options`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Inventory indices of the GPUs this replica gets; default the first `count` of the vendor.
    pub gpu_indices: Option<Vec<u32>>,
    /// Share the host's network namespace.
    pub host_network: bool,
    /// Overrides the container's host name.
    pub hostname: Option<String>,
    /// Extra environment, applied after the image's and the spec's, in order.
    pub env: OrderedStrings,
    /// Replaces the process arguments entirely.
    pub args: Option<Vec<String>>,
    /// Overrides the working directory.
    pub cwd: Option<String>,
    /// Host paths of volumes: named volumes by name, anonymous ones by target, S3 ones by bucket.
    pub volumes: BTreeMap<String, String>,
    /// Values for `$S:` references.
    pub secrets: BTreeMap<String, String>,
    /// Values for `$E:` references.
    pub host_env: BTreeMap<String, String>,
    /// A host socket bound read-only at the same path in the container.
    pub socket: Option<String>,
    /// The text of the rootfs `/etc/passwd`.
    pub passwd: Option<String>,
    /// The text of the rootfs `/etc/group`.
    pub group: Option<String>,
    /// Overrides `MASTER_ADDR` for distributed GPU jobs.
    pub master_addr: Option<String>,
    /// The interface `NCCL_SOCKET_IFNAME`/`GLOO_SOCKET_IFNAME` name; default `eth0`.
    pub socket_ifname: Option<String>,
    /// `root.path`: default `rootfs` in the bundle; `apply` gives the absolute rootfs, since
    /// runc refuses a rootfs reached through a symlink.
    pub rootfs: Option<String>,
    /// Texts of the seccomp profiles `security_opt: [seccomp=PATH]` names, keyed by PATH as
    /// the spec writes it (the CLI reads them relative to the spec's folder).
    pub seccomp_profiles: BTreeMap<String, String>,
    /// The Pod Security Standards level the service is checked against; default `privileged`
    /// (no checks).
    pub policy: PolicyLevel,
    /// What a policy violation does: stop the compile (`enforce`, the default) or ride along
    /// with the config as a warning (`warn`).
    pub policy_mode: PolicyMode,
    /// Compose: the project name when the file has no `name:` (the CLI gives the folder's).
    pub project: Option<String>,
    /// Compose: the absolute folder relative paths are resolved against (binds, secrets).
    pub project_dir: Option<String>,
    /// Compose: the texts of the `env_file` files, keyed by the path as the file writes it;
    /// `.env` is also the project's `.env`, which `${VAR}` reads under `host_env`.
    pub env_files: BTreeMap<String, String>,
}

/// A level of the Kubernetes Pod Security Standards; each allows less than the one before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
        json::json_object(text)
            .and_then(|value| read(&value).map_err(|error| JsonProblem::Invalid(error.message())))
            .map_err(|problem| {
                Diagnostic::error_at(
                    codes::BAD_OPTIONS,
                    &Loc::at("options"),
                    problem.sentence("the options", true),
                )
                .with_hint("see `bundlec schema options` for the accepted fields")
            })
    }
}

/// The fields, as `bundlec schema options` names them.
const FIELDS: &[&str] = &[
    "gpuIndices",
    "hostNetwork",
    "hostname",
    "env",
    "args",
    "cwd",
    "volumes",
    "secrets",
    "hostEnv",
    "socket",
    "passwd",
    "group",
    "masterAddr",
    "socketIfname",
    "rootfs",
    "seccompProfiles",
    "policy",
    "policyMode",
    "project",
    "projectDir",
    "envFiles",
];

fn read(value: &Json<'_>) -> Result<Options, Invalid> {
    let map = json::object(value, FIELDS)?;
    let text = |key| optional(map, key, json::string);
    let strings = |key| defaulted(map, key, json::string_map);
    Ok(Options {
        gpu_indices: optional(map, "gpuIndices", json::whole_u32s)?,
        host_network: defaulted(map, "hostNetwork", json::boolean)?,
        hostname: text("hostname")?,
        env: OrderedStrings(defaulted(map, "env", json::string_pairs)?),
        args: optional(map, "args", json::strings)?,
        cwd: text("cwd")?,
        volumes: strings("volumes")?,
        secrets: strings("secrets")?,
        host_env: strings("hostEnv")?,
        socket: text("socket")?,
        passwd: text("passwd")?,
        group: text("group")?,
        master_addr: text("masterAddr")?,
        socket_ifname: text("socketIfname")?,
        rootfs: text("rootfs")?,
        seccomp_profiles: strings("seccompProfiles")?,
        policy: defaulted(map, "policy", |value| {
            json::one_of(
                value,
                &[
                    ("privileged", PolicyLevel::Privileged),
                    ("baseline", PolicyLevel::Baseline),
                    ("restricted", PolicyLevel::Restricted),
                ],
            )
        })?,
        policy_mode: defaulted(map, "policyMode", |value| {
            json::one_of(
                value,
                &[("enforce", PolicyMode::Enforce), ("warn", PolicyMode::Warn)],
            )
        })?,
        project: text("project")?,
        project_dir: text("projectDir")?,
        env_files: strings("envFiles")?,
    })
}

/// A JSON object of strings that keeps its document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedStrings(
    /// The entries, in document order.
    pub Vec<(String, String)>,
);

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
        assert_eq!(
            error.message,
            "the options are not valid: unknown field `hostNetwrk` (did you mean `hostNetwork`?)"
        );
        assert_eq!(error.path, "options");
    }

    #[test]
    fn types_are_checked_and_null_is_absent_only_where_optional() {
        let options = Options::from_json(
            r#"{"hostname":null,"gpuIndices":[1,0],"args":["a"],"volumes":{"data":"/srv"},"policy":"baseline"}"#,
        )
        .unwrap();
        assert_eq!(options.hostname, None);
        assert_eq!(options.gpu_indices, Some(vec![1, 0]));
        assert_eq!(options.args, Some(vec!["a".to_string()]));
        assert_eq!(options.volumes["data"], "/srv");
        assert_eq!(options.policy, PolicyLevel::Baseline);
        for (text, message) in [
            (
                r#"{"hostNetwork":null}"#,
                "`hostNetwork` must be true or false",
            ),
            (
                r#"{"gpuIndices":[0,-1]}"#,
                "`gpuIndices[1]` must be a whole number from 0 to 4294967295",
            ),
            (r#"{"secrets":{"db":1}}"#, "`secrets.db` must be a string"),
            (r#"{"env":["A=1"]}"#, "`env` must be an object of strings"),
            (r#"{"cwd":["/"]}"#, "`cwd` must be a string"),
        ] {
            let error = Options::from_json(text).unwrap_err();
            assert_eq!(
                error.message,
                format!("the options are not valid: {message}"),
                "{text}"
            );
        }
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
