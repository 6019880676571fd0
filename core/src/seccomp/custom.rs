//! A seccomp profile `seccomp=PATH` names, in Docker's format (which an OCI `linux.seccomp`
//! object also is): read field by field from JSON, every name checked against the OCI lists,
//! so a misspelt key or action is an error rather than a weaker filter.

use crate::json::{get, Json as Value, Object};

use super::oci_names::{ACTIONS, ARCHES, FLAGS, OPERATORS};
use super::profile::{Condition, KernelVersion};

/// A profile as read, before its rules are resolved for a container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomProfile {
    pub default_action: &'static str,
    pub default_errno_ret: Option<u64>,
    pub architectures: Vec<&'static str>,
    /// `archMap`: each architecture with its sub-architectures.
    pub arch_map: Vec<(&'static str, Vec<&'static str>)>,
    pub flags: Vec<&'static str>,
    pub listener_path: Option<String>,
    pub listener_metadata: Option<String>,
    pub rules: Vec<CustomRule>,
}

/// A rule of a profile, with its conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomRule {
    pub names: Vec<String>,
    pub action: &'static str,
    pub errno_ret: Option<u64>,
    pub args: Vec<Argument>,
    pub includes: OwnedCondition,
    pub excludes: OwnedCondition,
}

/// A system call argument comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argument {
    pub index: u64,
    pub value: u64,
    pub value_two: Option<u64>,
    pub op: &'static str,
}

/// An `includes` or `excludes` block of a profile read from JSON.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OwnedCondition {
    pub arches: Vec<String>,
    pub caps: Vec<String>,
    pub min_kernel: Option<KernelVersion>,
}

impl OwnedCondition {
    pub fn borrowed(&self) -> Condition<'_, String> {
        Condition {
            arches: &self.arches,
            caps: &self.caps,
            min_kernel: self.min_kernel,
        }
    }
}

/// Reads a profile's JSON text, checking what moby checks and that it confines at all. The
/// error names the field (`syscalls[3].action`) and what is wrong with it.
pub fn read(text: &str) -> Result<CustomProfile, String> {
    let value = crate::json::parse(text).map_err(|error| format!("it is not JSON: {error}"))?;
    let top = object(&value, "the profile")?;
    known_fields(
        top,
        "",
        &[
            "defaultAction",
            "defaultErrnoRet",
            "architectures",
            "archMap",
            "flags",
            "listenerPath",
            "listenerMetadata",
            "syscalls",
        ],
    )?;
    let Some(default_action) = get(top, "defaultAction") else {
        // moby runs a profile without one unconfined; bundlec never drops a filter silently.
        return Err("it has no `defaultAction`".to_string());
    };
    let mut profile = CustomProfile {
        default_action: name(default_action, "defaultAction", ACTIONS)?,
        default_errno_ret: optional_number(
            get(top, "defaultErrnoRet"),
            "defaultErrnoRet",
            u32::MAX.into(),
        )?,
        architectures: names(get(top, "architectures"), "architectures", ARCHES)?,
        flags: names(get(top, "flags"), "flags", FLAGS)?,
        listener_path: optional_string(get(top, "listenerPath"), "listenerPath")?,
        listener_metadata: optional_string(get(top, "listenerMetadata"), "listenerMetadata")?,
        ..CustomProfile::default()
    };
    for (i, entry) in list(get(top, "archMap"), "archMap")?.iter().enumerate() {
        let at = format!("archMap[{i}]");
        let entry_map = object(entry, &at)?;
        known_fields(entry_map, &at, &["architecture", "subArchitectures"])?;
        let architecture = get(entry_map, "architecture")
            .ok_or_else(|| format!("`{at}` has no `architecture`"))?;
        profile.arch_map.push((
            name(architecture, &format!("{at}.architecture"), ARCHES)?,
            names(
                get(entry_map, "subArchitectures"),
                &format!("{at}.subArchitectures"),
                ARCHES,
            )?,
        ));
    }
    if !profile.architectures.is_empty() && !profile.arch_map.is_empty() {
        return Err("it gives both `architectures` and `archMap`; give one".to_string());
    }
    for (i, entry) in list(get(top, "syscalls"), "syscalls")?.iter().enumerate() {
        profile.rules.push(rule(entry, &format!("syscalls[{i}]"))?);
    }
    Ok(profile)
}

