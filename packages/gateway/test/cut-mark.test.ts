/**
 * The gateway's mark in `agentspan.meta` (cut-mark.ts): added to whatever
 * metadata the span has, so that the row's `meta` is what the exporter
 * would have stored, plus the mark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { withMetaKey } from '../src/cut-mark.js';

const MARK = { attributes: 3, events: 1 };

test('a JSON object keeps its keys, the mark added (and winning over a key of the same name)', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom('', ' ', '\n  '), (obj, space) => {
      const text = JSON.stringify(obj, null, space === '' ? undefined : 2) + space;
      const out = JSON.parse(withMetaKey(text, 'gateway_dropped', MARK)) as Record<string, unknown>;
      assert.deepEqual(out, JSON.parse(JSON.stringify({ ...obj, gateway_dropped: MARK })));
    }),
  );
});

test('metadata that is no JSON object becomes user_meta, as the exporter stores it', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)), fc.string()), (text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return; // an object: the test above
      const out = JSON.parse(withMetaKey(text, 'gateway_dropped', MARK)) as Record<string, unknown>;
      assert.deepEqual(out, { user_meta: parsed, gateway_dropped: MARK });
    }),
  );
  assert.deepEqual(JSON.parse(withMetaKey(undefined, 'k', 1)), { k: 1 });
  assert.deepEqual(JSON.parse(withMetaKey(42, 'k', 1)), { user_meta: 42, k: 1 });
});

test('integers past 2^53 in the metadata keep their digits (the text is extended, not rewritten)', () => {
  const out = withMetaKey('{"id": 12345678901234567890, "n": [9007199254740993]}', 'k', 1);
  assert.match(out, /12345678901234567890/);
  assert.match(out, /9007199254740993/);
  assert.match(withMetaKey('12345678901234567890', 'k', 1), /"user_meta":12345678901234567890/);
});
