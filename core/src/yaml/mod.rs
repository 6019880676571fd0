//! The spec text as a tree of nodes that remember their line and column.
//! Scalars keep their source text so that `mode: 1777` can be read as octal. The tree is
//! built from the parser's events in `builder`.

mod builder;
mod merge;

use std::borrow::Cow;

use saphyr_parser::{BufferedInput, Parser};

use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use builder::TreeBuilder;
#[cfg(test)]
use builder::MAX_DEPTH;
pub use merge::resolve_merges;

/// A value of the tree; scalars borrow their text from the spec where the parser allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'t> {
    Null,
    /// A scalar's text; `quoted` scalars are always strings.
    Scalar {
        text: Cow<'t, str>,
        quoted: bool,
    },
    Seq(Vec<Node<'t>>),
    Map(Vec<(Node<'t>, Node<'t>)>),
}

/// A value and its range in the text: 1-based line and column, the end exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'t> {
    pub value: Value<'t>,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Node<'_> {
    /// Where this node is, under a path.
    pub fn loc(&self, path: &str) -> Loc {
        Loc {
            path: path.to_string(),
            line: Some(self.line),
            column: Some(self.column),
            end_line: Some(self.end_line),
            end_column: Some(self.end_column),
        }
    }

    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Scalar { quoted: true, .. } => "a string",
            Value::Scalar { text, .. } => match plain_kind(text) {
                PlainKind::Int => "an integer",
                PlainKind::Float => "a number",
                PlainKind::Bool => "a boolean",
                PlainKind::Null => "null",
                PlainKind::Str => "a string",
            },
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainKind {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

/// Whether a plain scalar is null in the YAML 1.2 core schema (the one check the tree needs).
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Resolves a plain scalar with the YAML 1.2 core schema.
pub fn plain_kind(text: &str) -> PlainKind {
    if is_null(text) {
        return PlainKind::Null;
    }
    match text {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return PlainKind::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return PlainKind::Float,
        _ => {}
    }
    if parse_int(text).is_some() || is_int_syntax(text) {
        PlainKind::Int
    } else if is_float_syntax(text) {
        PlainKind::Float
    } else {
        PlainKind::Str
    }
}

pub(crate) fn is_int_syntax(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn is_float_syntax(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (body.get(..at).unwrap_or(""), body.get(at + 1..)),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits_ok(whole)
        && fraction.is_none_or(digits_ok)
        && (!whole.is_empty() || fraction.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    mantissa_ok && exponent_ok && !mantissa.is_empty()
}

/// An integer in decimal, `0o` octal or `0x` hex, as the core schema reads it.
pub fn parse_int(text: &str) -> Option<i128> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = if let Some(octal) = body.strip_prefix("0o") {
        i128::from_str_radix(octal, 8).ok()?
    } else if let Some(hex) = body.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        body.parse::<i128>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Parses one YAML (or JSON) document into a node tree, straight from the parser's events.
pub fn parse(text: &str) -> Result<Node<'_>, Diagnostic> {
    // The parser reads a NUL as the end of the text and reports a confusing error after it.
    if let Some(offset) = text.find('\0') {
        let before = text.get(..offset).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let column = before.get(line_start..).unwrap_or_default().chars().count();
        return Err(Diagnostic::error_at(
            codes::YAML_SYNTAX,
            &position(line, column),
            format!(
                "the spec contains a NUL byte at line {line}, column {}",
                column + 1
            ),
        )
        .with_hint("the spec must be text: remove the NUL byte"));
    }
    let mut builder = TreeBuilder::new(text);
    // Events are pulled one by one: nesting is bounded before any recursion can happen.
    // `BufferedInput` rather than `new_from_str`'s `StrInput`: the same events, but a plain
    // scalar's text is not reallocated for the input's larger buffer (79 fewer allocations per
    // typical spec, bench/yaml-scanners/README.md).
    for event in Parser::new(BufferedInput::new(text.chars())) {
        match event {
            Ok((event, span)) => builder.event(event, span)?,
            Err(error) => {
                let (line, column) = within_text(text, error.marker().line(), error.marker().col());
                let at = position(line, column);
                return Err(Diagnostic::error_at(
                    codes::YAML_SYNTAX,
                    &at,
                    format!("the spec is not valid YAML: {}", error.info()),
                ));
            }
        }
    }
    let mut documents = builder.into_documents().into_iter();
    match (documents.next(), documents.next()) {
        (None, _) => Err(Diagnostic::error_at(
            codes::EMPTY_SPEC,
            &position(1, 0),
            "the spec is empty",
        )),
        (Some(_), Some(second)) => Err(Diagnostic::error_at(
            codes::MULTIPLE_DOCUMENTS,
            &second.loc(""),
            "the spec holds more than one YAML document",
        )
        .with_hint("put one deployment in each file")),
        (Some(document), None) => Ok(document),
    }
}

/// The scanner places an error at the end of the stream one line past a text that has no final
/// newline; such a place is moved to just after the last character, on the last line.
fn within_text(text: &str, line: usize, column: usize) -> (usize, usize) {
    let lines = text.split('\n').count();
    if line <= lines {
        return (line, column);
    }
    let last = text.rsplit('\n').next().unwrap_or_default();
    (lines, last.chars().count())
}

/// A one-character range at a 0-based column: where the parser stopped.
pub(super) fn position(line: usize, column: usize) -> Loc {
    let line = u32::try_from(line).ok();
    Loc {
        path: String::new(),
        line,
        column: u32::try_from(column + 1).ok(),
        end_line: line,
        end_column: u32::try_from(column + 2).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_text_and_position() {
        let node = parse("a:\n  mode: 1777\n  b: \"x\"\n").unwrap();
        let Value::Map(top) = node.value else {
            panic!("map")
        };
        let Value::Map(inner) = &top[0].1.value else {
            panic!("inner map")
        };
        assert_eq!(
            inner[0].1.value,
            Value::Scalar {
                text: "1777".into(),
                quoted: false
            }
        );
        assert_eq!((inner[0].1.line, inner[0].1.column), (2, 9));
        assert_eq!(
            inner[1].1.value,
            Value::Scalar {
                text: "x".into(),
                quoted: true
            }
        );
    }

    /// Issue 10: ranges end just past the token (exclusive), quoted scalars with their quotes,
    /// block collections at their last child, flow ones at their bracket.
    #[test]
    fn nodes_carry_the_range_of_their_token() {
        let range = |n: &Node<'_>| (n.line, n.column, n.end_line, n.end_column);
        let text = "a: { b: \"x y\"   , c: 'é' }\nd:\n  - 100m\n  - [1, 2]\n\n# end\n";
        let root = parse(text).unwrap();
        let Value::Map(top) = &root.value else {
            panic!("map")
        };
        let Value::Map(flow) = &top[0].1.value else {
            panic!("flow map")
        };
        assert_eq!(range(&top[0].1), (1, 4, 1, 27));
        assert_eq!(range(&flow[0].1), (1, 9, 1, 14));
        assert_eq!(range(&flow[1].1), (1, 22, 1, 25));
        assert_eq!(range(&top[1].1), (3, 3, 4, 11));
        let Value::Seq(items) = &top[1].1.value else {
            panic!("list")
        };
        assert_eq!(range(&items[0]), (3, 5, 3, 9));
        assert_eq!(range(&root), (1, 1, 4, 11));
        // A flow collection ends at its bracket, not after the blanks that follow it.
        let text = "e: [a, b]   \nf: { g: [c]  }  \n";
        let root = parse(text).unwrap();
        let Value::Map(top) = &root.value else {
            panic!("map")
        };
        assert_eq!(range(&top[0].1), (1, 4, 1, 10));
        assert_eq!(range(&top[1].1), (2, 4, 2, 15));
        let Value::Map(inner) = &top[1].1.value else {
            panic!("flow map")
        };
        assert_eq!(range(&inner[0].1), (2, 9, 2, 12));
    }

    #[test]
    fn core_schema_kinds() {
        assert_eq!(plain_kind("12"), PlainKind::Int);
        assert_eq!(plain_kind("0o17"), PlainKind::Int);
        assert_eq!(plain_kind("1.5"), PlainKind::Float);
        assert_eq!(plain_kind("1e3"), PlainKind::Float);
        assert_eq!(plain_kind("512Mi"), PlainKind::Str);
        assert_eq!(plain_kind("~"), PlainKind::Null);
        assert_eq!(parse_int("-0x10"), Some(-16));
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_have_positions() {
        let error = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(error.code, "duplicate-key");
        assert_eq!(error.line, Some(2));
        assert!(parse("a: [1, 2\n").is_err());
        // At the end of a text without a final newline, the error stays on the last line.
        let error = parse("a: [").unwrap_err();
        assert_eq!((error.line, error.column), (Some(1), Some(5)));
        assert_eq!(
            parse("a: 1\n---\nb: 2\n").unwrap_err().code,
            "multiple-documents"
        );
        assert_eq!(
            parse("x: !custom 1\n").unwrap_err().message,
            "the YAML tag `!custom` is not supported"
        );
    }

    /// Issue 9: a NUL byte was reported as "unexpected end of stream".
    #[test]
    fn a_nul_byte_is_named_where_it_is() {
        for (text, line, column) in [
            ("\0", 1, 1),
            ("a: 1\nb: x\0y\n", 2, 5),
            ("a: \"é\0\"\n", 1, 6),
        ] {
            let error = parse(text).unwrap_err();
            assert_eq!(error.code, "yaml-syntax");
            assert_eq!(
                (error.line, error.column),
                (Some(line), Some(column)),
                "{text:?}"
            );
            assert_eq!(
                error.message,
                format!("the spec contains a NUL byte at line {line}, column {column}")
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}x", "- ".repeat(5000));
        assert_eq!(parse(&deep).unwrap_err().code, "yaml-too-deep");
        let flow = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&flow).is_err());

        let fine = format!("{}x", "- ".repeat(MAX_DEPTH));
        assert!(parse(&fine).is_ok());
    }
}
