//! Host directories of named and anonymous volumes for `apply`: `<state-dir>/<deployment>/<name>`
//! and `<state-dir>/<deployment>/<service>-rep-<N>-anon-<target>`, created on first use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bundlec_core::diagnostic::Diagnostics;
use bundlec_core::spec::{self, StorageKind};

#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    #[error("the state directory `{}` is not UTF-8", .0.display())]
    NotUtf8(PathBuf),
    #[error("cannot find the current directory")]
    CurrentDir(#[source] std::io::Error),
    #[error("cannot create the volume directory `{}`", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One volume's key in `options.volumes` and its host directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub key: String,
    pub path: PathBuf,
}

/// The volumes of the chosen service that `given` (from `--volume`) does not already place.
/// A spec that does not parse, or a service that cannot be chosen, has none: the compile
/// reports those faults itself.
pub fn plan(
    spec_text: &str,
    service: Option<&str>,
    replica: u32,
    state_dir: &Path,
    given: &BTreeMap<String, String>,
) -> Result<Vec<Volume>, VolumeError> {
    let mut diags = Diagnostics::default();
    let Some(deployment) = spec::parse(spec_text, &mut diags) else {
        return Ok(Vec::new());
    };
    if diags.has_errors() {
        return Ok(Vec::new());
    }
    let chosen = match service {
        Some(name) => deployment.services.iter().find(|s| s.name == name),
        None => match deployment.services.as_slice() {
            [only] => Some(only),
            _ => None,
        },
    };
    let Some(service) = chosen else {
        return Ok(Vec::new());
    };
    let state_dir = if state_dir.is_absolute() {
        state_dir.to_path_buf()
    } else {
        std::path::absolute(state_dir).map_err(VolumeError::CurrentDir)?
    };
    if state_dir.to_str().is_none() {
        return Err(VolumeError::NotUtf8(state_dir));
    }
    let base = state_dir.join(&deployment.name);
    let mut volumes = Vec::new();
    for storage in &service.storage {
        let (key, dir) = match &storage.kind {
            // The compile reports a bad name (`bad-volume-name`); it never becomes a path here.
            StorageKind::Named { name } if !safe_name(name) => continue,
            StorageKind::Named { name } => (name.clone(), name.clone()),
            StorageKind::Anonymous => {
                let target = &storage.target.value;
                (
                    target.clone(),
                    format!(
                        "{}-rep-{replica}-anon-{}",
                        service.name,
                        target.replace('/', "_")
                    ),
                )
            }
            _ => continue,
        };
        if given.contains_key(&key) || volumes.iter().any(|v: &Volume| v.key == key) {
            continue;
        }
        volumes.push(Volume {
            key,
            path: base.join(dir),
        });
    }
    Ok(volumes)
}

/// One plain directory name: no `/`, not `.` or `..`, nothing that needs quoting.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Creates the directories that do not exist yet, owned by the container's user so that it can
/// write to them; existing ones keep their owner and content.
pub fn create(volumes: &[Volume], uid: u32, gid: u32) -> Result<(), VolumeError> {
    for volume in volumes {
        if volume.path.is_dir() {
            continue;
        }
        let created = |source| VolumeError::Create {
            path: volume.path.clone(),
            source,
        };
        std::fs::create_dir_all(&volume.path).map_err(created)?;
        std::os::unix::fs::chown(&volume.path, Some(uid), Some(gid)).map_err(created)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str =
        "version: v1\ndeployment: shop\nservices:\n  api:\n    image: { name: x }\n    storage:\n\
        \x20     - { type: named, name: data, target: /var/lib/data }\n\
        \x20     - { type: anonymous, target: /var/cache/app }\n\
        \x20     - { type: tmpfs, target: /tmp }\n\
        \x20     - { type: named, name: given, target: /given }\n";

    #[test]
    fn places_named_and_anonymous_volumes() {
        let given = BTreeMap::from([("given".to_string(), "/elsewhere".to_string())]);
        let volumes = plan(SPEC, None, 3, Path::new("/state"), &given).unwrap();
        assert_eq!(
            volumes,
            [
                Volume {
                    key: "data".into(),
                    path: "/state/shop/data".into()
                },
                Volume {
                    key: "/var/cache/app".into(),
                    path: "/state/shop/api-rep-3-anon-_var_cache_app".into()
                },
            ]
        );
        assert_eq!(
            plan(
                SPEC,
                Some("other"),
                1,
                Path::new("/state"),
                &BTreeMap::new()
            )
            .unwrap(),
            []
        );
        assert_eq!(
            plan("version: [", None, 1, Path::new("/state"), &BTreeMap::new()).unwrap(),
            []
        );
    }

    #[test]
    fn never_places_names_that_leave_the_state_dir() {
        let spec = SPEC.replace("name: data", "name: ../../etc");
        let volumes = plan(&spec, None, 1, Path::new("/state"), &BTreeMap::new()).unwrap();
        assert!(
            volumes.iter().all(|v| v.path.starts_with("/state/shop/")),
            "{volumes:?}"
        );
        assert!(!volumes.iter().any(|v| v.key.contains("..")), "{volumes:?}");
    }
}
