import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { MAX_INDEXED_BYTES, indexSafe, utf8PrefixOf } from '../src/index-safe.js';
import { cleanKey, isCleanString } from '../src/sanitize.js';

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

it('property: cleanKey cleans keys Postgres refuses (NUL, lone surrogates) without merging them, and fits an index entry', () => {
  const hostile = fc.array(fc.oneof(fc.constantFrom('\0', '\ud800', '\ud801', '\udc00', '\ufffd', 'X', '~'), fc.string({ maxLength: 5 })), { maxLength: 8 }).map((p) => p.join(''));
  fc.assert(
    fc.property(hostile, hostile, (a, b) => {
      const sa = cleanKey(a);
      assert.ok(isCleanString(sa));
      assert.ok(Buffer.byteLength(sa, 'utf8') <= MAX_INDEXED_BYTES);
      assert.equal(cleanKey(a), sa);
      if (isCleanString(a)) assert.equal(sa, a);
      if (a !== b) assert.notEqual(sa, cleanKey(b), JSON.stringify([a, b]));
    }),
    { numRuns: 2000 },
  );
  assert.deepEqual(new Set(['X\0', 'X\ud800', 'X\ud801', 'X\ufffd'].map(cleanKey)).size, 4);
  assert.ok(Buffer.byteLength(cleanKey('\0'.repeat(3000)), 'utf8') <= MAX_INDEXED_BYTES);
  // Past the kept prefix of a long id: indexSafe's hash tells lone surrogates apart too (UTF-8 writes them alike).
  const long = 'r'.repeat(2500);
  assert.notEqual(cleanKey(indexSafe(long + '\ud800')), cleanKey(indexSafe(long + '\ud801')));
  assert.equal(indexSafe(long + 'x'), indexSafe(long + 'x'));
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
