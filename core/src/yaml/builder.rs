//! Builds the node tree from the parser's events: nesting and alias expansion bounded, every
//! node with its range, a key written twice refused.

use std::borrow::Cow;
use std::collections::BTreeMap;

use saphyr_parser::{Event, Marker, ScalarStyle, Span, Tag};

use super::{is_null, Node, Value};
use crate::codes;
use crate::diagnostic::{Diagnostic, Loc};
use crate::sorting::sorted_positions;

/// Bounds the nodes anchors may expand to, so a hostile spec cannot exhaust memory.
const ALIAS_LIMIT: usize = 10_000;
/// Bounds nesting, so walking (and dropping) the tree cannot overflow a wasm stack.
pub(super) const MAX_DEPTH: usize = 64;

/// A 1-based line and column from a parser marker.
fn point(marker: Marker) -> (u32, u32) {
    (
        u32::try_from(marker.line()).unwrap_or(u32::MAX),
        u32::try_from(marker.col().saturating_add(1)).unwrap_or(u32::MAX),
    )
}

/// An open list or map: its position, anchor and the children read so far.
struct Frame<'t> {
    is_map: bool,
    /// Written with brackets (`[…]`, `{…}`) rather than by indentation.
    is_flow: bool,
    anchor: usize,
    line: u32,
    column: u32,
    children: Vec<Node<'t>>,
}

pub(super) struct TreeBuilder<'t> {
    open: Vec<Frame<'t>>,
    documents: Vec<Node<'t>>,
    /// Anchored nodes by anchor id, as positions into `anchored`: one B-tree type for every
    /// number-keyed index in the core keeps the WebAssembly module small.
    anchors: BTreeMap<usize, usize>,
    anchored: Vec<Node<'t>>,
    alias_budget_used: usize,
    cursor: Cursor<'t>,
}

/// A place in the text that only moves forward, so that looking at the text around each
/// event costs one pass over it in all (the parser's markers count characters, not bytes).
struct Cursor<'t> {
    text: &'t str,
    byte: usize,
    char: usize,
}

impl Cursor<'_> {
    /// How many spaces and tabs stand just before the character at `char_index`.
    fn blanks_before(&mut self, char_index: usize) -> usize {
        if char_index < self.char {
            (self.byte, self.char) = (0, 0);
        }
        let rest = self.text.get(self.byte..).unwrap_or_default();
        for c in rest.chars().take(char_index - self.char) {
            self.byte += c.len_utf8();
            self.char += 1;
        }
        let before = self.text.get(..self.byte).unwrap_or_default();
        before
            .bytes()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count()
    }
}

impl<'t> TreeBuilder<'t> {
    pub(super) fn new(text: &'t str) -> TreeBuilder<'t> {
        TreeBuilder {
            open: Vec::new(),
            documents: Vec::new(),
            anchors: BTreeMap::new(),
            anchored: Vec::new(),
            alias_budget_used: 0,
            cursor: Cursor {
                text,
                byte: 0,
                char: 0,
            },
        }
    }

    /// The documents read, in order.
    pub(super) fn into_documents(self) -> Vec<Node<'t>> {
        self.documents
    }

    /// Takes the parser's next event.
    pub(super) fn event(&mut self, event: Event<'t>, span: Span) -> Result<(), Diagnostic> {
        let (line, column) = point(span.start);
        let (end_line, end_column) = point(span.end);
        let here = Loc {
            path: String::new(),
            line: Some(line),
            column: Some(column),
            end_line: Some(end_line),
            end_column: Some(end_column),
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(text, style, anchor, tag.as_deref(), span, &here)
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = tag.as_deref().filter(|tag| !tag.is_yaml_core_schema()) {
                    return Err(unsupported_tag(tag, &here));
                }
                let is_map = matches!(event, Event::MappingStart(..));
                self.open_collection(is_map, anchor, span, &here)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close_collection(span),
            Event::Alias(anchor) => self.alias(anchor, span, &here),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
        }
    }

    fn scalar(
        &mut self,
        text: Cow<'t, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
        here: &Loc,
    ) -> Result<(), Diagnostic> {
        let (line, column) = point(span.start);
        let (end_line, end_column) = point(span.end);
        let forced_string = match tag {
            None => false,
            Some(tag)
                if tag.is_yaml_core_schema() && tag.suffix.trim_start_matches('!') == "str" =>
            {
                true
            }
            Some(tag) => return Err(unsupported_tag(tag, here)),
        };
        let quoted = !matches!(style, ScalarStyle::Plain) || forced_string;
        // In a flow collection the parser ends a quoted scalar after the blanks that
        // follow its closing quote; the range ends at the quote.
        let end_column = if !matches!(style, ScalarStyle::Plain)
            && self.open.last().is_some_and(|frame| frame.is_flow)
        {
            let blanks = self.cursor.blanks_before(span.end.index());
            end_column.saturating_sub(u32::try_from(blanks).unwrap_or(0))
        } else {
            end_column
        };
        let value = if !quoted && is_null(&text) {
            Value::Null
        } else {
            Value::Scalar { text, quoted }
        };
        self.finish(
            Node {
                value,
                line,
                column,
                end_line,
                end_column,
            },
            anchor,
        )
    }