fn rule(value: &Value<'_>, at: &str) -> Result<CustomRule, String> {
    let map = object(value, at)?;
    known_fields(
        map,
        at,
        &[
            "name", "names", "action", "errnoRet", "args", "comment", "includes", "excludes",
        ],
    )?;
    let mut names = strings(get(map, "names"), &format!("{at}.names"))?;
    if let Some(single) = optional_string(get(map, "name"), &format!("{at}.name"))? {
        if !names.is_empty() {
            return Err(format!("`{at}` gives both `name` and `names`; give one"));
        }
        names.push(single);
    }
    if names.is_empty() {
        return Err(format!("`{at}` names no system call"));
    }
    let action = get(map, "action").ok_or_else(|| format!("`{at}` has no `action`"))?;
    let mut args = Vec::new();
    for (j, arg) in list(get(map, "args"), &format!("{at}.args"))?
        .iter()
        .enumerate()
    {
        let arg_at = format!("{at}.args[{j}]");
        let arg_map = object(arg, &arg_at)?;
        known_fields(arg_map, &arg_at, &["index", "value", "valueTwo", "op"])?;
        let required =
            |key: &str| get(arg_map, key).ok_or_else(|| format!("`{arg_at}` has no `{key}`"));
        args.push(Argument {
            // Linux passes six arguments to a system call.
            index: number(required("index")?, &format!("{arg_at}.index"), 5)?,
            value: number(required("value")?, &format!("{arg_at}.value"), u64::MAX)?,
            value_two: optional_number(
                get(arg_map, "valueTwo"),
                &format!("{arg_at}.valueTwo"),
                u64::MAX,
            )?,
            op: name(required("op")?, &format!("{arg_at}.op"), OPERATORS)?,
        });
    }
    Ok(CustomRule {
        names,
        action: name(action, &format!("{at}.action"), ACTIONS)?,
        errno_ret: optional_number(
            get(map, "errnoRet"),
            &format!("{at}.errnoRet"),
            u32::MAX.into(),
        )?,
        args,
        includes: condition(get(map, "includes"), &format!("{at}.includes"))?,
        excludes: condition(get(map, "excludes"), &format!("{at}.excludes"))?,
    })
}

fn condition(value: Option<&Value<'_>>, at: &str) -> Result<OwnedCondition, String> {
    let Some(value) = value.filter(|value| **value != Value::Null) else {
        return Ok(OwnedCondition::default());
    };
    let map = object(value, at)?;
    known_fields(map, at, &["arches", "caps", "minKernel"])?;
    let min_kernel = match optional_string(get(map, "minKernel"), &format!("{at}.minKernel"))? {
        Some(text) => Some(
            KernelVersion::parse(&text)
                .ok_or_else(|| format!("`{at}.minKernel` `{text}` is not MAJOR.MINOR"))?,
        ),
        None => None,
    };
    Ok(OwnedCondition {
        arches: strings(get(map, "arches"), &format!("{at}.arches"))?,
        caps: strings(get(map, "caps"), &format!("{at}.caps"))?,
        min_kernel,
    })
}

fn object<'v, 't>(value: &'v Value<'t>, at: &str) -> Result<&'v Object<'t>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("`{at}` must be a JSON object"))
}

fn known_fields(map: &Object<'_>, at: &str, known: &[&str]) -> Result<(), String> {
    match map
        .iter()
        .map(|(key, _)| key)
        .find(|key| !known.contains(&key.as_ref()))
    {
        Some(key) => {
            let place = if at.is_empty() {
                "the profile".to_string()
            } else {
                format!("`{at}`")
            };
            let mut message = format!("`{key}` is not a field of {place}");
            if let Some(near) = crate::diagnostic::closest(key, known.iter().copied()) {
                message.push_str(&format!(" (did you mean `{near}`?)"));
            }
            Err(message)
        }
        None => Ok(()),
    }
}

