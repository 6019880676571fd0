//! A Compose service's environment: its `env_file` files in order, then `environment` (map or
//! list), which wins. A bare `KEY` takes the host's value from the options or is left out.

use super::pairs::pairs;
use super::Top;
use crate::codes;
use crate::decode::{self, items, Fields};
use crate::diagnostic::{Diagnostics, Located};
use crate::names::valid_env_key;
use crate::spec::{EnvValue, EnvVar, Service};
use crate::yaml::Value;

pub(super) fn environment(
    fields: &Fields<'_>,
    top: &mut Top<'_>,
    service: &mut Service,
    diags: &mut Diagnostics,
) {
    if let Some((node, path)) = fields.get("env_file") {
        let listed = match node.value {
            Value::Seq(_) => items(node, &path, diags),
            _ => vec![(node, path)],
        };
        for (entry, entry_path) in listed {
            let (file, required) = if let Value::Map(_) = entry.value {
                let Some(entry) =
                    Fields::read(entry, &entry_path, &["path", "required", "format"], &[], diags)
                else {
                    continue;
                };
                let Some(file) = entry
                    .require("path", diags)
                    .and_then(|(node, path)| decode::string(node, &path, diags))
                else {
                    continue;
                };
                (file, entry.boolean("required", diags).unwrap_or(true))
            } else {
                let Some(file) = decode::string(entry, &entry_path, diags) else {
                    continue;
                };
                (file, true)
            };
            env_file(&file, required, top, service, diags);
        }
    }
    if let Some((node, path)) = fields.get("environment") {
        for pair in pairs(node, &path, '=', diags) {
            set(pair.key, pair.value.map(|v| v.value), top, service, diags);
        }
    }
}

/// Adds one variable; a bare key takes the host's value, or is left out.
fn set(
    key: Located<String>,
    value: Option<String>,
    top: &Top<'_>,
    service: &mut Service,
    diags: &mut Diagnostics,
) {
    if !valid_env_key(&key.value) {
        diags.error_hint(
            codes::BAD_ENV_KEY,
            &key.at,
            format!(
                "`{}` is not a valid environment variable name",
                key.value.escape_debug()
            ),
            "a name must be non-empty and hold no `=` or NUL",
        );
        return;
    }
    let value = match value {
        Some(value) => value,
        None => {
            if !service.host_vars.iter().any(|v| v.value == key.value) {
                service.host_vars.push(key.clone());
            }
            match top.options.host_env.get(&key.value) {
                Some(value) => value.clone(),
                None => return,
            }
        }
    };
    service.env.push(EnvVar {
        key: key.value,
        value: EnvValue::Literal(value),
        at: key.at,
    });
}

/// One env file, from the text the options give.
fn env_file(
    file: &Located<String>,
    required: bool,
    top: &mut Top<'_>,
    service: &mut Service,
    diags: &mut Diagnostics,
) {
    let Some(text) = top.options.env_files.get(&file.value) else {
        if required {
            diags.error_hint(
                codes::ENV_FILE_NOT_PROVIDED,
                &file.at,
                format!("the env file `{}` was not given", file.value),
                "the CLI reads it beside the compose file; other callers give its text in `options.envFiles`",
            );
        }
        return;
    };
    for (number, line) in text.lines().enumerate() {
        let fault = |diags: &mut Diagnostics, why: &str| {
            diags.error(
                codes::BAD_ENV_FILE,
                &file.at,
                format!("line {} of `{}` {why}", number + 1, file.value),
            );
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let (key, raw) = match line.split_once('=') {
            Some((key, raw)) => (key.trim_end(), Some(raw.trim_start())),
            None => (line, None),
        };
        let key = Located {
            value: key.to_string(),
            at: file.at.clone(),
        };
        let value = match raw {
            None => None,
            Some(raw) => match dotenv_value(raw) {
                Ok((value, interpolate)) if interpolate => {
                    let mut used = Vec::new();
                    let value = top.interpolator.text(&value, &file.at, &mut used, diags);
                    for var in used {
                        if !service.host_vars.iter().any(|v| v.value == var.value) {
                            service.host_vars.push(var);
                        }
                    }
                    let Some(value) = value else { continue };
                    Some(value)
                }
                Ok((value, _)) => Some(value),
                Err(why) => {
                    fault(diags, why);
                    continue;
                }
            },
        };
        set(key, value, top, service, diags);
    }
}

/// A value as Compose's env files write it, and whether it is interpolated: single quotes are
/// literal, double quotes take `\n`, `\t`, `\"` and `\\`, and a bare value ends at ` #`.
fn dotenv_value(raw: &str) -> Result<(String, bool), &'static str> {
    if let Some(rest) = raw.strip_prefix('\'') {
        let (inner, _) = rest.split_once('\'').ok_or("has a `'` that is never closed")?;
        return Ok((inner.to_string(), false));
    }
    if let Some(rest) = raw.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = rest.chars();
        loop {
            match chars.next() {
                None => return Err("has a `\"` that is never closed"),
                Some('"') => return Ok((value, true)),
                Some('\\') => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('r') => value.push('\r'),
                    Some(c @ ('"' | '\\')) => value.push(c),
                    Some(c) => {
                        value.push('\\');
                        value.push(c);
                    }
                    None => return Err("has a `\"` that is never closed"),
                },
                Some(c) => value.push(c),
            }
        }
    }
    let value = match raw.find(" #") {
        Some(at) => raw.get(..at).unwrap_or(raw),
        None => raw,
    };
    Ok((value.trim_end().to_string(), true))
}

#[cfg(test)]
mod tests {
    use super::dotenv_value;

    #[test]
    fn dotenv_values() {
        assert_eq!(dotenv_value("plain # note").unwrap(), ("plain".into(), true));
        assert_eq!(dotenv_value("'a $B #c'").unwrap(), ("a $B #c".into(), false));
        assert_eq!(dotenv_value(r#""l1\nl2 \"q\"""#).unwrap(), ("l1\nl2 \"q\"".into(), true));
        assert!(dotenv_value("\"open").is_err());
        assert!(dotenv_value("'open").is_err());
    }
}
