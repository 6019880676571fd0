// The three CodeMirror editors of the page (the spec, the image config, the read-only
// config.json) and the mapping from a diagnostic's line and column to an editor range.
import { EditorState } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, placeholder,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching, foldGutter, foldKeymap, indentUnit,
} from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { yaml } from '@codemirror/lang-yaml';
import { json } from '@codemirror/lang-json';

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-gutters': { background: 'var(--gutter)', borderRight: '1px solid var(--line)', color: 'var(--faint)' },
  '&.cm-focused': { outline: 'none' },
});

function common() {
  return [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), foldGutter(), drawSelection(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(), highlightSelectionMatches(),
    keymap.of([...defaultKeymap, ...searchKeymap, ...foldKeymap]), theme,
  ];
}

/** The spec editor: YAML, undo history, lint marks; `onChange(text)` after every edit. */
export function specEditor(parent, text, onChange) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        common(), history(), indentOnInput(), highlightActiveLine(), indentUnit.of('  '), yaml(), lintGutter(),
        keymap.of([...historyKeymap, ...lintKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': 'Deployment spec (YAML)' }),
        EditorView.updateListener.of((update) => update.docChanged && onChange(update.state.doc.toString())),
      ],
    }),
  });
}

/** The image config editor: a small JSON editor, empty when there is no image config. */
export function jsonEditor(parent, text, hint, onChange) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        history(), drawSelection(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(),
        keymap.of([...defaultKeymap, ...historyKeymap]), json(), placeholder(hint), theme, EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Image config (JSON)' }),
        EditorView.updateListener.of((update) => update.docChanged && onChange(update.state.doc.toString())),
      ],
    }),
  });
}

/** The compiled config.json: read-only, but selectable and searchable. */
export function outputViewer(parent) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [common(), json(), EditorState.readOnly.of(true), EditorView.contentAttributes.of({ 'aria-label': 'Compiled config.json' })],
    }),
  });
}

/** Replaces a view's whole text. */
export function setText(view, text) {
  if (view.state.doc.toString() !== text) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** The editor offset of a 1-based line and column (the column counts characters, not UTF-16 units). */
function offsetAt(doc, line, column) {
  const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const skip = Array.from(at.text).slice(0, Math.max(column - 1, 0)).join('').length;
  return at.from + Math.min(skip, at.length);
}

/**
 * The editor range of a diagnostic at a 1-based line and column when the compiler gives no end:
 * the token there, or the rest of the line when the spot opens a flow collection.
 */
export function specRange(doc, line, column) {
  const from = offsetAt(doc, line, column);
  const rest = doc.sliceString(from, doc.lineAt(from).to);
  const lineEnd = rest.replace(/\s+#.*$/, '').trimEnd().length;
  const token = (/^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,\]}#]+)/.exec(rest)?.[0] ?? '').replace(/:$/, '');
  const length = !token || /^[[{-]/.test(rest) ? lineEnd : token.length;
  return { from, to: from + length };
}

/**
 * The editor range of a diagnostic in the spec: exactly line:column to endLine:endColumn (end
 * exclusive, as the compiler gives it), or the token guessed by `specRange` when it has no end.
 */
export function diagnosticRange(doc, d) {
  if (d.endLine == null || d.endColumn == null) {
    return specRange(doc, d.line, d.column ?? 1);
  }
  const from = offsetAt(doc, d.line, d.column ?? 1);
  return { from, to: Math.max(from, offsetAt(doc, d.endLine, d.endColumn)) };
}

/** Shows the spec's diagnostics as editor marks. */
export function markDiagnostics(view, diagnostics) {
  const marks = diagnostics
    .filter((d) => d.line !== null)
    .map((d) => {
      const { from, to } = diagnosticRange(view.state.doc, d);
      return { from, to, severity: d.severity, source: d.code, message: d.hint ? `${d.message}\n${d.hint}` : d.message };
    });
  view.dispatch(setDiagnostics(view.state, marks));
}
