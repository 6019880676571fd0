//! Diagnostics as data: what went wrong, where, and how to fix it.
//! Rendering them for people happens at the edges (CLI, page), never here.

use serde::Serialize;

/// How bad a diagnostic is. Errors stop the compile; warnings ride along with the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The compile fails.
    Error,
    /// The compile succeeds; something deserves a look.
    Warning,
}

/// A place in the input: a path such as `services.api.storage[3].mode`, and the range
/// (1-based line and column, the end exclusive) when the place is in the spec text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loc {
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
}

impl Loc {
    /// A place outside the spec text (options, inventory, image config).
    pub fn at(path: impl Into<String>) -> Loc {
        Loc {
            path: path.into(),
            ..Loc::default()
        }
    }

    /// The same line and column, deeper in the path.
    pub fn child(&self, segment: &str) -> Loc {
        Loc {
            path: join_path(&self.path, segment),
            ..*self
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Loc,
}

/// Appends a map key or `[index]` to a dotted path.
pub fn join_path(parent: &str, segment: &str) -> String {
    // Built by hand: this runs for every field read, and `format!` costs several times more.
    let mut path = String::with_capacity(parent.len() + segment.len() + 1);
    path.push_str(parent);
    if !parent.is_empty() && !segment.starts_with('[') {
        path.push('.');
    }
    path.push_str(segment);
    path
}

/// One fault or warning: what went wrong (`code`, `message`), where (`path`, and the range in
/// the spec text when it is there), and how to fix it (`hint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Errors stop the compile; warnings ride along with the config.
    pub severity: Severity,
    /// Stable, kebab-case: `unknown-field`, `bad-memory`, `device-not-in-inventory`…
    /// [`explain`](crate::explain) gives a paragraph on each.
    pub code: String,
    /// What is wrong, for a person: lowercase, no trailing period.
    pub message: String,
    /// Where, as a dotted path: `services.api.resources.memory`, `options.volumes.data`.
    pub path: String,
    /// The 1-based line of the start, when the fault is in the spec text.
    pub line: Option<u32>,
    /// The 1-based column (in characters) of the start, when the fault is in the spec text.
    pub column: Option<u32>,
    /// The line of the end, when the fault is in the spec text.
    #[serde(rename = "endLine")]
    pub end_line: Option<u32>,
    /// The column just past the end (exclusive, as LSP ranges): `100m` at column 26 ends at 30.
    #[serde(rename = "endColumn")]
    pub end_column: Option<u32>,
    /// How to fix it, when there is a clear way.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at a path outside the spec text (a request field, an option): what bindings
    /// build for faults they find themselves.
    pub fn error(code: &str, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, &Loc::at(path), message)
    }

    /// An error at a place in the input.
    pub(crate) fn error_at(code: &str, at: &Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, at, message)
    }

    /// A warning at a place in the input.
    pub(crate) fn warning_at(code: &str, at: &Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, at, message)
    }

    fn new(severity: Severity, code: &str, at: &Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code: code.to_string(),
            message: message.into(),
            path: at.path.clone(),
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
            hint: None,
        }
    }

    /// The same diagnostic with a hint on how to fix it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (which stops the compile) rather than a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Collects every diagnostic of a compile, so that all errors are reported, not just the first.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds an error at a place.
    pub fn error(&mut self, code: &str, at: &Loc, message: impl Into<String>) {
        self.push(Diagnostic::error_at(code, at, message));
    }

    /// Adds an error at a place, with a hint on how to fix it.
    pub fn error_hint(
        &mut self,
        code: &str,
        at: &Loc,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::error_at(code, at, message).with_hint(hint));
    }

    /// Adds a warning at a place, with a hint on how to fix it.
    pub fn warning_hint(
        &mut self,
        code: &str,
        at: &Loc,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::warning_at(code, at, message).with_hint(hint));
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Adds many.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }

    /// Sorted by position so every target reports them in the same order.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut items = crate::sorting::sort_by(self.items, |a, b| {
            (
                a.severity,
                a.line.unwrap_or(u32::MAX),
                a.column.unwrap_or(0),
                &a.path,
                &a.code,
            )
                .cmp(&(
                    b.severity,
                    b.line.unwrap_or(u32::MAX),
                    b.column.unwrap_or(0),
                    &b.path,
                    &b.code,
                ))
        });
        items.dedup();
        items
    }
}

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).clamp(1, 3);
    candidates
        .into_iter()
        // The distance is at least the difference in length: a long word skips the table.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .filter_map(|candidate| Some((edit_distance_within(word, candidate, limit)?, candidate)))
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

