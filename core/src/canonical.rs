//! Canonical JSON for a config: the same bytes for the same spec on every target.
//! oci-spec keeps capabilities in hash sets and annotations in hash maps; they are sorted here.

use oci_spec::runtime::Spec;
use serde_json::Value;

/// Objects whose keys come from hash maps.
const MAP_FIELDS: &[&str] = &["annotations", "sysctl", "unified", "netDevices", "rdma", "timeOffsets"];
/// Arrays that come from hash sets.
const SET_PARENTS: &[&str] = &["capabilities"];

pub fn to_json(spec: &Spec) -> Result<String, serde_json::Error> {
    let mut value = serde_json::to_value(spec)?;
    canonicalize(&mut value, "");
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}

fn canonicalize(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            if MAP_FIELDS.contains(&key) {
                map.sort_keys();
            }
            for (child_key, child) in map.iter_mut() {
                if SET_PARENTS.contains(&key) {
                    if let Value::Array(items) = child {
                        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    }
                }
                canonicalize(child, child_key);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| canonicalize(item, "")),
        _ => {}
    }
}
