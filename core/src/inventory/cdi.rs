//! The inventory's CDI specs: each passes the reference's checks, and no qualified device
//! name is defined twice at one priority (the probe drops such names, as the reference does),
//! so that every name resolves to one device.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Inventory;
use crate::cdi::{cdi_spec, check, CdiDevice, CdiSpec};
use crate::json::{self, defaulted, required, string, Invalid, Json};

/// A CDI spec found on the node (or generated for it), and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdiSpecEntry {
    /// The file it was read from (`/etc/cdi/nvidia.yaml`), or where `bundlec cdi generate`
    /// would write it for a generated one.
    pub path: String,
    /// Which directory wins for a device defined in two: `/var/run/cdi` (2) over `/etc/cdi` (1),
    /// either over a generated spec (0).
    pub priority: u32,
    /// Made by the probe for GPUs that had no spec, rather than read from a file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub generated: bool,
    /// The spec itself.
    pub spec: CdiSpec,
}

/// Reads one entry of the inventory's `cdi`.
pub(super) fn cdi_entry(value: &Json<'_>) -> Result<CdiSpecEntry, Invalid> {
    let map = json::object(value, &["path", "priority", "generated", "spec"])?;
    Ok(CdiSpecEntry {
        path: required(map, "path", string)?,
        priority: required(map, "priority", json::whole_u32)?,
        generated: defaulted(map, "generated", json::boolean)?,
        spec: required(map, "spec", cdi_spec)?,
    })
}

/// The inventory's CDI devices by qualified name.
pub struct CdiIndex<'a> {
    inventory: &'a Inventory,
    /// (priority, entry, device) of each name, found by `by_name`.
    found: Vec<(u32, usize, usize)>,
    /// Positions in `found` by `kind=name`: the core's one index type (less WebAssembly).
    by_name: BTreeMap<String, usize>,
}

impl<'a> CdiIndex<'a> {
    /// The device `kind=name` names, with its spec entry and the entry's position.
    pub fn device(
        &self,
        kind: &str,
        name: &str,
    ) -> Option<(usize, &'a CdiSpecEntry, &'a CdiDevice)> {
        let position = *self.by_name.get(&format!("{kind}={name}"))?;
        let &(_, i, j) = self.found.get(position)?;
        let entry = self.inventory.cdi.get(i)?;
        Some((i, entry, entry.spec.devices.get(j)?))
    }
}

