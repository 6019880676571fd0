//! The ZLayer v1 deployment spec: its model, and its reading from YAML or JSON text.
//! Reading checks each value on its own; rules that need the inventory or options live in the output sections.

use std::net::IpAddr;

use crate::codes;
use crate::decode::{self, bounded, entries, items, Fields};
use crate::diagnostic::{Diagnostics, Loc, Located};
use crate::names::{self, valid_deployment_name, valid_env_key, valid_hostname, valid_volume_name};
use crate::units::{cpu_quota, parse_cpus, parse_memory, parse_octal_mode, valid_cpuset};
use crate::yaml::{self, Node, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub name: String,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    pub name: String,
    /// Where the service's key is: `services.<name>`.
    pub at: Loc,
    pub image: Option<Located<String>>,
    /// `command.entrypoint` and `command.args`, each word where it is written.
    pub entrypoint: Option<Vec<Located<String>>>,
    pub args: Option<Vec<Located<String>>>,
    pub workdir: Option<Located<String>>,
    pub env: Vec<EnvVar>,
    pub resources: Resources,
    pub devices: Vec<DeviceRequest>,
    pub storage: Vec<Storage>,
    pub cap_add: Vec<Located<String>>,
    pub cap_drop: Vec<Located<String>>,
    pub privileged: bool,
    pub user: Option<Located<String>>,
    pub extra_groups: Vec<Located<String>>,
    pub read_only_root_fs: bool,
    pub tty: bool,
    pub hostname: Option<Located<String>>,
    /// `dns`, where the list is written; only the valid addresses.
    pub dns: Option<Located<Vec<IpAddr>>>,
    /// `extra_hosts` as (name, address), where the list is written; only the valid entries.
    pub extra_hosts: Option<Located<Vec<(String, IpAddr)>>>,
    pub sysctls: Vec<(Located<String>, String)>,
    pub ulimits: Vec<Ulimit>,
    /// From `security_opt: [no-new-privileges:…]`.
    pub no_new_privileges: Option<bool>,
    pub labels: Vec<(String, String)>,
    pub network_mode: NetworkMode,
    /// `scale`, where it is written; without it ZLayer scales adaptively.
    pub scale: Option<Located<Scale>>,
}

impl Service {
    /// Replicas of a fixed scale; `None` for adaptive or manual scaling, or no `scale`.
    pub fn fixed_replicas(&self) -> Option<u32> {
        self.scale
            .as_ref()
            .and_then(|scale| scale.value.fixed_replicas)
    }

    /// The `max` of an adaptive scale, when it is given.
    pub fn max_replicas(&self) -> Option<u32> {
        self.scale
            .as_ref()
            .and_then(|scale| scale.value.max_replicas)
    }
}

