//! Each YAML event parser driven the same way: scan the whole text, hand every event with its
//! start (and, where the library has one, end) line and column to a visitor, exactly as the
//! library reports them (each library's own bases; `checks` works out which they are).

/// The kinds of event, the same numbers for every library.
pub mod kind {
    pub const STREAM_START: u8 = 0;
    pub const STREAM_END: u8 = 1;
    pub const DOCUMENT_START: u8 = 2;
    pub const DOCUMENT_END: u8 = 3;
    pub const ALIAS: u8 = 4;
    pub const SCALAR: u8 = 5;
    pub const SEQUENCE_START: u8 = 6;
    pub const SEQUENCE_END: u8 = 7;
    pub const MAPPING_START: u8 = 8;
    pub const MAPPING_END: u8 = 9;
}

/// One event as the visitor sees it: positions raw, as (line, column).
pub struct EventView<'a> {
    pub kind: u8,
    /// A scalar's value (empty for other events).
    pub scalar: &'a [u8],
    pub start: (u64, u64),
    /// `None` where the library gives only a start (yaml-rust2).
    pub end: Option<(u64, u64)>,
}

/// A scan that failed: the library's message and its raw position.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub line: u64,
    pub column: u64,
}

/// The ways of scanning measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanner {
    /// What bundlec does today: `Parser::new_from_str`, pulled as an iterator.
    SaphyrFromStr,
    /// `Parser::new(StrInput::new(text))` pulled with `next_event`.
    SaphyrStrInput,
    /// `Parser::new(BufferedInput::new(text.chars()))`, the streaming input.
    SaphyrBuffered,
    /// `Parser::new_from_str` pushing into a `SpannedEventReceiver` through `load`.
    SaphyrLoad,
    /// saphyr-parser-bw, serde-saphyr's fork (borrows more scalars from a `&str`).
    SaphyrBw,
    /// yaml-rust2's `Parser::new_from_str`: start marks only.
    YamlRust2,
    /// libyaml (C, translated to unsafe Rust): `yaml_parser_parse`, a parser per text.
    UnsafeLibyaml,
    /// libyaml-safer, a parser per text.
    LibyamlSafer,
    /// libyaml-safer, one parser kept across texts and `reset` (its allocations preserved).
    LibyamlSaferReused,
    /// Not a parser: every character visited once with its line and column, a floor.
    CharWalk,
}

impl Scanner {
    pub const ALL: [Scanner; 10] = [
        Scanner::SaphyrFromStr,
        Scanner::SaphyrStrInput,
        Scanner::SaphyrBuffered,
        Scanner::SaphyrLoad,
        Scanner::SaphyrBw,
        Scanner::YamlRust2,
        Scanner::UnsafeLibyaml,
        Scanner::LibyamlSafer,
        Scanner::LibyamlSaferReused,
        Scanner::CharWalk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scanner::SaphyrFromStr => "saphyr-parser 0.3.4 new_from_str (bundlec today)",
            Scanner::SaphyrStrInput => "saphyr-parser 0.3.4 new(StrInput) + next_event",
            Scanner::SaphyrBuffered => "saphyr-parser 0.3.4 new(BufferedInput<Chars>)",
            Scanner::SaphyrLoad => "saphyr-parser 0.3.4 load(SpannedEventReceiver)",
            Scanner::SaphyrBw => "saphyr-parser-bw 0.0.613 new_from_str",
            Scanner::YamlRust2 => "yaml-rust2 0.13.2 new_from_str (start marks only)",
            Scanner::UnsafeLibyaml => "unsafe-libyaml 0.2.11 yaml_parser_parse",
            Scanner::LibyamlSafer => "libyaml-safer 0.3.0, new parser each text",
            Scanner::LibyamlSaferReused => "libyaml-safer 0.3.0, one parser reset",
            Scanner::CharWalk => "floor: walk chars counting line/column",
        }
    }

    /// Whether this is a real parser (the floor is not: it accepts anything).
    pub fn is_parser(self) -> bool {
        self != Scanner::CharWalk
    }
}

/// What scanning one text may keep between parses (only the reused libyaml-safer parser).
pub struct Session<'t> {
    text: &'t str,
    safer: libyaml_safer::Parser<&'t [u8]>,
}

