//! Diagnostics for people (rustc-like, with the YAML line and the range underlined with carets)
//! and for programs (JSON).

use std::fmt::Write as _;

use bundlec_core::{Diagnostic, Severity};

mod window;

pub use window::WINDOW;
use window::{windows, LineIndex, Window};

/// The spec text the diagnostics point into, and the name to show for it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Every diagnostic, each followed by a blank line. Linear in the text and the diagnostics: line
/// starts are indexed once, and the windows of long lines are found in one pass per line.
pub fn human(diagnostics: &[Diagnostic], source: Source<'_>) -> String {
    let lines = LineIndex::new(source.text);
    let windows = windows(diagnostics, &lines);
    diagnostics
        .iter()
        .zip(windows)
        .map(|(diagnostic, window)| render(diagnostic, source.name, window) + "\n")
        .collect()
}

/// One diagnostic:
///
/// ```text
/// error[bad-memory]: `100m` is ambiguous
///   --> spec.yaml:12:15
///    |
/// 12 |     memory: 100m
///    |             ^^^^
///    = hint: write `100Mi` or `100M`
/// ```
pub fn one(diagnostic: &Diagnostic, source: Source<'_>) -> String {
    let lines = LineIndex::new(source.text);
    let window = windows(std::slice::from_ref(diagnostic), &lines)
        .pop()
        .flatten();
    render(diagnostic, source.name, window)
}

/// `{"diagnostics":[...]}` with the core's serde form of each diagnostic, and a final newline.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let mut text = serde_json::json!({ "diagnostics": diagnostics }).to_string();
    text.push('\n');
    text
}

fn render(diagnostic: &Diagnostic, name: &str, window: Option<Window<'_>>) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!(
        "{severity}[{}]: {}\n",
        escape_controls(&diagnostic.code),
        escape_controls(&diagnostic.message)
    );
    let name = escape_controls(name);
    let gutter = match (diagnostic.line, window) {
        (Some(line), Some(_)) => line.to_string().len(),
        _ => 1,
    };
    let pad = " ".repeat(gutter);
    match (diagnostic.line, window) {
        (Some(line), Some(window)) => {
            let column = diagnostic.column.unwrap_or(1);
            let (shown, indent) = show(window);
            let _ = writeln!(out, "{pad}--> {name}:{line}:{column}");
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{line} | {shown}");
            let _ = writeln!(out, "{pad} | {indent}");
        }
        (Some(line), None) => {
            let column = diagnostic
                .column
                .map(|c| format!(":{c}"))
                .unwrap_or_default();
            let _ = writeln!(out, "{pad}--> {name}:{line}{column}");
        }
        (None, _) if !diagnostic.path.is_empty() => {
            let _ = writeln!(out, "{pad}--> path: {}", escape_controls(&diagnostic.path));
        }
        (None, _) => {}
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(out, "{pad} = hint: {}", escape_controls(hint));
    }
    out
}

/// The window as printed (control characters escaped, `…` where cut) and the line under it:
/// blanks up to the caret's character (tabs stay tabs, an escape is as wide as its text), then
/// a `^` under each character of the range (as many as an escape is wide).
fn show(window: Window<'_>) -> (String, String) {
    let mut shown = String::new();
    let mut marks = String::new();
    if window.cut_before {
        shown.push('…');
        marks.push(' ');
    }
    let underlined = window.caret..window.caret + window.carets;
    for (index, c) in window.text.chars().enumerate() {
        let width = if c != '\t' && c.is_control() {
            let escaped = c.escape_unicode().to_string();
            shown.push_str(&escaped);
            escaped.chars().count()
        } else {
            shown.push(c);
            1
        };
        if index < window.caret {
            let blank = if c == '\t' { '\t' } else { ' ' };
            marks.extend(std::iter::repeat_n(blank, width));
        } else if underlined.contains(&index) {
            marks.extend(std::iter::repeat_n('^', width));
        }
    }
    if window.cut_after {
        shown.push('…');
    }
    // A caret past the last character: one, after it.
    if window.caret >= window.text.chars().count() {
        marks.push('^');
    }
    (shown, marks)
}

