//! `linux.seccomp` as text, written where the config writer reaches it: the default
//! profile's rules are written from their names and pre-rendered text, a custom profile's here,
//! both byte for byte as serde_json pretty-prints the OCI `LinuxSeccomp` (a test compares them).

use std::sync::OnceLock;

use super::custom::CustomRule;
use super::default::RULES;
use super::{DefaultRule, Filter, KeptRule};
use crate::json::json_string;

/// The indentation of `linux.seccomp`'s fields in `config.json`; rules sit two levels deeper.
const FIELD: &str = "\n      ";
const ITEM: &str = "\n        ";
const RULE_FIELD: &str = "\n          ";
const RULE_ITEM: &str = "\n            ";
const ARG_FIELD: &str = "\n              ";

/// About the length of the filter's text, to reserve it at once.
pub fn estimated_len(filter: &Filter) -> usize {
    let rules_len: usize = filter
        .rules
        .iter()
        .map(|rule| match rule {
            KeptRule::Default(text) => text.len() + ITEM.len() + 1,
            KeptRule::Custom(rule) => 64 + rule.names.iter().map(|n| n.len() + 16).sum::<usize>(),
        })
        .sum();
    256 + rules_len
}

/// Writes the filter's JSON object, from its `{` to its `}`.
pub fn write(out: &mut String, filter: &Filter) {
    out.reserve(estimated_len(filter));
    out.push('{');
    out.push_str(FIELD);
    out.push_str("\"defaultAction\": \"");
    out.push_str(filter.default_action);
    out.push('"');
    if let Some(errno) = filter.default_errno_ret {
        out.push(',');
        out.push_str(FIELD);
        out.push_str("\"defaultErrnoRet\": ");
        out.push_str(&errno.to_string());
    }
    names_field(
        out,
        "architectures",
        filter.architectures.iter().copied(),
        FIELD,
        ITEM,
    );
    names_field(out, "flags", filter.flags.iter().copied(), FIELD, ITEM);
    for (key, value) in [
        ("listenerPath", &filter.listener_path),
        ("listenerMetadata", &filter.listener_metadata),
    ] {
        if let Some(value) = value {
            out.push(',');
            out.push_str(FIELD);
            out.push('"');
            out.push_str(key);
            out.push_str("\": ");
            json_string(out, value);
        }
    }
    if !filter.rules.is_empty() {
        out.push(',');
        out.push_str(FIELD);
        out.push_str("\"syscalls\": [");
        for (i, rule) in filter.rules.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(ITEM);
            match rule {
                KeptRule::Default(text) => out.push_str(text),
                KeptRule::Custom(rule) => custom_rule(out, rule),
            }
        }
        out.push_str(FIELD);
        out.push(']');
    }
    out.push_str("\n    }");
}

/// The text of each default rule, in table order, written once per process: the table keeps
/// the names without their indentation (11 KB less WebAssembly), and a compile copies the text.
pub(super) fn default_rule_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        RULES
            .iter()
            .map(|rule| {
                let mut text = String::with_capacity(rule.names.len() * 4 + rule.rest.len() + 64);
                default_rule(&mut text, rule);
                text
            })
            .collect()
    })
}

/// A default rule: `{`, its names each on its line, the pre-rendered rest, `}`.
fn default_rule(out: &mut String, rule: &DefaultRule) {
    out.push('{');
    out.push_str(RULE_FIELD);
    out.push_str("\"names\": [");
    for (i, name) in rule.names.split(',').enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(RULE_ITEM);
        out.push('"');
        out.push_str(name);
        out.push('"');
    }
    out.push_str(RULE_FIELD);
    out.push_str("],");
    out.push_str(RULE_FIELD);
    out.push_str(rule.rest);
    out.push_str(ITEM);
    out.push('}');
}

/// `"key": [ … ]` of names that need no escaping (the OCI enumerations); nothing when empty.
fn names_field<'a>(
    out: &mut String,
    key: &str,
    names: impl ExactSizeIterator<Item = &'a str>,
    field: &str,
    item: &str,
) {
    if names.len() == 0 {
        return;
    }
    out.push(',');
    out.push_str(field);
    out.push('"');
    out.push_str(key);
    out.push_str("\": [");
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
        out.push('"');
        out.push_str(name);
        out.push('"');
    }
    out.push_str(field);
    out.push(']');
}

fn custom_rule(out: &mut String, rule: &CustomRule) {
    out.push('{');
    out.push_str(RULE_FIELD);
    out.push_str("\"names\": [");
    for (i, name) in rule.names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(RULE_ITEM);
        json_string(out, name);
    }
    out.push_str(RULE_FIELD);
    out.push_str("],");
    out.push_str(RULE_FIELD);
    out.push_str("\"action\": \"");
    out.push_str(rule.action);
    out.push('"');
    if let Some(errno) = rule.errno_ret {
        out.push(',');
        out.push_str(RULE_FIELD);
        out.push_str("\"errnoRet\": ");
        out.push_str(&errno.to_string());
    }
    if !rule.args.is_empty() {
        out.push(',');
        out.push_str(RULE_FIELD);
        out.push_str("\"args\": [");
        for (i, arg) in rule.args.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(RULE_ITEM);
            out.push('{');
            let mut fields = vec![("index", arg.index), ("value", arg.value)];
            if let Some(two) = arg.value_two {
                fields.push(("valueTwo", two));
            }
            for (key, value) in fields {
                out.push_str(ARG_FIELD);
                out.push('"');
                out.push_str(key);
                out.push_str("\": ");
                out.push_str(&value.to_string());
                out.push(',');
            }
            out.push_str(ARG_FIELD);
            out.push_str("\"op\": \"");
            out.push_str(arg.op);
            out.push('"');
            out.push_str(RULE_ITEM);
            out.push('}');
        }
        out.push_str(RULE_FIELD);
        out.push(']');
    }
    out.push_str(ITEM);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each default rule written is serde_json's pretty-printing of its JSON, shifted to its
    /// depth in `config.json`.
    #[test]
    fn default_rules_are_written_as_serde_json_pretty_prints_them() {
        assert!(RULES.len() > 30);
        for rule in RULES {
            let names: Vec<&str> = rule.names.split(',').collect();
            let compact = format!(
                "{{\"names\":{},{}}}",
                serde_json::to_string(&names).unwrap(),
                rule.rest
            );
            let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
            let expected = serde_json::to_string_pretty(&value)
                .unwrap()
                .replace('\n', ITEM);
            let mut out = String::new();
            default_rule(&mut out, rule);
            assert_eq!(out, expected);
        }
    }
}
