//! Reading a spec: the top level and each service, field by field; the larger sections have
//! their own readers beside this one.

use super::model::{Deployment, EnvValue, EnvVar, Scale, Service};
use super::{devices, network, resources, security, storage};
use crate::codes;
use crate::decode::{self, bounded, entries, items, Fields};
use crate::diagnostic::{join_path, Diagnostics, Located};
use crate::names::{valid_deployment_name, valid_env_key};
use crate::yaml::{self, Node, Value};

const TOP_FIELDS: &[&str] = &["version", "deployment", "services"];
const TOP_IGNORED: &[&str] = &["externals", "tunnels", "api"];
const SERVICE_FIELDS: &[&str] = &[
    "image",
    "command",
    "env",
    "resources",
    "devices",
    "storage",
    "capabilities",
    "cap_add",
    "cap_drop",
    "privileged",
    "user",
    "extra_groups",
    "read_only_root_fs",
    "tty",
    "hostname",
    "dns",
    "extra_hosts",
    "sysctls",
    "ulimits",
    "security_opt",
    "labels",
    "network_mode",
    "scale",
];
/// Keys that orchestrate rather than configure a container: accepted so real ZLayer files compile.
const SERVICE_IGNORED: &[&str] = &[
    "rtype",
    "schedule",
    "endpoints",
    "depends",
    "health",
    "init",
    "errors",
    "network",
    "port_mappings",
    "node_mode",
    "node_selector",
    "platform",
    "service_type",
    "wasm",
    "logs",
    "restart_policy",
    "stop_signal",
    "stop_grace_period",
];

/// Reads a spec from YAML, or JSON when it starts with `{`; YAML 1.2 reads both with positions.
pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<Deployment> {
    match yaml::parse(text) {
        Ok(root) => read(&root, diags),
        Err(diagnostic) => {
            diags.push(diagnostic);
            None
        }
    }
}

/// Reads a ZLayer spec from its tree.
pub(crate) fn read(root: &Node<'_>, diags: &mut Diagnostics) -> Option<Deployment> {
    let fields = Fields::read(root, "", TOP_FIELDS, TOP_IGNORED, diags)?;
    if let Some(version) = fields
        .require("version", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))
    {
        if version.value != "v1" {
            diags.error(
                codes::UNSUPPORTED_VERSION,
                &version.at,
                format!("spec version `{}` is not supported", version.value),
            );
        }
    }
    let name = fields
        .require("deployment", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags));
    if let Some(name) = &name {
        if !valid_deployment_name(&name.value) {
            diags.error_hint(
                codes::BAD_DEPLOYMENT_NAME,
                &name.at,
                format!("`{}` is not a valid deployment name", name.value),
                "use 3 to 63 letters, digits and dashes, starting with a letter or digit",
            );
        }
    }
    let mut services = Vec::new();
    if let Some((node, path)) = fields.require("services", diags) {
        for (key, value, service_path) in entries(node, &path, diags) {
            services.push(service(key, value, &service_path, diags));
        }
        if services.is_empty() && matches!(node.value, Value::Map(_)) {
            diags.error(
                codes::NO_SERVICES,
                &node.loc(&path),
                "the deployment has no services",
            );
        }
    }
    Some(Deployment {
        name: name.map(|n| n.value).unwrap_or_default(),
        services,
        compose: false,
        host_vars: Vec::new(),
    })
}

