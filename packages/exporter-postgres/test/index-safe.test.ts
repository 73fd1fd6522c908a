import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { MAX_INDEXED_BYTES, indexSafe, utf8PrefixOf } from '../src/index-safe.js';

const text = fc.oneof(
  fc.string({ maxLength: 3000, unit: 'grapheme' }),
  fc.string({ minLength: 600, maxLength: 3000, unit: 'binary' }),
  fc.string({ minLength: 1990, maxLength: 2100 }),
);

it('property: indexSafe fits an index entry, keeps what already fits, and is one-to-one in practice', () => {
  fc.assert(
    fc.property(text, text, (a, b) => {
      const sa = indexSafe(a);
      assert.ok(Buffer.byteLength(sa, 'utf8') <= MAX_INDEXED_BYTES);
      if (Buffer.byteLength(a, 'utf8') <= MAX_INDEXED_BYTES) assert.equal(sa, a);
      assert.equal(indexSafe(a), sa, 'the same value, the same text');
      if (a !== b) assert.notEqual(sa, indexSafe(b));
      const shared = a + b; // a long common start
      if (Buffer.byteLength(shared, 'utf8') > MAX_INDEXED_BYTES) assert.notEqual(indexSafe(shared + 'x'), indexSafe(shared + 'y'));
    }),
    { numRuns: 300 },
  );
});

it('property: utf8PrefixOf keeps whole code points within the byte budget', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200, unit: 'binary' }), fc.integer({ min: 0, max: 400 }), (s, max) => {
      const p = utf8PrefixOf(s, max);
      assert.ok(s.startsWith(p));
      assert.ok(Buffer.byteLength(p, 'utf8') <= max);
      const last = p.charCodeAt(p.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) assert.ok(p.length === s.length || (s.charCodeAt(p.length) & 0xfc00) !== 0xdc00, 'no pair cut in half');
    }),
    { numRuns: 500 },
  );
});
