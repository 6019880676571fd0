//! Mounts: the standard filesystems, then the service's storage in document order, then the
//! files bundlec writes into the bundle (resolv.conf, hosts) and the optional host socket.

use std::collections::BTreeMap;

use oci_spec::runtime::{Mount, MountBuilder};
use oci_spec::OciSpecError;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::names::{absolute_clean, normalize};
use crate::spec::StorageKind;

/// A file `apply` writes into the bundle directory, which the config binds read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Relative to the bundle directory.
    pub name: String,
    /// Its text.
    pub contents: String,
}

/// (target, type, source, options) of containerd's standard mounts; `/sys` and the cgroup
/// mount get `ro` unless privileged.
const STANDARD: &[(&str, &str, &str, &[&str])] = &[
    ("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"]),
    (
        "/dev",
        "tmpfs",
        "tmpfs",
        &["nosuid", "strictatime", "mode=755", "size=65536k"],
    ),
    (
        "/dev/pts",
        "devpts",
        "devpts",
        &[
            "nosuid",
            "noexec",
            "newinstance",
            "ptmxmode=0666",
            "mode=0620",
            "gid=5",
        ],
    ),
    (
        "/dev/shm",
        "tmpfs",
        "shm",
        &["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
    ),
    (
        "/dev/mqueue",
        "mqueue",
        "mqueue",
        &["nosuid", "noexec", "nodev"],
    ),
    ("/sys", "sysfs", "sysfs", &["nosuid", "noexec", "nodev"]),
    (
        "/sys/fs/cgroup",
        "cgroup",
        "cgroup",
        &["nosuid", "noexec", "nodev", "relatime"],
    ),
];

/// Bundle files, relative to the bundle directory, and where they are bound read-only
/// (runc resolves a relative source against the bundle).
pub const RESOLV_CONF: (&str, &str) = ("resolv.conf", "/etc/resolv.conf");
pub const HOSTS: (&str, &str) = ("hosts", "/etc/hosts");

pub fn mounts(
    ctx: &Context<'_>,
    diags: &mut Diagnostics,
) -> Result<(Vec<Mount>, Vec<BundleFile>), OciSpecError> {
    let mut mounts = Vec::new();
    // Normalized targets taken so far, with where each was written.
    let mut targets: BTreeMap<String, Loc> = BTreeMap::new();
    for (target, typ, source, options) in STANDARD {
        let mut options: Vec<String> = options.iter().map(|o| (*o).to_string()).collect();
        if matches!(*target, "/sys" | "/sys/fs/cgroup") && !ctx.service.privileged {
            options.push("ro".to_string());
        }
        mounts.push(mount(target, typ, source, options)?);
        // The standard targets are written normalized.
        targets.insert((*target).to_string(), Loc::at(""));
    }
    for storage in &ctx.service.storage {
        let target = &storage.target;
        if !check_target(&target.value, &target.at, &targets, diags) {
            continue;
        }
        targets.insert(normalize(&target.value), target.at.clone());
        let access = if storage.readonly { "ro" } else { "rw" };
        let bind = |source: &str| {
            mount(
                &target.value,
                "bind",
                source,
                vec![
                    "rbind".to_string(),
                    "rprivate".to_string(),
                    access.to_string(),
                ],
            )
        };
        let built = match &storage.kind {
            StorageKind::Bind { source } => {
                if !absolute_clean(&source.value) {
                    diags.error(
                        codes::BAD_MOUNT,
                        &source.at,
                        format!(
                            "bind source `{}` must be an absolute path without `..`",
                            source.value
                        ),
                    );
                    continue;
                }
                if let Some(warning) = dangerous_bind(&source.value, storage.readonly, &source.at) {
                    diags.push(warning);
                }
                bind(&source.value)?
            }
            StorageKind::Named { name } => {
                match host_path(ctx, name, &storage.at, "named volume", diags) {
                    Some(source) => bind(source)?,
                    None => continue,
                }
            }
            StorageKind::Anonymous => {
                match host_path(ctx, &target.value, &storage.at, "anonymous volume", diags) {
                    Some(source) => bind(source)?,
                    None => continue,
                }
            }
            StorageKind::S3 { bucket } => {
                match host_path(ctx, bucket, &storage.at, "S3 volume", diags) {
                    Some(source) => bind(source)?,
                    None => continue,
                }
            }
            StorageKind::Tmpfs { size, mode } => {
                let mut options = vec!["nosuid".to_string(), "nodev".to_string()];
                if let Some(size) = size {
                    options.push(format!("size={size}"));
                }
                options.push(format!("mode={:o}", mode.unwrap_or(0o1777)));
                mount(&target.value, "tmpfs", "tmpfs", options)?
            }
        };
        mounts.push(built);
    }
    let mut files = Vec::new();
    if let Some(socket) = &ctx.options.socket {
        let at = Loc::at("options.socket");
        if !absolute_clean(socket) {
            diags.error(
                codes::BAD_MOUNT,
                &at,
                format!("socket `{socket}` must be an absolute path without `..`"),
            );
        } else if check_target(socket, &at, &targets, diags) {
            mounts.push(mount(
                socket,
                "bind",
                socket,
                vec![
                    "rbind".to_string(),
                    "rprivate".to_string(),
                    "ro".to_string(),
                ],
            )?);
            targets.insert(normalize(socket), at);
        }
    }
    let bundle_files = [
        (
            ctx.service.dns.as_ref().map(|dns| &dns.at),
            RESOLV_CONF,
            resolv_conf(ctx),
        ),
        (
            ctx.service.extra_hosts.as_ref().map(|hosts| &hosts.at),
            HOSTS,
            hosts(ctx),
        ),
    ];
    for (at, (name, target), contents) in bundle_files {
        let Some(at) = at.filter(|_| !contents.is_empty()) else {
            continue;
        };
        if check_target(target, at, &targets, diags) {
            files.push(BundleFile {
                name: name.to_string(),
                contents,
            });
            mounts.push(mount(
                target,
                "bind",
                name,
                vec![
                    "rbind".to_string(),
                    "rprivate".to_string(),
                    "ro".to_string(),
                ],
            )?);
        }
    }
    Ok((mounts, files))
}

