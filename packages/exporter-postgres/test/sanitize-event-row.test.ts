/**
 * `sanitizeMappedEventRow` (what `prepareRows` asks of an event's row) reads the columns by name and does
 * not scan the ones the mapper derives: it must give what `sanitizeRow` gives for every mapped row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Attr, EXECUTION_EVENT_TYPES } from '@agentspan/semconv';
import { CONSUMED_ATTRIBUTE_KEYS, mapSpanToRow, sanitizeRow, type MappedRow } from '../src/index.js';
import { sanitizeMappedEventRow } from '../src/sanitize.js';

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\0', '\ud800', '\udc00', '\udbff\udfff', '"', '__proto__', '{', '}', '[1]', 'é', '12345678901234567890') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const text = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));
const value: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom('{"a\\u0000":1}', '{"__proto__":{"x":"\\ud800"}}', '[[[[1]]]]', 'true', '-0'),
  fc.oneof(fc.double(), fc.integer(), fc.boolean()),
  fc.array(fc.oneof(text, fc.double(), fc.constant(null)), { maxLength: 3 }),
);
const KEYS = [...new Set(EXECUTION_EVENT_TYPES.flatMap((t) => [...CONSUMED_ATTRIBUTE_KEYS[t]]))];
const id = fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{16,32}$/), text);
const anyName = fc.oneof(text, fc.constantFrom(undefined, 7, { a: '\0' }, ['x']));

const span = fc
  .record({
    type: fc.constantFrom(...EXECUTION_EVENT_TYPES),
    pairs: fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 20 }),
    extra: fc.dictionary(text, value, { maxKeys: 3 }),
    traceId: id,
    spanId: id,
    parent: fc.option(id, { nil: undefined }),
    name: anyName,
    message: fc.option(anyName, { nil: undefined }),
    service: fc.option(fc.oneof(text, fc.integer()), { nil: undefined }),
    ended: fc.boolean(),
    failed: fc.boolean(),
  })
  .map((r): ReadableSpan => {
    const a: Record<string, unknown> = {};
    const set = (k: string, v: unknown): void => void Object.defineProperty(a, k, { value: v, enumerable: true, writable: true, configurable: true });
    for (const [k, v] of r.pairs) set(k, v);
    for (const k of Object.keys(r.extra)) set(k, r.extra[k]);
    set(Attr.ATTR_EVENT_TYPE, r.type);
    return {
      name: r.name,
      spanContext: () => ({ traceId: r.traceId, spanId: r.spanId, traceFlags: 1 }),
      parentSpanContext: r.parent === undefined ? undefined : { traceId: r.traceId, spanId: r.parent, traceFlags: 1 },
      attributes: a as Attributes,
      startTime: [1_780_000_000, 123_456_789],
      endTime: [1_780_000_001, 987_654_321],
      duration: [1, 864_197_532],
      ended: r.ended,
      status: { code: r.failed ? 2 : 0, message: r.message },
      resource: { attributes: r.service === undefined ? {} : { 'service.name': r.service } },
      events: [],
      links: [],
    } as unknown as ReadableSpan;
  });

describe('sanitizeMappedEventRow', () => {
  it('property: gives what sanitizeRow gives for every mapped event row (the same row, flags and size)', () => {
    let copied = 0;
    fc.assert(
      fc.property(span, (s) => {
        const mapped = mapSpanToRow(s, { seenAt: '2026-01-01T00:00:00.000Z' });
        if (mapped?.kind !== 'event') return;
        const expected = sanitizeRow(mapped);
        const got = sanitizeMappedEventRow(mapped as MappedRow & { kind: 'event' });
        assert.deepStrictEqual(got, expected);
        if (expected.mapped !== mapped) copied++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(copied > 100, `rows needing the copy were generated (${copied})`);
  });
});
