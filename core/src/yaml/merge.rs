//! YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`) as Compose reads them: the merged map's
//! entries join the map where `<<` is written, and the map's own keys win over them. Aliases are
//! already expanded by the builder, so merging only moves nodes of the tree.

use std::collections::BTreeMap;

use super::{Node, Value};
use crate::codes;
use crate::diagnostic::Diagnostic;

/// The merge key, written plain.
const MERGE_KEY: &str = "<<";

/// Resolves every merge key of the tree, innermost first.
pub fn resolve_merges(node: Node<'_>) -> Result<Node<'_>, Diagnostic> {
    let Node {
        value,
        line,
        column,
        end_line,
        end_column,
    } = node;
    let value = match value {
        Value::Seq(items) => Value::Seq(
            items
                .into_iter()
                .map(resolve_merges)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(pairs) => Value::Map(merge_map(pairs)?),
        scalar => scalar,
    };
    Ok(Node {
        value,
        line,
        column,
        end_line,
        end_column,
    })
}

fn is_merge_key(key: &Node<'_>) -> bool {
    matches!(&key.value, Value::Scalar { text, quoted: false } if text == MERGE_KEY)
}

fn key_text<'a>(key: &'a Node<'_>) -> Option<&'a str> {
    match &key.value {
        Value::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

type Pairs<'t> = Vec<(Node<'t>, Node<'t>)>;

fn merge_map(pairs: Pairs<'_>) -> Result<Pairs<'_>, Diagnostic> {
    // The map's own keys (a string map: the core's one string-keyed B-tree type).
    let mut taken: BTreeMap<String, String> = pairs
        .iter()
        .filter(|(key, _)| !is_merge_key(key))
        .filter_map(|(key, _)| key_text(key).map(|text| (text.to_string(), String::new())))
        .collect();
    let mut merged = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if !is_merge_key(&key) {
            merged.push((key, resolve_merges(value)?));
            continue;
        }
        let sources = match resolve_merges(value)? {
            Node {
                value: Value::Map(entries),
                ..
            } => vec![entries],
            Node {
                value: Value::Seq(items),
                ..
            } => items
                .into_iter()
                .map(|item| match item.value {
                    Value::Map(entries) => Ok(entries),
                    _ => Err(not_a_map(&item)),
                })
                .collect::<Result<_, _>>()?,
            other => return Err(not_a_map(&other)),
        };
        // In a list, an earlier map's key wins over a later one's.
        for (merged_key, merged_value) in sources.into_iter().flatten() {
            let Some(text) = key_text(&merged_key) else {
                merged.push((merged_key, merged_value));
                continue;
            };
            if taken.insert(text.to_string(), String::new()).is_none() {
                merged.push((merged_key, merged_value));
            }
        }
    }
    Ok(merged)
}

fn not_a_map(node: &Node<'_>) -> Diagnostic {
    Diagnostic::error_at(
        codes::WRONG_TYPE,
        &node.loc(""),
        format!(
            "a merge key `<<` takes a map or a list of maps, not {}",
            node.kind()
        ),
    )
    .with_hint("write `<<: *anchor` where the anchor names a map")
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn keys_and_values(text: &str) -> Vec<(String, String)> {
        let root = resolve_merges(parse(text).unwrap()).unwrap();
        let Value::Map(top) = root.value else {
            panic!("map")
        };
        let Some((_, service)) = top.into_iter().last() else {
            panic!("entries")
        };
        let Value::Map(pairs) = service.value else {
            panic!("inner map")
        };
        pairs
            .iter()
            .map(|(k, v)| match (&k.value, &v.value) {
                (Value::Scalar { text: k, .. }, Value::Scalar { text: v, .. }) => {
                    (k.to_string(), v.to_string())
                }
                _ => panic!("scalars"),
            })
            .collect()
    }

    #[test]
    fn own_keys_win_and_earlier_maps_win() {
        let text = "a: &a { x: 1, y: 2 }\nb: &b { y: 3, z: 4 }\nc:\n  <<: [*a, *b]\n  x: 9\n";
        assert_eq!(
            keys_and_values(text),
            vec![
                ("y".into(), "2".into()),
                ("z".into(), "4".into()),
                ("x".into(), "9".into()),
            ]
        );
        let single = "a: &a { x: 1 }\nc: { <<: *a, w: 0 }\n";
        assert_eq!(
            keys_and_values(single),
            vec![("x".into(), "1".into()), ("w".into(), "0".into())]
        );
    }

    #[test]
    fn a_merge_of_a_scalar_is_an_error_and_a_quoted_key_is_a_key() {
        let error = resolve_merges(parse("a:\n  <<: 3\n").unwrap()).unwrap_err();
        assert_eq!(error.code, "wrong-type");
        assert_eq!(error.line, Some(2));
        assert_eq!(
            keys_and_values("c: { \"<<\": 1 }\n"),
            vec![("<<".into(), "1".into())]
        );
    }
}
