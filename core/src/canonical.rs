//! Canonical JSON for a config: the same bytes for the same spec on every target.
//! oci-spec keeps capabilities in hash sets and annotations and sysctls in hash maps; these views
//! serialize the fields bundlec sets, in oci-spec's field order, with sets and maps sorted.

use std::collections::BTreeMap;

use oci_spec::runtime::{Capabilities, Linux, LinuxCapabilities, LinuxNetDevice, Process, Spec};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::seccomp::{Filter, SeccompSection};

/// The spec as `config.json`: pretty JSON with sets sorted and maps in key order, and a final
/// newline, so the same spec always gives the same bytes.
pub fn to_json(spec: &Spec, seccomp: &SeccompSection) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&CanonicalSpec(spec, seccomp))?;
    if let SeccompSection::Filter(filter) = seccomp {
        splice_seccomp(&mut text, filter)?;
    }
    text.push('\n');
    Ok(text)
}

/// Where the writer leaves `linux.seccomp`: the key with a `null` value. Inside a JSON string a
/// newline is escaped, and map values in the config are strings, so these bytes occur nowhere
/// else.
const SECCOMP_PLACEHOLDER: &str = "\n    \"seccomp\": null";

/// Writes the filter in place of the placeholder (its rules are mostly pre-rendered text).
fn splice_seccomp(text: &mut String, filter: &Filter) -> Result<(), serde_json::Error> {
    let Some(at) = text.find(SECCOMP_PLACEHOLDER) else {
        return Err(serde::ser::Error::custom(
            "the seccomp placeholder is missing",
        ));
    };
    let value_at = at + SECCOMP_PLACEHOLDER.len() - "null".len();
    let tail = text.split_off(value_at + "null".len());
    text.truncate(value_at);
    crate::seccomp::render::write(text, filter)?;
    text.push_str(&tail);
    Ok(())
}

struct CanonicalSpec<'a>(&'a Spec, &'a SeccompSection);
struct CanonicalProcess<'a>(&'a Process);
struct CanonicalCapabilities<'a>(&'a LinuxCapabilities);
struct SortedSet<'a>(&'a Capabilities);
struct CanonicalLinux<'a>(&'a Linux, &'a SeccompSection);
/// A string map in key order. The order is an index of positions by key, the core's one index
/// type, so that WebAssembly carries no further copy of the B-tree (and sort) code for it.
struct SortedMap<'a> {
    pairs: Vec<(&'a str, &'a str)>,
    order: BTreeMap<&'a str, usize>,
}

impl<'a> SortedMap<'a> {
    fn new(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> SortedMap<'a> {
        let pairs: Vec<(&str, &str)> = map
            .into_iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let mut order = BTreeMap::new();
        for (i, (key, _)) in pairs.iter().enumerate() {
            order.insert(*key, i);
        }
        SortedMap { pairs, order }
    }
}

impl Serialize for SortedMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.order
                .values()
                .filter_map(|&i| self.pairs.get(i))
                .map(|&(key, value)| (key, value)),
        )
    }
}

/// `linux.netDevices` (a hash map in oci-spec) in key order.
#[allow(clippy::disallowed_types)] // oci-spec's own type; it is written sorted
struct NetDevices<'a>(&'a std::collections::HashMap<String, LinuxNetDevice>);

impl Serialize for NetDevices<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Positions by key, as SortedMap: the core's one index type.
        let pairs: Vec<(&String, &LinuxNetDevice)> = self.0.iter().collect();
        let mut order: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (key, _)) in pairs.iter().enumerate() {
            order.insert(key.as_str(), i);
        }
        serializer.collect_map(order.values().filter_map(|&i| pairs.get(i).copied()))
    }
}

/// A capability as the OCI spec names it: `CAP_` and the kernel's name.
struct CapName<'a>(&'a str);

impl Serialize for CapName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("CAP_{}", self.0))
    }
}

/// Writes `key: value` when the value is present.
fn entry<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    key: &str,
    value: Option<&T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, value),
        None => Ok(()),
    }
}

impl Serialize for CanonicalSpec<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let spec = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("ociVersion", spec.version())?;
        entry(&mut map, "root", spec.root().as_ref())?;
        entry(&mut map, "mounts", spec.mounts().as_ref())?;
        entry(
            &mut map,
            "process",
            spec.process().as_ref().map(CanonicalProcess).as_ref(),
        )?;
        entry(&mut map, "hostname", spec.hostname().as_ref())?;
        entry(&mut map, "domainname", spec.domainname().as_ref())?;
        entry(&mut map, "hooks", spec.hooks().as_ref())?;
        let annotations = spec.annotations().as_ref().map(SortedMap::new);
        entry(&mut map, "annotations", annotations.as_ref())?;
        entry(
            &mut map,
            "linux",
            spec.linux()
                .as_ref()
                .map(|linux| CanonicalLinux(linux, self.1))
                .as_ref(),
        )?;
        map.end()
    }
}

