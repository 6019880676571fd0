//! Binds that undo the container's confinement: legal, as in Docker, but warned about.

use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use crate::names::normalize;

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
pub(super) fn dangerous_bind(source: &str, readonly: bool, at: &Loc) -> Option<Diagnostic> {
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
