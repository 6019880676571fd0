//! A seccomp profile given by `seccomp=PATH`, in Docker's format (which an OCI `LinuxSeccomp`
//! document also is): read from JSON, checked, and borrowed as rules like the default profile.

use oci_spec::runtime::{Arch, LinuxSeccompAction, LinuxSeccompFilterFlag};
use serde::{Deserialize, Deserializer};

use super::profile::{ArchEntry, Argument, Condition, KernelVersion, Rule};
use crate::json::from_json_object;

/// Docker's profile format: the OCI fields, plus `archMap` and per-rule conditions.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DockerProfile {
    #[serde(default)]
    default_action: Option<LinuxSeccompAction>,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub architectures: Vec<Arch>,
    #[serde(default)]
    arch_map: Vec<DockerArchEntry>,
    #[serde(default)]
    pub flags: Vec<LinuxSeccompFilterFlag>,
    #[serde(default)]
    pub listener_path: Option<String>,
    #[serde(default)]
    pub listener_metadata: Option<String>,
    #[serde(default)]
    syscalls: Vec<DockerSyscall>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DockerArchEntry {
    architecture: Arch,
    #[serde(default)]
    sub_architectures: Option<Vec<Arch>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DockerSyscall {
    /// The old single-name form; a rule gives `name` or `names`, not both.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    action: LinuxSeccompAction,
    #[serde(default)]
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Option<Vec<Argument>>,
    #[serde(default)]
    #[allow(dead_code)] // Read so that a commented profile is accepted.
    comment: Option<String>,
    #[serde(default)]
    includes: Option<DockerCondition>,
    #[serde(default)]
    excludes: Option<DockerCondition>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DockerCondition {
    #[serde(default)]
    arches: Vec<String>,
    #[serde(default)]
    caps: Vec<String>,
    #[serde(default, deserialize_with = "kernel_version")]
    min_kernel: Option<KernelVersion>,
}

impl<'de> Deserialize<'de> for Argument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Written {
            index: usize,
            value: u64,
            #[serde(default)]
            value_two: Option<u64>,
            op: oci_spec::runtime::LinuxSeccompOperator,
        }
        let written = Written::deserialize(deserializer)?;
        Ok(Argument {
            index: written.index,
            value: written.value,
            value_two: written.value_two,
            op: written.op,
        })
    }
}

fn kernel_version<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<KernelVersion>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    KernelVersion::parse(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("minKernel `{text}` is not MAJOR.MINOR")))
}

impl DockerProfile {
    /// Reads a profile's JSON text and checks what moby checks, and that it confines at all.
    pub fn from_json(text: &str) -> Result<DockerProfile, String> {
        let mut profile: DockerProfile =
            from_json_object(text).map_err(|problem| problem.sentence("it", false))?;
        if profile.default_action.is_none() {
            // moby runs a profile without one unconfined; bundlec never drops a filter silently.
            return Err("it has no `defaultAction`".to_string());
        }
        if !profile.architectures.is_empty() && !profile.arch_map.is_empty() {
            return Err("it gives both `architectures` and `archMap`; give one".to_string());
        }
        for (i, call) in profile.syscalls.iter_mut().enumerate() {
            if let Some(name) = call.name.take() {
                if !call.names.is_empty() {
                    return Err(format!(
                        "`syscalls[{i}]` gives both `name` and `names`; give one"
                    ));
                }
                call.names.push(name);
            }
            if call.names.is_empty() {
                return Err(format!("`syscalls[{i}]` names no system call"));
            }
        }
        Ok(profile)
    }

    pub fn default_action(&self) -> LinuxSeccompAction {
        self.default_action.unwrap_or_default()
    }

    /// The `archMap` entries, borrowed like the default profile's.
    pub fn arch_map(&self) -> Vec<ArchEntry<'_>> {
        self.arch_map
            .iter()
            .map(|entry| ArchEntry {
                architecture: entry.architecture,
                sub_architectures: entry.sub_architectures.as_deref().unwrap_or(&[]),
            })
            .collect()
    }

    /// The rules, borrowed like the default profile's.
    pub fn rules(&self) -> Vec<Rule<'_, String>> {
        fn condition(written: Option<&DockerCondition>) -> Condition<'_, String> {
            match written {
                Some(c) => Condition {
                    arches: &c.arches,
                    caps: &c.caps,
                    min_kernel: c.min_kernel,
                },
                None => Condition {
                    arches: &[],
                    caps: &[],
                    min_kernel: None,
                },
            }
        }
        self.syscalls
            .iter()
            .map(|call| Rule {
                names: &call.names,
                action: call.action,
                errno_ret: call.errno_ret,
                args: call.args.as_deref().unwrap_or(&[]),
                includes: condition(call.includes.as_ref()),
                excludes: condition(call.excludes.as_ref()),
            })
            .collect()
    }
}
