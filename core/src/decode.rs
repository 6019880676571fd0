//! Typed reads from the YAML tree, each reporting a wrong type, an unknown key or a
//! missing one at the exact path, line and column.

use crate::codes;
use crate::diagnostic::{closest, join_path, Diagnostic, Diagnostics, Loc, Located};
use crate::yaml::{parse_int, plain_kind, Node, PlainKind, Value};

/// A map's entries, keyed by their text, with the map's path.
pub struct Fields<'a> {
    pub path: String,
    pub node: &'a Node<'a>,
    pub entries: Vec<(&'a str, &'a Node<'a>, &'a Node<'a>)>,
}

impl<'a> Fields<'a> {
    /// Reads a map, reporting keys that are neither `known` nor `ignored`.
    pub fn read(
        node: &'a Node<'a>,
        path: &str,
        known: &[&str],
        ignored: &[&str],
        diags: &mut Diagnostics,
    ) -> Option<Fields<'a>> {
        let Value::Map(pairs) = &node.value else {
            diags.push(wrong_type(node, path, "a map"));
            return None;
        };
        let mut entries = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let Value::Scalar { text, .. } = &key.value else {
                diags.error(
                    codes::WRONG_TYPE,
                    &key.loc(path),
                    format!(
                        "a key of `{}` must be a string, not {}",
                        display(path),
                        key.kind()
                    ),
                );
                continue;
            };
            let text: &'a str = text;
            if !known.contains(&text) && !ignored.contains(&text) {
                let key_path = join_path(path, text);
                let mut diagnostic = Diagnostic::error_at(
                    codes::UNKNOWN_FIELD,
                    &key.loc(&key_path),
                    format!("unknown field `{text}` in `{}`", display(path)),
                );
                if let Some(suggestion) = closest(text, known.iter().chain(ignored).copied()) {
                    diagnostic = diagnostic.with_hint(format!("did you mean `{suggestion}`?"));
                } else {
                    diagnostic =
                        diagnostic.with_hint(format!("known fields: {}", known.join(", ")));
                }
                diags.push(diagnostic);
                continue;
            }
            if known.contains(&text) {
                entries.push((text, key, value));
            }
        }
        Some(Fields {
            path: path.to_string(),
            node,
            entries,
        })
    }

    pub fn get(&self, key: &str) -> Option<(&'a Node<'a>, String)> {
        self.entries
            .iter()
            .find(|(name, _, _)| *name == key)
            .map(|(name, _, value)| (*value, join_path(&self.path, name)))
    }

    /// A field that must be present.
    pub fn require(&self, key: &str, diags: &mut Diagnostics) -> Option<(&'a Node<'a>, String)> {
        let found = self.get(key);
        if found.is_none() {
            diags.error(
                codes::MISSING_FIELD,
                &self.node.loc(&self.path),
                format!("`{}` needs a `{key}` field", display(&self.path)),
            );
        }
        found
    }

    pub fn string(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<String>> {
        let (node, path) = self.get(key)?;
        string(node, &path, diags)
    }

    pub fn boolean(&self, key: &str, diags: &mut Diagnostics) -> Option<bool> {
        let (node, path) = self.get(key)?;
        boolean(node, &path, diags)
    }

    pub fn strings(&self, key: &str, diags: &mut Diagnostics) -> Vec<Located<String>> {
        self.get(key)
            .map(|(node, path)| strings(node, &path, diags))
            .unwrap_or_default()
    }
}

/// A map's value by key, without checking the other keys.
pub fn peek<'a>(node: &'a Node<'a>, path: &str, key: &str) -> Option<(&'a Node<'a>, String)> {
    let Value::Map(pairs) = &node.value else {
        return None;
    };
    pairs
        .iter()
        .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == key))
        .map(|(_, value)| (value, join_path(path, key)))
}

/// The path as people read it; the root is "the spec".
fn display(path: &str) -> &str {
    if path.is_empty() {
        "the spec"
    } else {
        path
    }
}

pub fn wrong_type(node: &Node<'_>, path: &str, expected: &str) -> Diagnostic {
    let subject = if path.is_empty() {
        "the spec".to_string()
    } else {
        format!("`{path}`")
    };
    Diagnostic::error_at(
        codes::WRONG_TYPE,
        &node.loc(path),
        format!("{subject} must be {expected}, not {}", node.kind()),
    )
}

/// Any scalar as its text: `LOG: 1` is the string "1".
pub fn string(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<Located<String>> {
    match &node.value {
        Value::Scalar { text, .. } => Some(Located {
            value: text.to_string(),
            at: node.loc(path),
        }),
        _ => {
            diags.push(wrong_type(node, path, "a string"));
            None
        }
    }
}

pub fn boolean(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<bool> {
    match &node.value {
        Value::Scalar {
            text,
            quoted: false,
        } if plain_kind(text) == PlainKind::Bool => Some(text.eq_ignore_ascii_case("true")),
        _ => {
            diags.push(wrong_type(node, path, "true or false"));
            None
        }
    }
}

/// A plain or quoted integer.
pub fn integer(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Option<i128> {
    let parsed = match &node.value {
        Value::Scalar { text, .. } => parse_int(text.trim()),
        _ => None,
    };
    if parsed.is_none() {
        diags.push(wrong_type(node, path, "an integer"));
    }
    parsed
}

/// An integer within `[min, max]`, or an error naming the range.
pub fn bounded(
    node: &Node<'_>,
    path: &str,
    min: i128,
    max: i128,
    code: &str,
    diags: &mut Diagnostics,
) -> Option<i128> {
    let value = integer(node, path, diags)?;
    if value < min || value > max {
        diags.error(
            code,
            &node.loc(path),
            format!("`{}` is {value}, outside {min} to {max}", display(path)),
        );
        return None;
    }
    Some(value)
}

/// A list of scalars.
pub fn strings(node: &Node<'_>, path: &str, diags: &mut Diagnostics) -> Vec<Located<String>> {
    let Value::Seq(items) = &node.value else {
        diags.push(
            wrong_type(node, path, "a list").with_hint("write a YAML list, such as `[a, b]`"),
        );
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| string(item, &join_path(path, &format!("[{i}]")), diags))
        .collect()
}

/// The items of a list with their paths.
pub fn items<'a>(
    node: &'a Node<'a>,
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<(&'a Node<'a>, String)> {
    let Value::Seq(items) = &node.value else {
        diags.push(wrong_type(node, path, "a list"));
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (item, join_path(path, &format!("[{i}]"))))
        .collect()
}

/// The entries of a map whose keys are free-form (env, labels, sysctls).
pub fn entries<'a>(
    node: &'a Node<'a>,
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<(Located<String>, &'a Node<'a>, String)> {
    let Value::Map(pairs) = &node.value else {
        diags.push(wrong_type(node, path, "a map"));
        return Vec::new();
    };
    pairs
        .iter()
        .filter_map(|(key, value)| {
            let key = string(key, path, diags)?;
            let value_path = join_path(path, &key.value);
            let key = Located {
                at: Loc {
                    path: value_path.clone(),
                    ..key.at
                },
                value: key.value,
            };
            Some((key, value, value_path))
        })
        .collect()
}