impl Serialize for CanonicalProcess<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let process = self.0;
        let mut map = serializer.serialize_map(None)?;
        entry(&mut map, "terminal", process.terminal().as_ref())?;
        map.serialize_entry("user", process.user())?;
        entry(&mut map, "args", process.args().as_ref())?;
        entry(&mut map, "env", process.env().as_ref())?;
        map.serialize_entry("cwd", process.cwd())?;
        entry(
            &mut map,
            "capabilities",
            process
                .capabilities()
                .as_ref()
                .map(CanonicalCapabilities)
                .as_ref(),
        )?;
        entry(&mut map, "rlimits", process.rlimits().as_ref())?;
        entry(
            &mut map,
            "noNewPrivileges",
            process.no_new_privileges().as_ref(),
        )?;
        entry(
            &mut map,
            "apparmorProfile",
            process.apparmor_profile().as_ref(),
        )?;
        entry(&mut map, "oomScoreAdj", process.oom_score_adj().as_ref())?;
        entry(&mut map, "selinuxLabel", process.selinux_label().as_ref())?;
        map.end()
    }
}

impl Serialize for CanonicalCapabilities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let caps = self.0;
        let mut map = serializer.serialize_map(None)?;
        entry(
            &mut map,
            "bounding",
            caps.bounding().as_ref().map(SortedSet).as_ref(),
        )?;
        entry(
            &mut map,
            "effective",
            caps.effective().as_ref().map(SortedSet).as_ref(),
        )?;
        entry(
            &mut map,
            "inheritable",
            caps.inheritable().as_ref().map(SortedSet).as_ref(),
        )?;
        entry(
            &mut map,
            "permitted",
            caps.permitted().as_ref().map(SortedSet).as_ref(),
        )?;
        entry(
            &mut map,
            "ambient",
            caps.ambient().as_ref().map(SortedSet).as_ref(),
        )?;
        map.end()
    }
}

impl Serialize for SortedSet<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let names: Vec<&str> = self
            .0
            .iter()
            .map(|cap| crate::caps::capability_name(*cap))
            .collect();
        let names = crate::sorting::sort_by(names, |a, b| a.cmp(b));
        serializer.collect_seq(names.iter().map(|name| CapName(name)))
    }
}

