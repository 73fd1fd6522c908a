/** `mayBeJsonDocument`: the linear check that keeps `JSON.parse` off text it would only fail on. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { mayBeJsonDocument } from '../src/index.js';

it('property: every JSON object or array (within 512 levels) passes, with any whitespace around it', () => {
  const doc = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));
  fc.assert(
    fc.property(doc, fc.constantFrom('', ' ', '\n\t', '  \r\n'), fc.boolean(), (value, ws, pretty) => {
      const text = ws + JSON.stringify(value, null, pretty ? 2 : undefined) + ws;
      assert.equal(mayBeJsonDocument(text.trimStart()), true, text);
    }),
    { numRuns: 500 },
  );
});

it('text JSON.parse would fail on, or nests too deep, does not pass', () => {
  for (const text of [
    '['.repeat(1_000_000),
    '['.repeat(500_000) + ']'.repeat(500_000),
    '{"a": "unterminated',
    '{"a": 1}}',
    '[1, 2] trailing',
    '{"a": "\\"}',
  ]) {
    assert.equal(mayBeJsonDocument(text), false, text.slice(0, 40));
    assert.throws(() => {
      const parsed: unknown = JSON.parse(text);
      if (text.length > 100_000) throw new Error(`parsed, but nested too deep to walk (${typeof parsed})`);
    });
  }
});
