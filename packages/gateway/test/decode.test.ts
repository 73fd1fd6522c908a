/**
 * The decoders, without a server: the official serializers' output decodes
 * to the same spans in both encodings, and no input makes them throw
 * anything but `DecodeError`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DecodeError, decodeJsonRequest, decodeProtobufRequest, otlpSchema, type DecodedRequest } from '../src/index.js';
import { jsonDialect, protobufDialect } from '../src/dialect.js';
import { anyValueToAttribute } from '../src/any-value.js';
import { SpanFactory } from './helpers.js';

function sampleSpans() {
  const f = new SpanFactory('svc-decode', 'scope-a');
  const root = f.start('invoke_agent planner', { 'gen_ai.operation.name': 'invoke_agent', count: 3, ratio: 0.5, ok: true, tags: ['a', 'b'] }, 0);
  const child = f.start('execute_tool search', { 'gen_ai.tool.name': 'search', big: 2 ** 40 }, 5, root, SpanKind.CLIENT);
  child.addEvent('exception', { 'exception.type': 'TimeoutError', 'exception.message': 'slow' }, 1_760_000_000_007);
  f.end(child, 9, {}, 'it failed');
  f.end(root, 12);
  return f.finished();
}

function summary(d: DecodedRequest) {
  return d.spans.map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    parent: s.parentSpanId,
    name: s.name,
    kind: s.kind,
    start: s.startTime,
    end: s.endTime,
    attributes: s.attributes,
    events: s.events,
    status: s.status,
    service: s.resource.attributes['service.name'],
    scope: s.scope.name,
  }));
}

test('the official protobuf and JSON serializers decode to the same spans, ids, times (ns), kinds, events and status', () => {
  const spans = sampleSpans();
  const proto = decodeProtobufRequest(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
  const json = decodeJsonRequest(JsonTraceSerializer.serializeRequest(spans) as Uint8Array);
  assert.deepEqual(summary(proto), summary(json));
  assert.equal(proto.rejected, 0);
  const child = proto.spans.find((s) => s.name === 'execute_tool search');
  assert.ok(child);
  const parent = proto.spans.find((s) => s.name === 'invoke_agent planner');
  assert.equal(child.parentSpanId, parent?.spanId);
  assert.equal(child.kind, SpanKind.CLIENT);
  assert.deepEqual(child.status, { code: SpanStatusCode.ERROR, message: 'it failed' });
  assert.equal(child.attributes['big'], 2 ** 40);
  assert.deepEqual(child.startTime, [1_760_000_000, 5_000_000]);
  assert.equal(child.events[0]?.attributes['exception.type'], 'TimeoutError');
  assert.deepEqual(parent?.attributes['tags'], ['a', 'b']);
  assert.equal(child.scope.name, 'scope-a');
  assert.equal(child.scope.version, '1.0.0');
});

test('spans with unusable ids are counted as rejected, the others kept', () => {
  const good = '0af7651916cd43dd8448eb211c80319c';
  const body = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              { traceId: good, spanId: 'b7ad6b7169203331', name: 'ok', startTimeUnixNano: '1', endTimeUnixNano: '2' },
              { traceId: '00000000000000000000000000000000', spanId: 'b7ad6b7169203332', name: 'zero trace' },
              { traceId: good, spanId: 'b7ad6b71', name: 'short span id' },
              { traceId: good, spanId: 'b7ad6b7169203333', parentSpanId: 'zz', name: 'bad parent' },
              { traceId: Buffer.from(good, 'hex').toString('base64'), spanId: 'b7ad6b7169203334', name: 'base64 trace id' },
            ],
          },
        ],
      },
    ],
  };
  const d = decodeJsonRequest(Buffer.from(JSON.stringify(body)));
  assert.deepEqual(
    d.spans.map((s) => s.name),
    ['ok', 'base64 trace id'],
  );
  assert.equal(d.spans[1]?.traceId, good);
  assert.equal(d.rejected, 3);
  assert.match(d.rejectReason ?? '', /3 span\(s\) rejected: trace_id/);
});

test('hex ids of the wrong length are rejected, not read as base64; times that are not uint64 reject their span', () => {
  const good = '0af7651916cd43dd8448eb211c80319c';
  const span = (name: string, extra: Record<string, unknown>) => ({ traceId: good, spanId: 'b7ad6b7169203331', name, ...extra });
  const body = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              span('22 hex trace id', { traceId: good.slice(10) }),
              span('11 hex span id', { spanId: 'b7ad6b71692' }),
              span('start 1e30', { startTimeUnixNano: 1e30, endTimeUnixNano: '2' }),
              span('end 2^64', { startTimeUnixNano: '1', endTimeUnixNano: '18446744073709551616' }),
              span('negative start', { startTimeUnixNano: '-5' }),
              span('fractional start', { startTimeUnixNano: 1.5 }),
              span('start as text', { startTimeUnixNano: 'yesterday' }),
              span('ok at the uint64 limit', { startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '18446744073709551615' }),
              span('ok without times', {}),
            ],
          },
        ],
      },
    ],
  };
  const d = decodeJsonRequest(Buffer.from(JSON.stringify(body)), 1_000_000_000n);
  assert.deepEqual(
    d.spans.map((s) => s.name),
    ['ok at the uint64 limit', 'ok without times'],
  );
  assert.equal(d.rejected, 7);
  assert.equal(d.spans[1]?.startNanos, 1_000_000_000n, 'absent times are the time of receipt');
  // The same limits in protobuf (a uint64 field cannot hold more; a wrong-length id is refused as before).
  const type = otlpSchema().exportRequest;
  const proto = type.encode(
    type.fromObject({ resource_spans: [{ scope_spans: [{ spans: [{ trace_id: Buffer.from(good, 'hex').subarray(0, 11), span_id: Buffer.alloc(8, 1), name: 'short' }] }] }] }),
  ).finish();
  assert.equal(decodeProtobufRequest(proto).rejected, 1);
});

test('AnyValue maps, mixed arrays and bytes are kept as text; homogeneous arrays stay arrays', () => {
  const kv = { kvlistValue: { values: [{ key: 'a', value: { intValue: '9007199254740993' } }, { key: '__proto__', value: { stringValue: 'x' } }] } };
  assert.equal(anyValueToAttribute(jsonDialect, kv), '{"a":"9007199254740993","__proto__":"x"}');
  assert.equal(
    anyValueToAttribute(jsonDialect, { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } }),
    '["a",1]',
  );
  assert.deepEqual(anyValueToAttribute(jsonDialect, { arrayValue: { values: [{ doubleValue: 1.5 }, { intValue: '2' }] } }), [1.5, 2]);
  assert.equal(anyValueToAttribute(jsonDialect, { bytesValue: 'AQID' }), 'AQID');
  assert.equal(anyValueToAttribute(jsonDialect, {}), undefined);
  assert.equal(anyValueToAttribute(protobufDialect, otlpSchema().exportRequest.lookupType('opentelemetry.proto.common.v1.AnyValue').decode(Buffer.from([0x3a, 0x03, 1, 2, 3]))), 'AQID');
});

test('random bytes as protobuf: decoded or DecodeError, nothing else (never a crash)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      try {
        const d = decodeProtobufRequest(bytes);
        assert.ok(Array.isArray(d.spans));
      } catch (err) {
        assert.ok(err instanceof DecodeError, String(err));
      }
    }),
    { numRuns: 500 },
  );
});

test('every strict prefix of a real payload: decoded or DecodeError', () => {
  const payload = ProtobufTraceSerializer.serializeRequest(sampleSpans()) as Uint8Array;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: payload.length - 1 }), (cut) => {
      try {
        decodeProtobufRequest(payload.subarray(0, cut));
      } catch (err) {
        assert.ok(err instanceof DecodeError);
      }
    }),
    { numRuns: 300 },
  );
});

test('arbitrary JSON values (and OTLP-shaped ones with wrong types): decoded or DecodeError', () => {
  const anything = fc.jsonValue({ maxDepth: 6 });
  const shaped = fc.record({
    resourceSpans: fc.array(
      fc.record({
        resource: fc.jsonValue({ maxDepth: 3 }),
        scopeSpans: fc.array(fc.record({ scope: fc.jsonValue({ maxDepth: 2 }), spans: fc.array(fc.dictionary(fc.constantFrom('traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'attributes', 'events', 'links', 'status', 'startTimeUnixNano', 'endTimeUnixNano'), fc.jsonValue({ maxDepth: 3 }))) })),
      }),
    ),
  });
  fc.assert(
    fc.property(fc.oneof(anything, shaped), (value) => {
      try {
        const d = decodeJsonRequest(Buffer.from(JSON.stringify(value) ?? 'null'));
        for (const s of d.spans) assert.equal(s.traceId.length, 32);
      } catch (err) {
        assert.ok(err instanceof DecodeError, String(err));
      }
    }),
    { numRuns: 200 },
  );
});

test('a string that is not UTF-8, in protobuf or in JSON: DecodeError (the whole request is refused, as proto3 requires)', () => {
  const spans = sampleSpans();
  const payload = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
  const at = payload.indexOf(Buffer.from('planner'));
  payload[at] = 0xff;
  assert.throws(() => decodeProtobufRequest(payload), (e: unknown) => e instanceof DecodeError && /utf-8/i.test(e.message));
  const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans) as Uint8Array);
  json[json.indexOf(Buffer.from('planner'))] = 0xc3;
  assert.throws(() => decodeJsonRequest(json), DecodeError);
});

test('an attribute named __proto__ is skipped: it never becomes the attributes object prototype, the other keys are kept as sent', () => {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: '__proto__', value: { arrayValue: { values: [{ stringValue: 'r' }] } } }] },
        scopeSpans: [
          {
            scope: { name: 's' },
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'x',
                startTimeUnixNano: '1760000000000000000',
                endTimeUnixNano: '1760000000000000001',
                attributes: [
                  { key: 'app.x', value: { stringValue: 'kept' } },
                  { key: '__proto__', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
                ],
                events: [{ name: 'e', timeUnixNano: '1760000000000000000', attributes: [{ key: '__proto__', value: { kvlistValue: { values: [] } } }] }],
              },
            ],
          },
        ],
      },
    ],
  };
  const d = decodeJsonRequest(new TextEncoder().encode(JSON.stringify(body)));
  const span = d.spans[0];
  assert.ok(span);
  for (const attrs of [span.attributes, span.resource.attributes, span.events[0]?.attributes ?? {}]) {
    assert.equal(Object.getPrototypeOf(attrs), Object.prototype);
    const inherited: string[] = [];
    for (const k in attrs) if (!Object.prototype.hasOwnProperty.call(attrs, k)) inherited.push(k);
    assert.deepEqual(inherited, []);
  }
  assert.deepEqual(Object.keys(span.attributes), ['app.x']);
});
