//! Failures of the command line (files, I/O, the bundle, the probe) as diagnostics: each error
//! type gives a stable code and the file or option it is about, so that `--diagnostics json`
//! reports them the way it reports the compiler's.

use std::error::Error;

use bundlec_core::{Diagnostic, Severity};

/// An error the command line reports: a stable kebab-case `code` (`io-error`, `too-large`,
/// `not-utf8`, `bundle-exists`, `unsafe-bundle`, ...) and the file or option it is about.
pub trait Coded: Error {
    fn code(&self) -> &'static str;
    /// The file path or option the failure is about; empty when there is none.
    fn path(&self) -> String;
    fn hint(&self) -> Option<String> {
        None
    }
}

/// The error and its sources, `: `-separated (`cannot read the spec `x`: No such file...`).
pub fn message(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The error as an error diagnostic without a position.
pub fn diagnostic(error: &dyn Coded) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: error.code().to_string(),
        message: message(error),
        path: error.path(),
        line: None,
        column: None,
        hint: error.hint(),
    }
}

/// The code of an I/O failure: `too-large` and `not-utf8` for the readers' own refusals
/// (InvalidData with those words), `io-error` otherwise.
pub fn io_code(error: &std::io::Error) -> &'static str {
    if error.kind() == std::io::ErrorKind::InvalidData {
        let text = error.to_string();
        if text.contains("larger than") {
            return "too-large";
        }
        if text.contains("not UTF-8") {
            return "not-utf8";
        }
    }
    "io-error"
}
