//! Mounts: the standard filesystems, then the service's storage in document order, then the
//! optional host socket and the files bundlec writes into the bundle (resolv.conf, hosts).

mod dangerous;
mod files;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::config::Mount;

use crate::codes;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::names::{absolute_clean, normalize};
use crate::spec::{Storage, StorageKind};
use dangerous::dangerous_bind;
pub use files::BundleFile;

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

/// Normalized mount targets taken so far, with the path of the place each was written (empty
/// for the standard mounts). The type of the options' maps, so that WebAssembly carries no
/// further copy of the B-tree code for it.
type Targets = BTreeMap<String, String>;

pub fn mounts(ctx: &Context<'_>, diags: &mut Diagnostics) -> (Vec<Mount>, Vec<BundleFile>) {
    let mut mounts = Vec::new();
    let mut targets = Targets::new();
    for (target, typ, source, options) in STANDARD {
        let mut options: Vec<Cow<'static, str>> =
            options.iter().map(|o| Cow::Borrowed(*o)).collect();
        if let (Some(size), "/dev/shm") = (ctx.service.shm_size, *target) {
            // Docker writes the size of `shm_size` in bytes in place of the 64 MiB default.
            options.retain(|option| !option.starts_with("size="));
            options.push(format!("size={size}").into());
        }
        if matches!(*target, "/sys" | "/sys/fs/cgroup") && !ctx.service.privileged {
            options.push("ro".into());
        }
        mounts.push(mount((*target).into(), typ, (*source).into(), options));
        // The standard targets are written normalized.
        targets.insert((*target).to_string(), String::new());
    }
    for storage in &ctx.service.storage {
        let target = &storage.target;
        if !check_target(&target.value, &target.at, &targets, diags) {
            continue;
        }
        targets.insert(normalize(&target.value), target.at.path.clone());
        if let Some(built) = storage_mount(ctx, storage, diags) {
            mounts.push(built);
        }
    }
    if let Some(socket) = &ctx.options.socket {
        let at = Loc::at("options.socket");
        if !absolute_clean(socket) {
            diags.error(
                codes::BAD_MOUNT,
                &at,
                format!("socket `{socket}` must be an absolute path without `..`"),
            );
        } else if check_target(socket, &at, &targets, diags) {
            mounts.push(bind(socket, socket, true));
            targets.insert(normalize(socket), at.path);
        }
    }
    let files = files::bundle_files(ctx, &targets, &mut mounts, diags);
    (mounts, files)
}

/// The mount of one storage entry whose target is free, or `None` when its source is at fault.
fn storage_mount(ctx: &Context<'_>, storage: &Storage, diags: &mut Diagnostics) -> Option<Mount> {
    let target = &storage.target.value;
    let source = match &storage.kind {
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
                return None;
            }
            if let Some(warning) = dangerous_bind(&source.value, storage.readonly, &source.at) {
                diags.push(warning);
            }
            Some(source.value.as_str())
        }
        StorageKind::Named { name } => {
            host_path(ctx, name.as_str(), &storage.at, "named volume", diags)
        }
        StorageKind::Anonymous => host_path(ctx, target, &storage.at, "anonymous volume", diags),
        StorageKind::S3 { bucket } => {
            host_path(ctx, bucket.as_str(), &storage.at, "S3 volume", diags)
        }
        StorageKind::Tmpfs { size, mode, flags } => {
            let mut options: Vec<Cow<'static, str>> = vec!["nosuid".into(), "nodev".into()];
            options.extend(flags.iter().map(|flag| Cow::Owned(flag.clone())));
            if let Some(size) = size {
                options.push(format!("size={size}").into());
            }
            options.push(format!("mode={:o}", mode.unwrap_or(0o1777)).into());
            return Some(mount(
                target.clone().into(),
                "tmpfs",
                "tmpfs".into(),
                options,
            ));
        }
    };
    source.map(|source| bind(target, source, storage.readonly))
}

/// A recursive, private bind: every bind bundlec writes is one.
fn bind(target: &str, source: &str, readonly: bool) -> Mount {
    let access = if readonly { "ro" } else { "rw" };
    let options = vec!["rbind".into(), "rprivate".into(), access.into()];
    mount(
        target.to_string().into(),
        "bind",
        source.to_string().into(),
        options,
    )
}

fn mount(
    target: Cow<'static, str>,
    typ: &'static str,
    source: Cow<'static, str>,
    options: Vec<Cow<'static, str>>,
) -> Mount {
    Mount {
        destination: target,
        kind: Some(typ.into()),
        source,
        options,
    }
}

/// Absolute, free of `..`, not `/`, and not already a mount target (`taken` holds normalized paths).
fn check_target(target: &str, at: &Loc, taken: &Targets, diags: &mut Diagnostics) -> bool {
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
        if !first.is_empty() {
            error = error.with_hint(format!("the first is `{first}`"));
        } else {
            error = error.with_hint("that path is one of the standard mounts");
        }
        diags.push(error);
        return false;
    }
    true
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