impl<'t> Session<'t> {
    pub fn new(text: &'t str) -> Session<'t> {
        Session {
            text,
            safer: libyaml_safer::Parser::new(),
        }
    }

    /// Scans the whole text with `scanner`, visiting every event in order.
    pub fn scan<F: FnMut(&EventView)>(
        &mut self,
        scanner: Scanner,
        visit: &mut F,
    ) -> Result<(), Failure> {
        let text = self.text;
        match scanner {
            Scanner::SaphyrFromStr => saphyr_iter(saphyr_parser::Parser::new_from_str(text), visit),
            Scanner::SaphyrStrInput => saphyr_next_event(
                saphyr_parser::Parser::new(saphyr_parser::StrInput::new(text)),
                visit,
            ),
            Scanner::SaphyrBuffered => saphyr_iter(
                saphyr_parser::Parser::new(saphyr_parser::BufferedInput::new(text.chars())),
                visit,
            ),
            Scanner::SaphyrLoad => saphyr_load(text, visit),
            Scanner::SaphyrBw => saphyr_bw(text, visit),
            Scanner::YamlRust2 => yaml_rust2_scan(text, visit),
            Scanner::UnsafeLibyaml => libyaml_scan(text, visit),
            Scanner::LibyamlSafer => {
                let mut parser = libyaml_safer::Parser::new();
                parser.set_input(text.as_bytes());
                safer_scan(&mut parser, visit)
            }
            Scanner::LibyamlSaferReused => {
                self.safer.reset();
                self.safer.set_input(text.as_bytes());
                self.safer.set_encoding(libyaml_safer::Encoding::Utf8);
                safer_scan(&mut self.safer, visit)
            }
            Scanner::CharWalk => {
                char_walk(text, visit);
                Ok(())
            }
        }
    }
}

fn saphyr_kind<'e>(event: &'e saphyr_parser::Event<'_>) -> (u8, &'e [u8]) {
    use saphyr_parser::Event;
    match event {
        Event::Nothing | Event::StreamStart => (kind::STREAM_START, b""),
        Event::StreamEnd => (kind::STREAM_END, b""),
        Event::DocumentStart(_) => (kind::DOCUMENT_START, b""),
        Event::DocumentEnd => (kind::DOCUMENT_END, b""),
        Event::Alias(_) => (kind::ALIAS, b""),
        Event::Scalar(text, ..) => (kind::SCALAR, text.as_bytes()),
        Event::SequenceStart(..) => (kind::SEQUENCE_START, b""),
        Event::SequenceEnd => (kind::SEQUENCE_END, b""),
        Event::MappingStart(..) => (kind::MAPPING_START, b""),
        Event::MappingEnd => (kind::MAPPING_END, b""),
    }
}

fn saphyr_visit<F: FnMut(&EventView)>(
    event: &saphyr_parser::Event<'_>,
    span: &saphyr_parser::Span,
    visit: &mut F,
) {
    let (kind, scalar) = saphyr_kind(event);
    visit(&EventView {
        kind,
        scalar,
        start: (span.start.line() as u64, span.start.col() as u64),
        end: Some((span.end.line() as u64, span.end.col() as u64)),
    });
}

fn saphyr_failure(error: &saphyr_parser::ScanError) -> Failure {
    Failure {
        message: error.info().to_string(),
        line: error.marker().line() as u64,
        column: error.marker().col() as u64,
    }
}

fn saphyr_iter<'t, I, F>(parser: saphyr_parser::Parser<'t, I>, visit: &mut F) -> Result<(), Failure>
where
    I: saphyr_parser::Input,
    F: FnMut(&EventView),
{
    for event in parser {
        let (event, span) = event.map_err(|e| saphyr_failure(&e))?;
        saphyr_visit(&event, &span, visit);
    }
    Ok(())
}

fn saphyr_next_event<'t, I, F>(
    mut parser: saphyr_parser::Parser<'t, I>,
    visit: &mut F,
) -> Result<(), Failure>
where
    I: saphyr_parser::Input,
    F: FnMut(&EventView),
{
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| saphyr_failure(&e))?;
        saphyr_visit(&event, &span, visit);
    }
    Ok(())
}

struct SaphyrReceiver<'v, F>(&'v mut F);

impl<'t, F: FnMut(&EventView)> saphyr_parser::SpannedEventReceiver<'t> for SaphyrReceiver<'_, F> {
    fn on_event(&mut self, event: saphyr_parser::Event<'t>, span: saphyr_parser::Span) {
        saphyr_visit(&event, &span, self.0);
    }
}

