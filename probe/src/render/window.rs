//! Which part of a source line each diagnostic shows: the line found through an index of line
//! starts, cut to a window around the column when it is long, with the range to underline.

use bundlec_core::Diagnostic;

/// Characters of a source line shown at most; a longer line is cut around the column.
pub const WINDOW: usize = 120;

/// Characters shown before the column when a long line is cut.
const BEFORE: usize = 60;

/// The part of a source line one diagnostic shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window<'a> {
    /// The shown characters of the line (its ending removed).
    pub(super) text: &'a str,
    /// Characters of the line cut before and after `text`.
    pub(super) cut_before: bool,
    pub(super) cut_after: bool,
    /// Characters of `text` before the caret; at most one past its end.
    pub(super) caret: usize,
    /// Characters of `text` underlined from the caret on: the diagnostic's range where it ends
    /// on its line, cut at the window's end; at least 1.
    pub(super) carets: usize,
}

/// Byte offsets of the start of every line of a text.
pub(super) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(super) fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { text, starts }
    }

    /// The 1-based `line`, without its line ending.
    fn line(&self, line: u32) -> Option<&'a str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let text = self.text.get(start..end)?;
        Some(text.strip_suffix('\r').unwrap_or(text))
    }
}

/// A walk along one line: a cursor (in characters and bytes) that only moves forward.
struct LineWalk<'a> {
    number: u32,
    text: &'a str,
    chars: usize,
    cursor_char: usize,
    cursor_byte: usize,
}

impl<'a> LineWalk<'a> {
    /// The window around the 0-based character `column`, underlining up to the character
    /// `end` (exclusive) when given; columns must come in order.
    fn window(&mut self, column: usize, end: Option<usize>) -> Window<'a> {
        let length = end.map_or(1, |end| end.saturating_sub(column).max(1));
        if self.chars <= WINDOW {
            let caret = column.min(self.chars);
            return Window {
                text: self.text,
                cut_before: false,
                cut_after: false,
                caret,
                carets: length.min(self.chars.saturating_sub(caret)).max(1),
            };
        }
        // BEFORE characters before the column, but a full window at the end of the line.
        let start = column.saturating_sub(BEFORE).min(self.chars - WINDOW);
        for c in self.text[self.cursor_byte..].chars() {
            if self.cursor_char >= start {
                break;
            }
            self.cursor_char += 1;
            self.cursor_byte += c.len_utf8();
        }
        let rest = &self.text[self.cursor_byte..];
        let window_end = rest
            .char_indices()
            .nth(WINDOW)
            .map_or(rest.len(), |(at, _)| at);
        let caret = (column - self.cursor_char).min(WINDOW);
        Window {
            text: &rest[..window_end],
            cut_before: self.cursor_byte > 0,
            cut_after: window_end < rest.len(),
            caret,
            carets: length.min(WINDOW - caret).max(1),
        }
    }
}

/// The window of each diagnostic (in their order), `None` for those without a shown line. The
/// diagnostics are visited sorted by line and column, so that the characters of a long line are
/// walked once for all its diagnostics.
pub(super) fn windows<'a>(
    diagnostics: &[Diagnostic],
    lines: &LineIndex<'a>,
) -> Vec<Option<Window<'a>>> {
    let mut result = vec![None; diagnostics.len()];
    let mut order: Vec<(u32, usize, usize)> = diagnostics
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            let column = d
                .column
                .map_or(0, |c| usize::try_from(c).unwrap_or(usize::MAX));
            Some((d.line?, column.saturating_sub(1), index))
        })
        .collect();
    order.sort_unstable();
    let mut current: Option<LineWalk<'a>> = None;
    for (line, column, index) in order {
        if current.as_ref().is_none_or(|walk| walk.number != line) {
            current = lines.line(line).map(|text| LineWalk {
                number: line,
                text,
                chars: text.chars().count(),
                cursor_char: 0,
                cursor_byte: 0,
            });
        }
        if let Some(walk) = current.as_mut() {
            let end = diagnostics.get(index).and_then(end_on_line);
            result[index] = Some(walk.window(column, end));
        }
    }
    result
}

/// The 0-based character where a diagnostic's range ends (exclusive), when it ends on the line
/// it starts on; a range over several lines gets one caret.
fn end_on_line(diagnostic: &Diagnostic) -> Option<usize> {
    if diagnostic.end_line? != diagnostic.line? {
        return None;
    }
    let end = usize::try_from(diagnostic.end_column?).ok()?;
    end.checked_sub(1)
}
