import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractGeneratedFiles } from '../src/index.js';

describe('extractGeneratedFiles: phrases', () => {
  const cases: [string, string[]][] = [
    ['Saved to out/plot.png', ['out/plot.png']],
    ['Results written to results.csv.', ['results.csv']],
    ['Created file report.md', ['report.md']],
    ['Output file: final.json', ['final.json']],
    ['output file data.h5 is ready', ['data.h5']],
    ['Generated `summary.txt`', ['summary.txt']],
    ['file: "quoted name.txt"', ['quoted name.txt']],
    ['file: "notes.txt"', ['notes.txt']],
    ['Wrote 3 rows to table.csv', ['table.csv']],
    ['Generated 2 files: a.png, b.png and c.png', ['a.png', 'b.png', 'c.png']],
    ['saved the figure as fig.pdf', ['fig.pdf']],
    ['Plot saved to https://x.org/plot.png', []],
    ['Saved successfully.', []],
    ['Reading file input.csv', []],
    ['Created directory out/', []],
    ['Created folder results and saved to results/a.csv', ['results/a.csv']],
    ['SAVED TO UPPER.TXT', ['UPPER.TXT']],
    ['The model was saved to ./models/../models/best.pt!', ['models/best.pt']],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(extractGeneratedFiles(text), expected));
  }
});

describe('extractGeneratedFiles: structured results', () => {
  it('walks objects for path keys and list keys', () => {
    const result = { status: 'ok', output_path: 'out/a.csv', nested: { file_path: 'b.json', files: ['c.png', 'not a path', 'd.txt'] }, note: 'Saved to e.txt' };
    assert.deepEqual(extractGeneratedFiles(result), ['out/a.csv', 'b.json', 'c.png', 'd.txt', 'e.txt']);
  });
  it('parses JSON strings', () => {
    assert.deepEqual(extractGeneratedFiles('{"saved_to": "x.npy", "paths": ["y.npy"]}'), ['x.npy', 'y.npy']);
    assert.deepEqual(extractGeneratedFiles('[{"filename": "z.txt"}]'), ['z.txt']);
  });
  it('falls back to phrases for text that only looks like JSON', () => {
    assert.deepEqual(extractGeneratedFiles('{ not json } saved to q.txt'), ['q.txt']);
  });
  it('does not parse text whose brackets or strings cannot be JSON, and still parses JSON with brackets in strings', () => {
    assert.deepEqual(extractGeneratedFiles('[[[ saved to u.txt'), ['u.txt']); // unclosed
    assert.deepEqual(extractGeneratedFiles('["a.csv"] saved to v.txt'), ['v.txt']); // text after the value
    assert.deepEqual(extractGeneratedFiles('{"path": "w.txt} saved to x.txt'), ['x.txt']); // unterminated string
    assert.deepEqual(extractGeneratedFiles('{"path": "x]y[z.txt", "note": "\\"}]"}'), ['x]y[z.txt']);
    assert.deepEqual(extractGeneratedFiles(' \n[{"file": "y.txt"}]\n '), ['y.txt']);
    assert.deepEqual(extractGeneratedFiles('{"note": "a\\\\", "path": "c.txt"}'), ['c.txt']); // an escaped backslash before the quote
  });
  it('does not parse JSON nested deeper than 512 levels: its text is scanned for phrases instead', () => {
    // Parsed, a path key is read at the top; scanned as text, only the phrase is found.
    const doc = (depth: number) => `{"output_file": "top.csv", "d": ${'['.repeat(depth)}${']'.repeat(depth)}, "stdout": "Saved to plot.png"}`;
    assert.deepEqual(extractGeneratedFiles(doc(100)), ['top.csv', 'plot.png']);
    assert.deepEqual(extractGeneratedFiles(doc(513)), ['plot.png']);
    // Half a million levels of valid JSON: no parse at all (it took 100–140 ms per MB on the application thread).
    assert.deepEqual(extractGeneratedFiles('['.repeat(500_000) + ']'.repeat(500_000)), []);
  });
  it('accepts key spellings case- and separator-insensitively', () => {
    assert.deepEqual(extractGeneratedFiles({ FilePath: 'a.txt', 'output-file': 'b.txt', SavedTo: 'c.txt' }), ['a.txt', 'b.txt', 'c.txt']);
  });
  it('ignores values under path keys that are not paths', () => {
    assert.deepEqual(extractGeneratedFiles({ path: '/', file: 'x', filename: 'https://a.org/b.csv', output_file: '{name}.csv' }), []);
  });
  it('is bounded in depth and cycle-safe', () => {
    let deep: Record<string, unknown> = { path: 'deep.txt' };
    for (let i = 0; i < 100; i++) deep = { child: deep };
    assert.deepEqual(extractGeneratedFiles(deep), []);
    const a: Record<string, unknown> = { file: 'a.txt' };
    a.self = a;
    assert.deepEqual(extractGeneratedFiles([a, a]), ['a.txt']);
  });
  it('returns [] for non-text, non-object values', () => {
    for (const v of [undefined, null, 0, 1n, true, () => 'saved to x.txt', Symbol('s')]) assert.deepEqual(extractGeneratedFiles(v), []);
  });
  it('deduplicates in first-seen order', () => {
    assert.deepEqual(extractGeneratedFiles({ files: ['b.txt', 'a.txt', 'b.txt', './a.txt'] }), ['b.txt', 'a.txt']);
  });
});
