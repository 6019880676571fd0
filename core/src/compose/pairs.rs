//! Compose's two forms of a keyed list (`environment`, `labels`, `sysctls`, `extra_hosts`):
//! a map, or a list of `KEY=VALUE` strings; a key without a value is kept as such.

use crate::decode::{self, entries, items};
use crate::diagnostic::{Diagnostics, Loc, Located};
use crate::yaml::{Node, Value};

/// A key and its value, when one is written; each where it is written.
pub(super) struct Pair {
    pub key: Located<String>,
    pub value: Option<Located<String>>,
}

/// The pairs of a map or of a list of `KEY<separator>VALUE` strings, in document order.
pub(super) fn pairs(
    node: &Node<'_>,
    path: &str,
    separator: char,
    diags: &mut Diagnostics,
) -> Vec<Pair> {
    if let Value::Seq(_) = node.value {
        return items(node, path, diags)
            .into_iter()
            .filter_map(|(item, item_path)| {
                let text = decode::string(item, &item_path, diags)?;
                Some(match text.value.split_once(separator) {
                    Some((key, value)) => Pair {
                        key: located(key, &text.at),
                        value: Some(located(value, &text.at)),
                    },
                    None => Pair {
                        key: located(&text.value, &text.at),
                        value: None,
                    },
                })
            })
            .collect();
    }
    if !matches!(node.value, Value::Map(_)) {
        diags.push(decode::wrong_type(node, path, "a map or a list"));
        return Vec::new();
    }
    entries(node, path, diags)
        .into_iter()
        .filter_map(|(key, value, value_path)| {
            let value = match value.value {
                Value::Null => None,
                _ => Some(decode::string(value, &value_path, diags)?),
            };
            Some(Pair { key, value })
        })
        .collect()
}

fn located(text: &str, at: &Loc) -> Located<String> {
    Located {
        value: text.to_string(),
        at: at.clone(),
    }
}
