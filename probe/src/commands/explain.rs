//! `bundlec explain CODE`: the paragraph that explains a diagnostic code (the core's codes
//! first, then the command's own, see `codes`), as `rustc --explain` does; `--list` prints
//! every code. An unknown code is a usage error with the nearest code as a hint.

use bundlec_core::Diagnostic;

use crate::cli::ExplainArgs;
use crate::failure::Failure;
use crate::{codes, output};

pub fn run(args: &ExplainArgs) -> Result<(), Failure> {
    if args.list {
        let mut text = all_codes().join("\n");
        text.push('\n');
        output::stdout(&text)?;
        return Ok(());
    }
    // clap requires CODE without --list; an empty one is unknown like any other.
    let code = args.code.as_deref().unwrap_or_default();
    let Some(explanation) = explain(code) else {
        return Err(Failure::Usage(Box::new(unknown(code))));
    };
    output::stdout(&format!("{explanation}\n"))?;
    Ok(())
}

/// The explanation of any code bundlec emits.
pub fn explain(code: &str) -> Option<&'static str> {
    bundlec_core::explain(code).or_else(|| codes::explain(code))
}

/// Every code bundlec emits, the core's and the command's, sorted.
pub fn all_codes() -> Vec<&'static str> {
    let mut all: Vec<&str> = bundlec_core::codes().chain(codes::codes()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

fn unknown(code: &str) -> Diagnostic {
    let list = "`bundlec explain --list` prints every code";
    let hint = match nearest(code, &all_codes()) {
        Some(near) => format!("did you mean `{near}`? {list}"),
        None => list.to_string(),
    };
    Diagnostic::error(
        codes::USAGE,
        code,
        format!("bundlec has no diagnostic code `{code}`"),
    )
    .with_hint(hint)
}

/// The code nearest to `word` by edit distance, when it is near enough to be a typo: at most a
/// third of the word's length away (and at least one edit).
fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters, one row at a time (codes are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained() {
        let all = all_codes();
        for code in bundlec_core::codes().chain(codes::codes()) {
            assert!(all.contains(&code), "{code} is not listed");
            let text = explain(code).unwrap_or_else(|| panic!("{code} is not explained"));
            assert!(!text.trim().is_empty(), "{code}");
        }
        // The core's explanation wins where both have one.
        assert_eq!(explain("bad-memory"), bundlec_core::explain("bad-memory"));
        assert!(explain("bad-memory").is_some());
        assert_eq!(explain("io-error"), codes::explain("io-error"));
    }

    #[test]
    fn an_unknown_code_gets_the_nearest_as_a_hint() {
        let diagnostic = unknown("bad-memroy");
        assert_eq!(diagnostic.code, "usage");
        assert_eq!(diagnostic.path, "bad-memroy");
        assert_eq!(
            diagnostic.message,
            "bundlec has no diagnostic code `bad-memroy`"
        );
        assert_eq!(
            diagnostic.hint.as_deref(),
            Some("did you mean `bad-memory`? `bundlec explain --list` prints every code")
        );
        assert_eq!(
            unknown("zzzzzzzzzz").hint.as_deref(),
            Some("`bundlec explain --list` prints every code")
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("io-eror", "io-error"), 1);
        assert_eq!(edit_distance("é", "e"), 1);
        assert_eq!(nearest("io-eror", &["io-error", "usage"]), Some("io-error"));
        assert_eq!(nearest("x", &["io-error", "usage"]), None);
    }
}
