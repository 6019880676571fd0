//! Whether each library's positions are usable, and what each accepts: where it places a known
//! scalar against where the text has it (working out its line and column bases), and what it
//! says, and where, about a few texts that tell YAML 1.1 from 1.2 or are broken.

use crate::scanners::{kind, Failure, Scanner, Session};

/// The libraries, once each (the saphyr variants share one scanner).
const LIBRARIES: [Scanner; 5] = [
    Scanner::SaphyrFromStr,
    Scanner::SaphyrBw,
    Scanner::YamlRust2,
    Scanner::UnsafeLibyaml,
    Scanner::LibyamlSafer,
];

fn short_name(scanner: Scanner) -> &'static str {
    match scanner {
        Scanner::SaphyrFromStr => "saphyr-parser",
        Scanner::SaphyrBw => "saphyr-parser-bw",
        Scanner::YamlRust2 => "yaml-rust2",
        Scanner::UnsafeLibyaml => "unsafe-libyaml",
        Scanner::LibyamlSafer => "libyaml-safer",
        other => other.name(),
    }
}

/// The 0-based line and column (in characters) of the first `needle` in `text`.
fn place_in_text(text: &str, needle: &str) -> Option<(u64, u64)> {
    let at = text.find(needle)?;
    let before = &text[..at];
    let line = before.matches('\n').count() as u64;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some((line, before[line_start..].chars().count() as u64))
}

type Span = ((u64, u64), Option<(u64, u64)>);

/// The raw span the library gives the first scalar whose value is `value`.
fn find_scalar(text: &str, scanner: Scanner, value: &str) -> Result<Option<Span>, Failure> {
    let mut found = None;
    Session::new(text).scan(scanner, &mut |event| {
        if found.is_none() && event.kind == kind::SCALAR && event.scalar == value.as_bytes() {
            found = Some((event.start, event.end));
        }
    })?;
    Ok(found)
}

/// One position case: a scalar (`value`) written as `written` in `text`.
pub fn position_case(label: &str, text: &str, value: &str, written: &str) {
    let Some((line, column)) = place_in_text(text, written) else {
        println!("{label}: `{written}` is not in the text");
        return;
    };
    let width = written.chars().count() as u64;
    println!(
        "\n#### {label}: `{written}` is at line {}, column {} (1-based, characters), {} characters wide\n",
        line + 1,
        column + 1,
        width
    );
    println!("| library | raw start (line, col) | raw end | bases (line, column) | end exclusive, on the same line | agrees with the text |");
    println!("|---|---|---|---|---|---|");
    for scanner in LIBRARIES {
        match find_scalar(text, scanner, value) {
            Ok(Some((start, end))) => {
                let line_base = start.0 as i64 - line as i64;
                let column_base = start.1 as i64 - column as i64;
                let bases_ok = matches!(line_base, 0 | 1) && matches!(column_base, 0 | 1);
                let end_ok = end.map(|end| end == (start.0, start.1 + width));
                println!(
                    "| {} | ({}, {}) | {} | line {}-based, column {}-based | {} | {} |",
                    short_name(scanner),
                    start.0,
                    start.1,
                    end.map_or("none".to_string(), |e| format!("({}, {})", e.0, e.1)),
                    line_base,
                    column_base,
                    match end_ok {
                        Some(true) => "yes".to_string(),
                        Some(false) => format!(
                            "no: {:?}",
                            end.map(|e| (e.0 as i64 - start.0 as i64, e.1 as i64 - start.1 as i64))
                        ),
                        None => "no end given".to_string(),
                    },
                    if bases_ok && end_ok != Some(false) {
                        "yes"
                    } else {
                        "NO"
                    },
                );
            }
            Ok(None) => println!("| {} | scalar not found | | | | NO |", short_name(scanner)),
            Err(failure) => println!(
                "| {} | error ({}, {}): {} | | | | NO |",
                short_name(scanner),
                failure.line,
                failure.column,
                failure.message
            ),
        }
    }
}

/// Texts that tell the libraries apart: YAML 1.2 constructs, anchors and merge keys, and errors.
const COMPAT_CASES: [(&str, &str); 15] = [
    (
        "anchors, alias, merge key",
        "base: &b {x: 1}\nsvc:\n  <<: *b\n  y: 2\n",
    ),
    ("%YAML 1.2 directive", "%YAML 1.2\n---\na: 1\n"),
    ("%YAML 1.1 directive", "%YAML 1.1\n---\na: 1\n"),
    ("JSON-like `{\"a\":1}` (no space after `:`)", "{\"a\":1}\n"),
    (
        "`:` inside a plain scalar in flow",
        "{url: http://x:80/a}\n",
    ),
    (
        "`:` inside an anchor name (1.2)",
        "a: &an:chor 1\nb: *an:chor\n",
    ),
    ("flow sequence as a block key", "[a, b]: c\n"),
    ("tab after `:` (separation)", "- a:\t1\n"),
    ("flow entries `{a, b: }`", "{a, b: }\n"),
    (
        "comment between plain lines (BS4K)",
        "a: word1  # c\n  word2\n",
    ),
    ("tab indentation", "a:\n\tb: 1\n"),
    ("unclosed flow sequence", "a: [1, 2\nb: 3\n"),
    ("`a: b: c`", "a: b: c\n"),
    ("bad indentation", "a:\n  b: 1\n c: 2\n"),
    ("error after a non-ASCII key", "é: [1, 2\n"),
];

pub fn compat_table() {
    print!("| text |");
    for scanner in LIBRARIES {
        print!(" {} |", short_name(scanner));
    }
    println!();
    println!("|---|{}", "---|".repeat(LIBRARIES.len()));
    for (label, text) in COMPAT_CASES {
        print!("| {label} |");
        for scanner in LIBRARIES {
            let mut events = 0u32;
            let mut merge_key = false;
            match Session::new(text).scan(scanner, &mut |event| {
                events += 1;
                merge_key |= event.kind == kind::SCALAR && event.scalar == b"<<";
            }) {
                Ok(()) => print!(
                    " ok, {events} events{} |",
                    if merge_key { ", `<<` a plain key" } else { "" }
                ),
                Err(failure) => print!(
                    " error at raw ({}, {}): {} |",
                    failure.line,
                    failure.column,
                    failure.message.replace('|', "\\|")
                ),
            }
        }
        println!();
    }
}
