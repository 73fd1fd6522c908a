/**
 * A review of the cut that reads the text without its colour codes (cutToWidth): what it must keep from before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cutToWidth, fitCell } from '../src/format/width.js';

test('with no column before the `…` (a width of 1), a cut keeps nothing of the text: not even marks or format characters it starts with', () => {
  // They take no column of their own, but the terminal has nothing to draw them on (a lone U+0301 is drawn on a
  // blank, or its own cell). The cut that read the text between codes kept nothing there; reading it whole kept them.
  assert.equal(cutToWidth('\u0301abc', 1), '…');
  assert.equal(cutToWidth('\ufe0f\ufe0f\uff21\u2764\t', 1), '…');
  assert.equal(cutToWidth('\u200b\u001b[31mabc', 1), '…');
  assert.equal(fitCell('\ufe0e\u3000\u{1f600}', 0), '…');
  const piece = fc.constantFrom('a', '中', '\u0301', '\ufe0f', '\u200b', '\u200d', '\u{e0067}', '\u0600', '\u001b[31m', '\u001b[m', '\u00ad');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 20 }).map((p) => p.join('')), (text) => {
      const out = cutToWidth(text, 1);
      assert.ok(out === text || out === '…', JSON.stringify({ text, out }));
    }),
    { numRuns: 2000 },
  );
});
