//! Diagnostics on stderr: written as they come in human form, gathered into one
//! `{"diagnostics":[...]}` document under `--diagnostics json` (written even when empty).

use std::io::Write;

use bundlec_core::{Diagnostic, Severity};

use crate::cli::DiagnosticsFormat;
use crate::codes;
use crate::input::SpecSource;
use crate::render::{self, Source};

/// Where a command's diagnostics go.
#[derive(Debug)]
pub struct Reporter {
    format: DiagnosticsFormat,
    gathered: Vec<Diagnostic>,
}

impl Reporter {
    pub fn new(format: DiagnosticsFormat) -> Reporter {
        Reporter {
            format,
            gathered: Vec::new(),
        }
    }

    /// Diagnostics of the spec, shown with its lines.
    pub fn spec(&mut self, diagnostics: &[Diagnostic], spec: &SpecSource) {
        match self.format {
            DiagnosticsFormat::Human if diagnostics.is_empty() => {}
            DiagnosticsFormat::Human => stderr(&render::human(
                diagnostics,
                Source {
                    name: &spec.name,
                    text: &spec.text,
                },
            )),
            DiagnosticsFormat::Json => self.gathered.extend_from_slice(diagnostics),
        }
    }

    /// A diagnostic of the command line: `error: message` and its hint in human form.
    pub fn plain(&mut self, diagnostic: Diagnostic) {
        match self.format {
            DiagnosticsFormat::Human => {
                let severity = match diagnostic.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let mut text = format!(
                    "{severity}: {}\n",
                    render::escape_controls(&diagnostic.message)
                );
                if let Some(hint) = &diagnostic.hint {
                    text.push_str(&format!("  = hint: {}\n", render::escape_controls(hint)));
                }
                stderr(&text);
            }
            DiagnosticsFormat::Json => self.gathered.push(diagnostic),
        }
    }

    /// A warning of a live probe.
    pub fn probe_warning(&mut self, message: String) {
        self.plain(Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(codes::PROBE_WARNING, "", message)
        });
    }

    /// The JSON document, written even when there is nothing in it.
    pub fn finish(self) {
        if self.format == DiagnosticsFormat::Json {
            stderr(&render::json(&self.gathered));
        }
    }
}

/// Writes to stderr; a failure to do so has nowhere to be reported.
pub fn stderr(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// A usage error of clap as one diagnostic (code `usage`, the offending argument as its path):
/// clap's first line is the message, its indented lines continue it, its tips are the hint.
pub fn usage_diagnostic(error: &clap::Error) -> Diagnostic {
    use clap::error::ContextKind;
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().peekable();
    let first = lines.next().unwrap_or_default();
    let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
    // `the following required arguments were not provided:` lists them on indented lines.
    while let Some(more) = lines.next_if(|line| line.starts_with("  ") && !line.contains("tip:")) {
        message.push(' ');
        message.push_str(more.trim());
    }
    let tips: Vec<&str> = lines
        .filter_map(|line| line.trim().strip_prefix("tip: "))
        .collect();
    let hint = if tips.is_empty() {
        "run `bundlec help` for the usage".to_string()
    } else {
        tips.join("; ")
    };
    let path = error
        .get(ContextKind::InvalidArg)
        .map(ToString::to_string)
        .unwrap_or_default();
    Diagnostic::error(codes::USAGE, path, message).with_hint(hint)
}