fn saphyr_load<F: FnMut(&EventView)>(text: &str, visit: &mut F) -> Result<(), Failure> {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    parser
        .load(&mut SaphyrReceiver(visit), true)
        .map_err(|e| saphyr_failure(&e))
}

fn saphyr_bw<F: FnMut(&EventView)>(text: &str, visit: &mut F) -> Result<(), Failure> {
    use saphyr_parser_bw::Event;
    for event in saphyr_parser_bw::Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| Failure {
            message: e.info().to_string(),
            line: e.marker().line() as u64,
            column: e.marker().col() as u64,
        })?;
        let (kind, scalar) = match &event {
            Event::Nothing | Event::StreamStart => (kind::STREAM_START, &b""[..]),
            Event::StreamEnd => (kind::STREAM_END, &b""[..]),
            Event::DocumentStart(_) => (kind::DOCUMENT_START, &b""[..]),
            Event::DocumentEnd => (kind::DOCUMENT_END, &b""[..]),
            Event::Alias(_) => (kind::ALIAS, &b""[..]),
            Event::Scalar(text, ..) => (kind::SCALAR, text.as_bytes()),
            Event::SequenceStart(..) => (kind::SEQUENCE_START, &b""[..]),
            Event::SequenceEnd => (kind::SEQUENCE_END, &b""[..]),
            Event::MappingStart(..) => (kind::MAPPING_START, &b""[..]),
            Event::MappingEnd => (kind::MAPPING_END, &b""[..]),
        };
        visit(&EventView {
            kind,
            scalar,
            start: (span.start.line() as u64, span.start.col() as u64),
            end: Some((span.end.line() as u64, span.end.col() as u64)),
        });
    }
    Ok(())
}

fn yaml_rust2_scan<F: FnMut(&EventView)>(text: &str, visit: &mut F) -> Result<(), Failure> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| Failure {
            message: e.info().to_string(),
            line: e.marker().line() as u64,
            column: e.marker().col() as u64,
        })?;
        let (kind, scalar) = match &event {
            Event::Nothing | Event::StreamStart => (kind::STREAM_START, &b""[..]),
            Event::StreamEnd => (kind::STREAM_END, &b""[..]),
            Event::DocumentStart => (kind::DOCUMENT_START, &b""[..]),
            Event::DocumentEnd => (kind::DOCUMENT_END, &b""[..]),
            Event::Alias(_) => (kind::ALIAS, &b""[..]),
            Event::Scalar(text, ..) => (kind::SCALAR, text.as_bytes()),
            Event::SequenceStart(..) => (kind::SEQUENCE_START, &b""[..]),
            Event::SequenceEnd => (kind::SEQUENCE_END, &b""[..]),
            Event::MappingStart(..) => (kind::MAPPING_START, &b""[..]),
            Event::MappingEnd => (kind::MAPPING_END, &b""[..]),
        };
        visit(&EventView {
            kind,
            scalar,
            start: (mark.line() as u64, mark.col() as u64),
            end: None,
        });
        if kind == kind::STREAM_END {
            return Ok(());
        }
    }
}

