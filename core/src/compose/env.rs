//! A Compose service's environment: its `env_file` files in order, then `environment` (map or
//! list), which wins. A bare `KEY` takes the host's value from the options or is left out.

use super::pairs::pairs;
use super::Top;
use crate::codes;
use crate::decode::{self, items, Fields};
use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostics, Loc, Located};
use crate::names::valid_env_key;
use crate::spec::valid_env_key_at;
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
                let Some(entry) = Fields::read(
                    entry,
                    &entry_path,
                    &["path", "required", "format"],
                    &[],
                    diags,
                ) else {
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
            service.env_files.push(file.clone());
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
    if !valid_env_key_at(&key, diags) {
        return;
    }
    let value = match value {
        Some(value) => value,
        None => {
            service.host_vars.push(key.clone());
            match top.vars.get(&key.value) {
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
                format!("the env file `{}` was not found or not given", file.value),
                "the CLI reads it beside the compose file; other callers give its text in `options.envFiles`",
            );
        }
        return;
    };
    for (number, key, raw) in dotenv_lines(text) {
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
                    service.host_vars.extend(used);
                    let Some(value) = value else { continue };
                    Some(value)
                }
                Ok((value, _)) => Some(value),
                Err(why) => {
                    diags.error(
                        codes::BAD_ENV_FILE,
                        &file.at,
                        format!("line {number} of `{}` {why}", file.value),
                    );
                    continue;
                }
            },
        };
        set(key, value, top, service, diags);
    }
}

/// The entries of an env file: the line number, the key, and the raw value after `=` (none for
/// a bare `KEY`); blank lines, comments and `export ` are skipped.
fn dotenv_lines(text: &str) -> impl Iterator<Item = (usize, &str, Option<&str>)> {
    text.lines().enumerate().filter_map(|(number, line)| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        Some(match line.split_once('=') {
            Some((key, raw)) => (number + 1, key.trim_end(), Some(raw.trim_start())),
            None => (number + 1, line, None),
        })
    })
}

/// The variables of the project's `.env` (`options.envFiles[".env"]`, which the CLI reads
/// beside the compose file), under the host variables, which win as the shell's do in Compose.
/// Values are taken as written (quotes removed), without interpolation.
pub(super) fn project_vars(
    options: &crate::options::Options,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    if let Some(text) = options.env_files.get(DOT_ENV) {
        for (number, key, raw) in dotenv_lines(text) {
            match raw.map(dotenv_value) {
                Some(Ok((value, _))) if valid_env_key(key) => {
                    vars.insert(key.to_string(), value);
                }
                Some(Err(why)) => diags.error(
                    codes::BAD_ENV_FILE,
                    &Loc::at("options.envFiles..env"),
                    format!("line {number} of `.env` {why}"),
                ),
                _ => {}
            }
        }
    }
    vars.extend(options.host_env.iter().map(|(k, v)| (k.clone(), v.clone())));
    vars
}

/// The project's env file, beside the compose file.
const DOT_ENV: &str = ".env";

/// A value as Compose's env files write it, and whether it is interpolated: single quotes are
/// literal, double quotes take `\n`, `\t`, `\"` and `\\`, and a bare value ends at ` #`.
fn dotenv_value(raw: &str) -> Result<(String, bool), &'static str> {
    if let Some(rest) = raw.strip_prefix('\'') {
        let (inner, _) = rest
            .split_once('\'')
            .ok_or("has a `'` that is never closed")?;
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
        assert_eq!(
            dotenv_value("plain # note").unwrap(),
            ("plain".into(), true)
        );
        assert_eq!(
            dotenv_value("'a $B #c'").unwrap(),
            ("a $B #c".into(), false)
        );
        assert_eq!(
            dotenv_value(r#""l1\nl2 \"q\"""#).unwrap(),
            ("l1\nl2 \"q\"".into(), true)
        );
        assert!(dotenv_value("\"open").is_err());
        assert!(dotenv_value("'open").is_err());
    }
}
