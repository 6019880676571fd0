//! How a command fails: every error type gives a stable code and the file or option it is about
//! (`Coded`), so that `--diagnostics json` reports it the way it reports the compiler's, and a
//! command ends in a `Failure` that the binary maps to an exit status.

use std::error::Error;

use bundlec_core::Diagnostic;

/// An error the command line reports: a stable kebab-case `code` (see `codes`) and the file or
/// option it is about.
pub trait Coded: Error {
    fn code(&self) -> &'static str;
    /// The file path or option the failure is about; empty when there is none.
    fn path(&self) -> String;
    fn hint(&self) -> Option<String> {
        None
    }
}

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// The inputs are invalid and their diagnostics have been reported (exit 1).
    Reported,
    /// An invalid input or a failed operation, reported by the caller (exit 1).
    Invalid(Box<Diagnostic>),
    /// A usage error found after parsing, such as an unknown schema name (exit 2).
    Usage(Box<Diagnostic>),
}

impl<E: Coded> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure::Invalid(Box::new(diagnostic(&error)))
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
    let diagnostic = Diagnostic::error(error.code(), error.path(), message(error));
    match error.hint() {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}