    fn open_collection(
        &mut self,
        is_map: bool,
        anchor: usize,
        span: Span,
        here: &Loc,
    ) -> Result<(), Diagnostic> {
        let (line, column) = point(span.start);
        if self.open.len() >= MAX_DEPTH {
            return Err(Diagnostic::error_at(
                codes::YAML_TOO_DEEP,
                here,
                format!("the spec nests lists and maps more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.open.push(Frame {
            is_map,
            is_flow: span.end.index() > span.start.index(),
            anchor,
            line,
            column,
            children: Vec::new(),
        });
        Ok(())
    }

    fn close_collection(&mut self, span: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.open.pop() else {
            return Ok(());
        };
        // A flow collection ends at its bracket; a block one where its last child does
        // (its end event stands at the next token, past comments and blank lines).
        let end = if span.end.index() > span.start.index() {
            // The parser's end of a flow collection also takes in the blanks after its bracket.
            let (line, column) = point(span.end);
            let blanks = self.cursor.blanks_before(span.end.index());
            (
                line,
                column.saturating_sub(u32::try_from(blanks).unwrap_or(0)),
            )
        } else {
            frame
                .children
                .last()
                .map_or((frame.line, frame.column), |last| {
                    (last.end_line, last.end_column)
                })
        };
        let value = if frame.is_map {
            Value::Map(pairs(frame.children)?)
        } else {
            Value::Seq(frame.children)
        };
        self.finish(
            Node {
                value,
                line: frame.line,
                column: frame.column,
                end_line: end.0,
                end_column: end.1,
            },
            frame.anchor,
        )
    }

    /// A copy of the anchored node, at the alias's range; the copies are bounded in all.
    fn alias(&mut self, anchor: usize, span: Span, here: &Loc) -> Result<(), Diagnostic> {
        let (line, column) = point(span.start);
        let (end_line, end_column) = point(span.end);
        let found = self
            .anchors
            .get(&anchor)
            .and_then(|&i| self.anchored.get(i));
        let Some(node) = found.cloned() else {
            return Err(Diagnostic::error_at(
                codes::YAML_SYNTAX,
                here,
                "an alias names an anchor that is not defined before it",
            ));
        };
        self.alias_budget_used = self.alias_budget_used.saturating_add(count_nodes(&node));
        if self.alias_budget_used > ALIAS_LIMIT {
            return Err(Diagnostic::error_at(
                codes::YAML_SYNTAX,
                here,
                format!("aliases expand to more than {ALIAS_LIMIT} nodes"),
            ));
        }
        self.finish(
            Node {
                line,
                column,
                end_line,
                end_column,
                ..node
            },
            0,
        )
    }

    /// Adds a complete node to its parent, or ends the document.
    fn finish(&mut self, node: Node<'t>, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, self.anchored.len());
            self.anchored.push(node.clone());
        }
        match self.open.last_mut() {
            Some(parent) => parent.children.push(node),
            None => self.documents.push(node),
        }
        // A Result so every arm of `event` ends the same way.
        Ok(())
    }
}

/// Pairs a map's children into entries; a key written twice is an error at its second place.
fn pairs(children: Vec<Node<'_>>) -> Result<Vec<(Node<'_>, Node<'_>)>, Diagnostic> {
    let mut entries = Vec::with_capacity(children.len() / 2);
    let mut children = children.into_iter();
    while let (Some(key), Some(value)) = (children.next(), children.next()) {
        entries.push((key, value));
    }
    let key = |i: usize| entries.get(i).map(|(key, _)| key);
    let order = sorted_positions(entries.len(), &mut |a, b| match (key(a), key(b)) {
        (Some(a), Some(b)) => key_text(&a.value)
            .cmp(&key_text(&b.value))
            .then((a.line, a.column).cmp(&(b.line, b.column))),
        // Positions are below `entries.len()`.
        _ => std::cmp::Ordering::Equal,
    });
    for pair in order.windows(2) {
        if let [first, second] = pair {
            if let (Some(first), Some(second)) = (key(*first), key(*second)) {
                if first.value == second.value {
                    return Err(Diagnostic::error_at(
                        codes::DUPLICATE_KEY,
                        &second.loc(""),
                        "a key appears twice in the same map",
                    )
                    .with_hint("remove one of the two"));
                }
            }
        }
    }
    Ok(entries)
}

fn key_text<'v>(value: &'v Value<'_>) -> Option<&'v str> {
    match value {
        Value::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

fn count_nodes(node: &Node<'_>) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

fn unsupported_tag(tag: &Tag, at: &Loc) -> Diagnostic {
    Diagnostic::error_at(
        codes::UNSUPPORTED_TAG,
        at,
        format!("the YAML tag `{}` is not supported", tag_text(tag)),
    )
    .with_hint("remove the tag; write the value as plain YAML")
}

/// A tag as people write it: `!!binary`, `!custom`.
fn tag_text(tag: &Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix.trim_start_matches('!'))
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}