/// The edit distance when it is at most `limit`; stops as soon as a row shows it is not.
fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let distance = edit_distance_rows(a, b, limit);
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_rows(a, b, usize::MAX)
}

/// Levenshtein distance over chars, with two rows reused for the whole table (on the stack for
/// the short names suggestions are made from); a result above `limit` may be any value above it
/// (every later row is at least the smallest of this one).
fn edit_distance_rows(a: &str, b: &str, limit: usize) -> usize {
    const SHORT: usize = 48;
    let width = b.chars().count() + 1;
    let mut on_stack = [0usize; 2 * SHORT];
    let mut on_heap = Vec::new();
    let cells: &mut [usize] = if width <= SHORT {
        on_stack.get_mut(..2 * width).unwrap_or_default()
    } else {
        on_heap.resize(2 * width, 0);
        &mut on_heap
    };
    let Some((mut previous, mut current)) = cells.split_at_mut_checked(width) else {
        return 0;
    };
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, ca) in a.chars().enumerate() {
        let mut left = i + 1;
        if let Some(first) = current.first_mut() {
            *first = left;
        }
        for (j, cb) in b.chars().enumerate() {
            let diagonal = previous.get(j).copied().unwrap_or(usize::MAX);
            let above = previous.get(j + 1).copied().unwrap_or(usize::MAX);
            left = diagonal
                .saturating_add(usize::from(ca != cb))
                .min(above.saturating_add(1))
                .min(left.saturating_add(1));
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = left;
            }
        }
        std::mem::swap(&mut previous, &mut current);
        if previous.iter().min().is_some_and(|&least| least > limit) {
            return limit.saturating_add(1);
        }
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_keys_only() {
        assert_eq!(
            closest("privilegd", ["privileged", "user"]),
            Some("privileged")
        );
        assert_eq!(closest("zzz", ["privileged", "user"]), None);
    }

    #[test]
    fn edit_distances() {
        for (a, b, distance) in [
            ("", "", 0),
            ("abc", "", 3),
            ("", "abc", 3),
            ("kitten", "sitting", 3),
            ("storge", "storage", 1),
            ("privilegd", "privileged", 1),
            ("ab", "ba", 2),
            ("é", "e", 1),
            (&"a".repeat(60), &"b".repeat(60), 60),
            (&"a".repeat(60), "", 60),
        ] {
            assert_eq!(edit_distance(a, b), distance, "{a} {b}");
            assert_eq!(edit_distance(b, a), distance, "{b} {a}");
            for limit in 0..4 {
                let within = (distance <= limit).then_some(distance);
                assert_eq!(edit_distance_within(a, b, limit), within, "{a} {b} {limit}");
            }
        }
    }

    /// A word far longer than every candidate gets no suggestion, without computing distances.
    #[test]
    fn long_words_suggest_nothing() {
        assert_eq!(closest(&"x".repeat(100_000), ["privileged", "user"]), None);
        assert_eq!(closest("users", ["privileged", "user"]), Some("user"));
    }

    #[test]
    fn paths_join_keys_and_indices() {
        assert_eq!(join_path("services.api", "storage"), "services.api.storage");
        assert_eq!(
            join_path("services.api.storage", "[3]"),
            "services.api.storage[3]"
        );
    }
}