/// A list, where `null` or absent is empty.
fn list<'v, 't>(value: Option<&'v Value<'t>>, at: &str) -> Result<&'v [Value<'t>], String> {
    match value {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("`{at}` must be a list")),
    }
}

fn strings(value: Option<&Value<'_>>, at: &str) -> Result<Vec<String>, String> {
    list(value, at)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`{at}[{i}]` must be a string"))
        })
        .collect()
}

fn optional_string(value: Option<&Value<'_>>, at: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.to_string())),
        Some(_) => Err(format!("`{at}` must be a string")),
    }
}

/// One of `known`, as its static name.
fn name(value: &Value<'_>, at: &str, known: &[&'static str]) -> Result<&'static str, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("`{at}` must be a string"))?;
    known
        .iter()
        .copied()
        .find(|name| *name == text)
        .ok_or_else(|| {
            let mut message = format!("`{at}` `{text}` is not one of {}", known.join(", "));
            if let Some(near) = crate::diagnostic::closest(text, known.iter().copied()) {
                message = format!("`{at}` `{text}` is not known (did you mean `{near}`?)");
            }
            message
        })
}

fn names(
    value: Option<&Value<'_>>,
    at: &str,
    known: &[&'static str],
) -> Result<Vec<&'static str>, String> {
    list(value, at)?
        .iter()
        .enumerate()
        .map(|(i, item)| name(item, &format!("{at}[{i}]"), known))
        .collect()
}

fn number(value: &Value<'_>, at: &str, max: u64) -> Result<u64, String> {
    match value {
        Value::Whole(number) if *number <= max => Some(*number),
        _ => None,
    }
    .ok_or_else(|| format!("`{at}` must be a whole number from 0 to {max}"))
}

fn optional_number(value: Option<&Value<'_>>, at: &str, max: u64) -> Result<Option<u64>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => number(value, at, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_read_field_by_field_and_every_fault_named() {
        let profile = read(r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],"flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"name":"ptrace","action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_PTRACE"],"minKernel":"4.8"}},{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}],"comment":"linux32"}]}"#).unwrap();
        assert_eq!(profile.default_action, "SCMP_ACT_ERRNO");
        assert_eq!(profile.rules[0].names, ["ptrace"]);
        assert_eq!(
            profile.rules[0].includes.min_kernel,
            Some(KernelVersion { major: 4, minor: 8 })
        );
        assert_eq!(profile.rules[1].args[0].op, "SCMP_CMP_EQ");
        for (text, message) in [
            ("[]", "`the profile` must be a JSON object"),
            ("{", "it is not JSON"),
            (r#"{"syscalls":[]}"#, "it has no `defaultAction`"),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultAction":"SCMP_ACT_ALLOW"}"#,
                "it is not JSON: the key `defaultAction` is given twice at line 1 column 49",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERNO"}"#,
                "`defaultAction` `SCMP_ACT_ERNO` is not known (did you mean `SCMP_ACT_ERRNO`?)",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","sycalls":[]}"#,
                "`sycalls` is not a field of the profile (did you mean `syscalls`?)",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}"#,
                "it gives both `architectures` and `archMap`; give one",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_LOG"}]}"#,
                "`syscalls[0]` gives both `name` and `names`; give one",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_LOG"}]}"#,
                "`syscalls[0]` names no system call",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_LOG","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
                "`syscalls[0].args[0].index` must be a whole number from 0 to 5",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_LOG","excludes":{"minKernel":"five"}}]}"#,
                "`syscalls[0].excludes.minKernel` `five` is not MAJOR.MINOR",
            ),
        ] {
            let error = read(text).unwrap_err();
            assert!(error.starts_with(message), "{text}: {error}");
        }
    }
}
