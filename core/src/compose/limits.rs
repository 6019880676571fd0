//! A Compose service's resources: the service-level keys (`cpus`, `mem_limit`, …), then
//! `deploy.resources`, which wins; sizes in Compose's units (powers of 1024, `m` is mebi).

use super::devices;
use super::service::replicas;
use crate::codes;
use crate::decode::{bounded, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::spec::{self, Service};
use crate::yaml::{Node, Value};

/// The hint of every bad Compose size: the units are not the ZLayer spec's.
const SIZE_HINT: &str = "Compose sizes are a number of bytes or one with a unit b, k, m, g, t \
(powers of 1024; in Compose lower-case `m` is mebibytes, as in Docker), such as `512m` or `1.5g`";

pub(super) fn limits(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    let resources = &mut service.resources;
    if let Some((node, path)) = fields.get("cpus") {
        resources.cpu = spec::cpus(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("cpu_shares") {
        resources.cpu_shares = bounded(node, &path, 2, 262_144, codes::BAD_CPU_SHARES, diags)
            .and_then(|v| u64::try_from(v).ok());
    }
    if let Some(cpuset) = fields.string("cpuset", diags) {
        if crate::units::valid_cpuset(&cpuset.value) {
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
    if let Some((node, path)) = fields.get("mem_limit") {
        resources.memory = nonzero(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("mem_reservation") {
        resources.memory_reservation = size(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("memswap_limit") {
        resources.memory_swap = if scalar_is(node, "-1") {
            Some(Located {
                value: -1,
                at: node.loc(&path),
            })
        } else {
            size(node, &path, diags).and_then(|size| {
                Some(Located {
                    value: i64::try_from(size.value).ok()?,
                    at: size.at,
                })
            })
        };
    }
    if let Some((node, path)) = fields.get("mem_swappiness") {
        resources.memory_swappiness = bounded(node, &path, 0, 100, codes::BAD_SWAPPINESS, diags)
            .and_then(|v| u64::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("pids_limit") {
        resources.pids_limit = pids(node, &path, diags);
    }
    if let Some((node, path)) = fields.get("oom_score_adj") {
        resources.oom_score_adj =
            bounded(node, &path, -1000, 1000, codes::BAD_OOM_SCORE_ADJ, diags)
                .and_then(|v| i32::try_from(v).ok());
    }
    if let Some((node, path)) = fields.get("shm_size") {
        service.shm_size = nonzero(node, &path, diags);
    }
    devices::devices(fields, service, diags);
    if let Some((node, path)) = fields.get("deploy") {
        deploy(node, &path, service, diags);
    }
}

/// `deploy`: the replicas and `resources`; the rest places and restarts, which the
/// orchestrator does.
fn deploy(node: &Node<'_>, path: &str, service: &mut Service, diags: &mut Diagnostics) {
    let ignored = [
        "mode",
        "endpoint_mode",
        "labels",
        "placement",
        "restart_policy",
        "rollback_config",
        "update_config",
    ];
    let Some(fields) = Fields::read(node, path, &["resources", "replicas"], &ignored, diags) else {
        return;
    };
    if let Some((node, path)) = fields.get("replicas") {
        service.scale = replicas(node, &path, diags);
    }
    let Some((node, path)) = fields.get("resources") else {
        return;
    };
    let Some(resources) = Fields::read(node, &path, &["limits", "reservations"], &[], diags) else {
        return;
    };
    if let Some((node, path)) = resources.get("limits") {
        let ignored = ["generic_resources"];
        if let Some(limits) =
            Fields::read(node, &path, &["cpus", "memory", "pids"], &ignored, diags)
        {
            if let Some((node, path)) = limits.get("cpus") {
                service.resources.cpu = spec::cpus(node, &path, diags);
            }
            if let Some((node, path)) = limits.get("memory") {
                service.resources.memory = nonzero(node, &path, diags);
            }
            if let Some((node, path)) = limits.get("pids") {
                service.resources.pids_limit = pids(node, &path, diags);
            }
        }
    }
    if let Some((node, path)) = resources.get("reservations") {
        // A CPU reservation places the task on a node; it limits nothing.
        let ignored = ["cpus", "generic_resources"];
        let known = ["memory", "devices"];
        if let Some(reservations) = Fields::read(node, &path, &known, &ignored, diags) {
            if let Some((node, path)) = reservations.get("memory") {
                service.resources.memory_reservation = size(node, &path, diags);
            }
            if let Some((node, path)) = reservations.get("devices") {
                devices::reservations(node, &path, service, diags);
            }
        }
    }
}

fn scalar_is(node: &Node<'_>, wanted: &str) -> bool {
    matches!(&node.value, Value::Scalar { text, .. } if text.trim() == wanted)
}

/// `pids_limit`: a count, or `-1` (or 0) for none.
fn pids(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<i64> {
    if scalar_is(node, "-1") || scalar_is(node, "0") {
        return None;
    }
    bounded(
        node,
        path,
        1,
        i128::from(i64::MAX),
        codes::BAD_PIDS_LIMIT,
        diags,
    )
    .and_then(|v| i64::try_from(v).ok())
}

/// A size that must not be 0, which the kernel and runc read as "no limit".
fn nonzero(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<u64> {
    let size = size(node, path, diags)?;
    if size.value == 0 {
        diags.error_hint(
            codes::BAD_MEMORY,
            &size.at,
            format!("`{path}` is 0, which means no limit"),
            "give a size above 0, or leave the key out for no limit",
        );
        return None;
    }
    Some(size.value)
}

/// A size in Compose's units, where it is written.
pub(super) fn size(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Located<u64>> {
    let text = crate::decode::string(node, path, diags)?;
    match parse_size(&text.value) {
        Some(bytes) => Some(Located {
            value: bytes,
            at: text.at,
        }),
        None => {
            diags.error_hint(
                codes::BAD_MEMORY,
                &text.at,
                format!("`{}` is not a Compose size", text.value),
                SIZE_HINT,
            );
            None
        }
    }
}

/// Bytes from a size as Docker reads it: `1024`, `512m`, `1.5g`, `2GiB`, `64 MB`; every unit is
/// a power of 1024, in either case, with an optional `i` and `b`. Fractions of a byte drop.
pub(super) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        "p" => 50,
        _ => return None,
    };
    // `i` alone (`5i`) names no unit.
    if unit.is_empty()
        && text
            .get(split..)?
            .to_ascii_lowercase()
            .trim_start()
            .starts_with('i')
    {
        return None;
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || (number.contains('.') && fraction.is_empty()) || fraction.contains('.') {
        return None;
    }
    let multiplier = 1u128 << shift;
    let whole: u128 = whole.parse().ok()?;
    let mut bytes = whole.checked_mul(multiplier)?;
    if !fraction.is_empty() {
        let digits = u32::try_from(fraction.len()).ok().filter(|&d| d <= 18)?;
        let numerator: u128 = fraction.parse().ok()?;
        bytes = bytes.checked_add(numerator.checked_mul(multiplier)? / 10u128.pow(digits))?;
    }
    u64::try_from(bytes).ok().filter(|&b| b <= i64::MAX as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_as_docker_reads_them() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("1.5g"), Some(3 << 29));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("64 MB"), Some(64 << 20));
        assert_eq!(parse_size("10b"), Some(10));
        assert_eq!(parse_size("1k"), Some(1024));
        for bad in [
            "",
            "m",
            "12x",
            "1.g",
            "1..2m",
            "5i",
            "99999999999999999999t",
            "-1m",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
