//! `command` and `entrypoint`: a list of words, or a string split as a shell splits it (quotes
//! and backslashes, no expansion), as Compose splits it.

use crate::codes;
use crate::decode;
use crate::diagnostic::{Diagnostics, Located};
use crate::yaml::{Node, Value};

/// The words of a `command` or `entrypoint`; `None` for `null` or a string that cannot split.
pub(super) fn words(
    node: &Node<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Option<Vec<Located<String>>> {
    match &node.value {
        Value::Null => None,
        Value::Seq(_) => Some(decode::strings(node, path, diags)),
        _ => {
            let text = decode::string(node, path, diags)?;
            match split(&text.value) {
                Ok(words) => Some(
                    words
                        .into_iter()
                        .map(|value| Located {
                            value,
                            at: text.at.clone(),
                        })
                        .collect(),
                ),
                Err(why) => {
                    diags.error_hint(
                        codes::WRONG_TYPE,
                        &text.at,
                        format!("`{}` cannot be split into words: {why}", text.value),
                        "close the quote, or write the command as a list",
                    );
                    None
                }
            }
        }
    }
}

/// Splits a command line into words as a POSIX shell does, without expanding anything.
pub(super) fn split(text: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a `'` is never closed"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a `\"` is never closed"),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a `\"` is never closed"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') => {}
                    Some(c) => word.push(c),
                    None => return Err("it ends with a `\\`"),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_as_a_shell_without_expanding() {
        assert_eq!(
            split(r#"sh -c 'echo $HOME && ls' "a b" c\ d "" x"y"z"#).unwrap(),
            vec!["sh", "-c", "echo $HOME && ls", "a b", "c d", "", "xyz"]
        );
        assert_eq!(split(r#""say \"hi\" \n""#).unwrap(), vec![r#"say "hi" \n"#]);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert!(split("echo 'open").is_err());
        assert!(split("echo \"open").is_err());
        assert!(split("echo \\").is_err());
    }
}
