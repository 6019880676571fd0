//! The files bundlec writes into the bundle for `dns` and `extra_hosts`, which the config
//! binds read-only over the container's own.

use crate::config::Mount;

use super::{bind, check_target, Targets};
use crate::context::Context;
use crate::diagnostic::Diagnostics;

/// A file `apply` writes into the bundle directory, which the config binds read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Relative to the bundle directory.
    pub name: String,
    /// Its text.
    pub contents: String,
}

/// Bundle files, relative to the bundle directory, and where they are bound read-only
/// (runc resolves a relative source against the bundle).
const RESOLV_CONF: (&str, &str) = ("resolv.conf", "/etc/resolv.conf");
const HOSTS: (&str, &str) = ("hosts", "/etc/hosts");

/// The files the service's `dns` and `extra_hosts` need, each bound read-only to its target
/// when that target is free.
pub(super) fn bundle_files(
    ctx: &Context<'_>,
    targets: &Targets,
    mounts: &mut Vec<Mount>,
    diags: &mut Diagnostics,
) -> Vec<BundleFile> {
    let wanted = [
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
    let mut files = Vec::new();
    for (at, (name, target), contents) in wanted {
        let Some(at) = at.filter(|_| !contents.is_empty()) else {
            continue;
        };
        if check_target(target, at, targets, diags) {
            files.push(BundleFile {
                name: name.to_string(),
                contents,
            });
            mounts.push(bind(target, name, true));
        }
    }
    files
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
