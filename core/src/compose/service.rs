//! One Compose service, key by key, into the service model; resources, devices and storage
//! have their own readers beside this one.

use super::pairs::pairs;
use super::{command, env, limits, volumes, Top};
use crate::codes;
use crate::decode::{self, bounded, entries, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::spec::{self, NetworkMode, Scale, Service};
use crate::yaml::{Node, Value};

/// The keys that configure the container.
const CONFIGURING: &[&str] = &[
    "image",
    "entrypoint",
    "command",
    "environment",
    "env_file",
    "user",
    "group_add",
    "working_dir",
    "cap_add",
    "cap_drop",
    "privileged",
    "devices",
    "device_cgroup_rules",
    "gpus",
    "deploy",
    "cpus",
    "cpu_shares",
    "cpuset",
    "mem_limit",
    "mem_reservation",
    "memswap_limit",
    "mem_swappiness",
    "pids_limit",
    "oom_score_adj",
    "ulimits",
    "sysctls",
    "tmpfs",
    "volumes",
    "read_only",
    "shm_size",
    "security_opt",
    "hostname",
    "domainname",
    "network_mode",
    "dns",
    "extra_hosts",
    "labels",
    "tty",
    "stdin_open",
    "secrets",
    "configs",
    "init",
    "scale",
    "build",
    "container_name",
];

/// Keys the Compose Specification defines that bundlec cannot express: each is an error.
const UNSUPPORTED: &[&str] = &[
    "annotations",
    "blkio_config",
    "cgroup",
    "cgroup_parent",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "credential_spec",
    "dns_opt",
    "dns_search",
    "extends",
    "ipc",
    "isolation",
    "label_file",
    "mac_address",
    "oom_kill_disable",
    "pid",
    "storage_opt",
    "userns_mode",
    "uts",
    "volumes_from",
];

/// Keys that orchestrate rather than configure a container: accepted and ignored.
const ORCHESTRATION: &[&str] = &[
    "ports",
    "expose",
    "links",
    "external_links",
    "networks",
    "depends_on",
    "healthcheck",
    "restart",
    "profiles",
    "logging",
    "stop_signal",
    "stop_grace_period",
    "platform",
    "runtime",
    "pull_policy",
    "develop",
    "attach",
    "post_start",
    "pre_stop",
];

pub(super) fn service(
    name: Located<String>,
    node: &Node<'_>,
    path: &str,
    top: &mut Top<'_>,
    diags: &mut Diagnostics,
) -> Service {
    let mut service = Service {
        name: name.value,
        at: name.at,
        ..Service::default()
    };
    let known: Vec<&str> = CONFIGURING.iter().chain(UNSUPPORTED).copied().collect();
    let Some(fields) = Fields::read(node, path, &known, ORCHESTRATION, diags) else {
        return service;
    };
    for (key, key_node, _) in &fields.entries {
        if UNSUPPORTED.contains(key) {
            diags.error_hint(
                codes::UNSUPPORTED_COMPOSE_KEY,
                &key_node.loc(&crate::diagnostic::join_path(path, key)),
                format!("`{key}` cannot be expressed in a runtime config"),
                "remove it; the README's Compose section lists what bundlec maps",
            );
        }
    }
    // The keys policy rules report at, which the model keeps only as values.
    service.written_keys = ["privileged", "network_mode", "cap_drop"]
        .into_iter()
        .filter_map(|key| fields.get(key).map(|(node, path)| (key, node.loc(&path))))
        .collect();
    service.image = fields.string("image", diags);
    if service.image.is_none() && fields.get("build").is_none() {
        diags.error_hint(
            codes::MISSING_FIELD,
            &node.loc(path),
            format!("`{path}` needs an `image` (or a `build`)"),
            "name the image the service runs, such as `image: nginx:1.27`",
        );
    }
    if let Some((node, path)) = fields.get("entrypoint") {
        service.entrypoint = command::words(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("command") {
        service.args = command::words(node, &path, diags);
    }
    service.workdir = fields.string("working_dir", diags);
    if let Some(workdir) = &service.workdir {
        if !workdir.value.starts_with('/') {
            diags.error(
                codes::BAD_PATH,
                &workdir.at,
                format!("the working directory `{}` must be absolute", workdir.value),
            );
        }
    }
    env::environment(&fields, top, &mut service, diags);
    identity(&fields, &mut service, diags);
    network(&fields, &mut service, diags);
    limits::limits(&fields, &mut service, diags);
    volumes::volumes(&fields, top, &mut service, diags);
    if let Some((node, path)) = fields.get("labels") {
        for pair in pairs(node, &path, '=', diags) {
            service.labels.push((
                pair.key.value,
                pair.value.map(|v| v.value).unwrap_or_default(),
            ));
        }
    }
    if fields.boolean("init", diags) == Some(true) {
        if let Some((node, path)) = fields.get("init") {
            diags.warning_hint(
                codes::INIT_NOT_INJECTED,
                &node.loc(&path),
                "`init: true` asks Docker for its init process; a config alone injects none",
                "put an init (such as tini) in the image and the entrypoint if the program does not reap children",
            );
        }
    }
    if let Some((node, path)) = fields.get("scale") {
        service.scale = replicas(node, &path, diags);
    }
    let _ = fields.string("container_name", diags);
    service
}

/// User, groups, capabilities, privilege, the read-only root, the terminal.
fn identity(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    service.user = fields.string("user", diags);
    service.extra_groups = fields.strings("group_add", diags);
    service.cap_add = fields.strings("cap_add", diags);
    service.cap_drop = fields.strings("cap_drop", diags);
    service.privileged = fields.boolean("privileged", diags).unwrap_or(false);
    service.read_only_root_fs = fields.boolean("read_only", diags).unwrap_or(false);
    service.tty = fields.boolean("tty", diags).unwrap_or(false);
    // Stdin is the caller's to attach: the config has no field for it.
    let _ = fields.boolean("stdin_open", diags);
    service.confinement = spec::confinement(fields.strings("security_opt", diags), diags);
    if let Some((node, path)) = fields.get("sysctls") {
        for pair in pairs(node, &path, '=', diags) {
            let value = pair.value.map(|v| v.value).unwrap_or_default();
            service.sysctls.push((pair.key, value));
        }
    }
    if let Some((node, path)) = fields.get("ulimits") {
        service.ulimits = entries(node, &path, diags)
            .into_iter()
            .filter_map(|(name, value, path)| spec::ulimit(name, value, &path, diags))
            .collect();
    }
}

/// Names and network: `hostname`, `domainname`, `dns`, `extra_hosts`, `network_mode`.
fn network(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    service.hostname = fields.string("hostname", diags);
    service.domainname = fields.string("domainname", diags);
    if let Some((node, path)) = fields.get("dns") {
        let list = match node.value {
            Value::Seq(_) => decode::strings(node, &path, diags),
            _ => decode::string(node, &path, diags).into_iter().collect(),
        };
        service.dns = Some(Located {
            value: list.iter().filter_map(|ip| spec::ip(ip, diags)).collect(),
            at: node.loc(&path),
        });
    }
    if let Some((node, path)) = fields.get("extra_hosts") {
        let hosts = pairs(node, &path, '=', diags)
            .into_iter()
            .filter_map(|pair| {
                // `host=ip` and the map form; a list entry without `=` is Docker's `host:ip`.
                let entry = match pair.value {
                    Some(address) => Located {
                        value: format!("{}:{}", pair.key.value, address.value),
                        at: address.at,
                    },
                    None => pair.key,
                };
                spec::extra_host(&entry, diags)
            })
            .collect();
        service.extra_hosts = Some(Located {
            value: hosts,
            at: node.loc(&path),
        });
    }
    if let Some(mode) = fields.string("network_mode", diags) {
        service.network_mode = match mode.value.as_str() {
            "bridge" | "default" => NetworkMode::Default,
            "host" => NetworkMode::Host,
            "none" => NetworkMode::None,
            other => {
                diags.error_hint(
                    codes::BAD_NETWORK_MODE,
                    &mode.at,
                    format!("network mode `{other}` is not supported"),
                    "use `bridge`, `host` or `none`: joining another service's or container's namespace needs the engine",
                );
                NetworkMode::Default
            }
        };
    }
}

/// `scale: N` or `deploy.replicas: N`: a fixed replica count.
pub(super) fn replicas(
    node: &Node<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Option<Located<Scale>> {
    let count = bounded(node, path, 0, 100_000, codes::BAD_REPLICAS, diags)?;
    Some(Located {
        value: Scale {
            fixed_replicas: u32::try_from(count).ok(),
            max_replicas: None,
        },
        at: node.loc(path),
    })
}