fn libyaml_scan<F: FnMut(&EventView)>(text: &str, visit: &mut F) -> Result<(), Failure> {
    use std::mem::MaybeUninit;

    let mut parser = MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit();
    let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
    // SAFETY: the parser is initialized before use and deleted once on every path; the input
    // outlives the parser; each event is read only after a successful parse and deleted once.
    unsafe {
        if unsafe_libyaml::yaml_parser_initialize(parser.as_mut_ptr()).fail {
            return Err(Failure {
                message: "yaml_parser_initialize failed".into(),
                line: 0,
                column: 0,
            });
        }
        let parser = parser.as_mut_ptr();
        unsafe_libyaml::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as u64);
        let result = loop {
            if unsafe_libyaml::yaml_parser_parse(parser, event.as_mut_ptr()).fail {
                let prefix = &**parser;
                let message = if prefix.problem.is_null() {
                    String::from("unknown error")
                } else {
                    std::ffi::CStr::from_ptr(prefix.problem)
                        .to_string_lossy()
                        .into_owned()
                };
                let context = if prefix.context.is_null() {
                    String::new()
                } else {
                    std::ffi::CStr::from_ptr(prefix.context)
                        .to_string_lossy()
                        .into_owned()
                };
                break Err(Failure {
                    message: if context.is_empty() {
                        message
                    } else {
                        format!("{context}: {message}")
                    },
                    line: prefix.problem_mark.line,
                    column: prefix.problem_mark.column,
                });
            }
            let ev = &*event.as_ptr();
            let (kind, scalar): (u8, &[u8]) = match ev.type_ {
                unsafe_libyaml::YAML_STREAM_START_EVENT => (kind::STREAM_START, b""),
                unsafe_libyaml::YAML_STREAM_END_EVENT => (kind::STREAM_END, b""),
                unsafe_libyaml::YAML_DOCUMENT_START_EVENT => (kind::DOCUMENT_START, b""),
                unsafe_libyaml::YAML_DOCUMENT_END_EVENT => (kind::DOCUMENT_END, b""),
                unsafe_libyaml::YAML_ALIAS_EVENT => (kind::ALIAS, b""),
                unsafe_libyaml::YAML_SCALAR_EVENT => {
                    let scalar = ev.data.scalar;
                    (
                        kind::SCALAR,
                        std::slice::from_raw_parts(scalar.value, scalar.length as usize),
                    )
                }
                unsafe_libyaml::YAML_SEQUENCE_START_EVENT => (kind::SEQUENCE_START, b""),
                unsafe_libyaml::YAML_SEQUENCE_END_EVENT => (kind::SEQUENCE_END, b""),
                unsafe_libyaml::YAML_MAPPING_START_EVENT => (kind::MAPPING_START, b""),
                unsafe_libyaml::YAML_MAPPING_END_EVENT => (kind::MAPPING_END, b""),
                _ => (u8::MAX, b""),
            };
            visit(&EventView {
                kind,
                scalar,
                start: (ev.start_mark.line, ev.start_mark.column),
                end: Some((ev.end_mark.line, ev.end_mark.column)),
            });
            unsafe_libyaml::yaml_event_delete(event.as_mut_ptr());
            if kind == kind::STREAM_END {
                break Ok(());
            }
        };
        unsafe_libyaml::yaml_parser_delete(parser);
        result
    }
}

fn safer_scan<F: FnMut(&EventView)>(
    parser: &mut libyaml_safer::Parser<&[u8]>,
    visit: &mut F,
) -> Result<(), Failure> {
    use libyaml_safer::EventData;
    loop {
        let event = parser.parse().map_err(|e| {
            let mark = e.problem_mark().unwrap_or_default();
            Failure {
                message: match e.context() {
                    Some(context) if !context.is_empty() => format!("{context}: {}", e.problem()),
                    _ => e.problem().to_string(),
                },
                line: mark.line,
                column: mark.column,
            }
        })?;
        let (kind, scalar) = match &event.data {
            EventData::StreamStart { .. } => (kind::STREAM_START, &b""[..]),
            EventData::StreamEnd => (kind::STREAM_END, &b""[..]),
            EventData::DocumentStart { .. } => (kind::DOCUMENT_START, &b""[..]),
            EventData::DocumentEnd { .. } => (kind::DOCUMENT_END, &b""[..]),
            EventData::Alias { .. } => (kind::ALIAS, &b""[..]),
            EventData::Scalar { value, .. } => (kind::SCALAR, value.as_bytes()),
            EventData::SequenceStart { .. } => (kind::SEQUENCE_START, &b""[..]),
            EventData::SequenceEnd => (kind::SEQUENCE_END, &b""[..]),
            EventData::MappingStart { .. } => (kind::MAPPING_START, &b""[..]),
            EventData::MappingEnd => (kind::MAPPING_END, &b""[..]),
        };
        visit(&EventView {
            kind,
            scalar,
            start: (event.start_mark.line, event.start_mark.column),
            end: Some((event.end_mark.line, event.end_mark.column)),
        });
        if kind == kind::STREAM_END {
            return Ok(());
        }
    }
}

/// Every character with its 1-based line and 0-based column, each reported as a one-character
/// "event": what any scanner keeping positions must at least do.
fn char_walk<F: FnMut(&EventView)>(text: &str, visit: &mut F) {
    let (mut line, mut column) = (1u64, 0u64);
    let mut sum = 0u64;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
        sum = sum.wrapping_add(line ^ column);
    }
    visit(&EventView {
        kind: kind::STREAM_END,
        scalar: b"",
        start: (line, column),
        end: Some((sum, 0)),
    });
}