fn mount(
    target: &str,
    typ: &str,
    source: &str,
    options: Vec<String>,
) -> Result<Mount, OciSpecError> {
    MountBuilder::default()
        .destination(target)
        .typ(typ)
        .source(source)
        .options(options)
        .build()
}

/// Absolute, free of `..`, not `/`, and not already a mount target (`taken` holds normalized paths).
fn check_target(
    target: &str,
    at: &Loc,
    taken: &BTreeMap<String, Loc>,
    diags: &mut Diagnostics,
) -> bool {
    if !absolute_clean(target) {
        diags.error(
            codes::BAD_MOUNT,
            at,
            format!("mount target `{target}` must be an absolute path without `..`"),
        );
        return false;
    }
    let normalized = normalize(target);
    if normalized == "/" {
        diags.error(
            codes::BAD_MOUNT,
            at,
            "a mount cannot replace the container's root",
        );
        return false;
    }
    if let Some(first) = taken.get(&normalized) {
        let mut error = Diagnostic::error_at(
            codes::DUPLICATE_MOUNT,
            at,
            format!("two mounts target `{target}`"),
        );
        if !first.path.is_empty() {
            error = error.with_hint(format!("the first is `{}`", first.path));
        } else {
            error = error.with_hint("that path is one of the standard mounts");
        }
        diags.push(error);
        return false;
    }
    true
}