/// What `scale` fixes: the orchestrator scales, so only the replica counts matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scale {
    /// Replicas of a fixed scale; `None` for adaptive or manual scaling.
    pub fixed_replicas: Option<u32>,
    /// The `max` of an adaptive scale, when it is a whole number from 1 up (never reported:
    /// scaling is the orchestrator's, and only the preview's replica menu reads it).
    pub max_replicas: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    pub key: String,
    pub value: EnvValue,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    Literal(String),
    /// `$E:NAME`: a variable of the host, given in the options.
    HostEnv(String),
    /// `$S:ref`: a secret, given in the options.
    Secret(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resources {
    pub cpu: Option<f64>,
    pub memory: Option<u64>,
    pub pids_limit: Option<i64>,
    pub cpuset: Option<String>,
    pub cpu_shares: Option<u64>,
    pub memory_swap: Option<Located<i64>>,
    pub memory_reservation: Option<Located<u64>>,
    pub memory_swappiness: Option<u64>,
    pub oom_score_adj: Option<i32>,
    pub gpu: Option<GpuRequest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuVendor {
    Nvidia,
    Amd,
    Intel,
    /// Accepted so ZLayer's macOS examples parse; it has no Linux device nodes.
    Apple,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GpuRequest {
    pub vendor: Located<GpuVendor>,
    pub count: Located<u32>,
    pub distributed: Option<Distributed>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Distributed {
    pub backend: String,
    pub master_port: u16,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRequest {
    /// Normalized lexically (`/dev/./fuse` is `/dev/fuse`); always below `/dev`.
    pub path: Located<String>,
    pub read: bool,
    pub write: bool,
    pub mknod: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    pub kind: StorageKind,
    pub target: Located<String>,
    pub readonly: bool,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StorageKind {
    Bind {
        source: Located<String>,
    },
    Named {
        name: String,
    },
    Anonymous,
    Tmpfs {
        size: Option<u64>,
        mode: Option<u32>,
    },
    S3 {
        bucket: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ulimit {
    pub name: Located<String>,
    pub soft: u64,
    pub hard: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    #[default]
    Default,
    Host,
    None,
}

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
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    let fields = Fields::read(&root, "", TOP_FIELDS, TOP_IGNORED, diags)?;
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
    if let Some((node, path)) = fields.require("image", diags) {
        if let Some(image) = Fields::read(node, &path, &["name", "pull_policy"], &[], diags) {
            service.image = image
                .require("name", diags)
                .and_then(|(node, path)| decode::string(node, &path, diags));
        }
    }
    if let Some((node, path)) = fields.get("command") {
        if let Some(command) =
            Fields::read(node, &path, &["entrypoint", "args", "workdir"], &[], diags)
        {
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
    }
    if let Some((node, path)) = fields.get("env") {
        service.env = env(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("resources") {
        service.resources = resources(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("devices") {
        service.devices = items(node, &path, diags)
            .into_iter()
            .filter_map(|(node, path)| device(node, &path, diags))
            .collect();
    }
    if let Some((node, path)) = fields.get("storage") {
        service.storage = items(node, &path, diags)
            .into_iter()
            .filter_map(|(node, path)| storage(node, &path, diags))
            .collect();
    }
    service.cap_add = fields.strings("capabilities", diags);
    service.cap_add.extend(fields.strings("cap_add", diags));
    service.cap_drop = fields.strings("cap_drop", diags);
    service.privileged = fields.boolean("privileged", diags).unwrap_or(false);
    service.user = fields.string("user", diags);
    service.extra_groups = fields.strings("extra_groups", diags);
    service.read_only_root_fs = fields.boolean("read_only_root_fs", diags).unwrap_or(false);
    service.tty = fields.boolean("tty", diags).unwrap_or(false);
    service.hostname = fields.string("hostname", diags);
    service.dns = checked_list(&fields, "dns", ip, diags);
    service.extra_hosts = checked_list(&fields, "extra_hosts", extra_host, diags);
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
    if let Some((node, path)) = fields.get("labels") {
        for (key, value, value_path) in entries(node, &path, diags) {
            if key.value.is_empty() {
                diags.error(codes::BAD_LABEL, &key.at, "a label needs a non-empty key");
            } else if let Some(value) = decode::string(value, &value_path, diags) {
                service.labels.push((key.value, value.value));
            }
        }
    }
    if let Some(mode) = fields.string("network_mode", diags) {
        service.network_mode = match mode.value.as_str() {
            "default" | "bridge" => NetworkMode::Default,
            "host" => NetworkMode::Host,
            "none" => NetworkMode::None,
            other => {
                diags.error_hint(
                    codes::BAD_NETWORK_MODE,
                    &mode.at,
                    format!("network mode `{other}` is not known"),
                    "use `default`, `host` or `none`",
                );
                NetworkMode::Default
            }
        };
    }
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

/// A list of strings, each checked on its own (the valid ones kept), and where it is written.
fn checked_list<T>(
    fields: &Fields<'_>,
    key: &str,
    check: impl Fn(&Located<String>, &mut Diagnostics) -> Option<T>,
    diags: &mut Diagnostics,
) -> Option<Located<Vec<T>>> {
    let (node, path) = fields.get(key)?;
    let value = decode::strings(node, &path, diags)
        .iter()
        .filter_map(|entry| check(entry, diags))
        .collect();
    Some(Located {
        value,
        at: node.loc(&path),
    })
}

fn env(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Vec<EnvVar> {
    let mut vars = Vec::new();
    for (key, value, value_path) in entries(node, path, diags) {
        if !valid_env_key(&key.value) {
            diags.error_hint(
                codes::BAD_ENV_KEY,
                &key.at,
                format!(
                    "`{}` is not a valid environment variable name",
                    key.value.escape_debug()
                ),
                "a name must be non-empty and hold no `=` or NUL",
            );
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

fn resources(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Resources {
    let known = [
        "cpu",
        "memory",
        "pids_limit",
        "cpuset",
        "cpu_shares",
        "memory_swap",
        "memory_reservation",
        "memory_swappiness",
        "oom_score_adj",
        "gpu",
    ];
    let mut resources = Resources::default();
    let Some(fields) = Fields::read(node, path, &known, &[], diags) else {
        return resources;
    };
    if let Some((node, path)) = fields.get("cpu") {
        resources.cpu = cpus(node, &path, diags);
    }
    resources.memory = fields.get("memory").and_then(|(node, path)| {
        nonzero_memory(
            node,
            &path,
            "a memory limit of 0 means no limit to runc",
            diags,
        )
    });
    if let Some((node, path)) = fields.get("pids_limit") {
        resources.pids_limit = bounded(
            node,
            &path,
            1,
            i128::from(i64::MAX),
            codes::BAD_PIDS_LIMIT,
            diags,
        )
        .and_then(|v| i64::try_from(v).ok());
    }
    if let Some(cpuset) = fields.string("cpuset", diags) {
        if valid_cpuset(&cpuset.value) {
            resources.cpuset = Some(cpuset.value);
        } else {
            diags.error_hint(
                codes::BAD_CPUSET,
                &cpuset.at,
                format!("`{}` is not a CPU list", cpuset.value),
                "write CPUs as `0-3,8`",
            );
        }
    }
    if let Some((node, path)) = fields.get("cpu_shares") {
        resources.cpu_shares = bounded(node, &path, 2, 262_144, codes::BAD_CPU_SHARES, diags)
            .and_then(|v| u64::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("memory_swap") {
        resources.memory_swap = if matches!(&node.value, Value::Scalar { text, .. } if text.trim() == "-1")
        {
            Some(Located {
                value: -1,
                at: node.loc(&path),
            })
        } else {
            memory(node, &path, diags).and_then(|m| {
                Some(Located {
                    value: i64::try_from(m.value).ok()?,
                    at: m.at,
                })
            })
        };
    }
    resources.memory_reservation = fields
        .get("memory_reservation")
        .and_then(|(node, path)| memory(node, &path, diags));
    if let Some((node, path)) = fields.get("memory_swappiness") {
        resources.memory_swappiness = bounded(node, &path, 0, 100, codes::BAD_SWAPPINESS, diags)
            .and_then(|v| u64::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("oom_score_adj") {
        resources.oom_score_adj =
            bounded(node, &path, -1000, 1000, codes::BAD_OOM_SCORE_ADJ, diags)
                .and_then(|v| i32::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("gpu") {
        resources.gpu = gpu(node, &path, diags);
    }
    resources
}

/// A CPU count, decimal only (see [`parse_cpus`]); messages quote it as written.
fn cpus(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<f64> {
    let Value::Scalar { text, .. } = &node.value else {
        diags.push(decode::wrong_type(node, path, "a number"));
        return None;
    };
    let written = text.trim();
    let checked = match parse_cpus(written) {
        None => Err(format!("`{written}` is not a decimal number of CPUs")),
        Some(cpus) => cpu_quota(cpus)
            .map(|_| cpus)
            .map_err(|error| error.message(written)),
    };
    match checked {
        Ok(cpus) => Some(cpus),
        Err(message) => {
            diags.error_hint(
                codes::BAD_CPU,
                &node.loc(path),
                message,
                "give the number of CPUs in decimal, such as `0.5` or `2`",
            );
            None
        }
    }
}

/// A memory size that must not be 0, which the kernel and runc read as "no limit".
fn nonzero_memory(node: &Node<'_>, path: &str, why: &str, diags: &mut Diagnostics) -> Option<u64> {
    let size = memory(node, path, diags)?;
    if size.value == 0 {
        diags.error_hint(
            codes::BAD_MEMORY,
            &size.at,
            format!("`{}` is 0: {why}", display_path(path)),
            "give a size above 0, or leave the field out for no limit",
        );
        return None;
    }
    Some(size.value)
}

fn display_path(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn memory(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Located<u64>> {
    let text = decode::string(node, path, diags)?;
    match parse_memory(&text.value) {
        Ok(bytes) => Some(Located {
            value: bytes,
            at: text.at,
        }),
        Err(error) => {
            diags.error_hint(
                codes::BAD_MEMORY,
                &text.at,
                error.message(&text.value),
                error.hint(),
            );
            None
        }
    }
}

fn gpu(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<GpuRequest> {
    let fields = Fields::read(
        node,
        path,
        &["vendor", "count", "distributed", "mode"],
        &[],
        diags,
    )?;
    let vendor = match fields.string("vendor", diags) {
        None => Located {
            value: GpuVendor::Nvidia,
            at: node.loc(path),
        },
        Some(vendor) => {
            let value = match vendor.value.to_ascii_lowercase().as_str() {
                "nvidia" => GpuVendor::Nvidia,
                "amd" => GpuVendor::Amd,
                "intel" => GpuVendor::Intel,
                "apple" => GpuVendor::Apple,
                _ => {
                    diags.error_hint(
                        codes::BAD_GPU_VENDOR,
                        &vendor.at,
                        format!("GPU vendor `{}` is not known", vendor.value),
                        "use `nvidia`, `amd` or `intel`",
                    );
                    return None;
                }
            };
            Located {
                value,
                at: vendor.at,
            }
        }
    };
    let count = match fields.get("count") {
        None => Located {
            value: 1,
            at: node.loc(path),
        },
        Some((node, path)) => Located {
            value: bounded(node, &path, 1, 1024, codes::BAD_GPU_COUNT, diags)
                .and_then(|v| u32::try_from(v).ok())?,
            at: node.loc(&path),
        },
    };
    let distributed = fields.get("distributed").and_then(|(node, path)| {
        let fields = Fields::read(node, &path, &["backend", "master_port"], &[], diags)?;
        let backend = fields
            .string("backend", diags)
            .map_or_else(|| "nccl".to_string(), |b| b.value);
        let master_port = match fields.get("master_port") {
            None => 29500,
            Some((node, path)) => {
                u16::try_from(bounded(node, &path, 1, 65535, codes::BAD_PORT, diags)?).ok()?
            }
        };
        Some(Distributed {
            backend,
            master_port,
            at: node.loc(&path),
        })
    });
    Some(GpuRequest {
        vendor,
        count,
        distributed,
    })
}

fn device(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<DeviceRequest> {
    let fields = Fields::read(node, path, &["path", "read", "write", "mknod"], &[], diags)?;
    let device_path = fields
        .require("path", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    let mut request = DeviceRequest {
        read: fields.boolean("read", diags).unwrap_or(true),
        write: fields.boolean("write", diags).unwrap_or(true),
        mknod: fields.boolean("mknod", diags).unwrap_or(false),
        path: device_path,
    };
    // Checked lexically, so `/dev/../etc/shadow` cannot name a host file and `/dev/./fuse` is
    // the same node as `/dev/fuse`.
    match names::device_path(&request.path.value) {
        Ok(normalized) => request.path.value = normalized,
        Err(message) => {
            diags.error(codes::BAD_DEVICE_PATH, &request.path.at, message);
            return None;
        }
    }
    if !(request.read || request.write || request.mknod) {
        diags.error_hint(
            codes::BAD_DEVICE_ACCESS,
            &node.loc(path),
            format!("device `{}` grants no access", request.path.value),
            "set at least one of `read`, `write`, `mknod`",
        );
        return None;
    }
    Some(request)
}

fn storage(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Storage> {
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
    let known: &[&str] = match kind.value.as_str() {
        "bind" => &["type", "source", "target", "readonly"],
        "named" => &["type", "name", "target", "readonly", "tier", "size"],
        "anonymous" => &["type", "target", "tier"],
        "tmpfs" => &["type", "target", "size", "mode"],
        "s3" => &[
            "type", "bucket", "prefix", "target", "readonly", "endpoint", "region",
        ],
        other => {
            diags.error_hint(
                codes::BAD_STORAGE_TYPE,
                &kind.at,
                format!("storage type `{other}` is not known"),
                "use bind, named, anonymous, tmpfs or s3",
            );
            return None;
        }
    };
    // Each type has its own fields, so `mode` on a bind is reported.
    let fields = Fields::read(node, path, known, &[], diags)?;
    let target = fields
        .require("target", diags)
        .and_then(|(node, path)| decode::string(node, &path, diags))?;
    let readonly = fields.boolean("readonly", diags).unwrap_or(false);
    let kind = match kind.value.as_str() {
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
            StorageKind::Tmpfs { size, mode }
        }
        _ => StorageKind::S3 {
            bucket: fields
                .require("bucket", diags)
                .and_then(|(node, path)| decode::string(node, &path, diags))?
                .value,
        },
    };
    Some(Storage {
        kind,
        target,
        readonly,
        at: node.loc(path),
    })
}

/// `mode: 1777`, `mode: "1777"` and `mode: 0o1777` all mean 0o1777.
fn mode(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<u32> {
    let text = decode::string(node, path, diags)?;
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

fn ip(text: &Located<String>, diags: &mut Diagnostics) -> Option<IpAddr> {
    let parsed = text.value.parse().ok();
    if parsed.is_none() {
        diags.error(
            codes::BAD_IP,
            &text.at,
            format!("`{}` is not an IP address", text.value),
        );
    }
    parsed
}

/// `name:address`, as Docker writes it; IPv6 addresses keep their colons.
fn extra_host(entry: &Located<String>, diags: &mut Diagnostics) -> Option<(String, IpAddr)> {
    let parsed = entry.value.split_once(':').and_then(|(name, address)| {
        let address = address.trim_start_matches('[').trim_end_matches(']');
        Some((name.to_string(), address.parse::<IpAddr>().ok()?))
            .filter(|(name, _)| valid_hostname(name))
    });
    if parsed.is_none() {
        diags.error_hint(
            codes::BAD_EXTRA_HOST,
            &entry.at,
            format!("`{}` is not a `name:address` host entry", entry.value),
            "write entries such as `db:10.0.0.5`",
        );
    }
    parsed
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
