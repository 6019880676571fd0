//! Host directories of named and anonymous volumes for `apply`: `<state-dir>/<deployment>/<name>`
//! and `<state-dir>/<deployment>/<service>-rep-<N>-anon-<target>`, created on first use with mode
//! 0755. Which volumes a service has, and which names are valid, is the core's `outline`. The target is encoded one-to-one (see `encode_target`), so two targets never share a
//! directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{self, DirBuilder, Permissions};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bundlec_core::VolumeKind;

use crate::path_error::PathError;

/// One volume's key in `options.volumes` and its host directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub key: String,
    pub path: PathBuf,
}

/// The volumes of the chosen service that `given` (from `--volume`) does not already place,
/// read from the core's outline of the spec (only volumes with valid names and targets, once
/// each), under the deployment or Compose project. A spec that cannot be read, an invalid deployment name, or a service that cannot be
/// chosen gives none: the compile reports those faults itself. A spec with other errors is
/// still planned, so that a typo elsewhere does not add a `volume-not-provided` error; nothing
/// is created before the compile succeeds.
pub fn plan(
    spec_text: &str,
    service: Option<&str>,
    replica: u32,
    state_dir: &Path,
    given: &BTreeMap<String, String>,
    project: Option<&str>,
) -> Result<Vec<Volume>, PathError> {
    let Ok(outline) = bundlec_core::outline(spec_text) else {
        return Ok(Vec::new());
    };
    // A Compose file without `name:` takes the project the CLI gave (its folder's name).
    let Some(deployment) = outline.deployment.or(project.map(str::to_string)) else {
        return Ok(Vec::new());
    };
    let chosen = match service {
        Some(name) => outline.services.iter().find(|s| s.name == name),
        None => match outline.services.as_slice() {
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
        std::path::absolute(state_dir).map_err(PathError::CurrentDir)?
    };
    if state_dir.to_str().is_none() {
        return Err(PathError::StateDirNotUtf8(state_dir));
    }
    let base = state_dir.join(deployment);
    let mut volumes = Vec::new();
    for volume in &service.volumes {
        let dir = match volume.kind {
            VolumeKind::Named => volume.key.clone(),
            VolumeKind::Anonymous => format!(
                "{}-rep-{replica}-anon-{}",
                service.name,
                encode_target(&volume.key)
            ),
            // The operator gives S3 buckets' directories (`volume-not-provided` otherwise).
            VolumeKind::S3 => continue,
        };
        if given.contains_key(&volume.key) {
            continue;
        }
        volumes.push(Volume {
            key: volume.key.clone(),
            path: base.join(dir),
        });
    }
    Ok(volumes)
}

/// A container path as one directory name, one-to-one: `[A-Za-z0-9.]` are kept, `/` becomes
/// `_`, and every other byte (`_` and `-` included) becomes `-` and two lowercase hex digits.
/// `/a_b` is `_a-5fb` and `/a/b` is `_a_b`.
pub fn encode_target(target: &str) -> String {
    let mut name = String::with_capacity(target.len());
    for byte in target.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' => name.push(char::from(byte)),
            b'/' => name.push('_'),
            _ => {
                let _ = write!(name, "-{byte:02x}");
            }
        }
    }
    name
}

/// The mode of every directory `create` makes, whatever the umask.
pub const DIR_MODE: u32 = 0o755;

/// Creates the directories that do not exist yet, owned by the container's user so that it can
/// write to them; existing ones keep their owner, mode and content. Missing parents are created
/// too, with the same mode, and stay owned by the caller.
pub fn create(volumes: &[Volume], uid: u32, gid: u32) -> Result<(), PathError> {
    for volume in volumes {
        if volume.path.is_dir() {
            continue;
        }
        let created = || PathError::io("create the volume directory", &volume.path);
        create_dirs(&volume.path).map_err(created())?;
        std::os::unix::fs::chown(&volume.path, Some(uid), Some(gid)).map_err(created())?;
    }
    Ok(())
}