impl Serialize for CanonicalLinux<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let linux = self.0;
        let mut map = serializer.serialize_map(None)?;
        let net_devices = linux.net_devices().as_ref().map(NetDevices);
        entry(&mut map, "netDevices", net_devices.as_ref())?;
        let sysctl = linux.sysctl().as_ref().map(SortedMap::new);
        entry(&mut map, "sysctl", sysctl.as_ref())?;
        entry(&mut map, "resources", linux.resources().as_ref())?;
        entry(&mut map, "namespaces", linux.namespaces().as_ref())?;
        entry(&mut map, "devices", linux.devices().as_ref())?;
        if let SeccompSection::Filter(_) = self.1 {
            // to_json writes the filter in place of this `null`.
            map.serialize_entry("seccomp", &())?;
        }
        entry(
            &mut map,
            "rootfsPropagation",
            linux.rootfs_propagation().as_ref(),
        )?;
        entry(&mut map, "maskedPaths", linux.masked_paths().as_ref())?;
        entry(&mut map, "readonlyPaths", linux.readonly_paths().as_ref())?;
        entry(&mut map, "intelRdt", linux.intel_rdt().as_ref())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compile_raw, RawRequest};

    /// The reference: oci-spec's own serialization, with every hash-ordered set and map sorted.
    fn reference_json(spec: &Spec) -> String {
        fn sort(value: &mut serde_json::Value, key: &str) {
            match value {
                serde_json::Value::Object(map) => {
                    if ["annotations", "sysctl", "netDevices"].contains(&key) {
                        map.sort_keys();
                    }
                    for (child_key, child) in map.iter_mut() {
                        if let (true, serde_json::Value::Array(items)) =
                            (key == "capabilities", &mut *child)
                        {
                            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                        }
                        sort(child, child_key);
                    }
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(|item| sort(item, "")),
                _ => {}
            }
        }
        let mut value = serde_json::to_value(spec).unwrap();
        sort(&mut value, "");
        serde_json::to_string_pretty(&value).unwrap() + "\n"
    }

    #[test]
    fn views_match_oci_spec_serialization_sorted() {
        let inventory = r#"{"inventoryVersion":1,"devices":[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438,"uid":0,"gid":0}]}"#;
        for (spec, options) in [
            (
                "version: v1\ndeployment: abc\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    tty: true\n    labels: {b: 1, a: 2}\n    sysctls: {net.core.somaxconn: 1024, kernel.shmmni: 4096}\n    resources: {cpu: 2, memory: 1Gi, oom_score_adj: 10, pids_limit: 9, cpu_shares: 512, cpuset: 0-1, memory_swap: 2Gi, memory_swappiness: 5, memory_reservation: 1Mi}\n    devices: [{path: /dev/fuse}]\n    capabilities: [NET_ADMIN, SYS_TIME]\n    ulimits: {nofile: 10, core: {soft: 1, hard: 2}}\n    dns: [1.1.1.1]\n",
                r#"{"hostNetwork":false}"#,
            ),
            ("version: v1\ndeployment: abc\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    privileged: true\n", r#"{"hostNetwork":true}"#),
        ] {
            let compiled = compile_raw(RawRequest { spec, inventory: Some(inventory), options: Some(options), ..Default::default() }).unwrap();
            assert_eq!(compiled.json, reference_json(&compiled.spec().unwrap()));
        }
    }

    /// Issue 11: the default profile's section is copied from its rules' text; it must be the
    /// bytes serde_json writes for the same `LinuxSeccomp`, for every architecture (with and
    /// without an `archMap` entry) and for rule sets that keep few or many rules.
    #[test]
    fn the_copied_seccomp_text_is_what_serde_json_writes() {
        for (arch, caps) in [
            ("x86_64", ""),
            ("ppc64le", "    cap_drop: [ALL]\n"),
            ("s390x", "    cap_add: [ALL]\n"),
            ("aarch64", "    cap_add: [SYS_ADMIN]\n"),
            ("sparc64", ""),
        ] {
            let spec = format!("version: v1\ndeployment: abc\nservices:\n  a:\n    image: {{name: x}}\n    command: {{args: [sh]}}\n{caps}");
            let inventory =
                format!(r#"{{"inventoryVersion":2,"host":{{"arch":"{arch}","kernel":"5.15.0"}}}}"#);
            let compiled = compile_raw(RawRequest {
                spec: &spec,
                inventory: Some(&inventory),
                ..Default::default()
            })
            .unwrap();
            assert!(compiled.json.contains("\"seccomp\""), "{arch}");
            assert_eq!(
                compiled.json,
                reference_json(&compiled.spec().unwrap()),
                "{arch} {caps}"
            );
            assert_eq!(compiled.write_json_again().unwrap(), compiled.json);
        }
    }

    /// What CDI adds (hooks, intelRdt, netDevices, additionalGids) is written in oci-spec's
    /// order, with the netDevices map sorted.
    #[test]
    fn cdi_edits_match_oci_spec_serialization_sorted() {
        let inventory = r#"{"inventoryVersion":2,"cdi":[{"path":"/etc/cdi/x.yaml","priority":1,"spec":{
            "cdiVersion":"1.1.0","kind":"x.com/nic","devices":[{"name":"a","containerEdits":{
              "deviceNodes":[{"path":"/dev/x0","type":"c","major":240,"minor":0}],
              "hooks":[{"hookName":"poststop","path":"/bin/h","args":["h"],"timeout":3},{"hookName":"prestart","path":"/bin/p"}],
              "mounts":[{"hostPath":"/opt/x","containerPath":"/opt/x","options":["ro","rbind"]}],
              "intelRdt":{"closID":"c","schemata":["L3:0=f"],"enableMonitoring":true},
              "additionalGids":[7,5],
              "netDevices":[{"hostInterfaceName":"zeth","name":"n1"},{"hostInterfaceName":"aeth","name":"n0"}]}}]}}]}"#;
        let spec = "version: v1\ndeployment: abc\nservices:\n  a:\n    image: {name: x}\n    command: {args: [sh]}\n    devices: [x.com/nic=a]\n";
        let compiled = compile_raw(RawRequest {
            spec,
            inventory: Some(inventory),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(compiled.json, reference_json(&compiled.spec().unwrap()));
        let aeth = compiled.json.find("\"aeth\"").unwrap();
        assert!(aeth < compiled.json.find("\"zeth\"").unwrap());
        assert!(compiled.json.contains("\"intelRdt\"") && compiled.json.contains("\"poststop\""));
    }
}
