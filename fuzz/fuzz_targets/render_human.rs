//! The human diagnostic renderer: the diagnostics of arbitrary spec text, and synthetic ones at
//! arbitrary lines and columns over the same text, render without a panic, each block ending
//! in a blank line; the JSON form always parses.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use bundlec::render::{human, json, Source};
use bundlec_core::{compile, Diagnostic, Severity};
use bundlec_fuzz::fixture;
use libfuzzer_sys::fuzz_target;

/// Where a synthetic diagnostic points: usually inside the text, sometimes anywhere.
#[derive(Debug, Arbitrary)]
enum Position {
    InText {
        line: u16,
        column: u16,
    },
    Anywhere {
        line: Option<u32>,
        column: Option<u32>,
    },
}

#[derive(Debug, Arbitrary)]
struct Synthetic {
    warning: bool,
    code: String,
    message: String,
    path: String,
    position: Position,
    hint: Option<String>,
    /// The end of the range, as a distance from the start (lines, then columns), or absent.
    /// Last, so that inputs saved before ranges existed decode their other fields as they did.
    end: Option<(u8, u16)>,
}

fn render(diagnostics: &[Diagnostic], text: &str) {
    let out = human(
        diagnostics,
        Source {
            name: "spec.yaml",
            text,
        },
    );
    assert_eq!(
        out.is_empty(),
        diagnostics.is_empty(),
        "empty render of diagnostics"
    );
    assert!(
        out.is_empty() || out.ends_with("\n\n"),
        "a block without its blank line"
    );
    let as_json = json(diagnostics);
    assert!(
        serde_json::from_str::<serde_json::Value>(&as_json).is_ok(),
        "the JSON form does not parse: {as_json}"
    );
}

fuzz_target!(|data: &[u8]| {
    // The whole input is the spec text, so the spec corpus seeds this target as it is.
    let text = String::from_utf8_lossy(data);
    // The fixed parts are parsed once: compile_spec fuzzes compile_raw itself.
    let diagnostics = match compile(&fixture().request(&text, None)) {
        Ok(compiled) => compiled.warnings,
        Err(errors) => errors,
    };
    render(&diagnostics, &text);

    // The same bytes, read as synthetic diagnostics, over the same text.
    let lines = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
    let mut input = Unstructured::new(data);
    let Ok(synthetic) = Vec::<Synthetic>::arbitrary(&mut input) else {
        return;
    };
    let synthetic: Vec<Diagnostic> = synthetic
        .into_iter()
        .map(|s| {
            let (line, column) = match s.position {
                // One past the last line too: a position at the very end of the text.
                Position::InText { line, column } => (
                    Some(u32::from(line) % lines.saturating_add(1) + 1),
                    Some(u32::from(column) + 1),
                ),
                Position::Anywhere { line, column } => (line, column),
            };
            let (end_line, end_column) = match (line, column, s.end) {
                (Some(line), Some(column), Some((lines, columns))) => (
                    Some(line.saturating_add(u32::from(lines))),
                    Some(column.saturating_add(u32::from(columns))),
                ),
                _ => (None, None),
            };
            Diagnostic {
                severity: if s.warning {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                code: s.code,
                message: s.message,
                path: s.path,
                line,
                column,
                end_line,
                end_column,
                hint: s.hint,
            }
        })
        .collect();
    render(&synthetic, &text);
});
