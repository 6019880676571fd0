//! A CDI spec as YAML: block maps and lists, keys in the model's order (the reference's), and every string in JSON's double quotes (a YAML double-quoted scalar), so no
//! value can be read back as another type (`0`, `no`, `1.10`).

use serde_json::Value;

/// The document: `---`, then the value, with a final newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::from("---\n");
    block(value, 0, &mut out);
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => Value::String(text.clone()).to_string(),
        Value::Array(items) if items.is_empty() => "[]".to_string(),
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        other => other.to_string(),
    }
}

fn is_collection(value: &Value) -> bool {
    match value {
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => false,
    }
}

/// Writes a non-scalar at `indent`, each line complete; a scalar on a line of its own.
fn block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                let key = if key.starts_with(|c: char| c.is_ascii_alphabetic())
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    key.clone()
                } else {
                    scalar(&Value::String(key.clone()))
                };
                if is_collection(child) {
                    out.push_str(&format!("{pad}{key}:\n"));
                    let inner = if child.is_array() { indent } else { indent + 2 };
                    block(child, inner, out);
                } else {
                    out.push_str(&format!("{pad}{key}: {}\n", scalar(child)));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                if is_collection(item) {
                    // The first line of the item follows the dash; the rest align under it.
                    let mut nested = String::new();
                    let inner = indent + 2;
                    block(item, inner, &mut nested);
                    let nested = nested.get(inner..).unwrap_or_default();
                    out.push_str(&format!("{pad}- {nested}"));
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_block_yaml_that_reads_back_as_the_same_spec() {
        let value = json!({
            "cdiVersion": "0.5.0",
            "kind": "nvidia.com/gpu",
            "devices": [
                { "name": "0", "containerEdits": { "deviceNodes": [ { "path": "/dev/nvidia0" } ] } },
                { "name": "all", "containerEdits": { "env": ["A=1", "B=no"] } }
            ],
            "containerEdits": {
                "mounts": [ { "hostPath": "/a", "containerPath": "/a", "options": ["ro", "bind"] } ],
                "hooks": [ { "hookName": "createContainer", "path": "/h", "args": ["h", "--x=\"y\""] } ]
            }
        });
        let text = to_yaml(&value);
        assert!(text.starts_with("---\ncdiVersion: \"0.5.0\"\n"), "{text}");
        assert!(text.contains("\ndevices:\n- name: \"0\"\n  containerEdits:\n    deviceNodes:\n    - path: \"/dev/nvidia0\"\n"), "{text}");
        let spec = bundlec_core::read_cdi_spec(&text).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
        assert_eq!(serde_json::to_value(&spec).unwrap(), value, "{text}");
    }
}
