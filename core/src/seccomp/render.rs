//! `linux.seccomp` as text, written where the canonical writer leaves room for it: the default
//! profile's rules are indented from their compact text, a custom profile's are written here,
//! both byte for byte as serde_json pretty-prints the OCI `LinuxSeccomp` (a test compares them).

use super::custom::CustomRule;
use super::{Filter, KeptRule};

/// The indentation of `linux.seccomp`'s fields in `config.json`; rules sit two levels deeper.
const FIELD: &str = "\n      ";
const ITEM: &str = "\n        ";
const RULE_FIELD: &str = "\n          ";
const RULE_ITEM: &str = "\n            ";
const ARG_FIELD: &str = "\n              ";

/// Writes the filter's JSON object, from its `{` to its `}`.
pub fn write(out: &mut String, filter: &Filter) -> Result<(), serde_json::Error> {
    let rules_len: usize = filter
        .rules
        .iter()
        .map(|rule| match rule {
            // Each name gets its line's indentation (13 bytes) besides its text.
            KeptRule::Default(text) => text.len() * 2 + ITEM.len() + 1,
            KeptRule::Custom(rule) => 64 + rule.names.iter().map(|n| n.len() + 16).sum::<usize>(),
        })
        .sum();
    out.reserve(256 + rules_len);
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
            out.push_str(&serde_json::to_string(value)?);
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
                KeptRule::Default(text) => indent(out, text, ITEM),
                KeptRule::Custom(rule) => custom_rule(out, rule)?,
            }
        }
        out.push_str(FIELD);
        out.push(']');
    }
    out.push_str("\n    }");
    Ok(())
}

/// Writes compact JSON (a default rule's text) as serde_json pretty-prints it, each line after
/// the first starting with `margin` (a newline and spaces) and two spaces a level. Runs of
/// plain bytes are copied whole; strings are skipped through, escapes and all.
fn indent(out: &mut String, compact: &str, margin: &str) {
    let bytes = compact.as_bytes();
    let mut depth = 0usize;
    let mut copied = 0;
    let mut at = 0;
    let mut in_string = false;
    let newline = |out: &mut String, depth: usize| {
        out.push_str(margin);
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        if in_string {
            match byte {
                b'\\' => at += 1,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if !matches!(byte, b'{' | b'[' | b'}' | b']' | b',' | b':' | b'"') {
            continue;
        }
        if byte == b'"' {
            in_string = true;
            continue;
        }
        // Structural bytes are ASCII, so these slices end on character boundaries.
        out.push_str(compact.get(copied..at - 1).unwrap_or_default());
        copied = at;
        match byte {
            b'{' | b'[' if matches!(bytes.get(at), Some(b'}' | b']')) => {
                out.push_str(compact.get(at - 1..=at).unwrap_or_default());
                at += 1;
                copied = at;
            }
            b'{' | b'[' => {
                out.push(char::from(byte));
                depth += 1;
                newline(out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(out, depth);
                out.push(char::from(byte));
            }
            b',' => {
                out.push(',');
                newline(out, depth);
            }
            _ => out.push_str(": "),
        }
    }
    out.push_str(compact.get(copied..).unwrap_or_default());
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

fn custom_rule(out: &mut String, rule: &CustomRule) -> Result<(), serde_json::Error> {
    out.push('{');
    out.push_str(RULE_FIELD);
    out.push_str("\"names\": [");
    for (i, name) in rule.names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(RULE_ITEM);
        out.push_str(&serde_json::to_string(name)?);
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compact text indented is serde_json's pretty-printing, shifted to the margin.
    #[test]
    fn indent_matches_serde_json_pretty_printing() {
        for compact in [
            r#"{"names":["accept","accept4"],"action":"SCMP_ACT_ALLOW"}"#,
            r#"{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_GT"}]}"#,
            r#"{"a":[],"b":{},"c":"x,y:[{\"}]\\","d":[[1,2],{"e":null}],"é":"ü"}"#,
        ] {
            let value: serde_json::Value = serde_json::from_str(compact).unwrap();
            let expected = serde_json::to_string_pretty(&value)
                .unwrap()
                .replace('\n', ITEM);
            let mut out = String::new();
            indent(&mut out, compact, ITEM);
            assert_eq!(out, expected);
        }
    }
}
