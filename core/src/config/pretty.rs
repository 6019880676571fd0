//! A pretty JSON writer with serde_json's layout (two spaces, `"key": value`, empty containers
//! on one line), for the config writer: it knows where it is and writes nothing it is not told.

use crate::json::json_string;
use crate::sorting::sort_by;

/// Spaces for the deepest indentation the writer reaches.
const INDENT: &str = "                ";

/// A pretty JSON writer: where it is (depth) and whether the open container has an entry yet.
pub(super) struct Writer {
    pub(super) out: String,
    depth: usize,
    first: bool,
}

impl Writer {
    pub(super) fn with_capacity(capacity: usize) -> Writer {
        Writer {
            out: String::with_capacity(capacity),
            depth: 0,
            first: true,
        }
    }

    pub(super) fn newline(&mut self) {
        self.out.push('\n');
        // The config nests at most 6 levels below `linux.seccomp`'s, which its renderer writes.
        let indent = INDENT.get(..2 * self.depth).unwrap_or(INDENT);
        self.out.push_str(indent);
    }

    pub(super) fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    /// An empty container stays on one line (`[]`, `{}`), as serde_json writes it.
    pub(super) fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if !self.first {
            self.newline();
        }
        self.out.push(bracket);
        self.first = false;
    }

    pub(super) fn separator(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.newline();
    }

    /// Keys are the OCI field names and never need escaping.
    pub(super) fn key(&mut self, key: &str) {
        self.separator();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
    }

    pub(super) fn string(&mut self, text: &str) {
        json_string(&mut self.out, text);
    }

    pub(super) fn bool(&mut self, value: bool) {
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// Integers as serde_json writes them; without `fmt`, which is slower and larger.
    pub(super) fn number(&mut self, value: impl Into<i128>) {
        let value: i128 = value.into();
        if value < 0 {
            self.out.push('-');
        }
        let mut rest = value.unsigned_abs();
        let mut digits = [0u8; 40];
        let mut len = 0;
        loop {
            if let Some(digit) = digits.get_mut(len) {
                *digit = b'0' + (rest % 10) as u8;
            }
            len += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        for digit in digits.iter().take(len).rev() {
            self.out.push(char::from(*digit));
        }
    }

    pub(super) fn optional_string(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.key(key);
            self.string(value);
        }
    }

    pub(super) fn optional_number(&mut self, key: &str, value: Option<impl Into<i128>>) {
        if let Some(value) = value {
            self.key(key);
            self.number(value);
        }
    }

    pub(super) fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Writer, &T)) {
        self.open('[');
        for each in items {
            self.separator();
            item(self, each);
        }
        self.close(']');
    }

    pub(super) fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) {
        self.open('[');
        for each in items {
            self.separator();
            self.string(each);
        }
        self.close(']');
    }

    /// `"key": [...]` when the list has items.
    pub(super) fn strings_if_any<S: AsRef<str>>(&mut self, key: &str, items: &[S]) {
        if !items.is_empty() {
            self.key(key);
            self.strings(items.iter().map(AsRef::as_ref));
        }
    }

    /// A string map in key order; of equal keys the last wins, as in a JSON object read back.
    pub(super) fn string_map(&mut self, pairs: &[(String, String)]) {
        self.open('{');
        for (key, value) in in_key_order(pairs) {
            self.separator();
            self.string(key);
            self.out.push_str(": ");
            self.string(value);
        }
        self.close('}');
    }
}

/// The pairs sorted by key (stably), keeping the last of equal keys.
pub(super) fn in_key_order<V>(pairs: &[(String, V)]) -> Vec<(&str, &V)> {
    let sorted = sort_by(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value))
            .collect(),
        |a: &(&str, &V), b: &(&str, &V)| a.0.cmp(b.0),
    );
    let mut kept: Vec<(&str, &V)> = Vec::with_capacity(sorted.len());
    for pair in sorted {
        match kept.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => kept.push(pair),
        }
    }
    kept
}
