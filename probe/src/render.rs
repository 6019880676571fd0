//! Diagnostics for people (rustc-like, with the YAML line and a caret) and for programs (JSON).

use std::fmt::Write as _;

use bundlec_core::{Diagnostic, Severity};

/// The spec text the diagnostics point into, and the name to show for it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Every diagnostic, each followed by a blank line.
pub fn human(diagnostics: &[Diagnostic], source: Source<'_>) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| one(diagnostic, source) + "\n")
        .collect()
}

/// One diagnostic:
///
/// ```text
/// error[bad-memory]: `100m` is ambiguous
///   --> spec.yaml:12:15
///    |
/// 12 |     memory: 100m
///    |             ^
///    = hint: write `100Mi` or `100M`
/// ```
pub fn one(diagnostic: &Diagnostic, source: Source<'_>) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{severity}[{}]: {}\n", diagnostic.code, diagnostic.message);
    let snippet = diagnostic
        .line
        .and_then(|line| Some((line, source_line(source.text, line)?)));
    let gutter = snippet.map_or(1, |(line, _)| line.to_string().len());
    let pad = " ".repeat(gutter);
    match (diagnostic.line, snippet) {
        (Some(line), Some((_, text))) => {
            let column = diagnostic.column.unwrap_or(1);
            let _ = writeln!(out, "{pad}--> {}:{line}:{column}", source.name);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{line} | {text}");
            let _ = writeln!(out, "{pad} | {}^", caret_indent(text, column));
        }
        (Some(line), None) => {
            let column = diagnostic
                .column
                .map(|c| format!(":{c}"))
                .unwrap_or_default();
            let _ = writeln!(out, "{pad}--> {}:{line}{column}", source.name);
        }
        (None, _) if !diagnostic.path.is_empty() => {
            let _ = writeln!(out, "{pad}--> path: {}", diagnostic.path);
        }
        (None, _) => {}
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(out, "{pad} = hint: {hint}");
    }
    out
}

/// `{"diagnostics":[...]}` with the core's serde form of each diagnostic, and a final newline.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let mut text = serde_json::json!({ "diagnostics": diagnostics }).to_string();
    text.push('\n');
    text
}

/// The 1-based `line` of `text`, without its line ending.
fn source_line(text: &str, line: u32) -> Option<&str> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    text.split('\n')
        .nth(index)
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

/// Blanks under the characters before the 1-based `column`; tabs stay tabs so the caret lines up.
fn caret_indent(line: &str, column: u32) -> String {
    let before = usize::try_from(column)
        .unwrap_or(usize::MAX)
        .saturating_sub(1);
    let mut indent: String = line
        .chars()
        .take(before)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let missing = before.saturating_sub(line.chars().count());
    indent.extend(std::iter::repeat_n(' ', missing));
    indent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(line: Option<u32>, column: Option<u32>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: "bad-memory".into(),
            message: "`100m` is ambiguous".into(),
            path: "services.api.resources.memory".into(),
            line,
            column,
            hint: Some("write `100Mi` or `100M`".into()),
        }
    }

    const SPEC: &str = "version: v1\nservices:\n  api:\n    resources:\n      memory: 100m\n";

    #[test]
    fn caret_sits_under_the_column() {
        let text = one(
            &diagnostic(Some(5), Some(15)),
            Source {
                name: "spec.yaml",
                text: SPEC,
            },
        );
        let expected = "error[bad-memory]: `100m` is ambiguous\n \
                        --> spec.yaml:5:15\n  \
                        |\n\
                        5 |       memory: 100m\n  \
                        |               ^\n  \
                        = hint: write `100Mi` or `100M`\n";
        assert_eq!(text, expected);
        let lines: Vec<&str> = text.lines().collect();
        let source = lines[3];
        let caret = lines[4];
        assert_eq!(&source[caret.find('^').unwrap()..], "100m");
    }

    #[test]
    fn multibyte_characters_count_once() {
        // `é` and `日本` are one character each, several bytes; the caret goes under `x`.
        let spec = "a:\n  é日本: x\n";
        let text = one(
            &diagnostic(Some(2), Some(8)),
            Source {
                name: "s.yaml",
                text: spec,
            },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[3], "2 |   é日本: x");
        assert_eq!(lines[4], "  |        ^");
        let caret_chars = lines[4].chars().position(|c| c == '^').unwrap();
        assert_eq!(lines[3].chars().nth(caret_chars), Some('x'));
    }

    #[test]
    fn tabs_and_wide_gutters() {
        let mut spec = "x: 1\n".repeat(11);
        spec.push_str("k: \"\tv\"\n");
        let text = one(
            &diagnostic(Some(12), Some(6)),
            Source {
                name: "s.yaml",
                text: &spec,
            },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "  --> s.yaml:12:6");
        assert_eq!(lines[3], "12 | k: \"\tv\"");
        assert_eq!(lines[4], "   |     \t^");
    }

    #[test]
    fn without_a_line_the_path_is_shown() {
        let mut d = diagnostic(None, None);
        d.path = "inventory".into();
        d.hint = None;
        let text = one(
            &d,
            Source {
                name: "spec.yaml",
                text: SPEC,
            },
        );
        assert_eq!(
            text,
            "error[bad-memory]: `100m` is ambiguous\n --> path: inventory\n"
        );
        // A line past the end of the text keeps the position but shows no source.
        let text = one(
            &diagnostic(Some(99), Some(3)),
            Source {
                name: "spec.yaml",
                text: SPEC,
            },
        );
        assert!(text.contains(" --> spec.yaml:99:3\n"), "{text}");
    }

    #[test]
    fn json_form() {
        let text = json(&[diagnostic(Some(5), Some(15))]);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first = &value["diagnostics"][0];
        assert_eq!(first["severity"], "error");
        assert_eq!(first["code"], "bad-memory");
        assert_eq!(first["line"], 5);
        assert_eq!(first["column"], 15);
        assert_eq!(first["path"], "services.api.resources.memory");
        assert_eq!(first["hint"], "write `100Mi` or `100M`");
    }
}
