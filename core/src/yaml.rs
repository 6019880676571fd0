//! The spec text as a tree of nodes that remember their line and column.
//! Scalars keep their source text so that `mode: 1777` can be read as octal.

use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

use crate::diagnostic::{Diagnostic, Loc};

/// Bounds the nodes anchors may expand to, so a hostile spec cannot exhaust memory.
const ALIAS_LIMIT: usize = 10_000;
/// Bounds nesting, so walking (and dropping) the tree cannot overflow a wasm stack.
const MAX_DEPTH: usize = 64;

/// Feeds the loader and stops feeding it once the nesting gets too deep.
struct DepthGuard<'input> {
    loader: YamlLoader<'input, MarkedYaml<'input>>,
    depth: usize,
    too_deep_at: Option<Span>,
}

impl<'input> SpannedEventReceiver<'input> for DepthGuard<'input> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.too_deep_at.is_some() {
            return;
        }
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    self.too_deep_at = Some(span);
                    return;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.loader.on_event(event, span);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// A scalar's text; `quoted` scalars are always strings.
    Scalar { text: String, quoted: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
    pub column: u32,
}

impl Node {
    /// Where this node is, under a path.
    pub fn loc(&self, path: &str) -> Loc {
        Loc { path: path.to_string(), line: Some(self.line), column: Some(self.column) }
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

/// Resolves a plain scalar with the YAML 1.2 core schema.
pub fn plain_kind(text: &str) -> PlainKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return PlainKind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return PlainKind::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan"
        | ".NaN" | ".NAN" => return PlainKind::Float,
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

fn is_int_syntax(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_float_syntax(text: &str) -> bool {
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

/// Parses one YAML (or JSON) document into a node tree.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    loader.alias_limit(ALIAS_LIMIT);
    let mut guard = DepthGuard { loader, depth: 0, too_deep_at: None };
    // Events are pulled one by one rather than through `Parser::load`, which recurses once per
    // nesting level and would overflow the stack before the guard could stop it.
    let mut scan = None;
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => guard.on_event(event, span),
            Err(error) => {
                scan = Some(error);
                break;
            }
        }
        if guard.too_deep_at.is_some() {
            break;
        }
    }
    let scan = scan.or_else(|| guard.loader.error().cloned());
    if let (None, Some(span)) = (&scan, guard.too_deep_at) {
        let at = Loc {
            path: String::new(),
            line: u32::try_from(span.start.line()).ok(),
            column: u32::try_from(span.start.col() + 1).ok(),
        };
        return Err(Diagnostic::error("yaml-too-deep", &at, format!("the spec nests lists and maps more than {MAX_DEPTH} levels deep")));
    }
    let loader = guard.loader;
    if let Some(error) = scan {
        let at = Loc {
            path: String::new(),
            line: u32::try_from(error.marker().line()).ok(),
            column: u32::try_from(error.marker().col() + 1).ok(),
        };
        if error.info().contains("duplicated key") {
            return Err(Diagnostic::error("duplicate-key", &at, "a key appears twice in the same map").with_hint("remove one of the two"));
        }
        return Err(Diagnostic::error("yaml-syntax", &at, format!("the spec is not valid YAML: {}", error.info())));
    }
    let mut documents = loader.into_documents().into_iter();
    let first = documents.next();
    if let Some(second) = documents.next() {
        let node = convert(&second)?;
        return Err(Diagnostic::error("multiple-documents", &node.loc(""), "the spec holds more than one YAML document")
            .with_hint("put one deployment in each file"));
    }
    match first {
        None => Err(Diagnostic::error("empty-spec", &Loc { path: String::new(), line: Some(1), column: Some(1) }, "the spec is empty")),
        Some(document) => convert(&document),
    }
}

fn convert(node: &MarkedYaml<'_>) -> Result<Node, Diagnostic> {
    let line = u32::try_from(node.span.start.line()).unwrap_or(u32::MAX);
    let column = u32::try_from(node.span.start.col() + 1).unwrap_or(u32::MAX);
    let here = Loc { path: String::new(), line: Some(line), column: Some(column) };
    let value = match &node.data {
        YamlData::Representation(text, style, tag) => {
            let quoted = !matches!(style, ScalarStyle::Plain);
            let forced_string = match tag {
                None => false,
                Some(tag) if tag.is_yaml_core_schema() && tag.suffix == "str" => true,
                Some(tag) => {
                    return Err(Diagnostic::error("unsupported-tag", &here, format!("the YAML tag `{}` is not supported", tag_text(tag)))
                        .with_hint("remove the tag; write the value as plain YAML"));
                }
            };
            if !quoted && !forced_string && plain_kind(text) == PlainKind::Null {
                Value::Null
            } else {
                Value::Scalar { text: text.to_string(), quoted: quoted || forced_string }
            }
        }
        YamlData::Value(scalar) => Value::Scalar { text: format!("{scalar:?}"), quoted: false },
        YamlData::Sequence(items) => Value::Seq(items.iter().map(convert).collect::<Result<_, _>>()?),
        YamlData::Mapping(entries) => {
            let mut pairs = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                pairs.push((convert(key)?, convert(value)?));
            }
            Value::Map(pairs)
        }
        YamlData::Tagged(tag, _) => {
            return Err(Diagnostic::error("unsupported-tag", &here, format!("the YAML tag `{}` is not supported", tag_text(tag)))
                .with_hint("remove the tag; write the value as plain YAML"));
        }
        YamlData::Alias(_) | YamlData::BadValue => {
            return Err(Diagnostic::error("yaml-syntax", &here, "the spec holds a YAML value that cannot be read"));
        }
    };
    Ok(Node { value, line, column })
}

/// A tag as people write it: `!!binary`, `!custom`.
fn tag_text(tag: &saphyr::Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix.trim_start_matches('!'))
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_text_and_position() {
        let node = parse("a:\n  mode: 1777\n  b: \"x\"\n").unwrap();
        let Value::Map(top) = node.value else { panic!("map") };
        let Value::Map(inner) = &top[0].1.value else { panic!("inner map") };
        assert_eq!(inner[0].1.value, Value::Scalar { text: "1777".into(), quoted: false });
        assert_eq!((inner[0].1.line, inner[0].1.column), (2, 9));
        assert_eq!(inner[1].1.value, Value::Scalar { text: "x".into(), quoted: true });
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
        assert_eq!(parse("a: 1\n---\nb: 2\n").unwrap_err().code, "multiple-documents");
        assert_eq!(parse("x: !custom 1\n").unwrap_err().message, "the YAML tag `!custom` is not supported");
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
