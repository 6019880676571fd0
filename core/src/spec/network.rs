//! Reading a service's names and network: `hostname`, `dns`, `extra_hosts`, `network_mode`.

use std::net::IpAddr;

use super::model::{NetworkMode, Service};
use crate::codes;
use crate::decode::{self, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::names::valid_hostname;

/// `hostname`, `dns` and `extra_hosts`.
pub(super) fn names(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    service.hostname = fields.string("hostname", diags);
    service.dns = checked_list(fields, "dns", ip, diags);
    service.extra_hosts = checked_list(fields, "extra_hosts", extra_host, diags);
}

/// `network_mode`: `default` (or Docker's `bridge`), `host` or `none`.
pub(super) fn mode(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    let Some(mode) = fields.string("network_mode", diags) else {
        return;
    };
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

pub(crate) fn ip(text: &Located<String>, diags: &mut Diagnostics) -> Option<IpAddr> {
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
pub(crate) fn extra_host(
    entry: &Located<String>,
    diags: &mut Diagnostics,
) -> Option<(String, IpAddr)> {
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