impl Inventory {
    /// The first fault of the CDI entries, as (path below `inventory`, message).
    pub(super) fn check_cdi(&self) -> Result<(), (String, String)> {
        for (i, entry) in self.cdi.iter().enumerate() {
            if let Some(fault) = check(&entry.spec).into_iter().next() {
                return Err((
                    format!("cdi[{i}].spec.{}", fault.path),
                    format!("the CDI spec from `{}`: {}", entry.path, fault.message),
                ));
            }
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, entry) in self.cdi.iter().enumerate() {
            for (j, device) in entry.spec.devices.iter().enumerate() {
                let key = format!("{} {}={}", entry.priority, entry.spec.kind, device.name);
                if let Some(first) = seen.insert(key, i) {
                    return Err((
                        format!("cdi[{i}].spec.devices[{j}].name"),
                        format!(
                            "CDI device `{}={}` is also defined by `cdi[{first}]` at the same priority",
                            entry.spec.kind, device.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every qualified CDI name (`nvidia.com/gpu=0`) with the device it names: the one of the
    /// highest priority. Built once per compile, so resolving many names stays O(n log n).
    pub(crate) fn cdi_index(&self) -> CdiIndex<'_> {
        let mut found: Vec<(u32, usize, usize)> = Vec::new();
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        for (i, entry) in self.cdi.iter().enumerate() {
            for (j, device) in entry.spec.devices.iter().enumerate() {
                let name = format!("{}={}", entry.spec.kind, device.name);
                let position = *by_name.entry(name).or_insert(found.len());
                let here = (entry.priority, i, j);
                match found.get_mut(position) {
                    Some(slot) if entry.priority > slot.0 => *slot = here,
                    Some(_) => {}
                    None => found.push(here),
                }
            }
        }
        CdiIndex {
            inventory: self,
            found,
            by_name,
        }
    }

    /// Every qualified CDI name the inventory defines, for hints.
    pub(crate) fn cdi_names(&self) -> impl Iterator<Item = String> + '_ {
        self.cdi.iter().flat_map(|entry| {
            entry
                .spec
                .devices
                .iter()
                .map(move |device| format!("{}={}", entry.spec.kind, device.name))
        })
    }

    /// Whether the inventory has a spec of this kind.
    pub(crate) fn has_cdi_kind(&self, kind: &str) -> bool {
        self.cdi.iter().any(|entry| entry.spec.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use crate::inventory::Inventory;

    fn entry(path: &str, priority: u32, kind: &str, name: &str, env: &str) -> String {
        format!(
            r#"{{"path":"{path}","priority":{priority},"spec":{{"cdiVersion":"0.5.0","kind":"{kind}","devices":[{{"name":"{name}","containerEdits":{{"env":["{env}"]}}}}]}}}}"#
        )
    }

    fn read(entries: &[String]) -> Result<Inventory, crate::Diagnostic> {
        Inventory::from_json(&format!(
            r#"{{"inventoryVersion":2,"cdi":[{}]}}"#,
            entries.join(",")
        ))
    }

    #[test]
    fn the_highest_priority_wins_and_a_tie_is_refused() {
        let inventory = read(&[
            entry("/etc/cdi/a.yaml", 1, "a.com/gpu", "0", "FROM=etc"),
            entry("/var/run/cdi/a.yaml", 2, "a.com/gpu", "0", "FROM=run"),
        ])
        .unwrap();
        let index = inventory.cdi_index();
        let (_, found, device) = index.device("a.com/gpu", "0").unwrap();
        assert_eq!(found.path, "/var/run/cdi/a.yaml");
        assert_eq!(device.container_edits.env, ["FROM=run"]);
        assert!(index.device("a.com/gpu", "1").is_none());
        let error = read(&[
            entry("/etc/cdi/a.yaml", 1, "a.com/gpu", "0", "A=1"),
            entry("/etc/cdi/b.yaml", 1, "a.com/gpu", "0", "A=2"),
        ])
        .unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.path.as_str()),
            ("bad-inventory", "inventory.cdi[1].spec.devices[0].name")
        );
        assert_eq!(
            error.message,
            "CDI device `a.com/gpu=0` is also defined by `cdi[0]` at the same priority"
        );
    }

    /// Numbers are read as the text reader reads them: a negative one reaches the CDI checks
    /// (and their message), a fraction is refused where it is.
    #[test]
    fn negative_and_fractional_numbers_are_told_apart() {
        let hook = |timeout: &str| {
            entry("/etc/cdi/a.yaml", 1, "a.com/gpu", "0", "A=1").replace(
                "\"env\":[\"A=1\"]",
                &format!(
                    "\"hooks\":[{{\"hookName\":\"prestart\",\"path\":\"/bin/h\",\"timeout\":{timeout}}}]"
                ),
            )
        };
        let error = read(&[hook("-1")]).unwrap_err();
        assert_eq!(
            error.path,
            "inventory.cdi[0].spec.devices[0].containerEdits.hooks[0].timeout"
        );
        assert!(
            error.message.ends_with("a hook timeout must be above zero"),
            "{}",
            error.message
        );
        let error = read(&[hook("1.5")]).unwrap_err();
        assert_eq!(
            error.message,
            "the inventory is not valid: `cdi[0].spec.devices[0].containerEdits.hooks[0].timeout` must be a whole number of 64 bits"
        );
        assert!(read(&[hook("5")]).is_ok());
    }

    /// A spec in the inventory passes the same checks as one read from a file.
    #[test]
    fn specs_in_the_inventory_are_checked() {
        let error = read(&[entry("/etc/cdi/a.yaml", 1, "gpu", "0", "A=1")]).unwrap_err();
        assert_eq!(error.path, "inventory.cdi[0].spec.kind");
        assert!(
            error
                .message
                .starts_with("the CDI spec from `/etc/cdi/a.yaml`: kind `gpu`"),
            "{}",
            error.message
        );
        let error = read(&[
            entry("/etc/cdi/a.yaml", 1, "a.com/gpu", "0", "A=1").replace("\"env\"", "\"envs\"")
        ])
        .unwrap_err();
        assert!(
            error.message.contains("unknown field `envs`"),
            "{}",
            error.message
        );
    }
}
