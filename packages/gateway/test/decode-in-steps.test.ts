/**
 * The protobuf decoder that decodes a request's frame at once and its spans
 * one at a time (so a large request can pause between them) gives exactly
 * what decoding the request whole gives, and refuses exactly what it refuses;
 * run in slices, it lets the event loop turn; it stops past `maxSpans`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DecodeError, decodeProtobufRequest, otlpSchema, type DecodedRequest } from '../src/index.js';
import { protobufDialect } from '../src/dialect.js';
import { DECODE_BY_SPAN_FROM_BYTES, TooManySpansError, decodeRequestInSteps, protobufSteps, walkRequest } from '../src/otlp-decode.js';
import { runInSlices, runToEnd } from '../src/slices.js';
import { SpanFactory } from './helpers.js';

const AT = 1_700_000_000_000_000_000n;

/** The reference: protobufjs decodes the whole request, then the same walk reads it. */
function decodeWhole(body: Uint8Array): DecodedRequest | 'refused' {
  let message: unknown;
  try {
    message = otlpSchema().exportRequest.decode(body);
  } catch {
    return 'refused';
  }
  return runToEnd(walkRequest(protobufDialect, message, AT));
}

/** Decoded span by span, whatever its size (the gateway does so from DECODE_BY_SPAN_FROM_BYTES on). */
function decodeInSteps(body: Uint8Array): DecodedRequest | 'refused' {
  try {
    return runToEnd(protobufSteps(body, AT, Number.POSITIVE_INFINITY, 0));
  } catch (err) {
    assert.ok(err instanceof DecodeError, String(err));
    return 'refused';
  }
}

function spansOf(spans: number, attributes: Record<string, string | number | boolean | string[]> = {}) {
  const f = new SpanFactory('svc-steps', 'scope-steps');
  const root = f.start('root', { 'gen_ai.operation.name': 'invoke_agent', ...attributes }, 0);
  for (let i = 1; i < spans; i++) {
    const s = f.start(`child ${i}`, { i, ...attributes }, i, root);
    s.addEvent('e', { n: i }, 1_760_000_000_000 + i);
    f.end(s, i + 1, {}, i % 7 === 0 ? 'failed' : undefined);
  }
  f.end(root, spans + 1);
  return f.finished();
}

function payload(spans: number, attributes: Record<string, string | number | boolean | string[]> = {}): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spansOf(spans, attributes)) as Uint8Array);
}

test('property: spans decoded one at a time = the request decoded whole (random, cut and mutated payloads; refused alike)', () => {
  const real = payload(5, { tag: 'x', list: ['a', 'b'] });
  const mutated = fc.tuple(fc.integer({ min: 0, max: real.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
    const copy = Buffer.from(real);
    copy[at] = byte;
    return copy;
  });
  const cut = fc.integer({ min: 0, max: real.length }).map((n) => real.subarray(0, n));
  const spliced = fc.tuple(fc.integer({ min: 0, max: real.length }), fc.uint8Array({ maxLength: 12 })).map(([at, bytes]) => Buffer.concat([real.subarray(0, at), bytes, real.subarray(at)]));
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated, cut, spliced), (body) => {
      assert.deepEqual(decodeInSteps(body), decodeWhole(body));
    }),
    { numRuns: 3000 },
  );
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** A length-delimited field (wire type 2). */
function field(id: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...varint((id << 3) | 2), ...varint(bytes.length)]), bytes]);
}

test('values nested to protobufjs\' depth limit are refused in both decodings at the same depth', () => {
  const verdicts: string[] = [];
  for (let levels = 25; levels <= 40; levels++) {
    // AnyValue { kvlist_value (6): KeyValueList { values (1): KeyValue { key (1), value (2): AnyValue ... } } }, by hand:
    // protobufjs' own encoder refuses to build what is too deep.
    let value = field(1, Buffer.from('leaf'));
    for (let i = 0; i < levels; i++) value = field(6, field(1, Buffer.concat([field(1, Buffer.from('k')), field(2, value)])));
    const span = Buffer.concat([field(1, Buffer.alloc(16, 1)), field(2, Buffer.alloc(8, 2)), field(5, Buffer.from('deep')), field(9, Buffer.concat([field(1, Buffer.from('deep')), field(2, value)]))]);
    const body = field(1, field(2, field(2, span)));
    const whole = decodeWhole(body);
    assert.deepEqual(decodeInSteps(body), whole, `${levels} levels`);
    verdicts.push(whole === 'refused' ? 'refused' : 'decoded');
  }
  assert.ok(verdicts.includes('decoded') && verdicts.includes('refused'), `the range crosses the limit: ${verdicts.join(' ')}`);
});

test('run in slices, a large request lets the event loop turn while it is decoded, and decodes to the same spans', async () => {
  const body = payload(20_000);
  assert.ok(body.length >= DECODE_BY_SPAN_FROM_BYTES);
  let turns = 0;
  let decoding = true;
  const tick = (): void => {
    if (!decoding) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  const sliced = await runInSlices(decodeRequestInSteps('protobuf', body, { receivedAt: AT }), 1);
  decoding = false;
  assert.ok(turns > 1, `the event loop turned ${turns} time(s) while decoding`);
  assert.deepEqual(sliced, decodeProtobufRequest(body, AT));
});

test('maxSpans (protobuf whole and span by span, JSON): exactly that many decode; one more stops the decoding with TooManySpansError', () => {
  const spans = spansOf(300);
  const proto = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
  assert.equal(runToEnd(protobufSteps(proto, AT, 300, 0)).spans.length, 300);
  assert.throws(() => runToEnd(protobufSteps(proto, AT, 299, 0)), TooManySpansError);
  const bodies = { protobuf: ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array, json: JsonTraceSerializer.serializeRequest(spans) as Uint8Array };
  for (const encoding of ['protobuf', 'json'] as const) {
    assert.equal(runToEnd(decodeRequestInSteps(encoding, bodies[encoding], { maxSpans: 300 })).spans.length, 300);
    assert.throws(() => runToEnd(decodeRequestInSteps(encoding, bodies[encoding], { maxSpans: 299 })), TooManySpansError);
  }
});
