//! Compose's `${VAR}` interpolation, from the host variables the options give: `$$`, `$VAR`,
//! `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
//! `${VAR:+other}` and `${VAR+other}`; defaults may hold variables themselves.

use std::collections::BTreeMap;

use crate::codes;
use crate::diagnostic::{join_path, Diagnostics, Loc, Located};
use crate::yaml::{Node, Value};

/// How deep defaults may nest (`${A:-${B:-${C}}}`): deep enough for any real file, shallow
/// enough that a hostile one cannot exhaust the stack.
const MAX_NESTING: usize = 8;

/// Interpolates values against the host variables, recording which variables were read.
pub(super) struct Interpolator<'v> {
    vars: &'v BTreeMap<String, String>,
    /// Positions already warned about: an alias copies a node with its position.
    warned: BTreeMap<String, String>,
}

impl<'v> Interpolator<'v> {
    pub(super) fn new(vars: &'v BTreeMap<String, String>) -> Interpolator<'v> {
        Interpolator {
            vars,
            warned: BTreeMap::new(),
        }
    }

    /// Starts a new tree: each service is warned of its own unset variables.
    pub(super) fn forget_warnings(&mut self) {
        self.warned.clear();
    }

    /// Interpolates every scalar value below `node` (keys stay as written).
    pub(super) fn tree(
        &mut self,
        node: &mut Node<'_>,
        path: &str,
        used: &mut Vec<Located<String>>,
        diags: &mut Diagnostics,
    ) {
        let at = node.loc(path);
        match &mut node.value {
            Value::Scalar { text, .. } if text.contains('$') => {
                if let Some(result) = self.text(text, &at, used, diags) {
                    *text = result.into();
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.tree(item, &join_path(path, &format!("[{i}]")), used, diags);
                }
            }
            Value::Map(pairs) => {
                for (key, value) in pairs.iter_mut() {
                    let key = match &key.value {
                        Value::Scalar { text, .. } => text.to_string(),
                        _ => String::new(),
                    };
                    self.tree(value, &join_path(path, &key), used, diags);
                }
            }
            _ => {}
        }
    }

    /// A text with its variables replaced; `None` after an error (reported at `at`).
    pub(super) fn text(
        &mut self,
        text: &str,
        at: &Loc,
        used: &mut Vec<Located<String>>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        self.nested(text, at, used, diags, 0)
    }

    fn nested(
        &mut self,
        text: &str,
        at: &Loc,
        used: &mut Vec<Located<String>>,
        diags: &mut Diagnostics,
        depth: usize,
    ) -> Option<String> {
        if depth > MAX_NESTING {
            diags.error(
                codes::BAD_INTERPOLATION,
                at,
                format!("variables nest more than {MAX_NESTING} deep"),
            );
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(dollar) = rest.find('$') {
            out.push_str(rest.get(..dollar).unwrap_or_default());
            let after = rest.get(dollar + 1..).unwrap_or_default();
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(body_and_tail) = after.strip_prefix('{') {
                let Some(close) = closing_brace(body_and_tail) else {
                    bad(diags, at, text, "a `${` is never closed");
                    return None;
                };
                let body = body_and_tail.get(..close).unwrap_or_default();
                out.push_str(&self.braced(body, at, used, diags, depth)?);
                rest = body_and_tail.get(close + 1..).unwrap_or_default();
            } else {
                let name_len = name_length(after);
                if name_len == 0 {
                    bad(diags, at, text, "a `$` is not followed by a variable");
                    return None;
                }
                let name = after.get(..name_len).unwrap_or_default();
                out.push_str(&self.plain(name, at, used, diags));
                rest = after.get(name_len..).unwrap_or_default();
            }
        }
        out.push_str(rest);
        Some(out)
    }

    /// `${…}`: a name, then nothing or one of the operators and its word.
    fn braced(
        &mut self,
        body: &str,
        at: &Loc,
        used: &mut Vec<Located<String>>,
        diags: &mut Diagnostics,
        depth: usize,
    ) -> Option<String> {
        let name_len = name_length(body);
        let name = body.get(..name_len).unwrap_or_default();
        let operation = body.get(name_len..).unwrap_or_default();
        if name.is_empty() {
            bad(diags, at, body, "`${}` needs a variable name");
            return None;
        }
        if operation.is_empty() {
            return Some(self.plain(name, at, used, diags));
        }
        record(used, name, at);
        let value = self.vars.get(name).map(String::as_str);
        let (operator, word) = ["-", "?", "+"]
            .iter()
            .find_map(|op| {
                operation
                    .strip_prefix(':')
                    .and_then(|o| o.strip_prefix(op))
                    .map(|word| ((true, *op), word))
                    .or_else(|| operation.strip_prefix(op).map(|word| ((false, *op), word)))
            })
            .or_else(|| {
                bad(
                    diags,
                    at,
                    body,
                    "after the name comes `}`, `:-`, `-`, `:?`, `?`, `:+` or `+`",
                );
                None
            })?;
        let (colon, op) = operator;
        // With `:`, an empty value counts as unset.
        let set = value.filter(|v| !(colon && v.is_empty()));
        match (op, set) {
            ("-", Some(value)) => Some(value.to_string()),
            ("-", None) => self.nested(word, at, used, diags, depth + 1),
            ("+", Some(_)) => self.nested(word, at, used, diags, depth + 1),
            ("+", None) => Some(String::new()),
            (_, Some(value)) => Some(value.to_string()),
            (_, None) => {
                let message = if word.is_empty() {
                    format!("the variable `{name}` is required")
                } else {
                    format!("the variable `{name}` is required: {word}")
                };
                diags.error_hint(
                    codes::REQUIRED_VARIABLE,
                    at,
                    message,
                    format!("give it with `--host-env {name}`, in `.env`, or in `options.hostEnv`"),
                );
                None
            }
        }
    }

    /// `$VAR` or `${VAR}`: the value, or empty with a warning when unset.
    fn plain(
        &mut self,
        name: &str,
        at: &Loc,
        used: &mut Vec<Located<String>>,
        diags: &mut Diagnostics,
    ) -> String {
        record(used, name, at);
        if let Some(value) = self.vars.get(name) {
            return value.clone();
        }
        let key = format!(
            "{}:{}:{name}",
            at.line.unwrap_or_default(),
            at.column.unwrap_or_default()
        );
        if self.warned.insert(key, String::new()).is_none() {
            diags.warning_hint(
                codes::UNSET_VARIABLE,
                at,
                format!("the variable `{name}` is not set: it becomes an empty string"),
                format!("give it with `--host-env {name}` or in `.env`, or write `${{{name}:-default}}`"),
            );
        }
        String::new()
    }
}

/// Records a variable the file reads (the reader keeps the first of each name).
fn record(used: &mut Vec<Located<String>>, name: &str, at: &Loc) {
    used.push(Located {
        value: name.to_string(),
        at: at.clone(),
    });
}

fn bad(diags: &mut Diagnostics, at: &Loc, text: &str, why: &str) {
    diags.error_hint(
        codes::BAD_INTERPOLATION,
        at,
        format!("`{text}` cannot be interpolated: {why}"),
        "write `$$` for a literal `$`",
    );
}

/// The length of a variable name at the start of `text`: a letter or `_`, then letters,
/// digits and `_`.
fn name_length(text: &str) -> usize {
    let mut length = 0;
    for (i, c) in text.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        length = i + c.len_utf8();
    }
    length
}

/// The position of the `}` that closes a `${`, counting nested braces.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, vars: &[(&str, &str)]) -> (Option<String>, Vec<String>, Vec<String>) {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut diags = Diagnostics::default();
        let mut used = Vec::new();
        let result = Interpolator::new(&vars).text(text, &Loc::at("x"), &mut used, &mut diags);
        let codes = diags.into_sorted().into_iter().map(|d| d.code).collect();
        (result, used.into_iter().map(|u| u.value).collect(), codes)
    }

    #[test]
    fn every_form() {
        let vars = [("A", "1"), ("E", "")];
        assert_eq!(run("$A-${A}x$$", &vars).0.as_deref(), Some("1-1x$"));
        assert_eq!(run("${B:-d}${E:-e}${E-f}", &vars).0.as_deref(), Some("de"));
        assert_eq!(
            run("${A:+yes}${B+no}${E+set}", &vars).0.as_deref(),
            Some("yesset")
        );
        assert_eq!(run("${B:-${A}}", &vars).0.as_deref(), Some("1"));
        assert_eq!(run("${A:?need}", &vars).0.as_deref(), Some("1"));
        let (result, used, codes) = run("${B}/$C", &vars);
        assert_eq!(result.as_deref(), Some("/"));
        assert_eq!(used, vec!["B", "C"]);
        assert_eq!(codes, vec!["unset-variable", "unset-variable"]);
    }

    #[test]
    fn errors() {
        assert_eq!(run("${B:?set B}", &[]).2, vec!["required-variable"]);
        assert_eq!(run("${E:?}", &[("E", "")]).2, vec!["required-variable"]);
        assert!(run("${E?}", &[("E", "")]).2.is_empty());
        for bad in ["${A", "$", "a $ b", "${}", "${A!x}"] {
            assert_eq!(run(bad, &[]).2, vec!["bad-interpolation"], "{bad}");
        }
        let deep = format!("{}{}", "${A:-".repeat(20), "}".repeat(20));
        assert_eq!(run(&deep, &[]).2, vec!["bad-interpolation"]);
    }
}
