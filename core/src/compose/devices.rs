//! A Compose service's devices: `devices` (`HOST[:CONTAINER[:PERMS]]` or the long form),
//! `device_cgroup_rules`, and GPUs from `gpus` or `deploy.resources.reservations.devices`.

use crate::codes;
use crate::decode::{self, bounded, items, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::names;
use crate::spec::{self, DeviceRequest, DeviceRule, GpuRequest, GpuVendor, Service};
use crate::yaml::{Node, Value};

pub(super) fn devices(fields: &Fields<'_>, service: &mut Service, diags: &mut Diagnostics) {
    if let Some((node, path)) = fields.get("devices") {
        for (item, item_path) in items(node, &path, diags) {
            // A qualified CDI name (`vendor.com/class=name`), as Docker reads one in `devices`.
            if let Value::Scalar { text, .. } = &item.value {
                if spec::is_cdi_name(text) {
                    let request = decode::string(item, &item_path, diags)
                        .and_then(|written| spec::cdi_request(written, diags));
                    service.cdi_devices.extend(request);
                    continue;
                }
            }
            if let Some(device) = device(item, &item_path, diags) {
                service.devices.push(device);
            }
        }
    }
    for text in fields.strings("device_cgroup_rules", diags) {
        match device_rule(&text.value) {
            Some(rule) => service.device_rules.push(rule),
            None => diags.error_hint(
                codes::BAD_DEVICE_RULE,
                &text.at,
                format!("`{}` is not a device cgroup rule", text.value),
                "write `TYPE MAJOR:MINOR ACCESS`, such as `c 1:3 mr` or `b 8:* rwm`",
            ),
        }
    }
    if let Some((node, path)) = fields.get("gpus") {
        if matches!(&node.value, Value::Scalar { text, .. } if text == "all") {
            service.resources.gpu = Some(GpuRequest {
                vendor: Located {
                    value: GpuVendor::Nvidia,
                    at: node.loc(&path),
                },
                count: Located {
                    value: 0,
                    at: node.loc(&path),
                },
                distributed: None,
                all: true,
                ids: Vec::new(),
            });
        } else {
            for (item, item_path) in items(node, &path, diags) {
                add_gpu(gpu(item, &item_path, false, diags), service, diags);
            }
        }
    }
}

/// `deploy.resources.reservations.devices`: GPUs, by `capabilities: [gpu]`.
pub(super) fn reservations(
    node: &Node<'_>,
    path: &str,
    service: &mut Service,
    diags: &mut Diagnostics,
) {
    for (item, item_path) in items(node, path, diags) {
        add_gpu(gpu(item, &item_path, true, diags), service, diags);
    }
}

fn add_gpu(request: Option<GpuRequest>, service: &mut Service, diags: &mut Diagnostics) {
    let Some(request) = request else { return };
    if service.resources.gpu.is_some() {
        diags.error_hint(
            codes::UNSUPPORTED_COMPOSE_KEY,
            &request.vendor.at,
            "the service asks for GPUs twice",
            "give one GPU request, in `gpus` or in `deploy.resources.reservations.devices`",
        );
        return;
    }
    service.resources.gpu = Some(request);
}

/// One GPU request: `driver`, `count` (a number or `all`) or `device_ids`; neither means all.
fn gpu(
    node: &Node<'_>,
    path: &str,
    needs_gpu: bool,
    diags: &mut Diagnostics,
) -> Option<GpuRequest> {
    let known = ["capabilities", "driver", "count", "device_ids", "options"];
    let fields = Fields::read(node, path, &known, &[], diags)?;
    let capabilities = fields.strings("capabilities", diags);
    if needs_gpu && !capabilities.iter().any(|c| c.value == "gpu") {
        diags.error_hint(
            codes::UNSUPPORTED_COMPOSE_KEY,
            &node.loc(path),
            "only GPUs (`capabilities: [gpu]`) can be reserved as devices",
            "list device nodes under `devices`, or add `gpu` to `capabilities`",
        );
        return None;
    }
    let vendor = match fields.string("driver", diags) {
        Some(driver) => spec::gpu_vendor(driver, diags)?,
        None => Located {
            value: GpuVendor::Nvidia,
            at: node.loc(path),
        },
    };
    let ids = fields.strings("device_ids", diags);
    let count = fields.get("count");
    if let (Some((count, count_path)), false) = (&count, ids.is_empty()) {
        diags.error(
            codes::BAD_GPU_COUNT,
            &count.loc(count_path),
            "`count` and `device_ids` cannot both be given",
        );
        return None;
    }
    let (all, count) = match count {
        None => (ids.is_empty(), 0),
        Some((node, _)) if matches!(&node.value, Value::Scalar { text, .. } if text == "all") => {
            (true, 0)
        }
        Some((node, path)) => (
            false,
            bounded(node, &path, 1, 1024, codes::BAD_GPU_COUNT, diags)
                .and_then(|v| u32::try_from(v).ok())?,
        ),
    };
    let count = if ids.is_empty() {
        count
    } else {
        u32::try_from(ids.len()).ok()?
    };
    Some(GpuRequest {
        count: Located {
            value: count,
            at: fields
                .get("count")
                .map_or_else(|| node.loc(path), |(n, p)| n.loc(&p)),
        },
        vendor,
        distributed: None,
        all,
        ids,
    })
}

/// `HOST[:CONTAINER[:PERMS]]`, or `{source, target, permissions}`; the node keeps its host
/// path in the container.
fn device(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<DeviceRequest> {
    let (host, container, permissions) = if let Value::Map(_) = node.value {
        let fields = Fields::read(node, path, &["source", "target", "permissions"], &[], diags)?;
        let host = fields
            .require("source", diags)
            .and_then(|(node, path)| decode::string(node, &path, diags))?;
        (
            host,
            fields.string("target", diags),
            fields.string("permissions", diags),
        )
    } else {
        let text = decode::string(node, path, diags)?;
        let part = |value: &str| Located {
            value: value.to_string(),
            at: text.at.clone(),
        };
        let mut parts = text.value.splitn(3, ':');
        let host = part(parts.next().unwrap_or_default());
        let mut container = parts.next().map(part);
        let mut permissions = parts.next().map(part);
        // `HOST:PERMS`, as Docker reads a second part that is only access letters.
        if permissions.is_none() && container.as_ref().is_some_and(|c| is_access(&c.value)) {
            permissions = container.take();
        }
        (host, container, permissions)
    };
    let normalized = match names::device_path(&host.value) {
        Ok(normalized) => normalized,
        Err(message) => {
            diags.error_hint(
                codes::BAD_DEVICE_PATH,
                &host.at,
                message,
                "write `/dev/HOST[:/dev/CONTAINER[:PERMS]]`, such as `/dev/fuse:/dev/fuse:rwm`",
            );
            return None;
        }
    };
    if let Some(container) = &container {
        if names::device_path(&container.value).ok().as_deref() != Some(normalized.as_str()) {
            diags.error_hint(
                codes::UNSUPPORTED_COMPOSE_KEY,
                &container.at,
                format!(
                    "device `{}` would appear at `{}`: bundlec keeps a device at its host path",
                    host.value, container.value
                ),
                "give the same path on both sides, or only the host path",
            );
            return None;
        }
    }
    let access = permissions.map_or_else(|| "rwm".to_string(), |p| p.value.clone());
    if !is_access(&access) {
        diags.error_hint(
            codes::BAD_DEVICE_ACCESS,
            &host.at,
            format!("`{access}` is not a device permission"),
            "use letters of `rwm`, such as `rw`",
        );
        return None;
    }
    Some(DeviceRequest {
        path: Located {
            value: normalized,
            at: host.at,
        },
        read: access.contains('r'),
        write: access.contains('w'),
        mknod: access.contains('m'),
    })
}

/// Letters of `rwm`, at least one.
fn is_access(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| matches!(c, 'r' | 'w' | 'm'))
}

/// `c 1:3 mr`, `b 8:* rwm`, `a *:* rwm`.
fn device_rule(text: &str) -> Option<DeviceRule> {
    let mut words = text.split_whitespace();
    let kind = match words.next()? {
        "a" => 'a',
        "b" => 'b',
        "c" => 'c',
        _ => return None,
    };
    let (major, minor) = words.next()?.split_once(':')?;
    let number = |text: &str| -> Option<Option<i64>> {
        if text == "*" {
            Some(None)
        } else {
            text.parse::<u32>().ok().map(|n| Some(i64::from(n)))
        }
    };
    let access = words.next()?;
    if words.next().is_some() || !is_access(access) {
        return None;
    }
    Some(DeviceRule {
        kind,
        major: number(major)?,
        minor: number(minor)?,
        access: access.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::device_rule;

    #[test]
    fn device_rules_as_docker_writes_them() {
        let rule = device_rule("c 1:3 mr").unwrap();
        assert_eq!((rule.kind, rule.major, rule.minor), ('c', Some(1), Some(3)));
        assert_eq!(rule.access, "mr");
        let rule = device_rule("b 8:* rwm").unwrap();
        assert_eq!(rule.minor, None);
        for bad in [
            "",
            "x 1:3 r",
            "c 1 r",
            "c 1:3",
            "c 1:3 rq",
            "c a:3 r",
            "c 1:3 r x",
        ] {
            assert!(device_rule(bad).is_none(), "{bad}");
        }
    }
}
