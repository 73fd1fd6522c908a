/** The value counts taken before decoding agree with what decoding makes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { otlpSchema } from '../src/index.js';
import { countJsonContainers, countMessages } from '../src/request-budget.js';

function containers(v: unknown): number {
  if (Array.isArray(v)) return 1 + v.reduce((n: number, x) => n + containers(x), 0);
  if (v !== null && typeof v === 'object') return 1 + Object.values(v).reduce((n: number, x) => n + containers(x), 0);
  return 0;
}

test('property: countJsonContainers counts the objects and arrays JSON.parse makes (strings with braces, escapes and quotes included)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = Buffer.from(JSON.stringify(value));
      assert.equal(countJsonContainers(text, Number.MAX_SAFE_INTEGER), containers(value));
      const n = containers(value);
      if (n > 0) assert.equal(countJsonContainers(text, n - 1), undefined);
    }),
    { numRuns: 500 },
  );
});

/** Messages protobufjs decodes `body` into (the top one included). */
function decodedMessages(message: unknown): number {
  if (Array.isArray(message)) return message.reduce((n: number, x) => n + decodedMessages(x), 0);
  if (message === null || typeof message !== 'object' || ArrayBuffer.isView(message)) return 0;
  if ((message as { constructor?: { name?: string } }).constructor?.name === 'Long') return 0;
  return 1 + Object.values(message).reduce((n: number, x) => n + decodedMessages(x), 0);
}

test('property: countMessages counts the messages protobufjs decodes an OTLP request into', () => {
  const type = otlpSchema().exportRequest;
  const anyValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { maxDepth: 3 },
      fc.constant({}),
      fc.record({ string_value: fc.string() }),
      fc.record({ int_value: fc.integer() }),
      fc.record({ array_value: fc.record({ values: fc.array(tie('value'), { maxLength: 5 }) }) }),
      fc.record({ kvlist_value: fc.record({ values: fc.array(fc.record({ key: fc.string(), value: tie('value') }), { maxLength: 3 }) }) }),
    ),
  })).value;
  const span = fc.record({
    trace_id: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    span_id: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    name: fc.string(),
    attributes: fc.array(fc.record({ key: fc.string(), value: anyValue }), { maxLength: 6 }),
    events: fc.array(fc.record({ name: fc.string() }), { maxLength: 2 }),
  });
  fc.assert(
    fc.property(fc.array(span, { maxLength: 5 }), (spans) => {
      const body = type.encode(type.fromObject({ resource_spans: [{ scope_spans: [{ spans }] }] })).finish();
      const expected = decodedMessages(type.decode(body));
      assert.equal(countMessages(type, body, Number.MAX_SAFE_INTEGER), expected);
      assert.equal(countMessages(type, body, expected - 1), undefined);
    }),
    { numRuns: 300 },
  );
});
