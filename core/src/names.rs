//! The rules for names and paths a spec, the options or an inventory write: what is valid, and
//! the lexical normal form of a path. Shared by the reader, the sections and the outline.

pub fn valid_deployment_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Volume names become directory names on the host: no separators, no `.` or `..`.
pub fn valid_volume_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Non-empty, and free of `=` and NUL.
pub fn valid_env_key(key: &str) -> bool {
    !key.is_empty() && !key.contains(['=', '\0'])
}

/// RFC 1123, within the kernel's 64-byte limit.
pub fn valid_hostname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Absolute and free of `..` components.
pub fn absolute_clean(path: &str) -> bool {
    path.starts_with('/') && !path.split('/').any(|part| part == "..")
}

/// `/data/./x`, `//data/x` and `/data/x/` all name `/data/x`.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// A device path as written in the container: normalized lexically and below `/dev`, or why not.
pub fn device_path(path: &str) -> Result<String, String> {
    match resolve_dots(path) {
        Some(normalized) if normalized.starts_with("/dev/") => Ok(normalized),
        Some(normalized) => Err(format!(
            "device `{path}` must be a path under /dev, but it names `{normalized}`"
        )),
        None => Err(format!(
            "device `{path}` must be an absolute path under /dev"
        )),
    }
}

/// Whether `path` is already a normal path below `/dev`: no empty, `.` or `..` component and no
/// trailing `/`. The common case, checked without allocating (the inventory checks every node).
pub fn is_normal_device_path(path: &str) -> bool {
    path.strip_prefix("/dev/").is_some_and(|rest| {
        rest.split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
    })
}

/// Resolves `.` and `..` lexically; `None` for a relative path or one that climbs out of `/`.
pub fn resolve_dots(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_device_paths_agree_with_resolving_them() {
        for path in [
            "/dev/null",
            "/dev/dri/card0",
            "/dev/",
            "/dev",
            "/dev//null",
            "/dev/./null",
            "/dev/a/../null",
            "/dev/null/",
            "dev/null",
            "/etc/passwd",
            "/dev/..",
            "/dev/.hidden",
        ] {
            let resolved = device_path(path).ok();
            assert_eq!(
                is_normal_device_path(path),
                resolved.as_deref() == Some(path),
                "{path}"
            );
        }
    }
}
