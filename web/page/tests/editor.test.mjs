// The mapping from a diagnostic's range to the spec editor's range (editor.js), in Node: the
// compiler's line:column to endLine:endColumn (1-based, in characters, end exclusive) becomes
// exactly that text; only a diagnostic without an end falls back to guessing the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Text } from '@codemirror/state';
import { diagnosticRange } from '../src/editor.js';

const doc = Text.of([
  'services:',
  '  api:',
  '    resources: { memory: 100 m, cpu: 2 }',
  '    env: { NAME: "日本🐳 x", B: 1 }',
  '    command:',
  '      args: [a,',
  '        b]',
]);

function underlined(d) {
  const { from, to } = diagnosticRange(doc, { line: null, column: null, endLine: null, endColumn: null, ...d });
  return doc.sliceString(from, to);
}

test('a range covers exactly line:column to endLine:endColumn, end exclusive', () => {
  // `100 m` at 3:26: a guess would stop at the space and underline `100`.
  assert.equal(underlined({ line: 3, column: 26, endLine: 3, endColumn: 31 }), '100 m');
  assert.equal(underlined({ line: 3, column: 26, endLine: 3, endColumn: 29 }), '100');
  assert.equal(underlined({ line: 2, column: 3, endLine: 2, endColumn: 6 }), 'api');
});

test('columns count characters, not UTF-16 units', () => {
  // `"日本🐳 x"` starts at column 18 and is 7 characters long; 🐳 is two UTF-16 units.
  assert.equal(underlined({ line: 4, column: 18, endLine: 4, endColumn: 25 }), '"日本🐳 x"');
  assert.equal(underlined({ line: 4, column: 21, endLine: 4, endColumn: 22 }), '🐳');
});

test('a range may span lines', () => {
  assert.equal(underlined({ line: 6, column: 13, endLine: 7, endColumn: 11 }), '[a,\n        b]');
});

test('an end past its line stops at the line end; an empty range stays empty', () => {
  assert.equal(underlined({ line: 2, column: 3, endLine: 2, endColumn: 99 }), 'api:');
  assert.equal(underlined({ line: 3, column: 26, endLine: 3, endColumn: 26 }), '');
});

test('without an end, the token at line:column is guessed as before', () => {
  assert.equal(underlined({ line: 3, column: 26 }), '100');
  assert.equal(underlined({ line: 4, column: 18 }), '"日本🐳 x"');
  // A flow collection: the rest of the line.
  assert.equal(underlined({ line: 3, column: 16 }), '{ memory: 100 m, cpu: 2 }');
  assert.equal(underlined({ line: 3, column: 26, endLine: null, endColumn: 31 }), '100');
});