/// `mkdir -p` with mode 0755 for each directory it makes: the umask applies to mkdir's mode,
/// so each new directory gets its mode set again after.
fn create_dirs(path: &Path) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut at = path;
    while fs::symlink_metadata(at).is_err() {
        missing.push(at);
        match at.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => at = parent,
            _ => break,
        }
    }
    for dir in missing.into_iter().rev() {
        match DirBuilder::new().mode(DIR_MODE).create(dir) {
            Ok(()) => fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))?,
            // Made meanwhile by someone else: theirs, left as it is.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(error) => return Err(error),
        }
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
        let volumes = plan(SPEC, None, 3, Path::new("/state"), &given, None).unwrap();
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
                &BTreeMap::new(),
                None
            )
            .unwrap(),
            []
        );
        assert_eq!(
            plan(
                "version: [",
                None,
                1,
                Path::new("/state"),
                &BTreeMap::new(),
                None
            )
            .unwrap(),
            []
        );
    }

    #[test]
    fn never_places_names_that_leave_the_state_dir() {
        // The bad name gets no directory (the compile reports `bad-volume-name`); the others do.
        let anonymous = Volume {
            key: "/var/cache/app".into(),
            path: "/state/shop/api-rep-1-anon-_var_cache_app".into(),
        };
        let given = Volume {
            key: "given".into(),
            path: "/state/shop/given".into(),
        };
        for bad in ["../../etc", "..", "a/b", "."] {
            let spec = SPEC.replace("name: data", &format!("name: \"{bad}\""));
            let volumes =
                plan(&spec, None, 1, Path::new("/state"), &BTreeMap::new(), None).unwrap();
            assert_eq!(volumes, [anonymous.clone(), given.clone()], "{bad}");
        }
        // Nor does an invalid deployment name.
        let spec = SPEC.replace("deployment: shop", "deployment: ../x");
        assert_eq!(
            plan(&spec, None, 1, Path::new("/state"), &BTreeMap::new(), None).unwrap(),
            []
        );
    }

    #[test]
    fn anonymous_targets_get_distinct_directories() {
        let spec = "version: v1\ndeployment: shop\nservices:\n  api:\n    image: { name: x }\n    storage:\n\
            \x20     - { type: anonymous, target: /a_b }\n\
            \x20     - { type: anonymous, target: /a/b }\n";
        let volumes = plan(spec, None, 1, Path::new("/state"), &BTreeMap::new(), None).unwrap();
        let paths: Vec<&Path> = volumes.iter().map(|v| v.path.as_path()).collect();
        assert_eq!(
            paths,
            [
                Path::new("/state/shop/api-rep-1-anon-_a-5fb"),
                Path::new("/state/shop/api-rep-1-anon-_a_b"),
            ]
        );
    }

    #[test]
    fn targets_encode_one_to_one() {
        assert_eq!(encode_target("/var/cache/app"), "_var_cache_app");
        assert_eq!(encode_target("/a_b"), "_a-5fb");
        assert_eq!(encode_target("/a/b"), "_a_b");
        assert_eq!(encode_target("/my-app/v1.2"), "_my-2dapp_v1.2");
        assert_eq!(encode_target("/data dir/é"), "_data-20dir_-c3-a9");
        assert_eq!(encode_target("/a-5fb"), "_a-2d5fb");
    }

    #[test]
    fn directories_are_0755_whatever_the_umask() {
        use std::os::unix::fs::MetadataExt;
        let base = std::env::temp_dir().join(format!("bundlec-volumes-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        let uid = nix::unistd::geteuid().as_raw();
        let gid = nix::unistd::getegid().as_raw();
        // umask is per process: 000 would let mkdir's default 0777 through, 077 would take
        // 0755 down to 0700.
        for (umask, top) in [(0o000, "open"), (0o077, "closed")] {
            let volume = Volume {
                key: "data".into(),
                path: base.join(top).join("er/data"),
            };
            let old = nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(umask));
            let created = create(std::slice::from_ref(&volume), uid, gid);
            nix::sys::stat::umask(old);
            created.unwrap();
            for dir in ["", "er", "er/data"] {
                let path = base.join(top).join(dir);
                let mode = fs::metadata(&path).unwrap().mode() & 0o7777;
                assert_eq!(mode, 0o755, "{}: {mode:o}", path.display());
            }
        }
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn a_compose_file_without_a_name_places_volumes_under_the_project() {
        let spec = "services:\n  db:\n    image: postgres\n    volumes: [\"pgdata:/var/lib/pg\"]\n";
        let volumes = plan(
            spec,
            None,
            1,
            Path::new("/state"),
            &BTreeMap::new(),
            Some("shop"),
        )
        .unwrap();
        assert_eq!(volumes.len(), 1);
        assert_eq!(volumes[0].key, "pgdata");
        assert_eq!(volumes[0].path, PathBuf::from("/state/shop/pgdata"));
        // Without a project there is nowhere to put them: the compile reports the missing path.
        assert!(
            plan(spec, None, 1, Path::new("/state"), &BTreeMap::new(), None)
                .unwrap()
                .is_empty()
        );
    }
}