/// Control characters other than tab as `\u{1b}`, so that text from the spec cannot move the
/// cursor, change colours or clear the terminal.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(|c| c != '\t' && c.is_control()) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c != '\t' && c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
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
            end_line: None,
            end_column: None,
            hint: Some("write `100Mi` or `100M`".into()),
        }
    }

    /// A diagnostic over a range: from `column` to `end_column` (exclusive) of `end_line`.
    fn ranged(line: u32, column: u32, end_line: u32, end_column: u32) -> Diagnostic {
        Diagnostic {
            end_line: Some(end_line),
            end_column: Some(end_column),
            ..diagnostic(Some(line), Some(column))
        }
    }

    const SPEC: &str = "version: v1\nservices:\n  api:\n    resources:\n      memory: 100m\n";

    #[test]
    fn carets_underline_the_range() {
        // `100m` is columns 15 to 19 (exclusive) of line 5.
        let text = one(
            &ranged(5, 15, 5, 19),
            Source {
                name: "spec.yaml",
                text: SPEC,
            },
        );
        let expected = "error[bad-memory]: `100m` is ambiguous\n \
                        --> spec.yaml:5:15\n  \
                        |\n\
                        5 |       memory: 100m\n  \
                        |               ^^^^\n  \
                        = hint: write `100Mi` or `100M`\n";
        assert_eq!(text, expected);
        let lines: Vec<&str> = text.lines().collect();
        let source = lines[3];
        let carets = lines[4];
        assert_eq!(&source[carets.find('^').unwrap()..], "100m");
        assert_eq!(carets.matches('^').count(), 4);
    }

    #[test]
    fn one_caret_without_a_range_on_the_line() {
        let source = Source {
            name: "spec.yaml",
            text: SPEC,
        };
        let caret_line = |d: &Diagnostic| one(d, source).lines().nth(4).unwrap().to_string();
        let single = "  |               ^";
        // No end, an end on a later line, an end not after the start.
        assert_eq!(caret_line(&diagnostic(Some(5), Some(15))), single);
        assert_eq!(caret_line(&ranged(5, 15, 6, 3)), single);
        assert_eq!(caret_line(&ranged(5, 15, 5, 15)), single);
        assert_eq!(caret_line(&ranged(5, 15, 5, 2)), single);
        // A range past the end of the line stops at its last character.
        assert_eq!(caret_line(&ranged(5, 15, 5, 99)), "  |               ^^^^");
        // A start past the end: one caret after the line.
        assert_eq!(caret_line(&ranged(5, 19, 5, 25)), "  |                   ^");
    }

    #[test]
    fn multibyte_characters_count_once() {
        // `é` and `日本` are one character each, several bytes; the caret goes under `x`.
        let spec = "a:\n  é日本: xy\n";
        let text = one(
            &ranged(2, 8, 2, 10),
            Source {
                name: "s.yaml",
                text: spec,
            },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[3], "2 |   é日本: xy");
        assert_eq!(lines[4], "  |        ^^");
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

    #[test]
    fn control_characters_are_escaped_and_the_caret_stays_aligned() {
        let spec = "a:\n  k\x1b[2J: x\n";
        let mut d = diagnostic(Some(2), Some(10));
        let mut key = ranged(2, 3, 2, 8);
        key.hint = None;
        d.message = "unknown field `k\x1b[2J`".into();
        d.hint = Some("not \x07this".into());
        let text = one(
            &d,
            Source {
                name: "s\x1b.yaml",
                text: spec,
            },
        );
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "error[bad-memory]: unknown field `k\\u{1b}[2J`");
        assert_eq!(lines[1], " --> s\\u{1b}.yaml:2:10");
        assert_eq!(lines[3], "2 |   k\\u{1b}[2J: x");
        assert_eq!(lines[4], format!("  | {}^", " ".repeat(14)));
        assert_eq!(lines[5], "  = hint: not \\u{7}this");
        // The caret is under `x`, the character at column 10.
        let caret = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][caret..], "x");
        // The key `k\x1b[2J` underlined: the escape is as wide as its text.
        let text = one(
            &key,
            Source {
                name: "s.yaml",
                text: spec,
            },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[3], "2 |   k\\u{1b}[2J: x");
        assert_eq!(lines[4], format!("  |   {}", "^".repeat(10)));
    }

    #[test]
    fn long_lines_show_a_window_around_the_column() {
        // One 7 MB line with an error near its start, one in the middle and one at its end.
        let mut line = "a".repeat(7_000_000);
        line.replace_range(3_500_000..3_500_001, "X");
        let spec = format!("k: {line}\n");
        let diagnostics = [
            ranged(1, 3_500_004, 1, 3_500_007),
            diagnostic(Some(1), Some(2)),
            diagnostic(Some(1), Some(7_000_004)),
            ranged(1, 3_500_004, 1, 7_000_004),
        ];
        let text = human(
            &diagnostics,
            Source {
                name: "s.yaml",
                text: &spec,
            },
        );
        assert!(text.len() < 3 * 1024, "{} bytes", text.len());
        let blocks: Vec<&str> = text.split("\n\n").collect();
        // The middle one: cut on both sides, 60 characters before the caret.
        let middle: Vec<&str> = blocks[0].lines().collect();
        assert_eq!(
            middle[3],
            format!("1 | …{}X{}…", "a".repeat(60), "a".repeat(59))
        );
        assert_eq!(middle[4], format!("  | {}^^^", " ".repeat(61)));
        // Near the start: not cut before.
        let start: Vec<&str> = blocks[1].lines().collect();
        assert_eq!(start[3], format!("1 | k: {}…", "a".repeat(117)));
        assert_eq!(start[4], "  |  ^");
        // One past the end: the last 120 characters, the caret after them.
        let end: Vec<&str> = blocks[2].lines().collect();
        assert_eq!(end[3], format!("1 | …{}", "a".repeat(120)));
        assert_eq!(end[4], format!("  | {}^", " ".repeat(121)));
        // A range to the end of the line: underlined to the window's end.
        let to_end: Vec<&str> = blocks[3].lines().collect();
        assert_eq!(to_end[3], middle[3]);
        assert_eq!(
            to_end[4],
            format!("  | {}{}", " ".repeat(61), "^".repeat(60))
        );
    }

    #[test]
    fn many_diagnostics_render_in_one_pass() {
        // 100k lines, one diagnostic on each, given last line first.
        let lines = 100_000u32;
        let spec: String = (1..=lines).map(|n| format!("key{n}: v\n")).collect();
        let diagnostics: Vec<Diagnostic> = (1..=lines)
            .rev()
            .map(|n| {
                let mut d = diagnostic(Some(n), Some(1));
                d.hint = None;
                d
            })
            .collect();
        let text = human(
            &diagnostics,
            Source {
                name: "s.yaml",
                text: &spec,
            },
        );
        // Five lines and a blank one per diagnostic, each showing its own source line.
        assert_eq!(text.lines().count(), 6 * lines as usize);
        let first: Vec<&str> = text.lines().take(6).collect();
        assert_eq!(first[3], "100000 | key100000: v");
        let last: Vec<&str> = text.lines().skip(6 * (lines as usize - 1)).collect();
        assert_eq!(last[3], "1 | key1: v");
    }

    /// Found by fuzzing (fuzz/regressions/render_human/caret-at-column-4294967295): a column far
    /// past the end of its line once padded the caret with one blank per column, 4 GiB here.
    #[test]
    fn a_column_far_past_the_line_end_stays_bounded() {
        for (column, end) in [
            (u32::MAX, None),
            (u32::MAX - 1, Some(u32::MAX)),
            (1 << 20, None),
        ] {
            let mut d = diagnostic(Some(5), Some(column));
            d.end_line = end.map(|_| 5);
            d.end_column = end;
            let text = one(
                &d,
                Source {
                    name: "spec.yaml",
                    text: SPEC,
                },
            );
            assert!(text.len() < 400, "{} bytes", text.len());
            assert!(text.contains(&format!("spec.yaml:5:{column}")), "{text}");
            assert!(text.contains('^'), "{text}");
        }
    }
}