fn service(name: Located<String>, node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Service {
    let mut service = Service {
        name: name.value,
        at: name.at,
        ..Service::default()
    };
    let Some(fields) = Fields::read(node, path, SERVICE_FIELDS, SERVICE_IGNORED, diags) else {
        return service;
    };
    service.written_keys = fields
        .entries
        .iter()
        .filter_map(|(key, _, value)| {
            let known = SERVICE_FIELDS.iter().find(|known| *known == key)?;
            Some((*known, value.loc(&join_path(path, known))))
        })
        .collect();
    if let Some((node, path)) = fields.require("image", diags) {
        if let Some(image) = Fields::read(node, &path, &["name", "pull_policy"], &[], diags) {
            service.image = image
                .require("name", diags)
                .and_then(|(node, path)| decode::string(node, &path, diags));
        }
    }
    if let Some((node, path)) = fields.get("command") {
        command(node, &path, &mut service, diags);
    }
    if let Some((node, path)) = fields.get("env") {
        service.env = env(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("resources") {
        service.resources = resources::resources(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("devices") {
        for (node, path) in items(node, &path, diags) {
            match devices::device(node, &path, diags) {
                Some(devices::DeviceEntry::Node(request)) => service.devices.push(request),
                Some(devices::DeviceEntry::Cdi(request)) => service.cdi_devices.push(request),
                None => {}
            }
        }
    }
    if let Some((node, path)) = fields.get("storage") {
        service.storage = items(node, &path, diags)
            .into_iter()
            .filter_map(|(node, path)| storage::storage(node, &path, diags))
            .collect();
    }
    security::identity(&fields, &mut service, diags);
    service.tty = fields.boolean("tty", diags).unwrap_or(false);
    network::names(&fields, &mut service, diags);
    security::limits(&fields, &mut service, diags);
    if let Some((node, path)) = fields.get("labels") {
        service.labels = labels(node, &path, diags);
    }
    network::mode(&fields, &mut service, diags);
    // Without `scale`, ZLayer scales adaptively: the replica count is not known here.
    if let Some((node, path)) = fields.get("scale") {
        service.scale = Some(Located {
            value: Scale {
                fixed_replicas: scale(node, &path, diags),
                max_replicas: adaptive_max(node, &path),
            },
            at: node.loc(&path),
        });
    }
    service
}

/// `command`: the entrypoint and args, each word where it is written, and an absolute workdir.
fn command(node: &Node<'_>, path: &str, service: &mut Service, diags: &mut Diagnostics) {
    let Some(command) = Fields::read(node, path, &["entrypoint", "args", "workdir"], &[], diags)
    else {
        return;
    };
    if let Some((node, path)) = command.get("entrypoint") {
        service.entrypoint = Some(decode::strings(node, &path, diags));
    }
    if let Some((node, path)) = command.get("args") {
        service.args = Some(decode::strings(node, &path, diags));
    }
    service.workdir = command.string("workdir", diags);
    if let Some(workdir) = &service.workdir {
        if !workdir.value.starts_with('/') {
            diags.error(
                codes::BAD_PATH,
                &workdir.at,
                format!("the working directory `{}` must be absolute", workdir.value),
            );
        }
    }
}

fn env(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Vec<EnvVar> {
    let mut vars = Vec::new();
    for (key, value, value_path) in entries(node, path, diags) {
        if !valid_env_key_at(&key, diags) {
            continue;
        }
        if matches!(value.value, Value::Null) {
            diags.error_hint(
                codes::BAD_ENV_VALUE,
                &value.loc(&value_path),
                format!("`{}` has no value", key.value),
                "write `\"\"` for an empty value",
            );
            continue;
        }
        let Some(text) = decode::string(value, &value_path, diags) else {
            continue;
        };
        let value = if let Some(name) = text.value.strip_prefix("$E:") {
            EnvValue::HostEnv(name.to_string())
        } else if let Some(reference) = text.value.strip_prefix("$S:") {
            EnvValue::Secret(reference.to_string())
        } else {
            EnvValue::Literal(text.value)
        };
        vars.push(EnvVar {
            key: key.value,
            value,
            at: text.at,
        });
    }
    vars
}

/// `labels`, in document order; a key must not be empty.
fn labels(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    for (key, value, value_path) in entries(node, path, diags) {
        if key.value.is_empty() {
            diags.error(codes::BAD_LABEL, &key.at, "a label needs a non-empty key");
        } else if let Some(value) = decode::string(value, &value_path, diags) {
            labels.push((key.value, value.value));
        }
    }
    labels
}

fn scale(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<u32> {
    let Value::Map(_) = node.value else {
        diags.push(decode::wrong_type(node, path, "a map"));
        return None;
    };
    // Scaling orchestrates; only a fixed replica count matters here, so other keys pass.
    let fields = Fields::read(
        node,
        path,
        &["mode", "replicas"],
        &["min", "max", "cooldown", "targets"],
        diags,
    )?;
    let mode = fields
        .string("mode", diags)
        .map_or_else(|| "fixed".to_string(), |m| m.value);
    if mode != "fixed" {
        return None;
    }
    match fields.get("replicas") {
        None => Some(1),
        Some((node, path)) => bounded(node, &path, 1, 100_000, codes::BAD_REPLICAS, diags)
            .and_then(|v| u32::try_from(v).ok()),
    }
}

/// The `max` of a scale whose mode is not `fixed`, read without reporting anything.
fn adaptive_max(node: &Node<'_>, path: &str) -> Option<u32> {
    let text = |key: &str| match decode::peek(node, path, key) {
        Some((
            Node {
                value: Value::Scalar { text, .. },
                ..
            },
            _,
        )) => Some(text.as_ref()),
        _ => None,
    };
    if text("mode").is_none_or(|mode| mode == "fixed") {
        return None;
    }
    let max = yaml::parse_int(text("max")?.trim())?;
    u32::try_from(max).ok().filter(|&max| max >= 1)
}

/// Whether an environment variable name is valid, reporting a `bad-env-key` error at it when
/// not; the Compose reader checks its names through this too.
pub(crate) fn valid_env_key_at(key: &Located<String>, diags: &mut Diagnostics) -> bool {
    let valid = valid_env_key(&key.value);
    if !valid {
        diags.error_hint(
            codes::BAD_ENV_KEY,
            &key.at,
            format!(
                "`{}` is not a valid environment variable name",
                key.value.escape_debug()
            ),
            "a name must be non-empty and hold no `=` or NUL",
        );
    }
    valid
}