/// Host paths whose bind undoes the container's confinement, and what each exposes. The
/// runtime sockets (and the directories that hold them) give full control of the host even
/// read-only, since connecting to a socket is not writing to the filesystem; the others only
/// when writable. Paths below a socket directory count too (`/run/containerd/containerd.sock`).
const DANGEROUS_SOURCES: &[(&str, Exposure, &str)] = &[
    ("/", Exposure::Writable, "the host's whole filesystem"),
    (
        "/etc",
        Exposure::Writable,
        "the host's configuration, users and passwords",
    ),
    (
        "/proc",
        Exposure::WritableAndBelow,
        "the host's processes and kernel settings",
    ),
    (
        "/sys",
        Exposure::WritableAndBelow,
        "the host's kernel and device settings",
    ),
    ("/dev", Exposure::Writable, "every device of the host"),
    (
        "/var/run/docker.sock",
        Exposure::Always,
        "the Docker socket (control of the host)",
    ),
    (
        "/run/docker.sock",
        Exposure::Always,
        "the Docker socket (control of the host)",
    ),
    (
        "/run/containerd",
        Exposure::AlwaysAndBelow,
        "the containerd socket (control of the host)",
    ),
    (
        "/var/run/containerd",
        Exposure::AlwaysAndBelow,
        "the containerd socket (control of the host)",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exposure {
    /// Only a read-write bind of exactly this path.
    Writable,
    /// A read-write bind of this path or of a path below it (`/sys/fs/cgroup`).
    WritableAndBelow,
    /// Any bind of this path, read-only too.
    Always,
    /// Any bind of this path or of a path below it.
    AlwaysAndBelow,
}

/// A `dangerous-bind` warning when binding `source` exposes what confines the container: one
/// of [`DANGEROUS_SOURCES`], or a parent of one (binding `/var/run` exposes the Docker socket,
/// read-only or not; binding `/` read-write exposes everything). Legal, as in Docker.
fn dangerous_bind(source: &str, readonly: bool, at: &Loc) -> Option<Diagnostic> {
    let source = normalize(source);
    let is_below = |path: &str, parent: &str| {
        parent == "/"
            || path
                .strip_prefix(parent)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let exposed: Vec<&str> = DANGEROUS_SOURCES
        .iter()
        .filter(|(path, exposure, _)| {
            let (always, and_below) = match exposure {
                Exposure::Writable => (false, false),
                Exposure::WritableAndBelow => (false, true),
                Exposure::Always => (true, false),
                Exposure::AlwaysAndBelow => (true, true),
            };
            let reaches = source == *path
                || is_below(path, &source)
                || (and_below && is_below(&source, path));
            reaches && (always || !readonly)
        })
        .map(|(_, _, what)| *what)
        .fold(Vec::new(), |mut unique, what| {
            if !unique.contains(&what) {
                unique.push(what);
            }
            unique
        });
    if exposed.is_empty() {
        return None;
    }
    let access = if readonly { "read-only" } else { "read-write" };
    Some(
        Diagnostic::warning_at(
            codes::DANGEROUS_BIND,
            at,
            format!(
                "binding `{source}` {access} exposes {} to the container",
                exposed.join(", ")
            ),
        )
        .with_hint("bind only the files the service needs, read-only where it can"),
    )
}

fn host_path<'a>(
    ctx: &'a Context<'_>,
    key: &str,
    at: &Loc,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<&'a str> {
    let found = ctx.options.volumes.get(key).map(String::as_str);
    match found {
        Some(path) if absolute_clean(path) => Some(path),
        Some(path) => {
            diags.error(
                codes::BAD_MOUNT,
                &Loc::at(format!("options.volumes.{key}")),
                format!("host path `{path}` must be absolute, without `..`"),
            );
            None
        }
        None => {
            diags.error_hint(
                codes::VOLUME_NOT_PROVIDED,
                at,
                format!("{what} `{key}` has no host path"),
                format!("give it with `--volume {key}=PATH` or in `options.volumes`"),
            );
            None
        }
    }
}

/// Empty when there is no `dns` entry.
fn resolv_conf(ctx: &Context<'_>) -> String {
    let servers = ctx.service.dns.iter().flat_map(|dns| &dns.value);
    servers
        .map(|server| format!("nameserver {server}\n"))
        .collect()
}

/// The standard loopback entries, then `extra_hosts` in order; empty when there is no entry.
fn hosts(ctx: &Context<'_>) -> String {
    let Some(extra_hosts) = ctx
        .service
        .extra_hosts
        .as_ref()
        .filter(|h| !h.value.is_empty())
    else {
        return String::new();
    };
    let mut text =
        String::from("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (name, address) in &extra_hosts.value {
        text.push_str(&format!("{address}\t{name}\n"));
    }
    text
}
