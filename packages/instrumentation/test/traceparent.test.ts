/**
 * `parseTraceparent` against the W3C Trace Context rules (§3.2), headers
 * built field by field so each expected answer is known: version 00 has
 * exactly four fields, a higher version (01–fe) is read for its first four
 * and the rest ignored, ff is invalid; all-zero ids are invalid.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatTraceparent, parseTraceparent } from '../src/index.js';

const RUNS = Number(process.env.FC_RUNS ?? 300) * 3;
const hex = (length: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

test('property: a well-formed traceparent of any version but ff is read; version 00 with extra fields, ff, all-zero ids are not', () => {
  const header = fc.record({
    version: hex(2),
    traceId: fc.oneof(hex(32), fc.constant('0'.repeat(32))),
    spanId: fc.oneof(hex(16), fc.constant('0'.repeat(16))),
    flags: hex(2),
    extra: fc.option(fc.string({ maxLength: 20 }).map((s) => `-${s}`), { nil: undefined }),
    upper: fc.boolean(),
  });
  fc.assert(
    fc.property(header, ({ version, traceId, spanId, flags, extra, upper }) => {
      const text = `${version}-${traceId}-${spanId}-${flags}${extra ?? ''}`;
      const valid =
        version !== 'ff' &&
        !(version === '00' && extra !== undefined) &&
        !/^0+$/.test(traceId) &&
        !/^0+$/.test(spanId);
      const parsed = parseTraceparent(upper ? text.toUpperCase() : text);
      if (!valid) {
        assert.equal(parsed, undefined, text);
        return;
      }
      assert.deepEqual(parsed, { traceId, spanId, traceFlags: parseInt(flags, 16) & 1, isRemote: true }, text);
    }),
    { numRuns: RUNS },
  );
});

test('property: text that is not four dash-separated hex fields of 2, 32, 16 and 2 digits is refused, never thrown on', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), (value) => {
      const parsed = parseTraceparent(value);
      if (parsed === undefined) return;
      assert.equal(typeof value, 'string');
      assert.match((value as string).trim().toLowerCase(), /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$/s);
    }),
    { numRuns: RUNS },
  );
  for (const bad of [
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-011',
    '0-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01',
    '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01extra',
    '00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01',
  ]) {
    assert.equal(parseTraceparent(bad), undefined, bad);
  }
});

test('property: formatTraceparent and parseTraceparent round-trip every valid span context', () => {
  fc.assert(
    fc.property(hex(32), hex(16), fc.integer({ min: 0, max: 255 }), (traceId, spanId, flags) => {
      fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
      assert.deepEqual(parseTraceparent(formatTraceparent({ traceId, spanId, traceFlags: flags })), { traceId, spanId, traceFlags: flags & 1, isRemote: true });
    }),
    { numRuns: RUNS },
  );
});
