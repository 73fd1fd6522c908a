/**
 * The numbers of span attributes on the wire: what `createOtlpHttpSpanExporter`
 * sends (JSON and protobuf) to a real HTTP server, decoded here independently
 * (the protobuf by its wire format, the JSON by the proto3 JSON mapping's
 * rules for int64 and double), must be the value the span holds, the same in
 * both encodings.
 */

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AttributeValue } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { createOtlpHttpSpanExporter } from '../src/index.js';

/** A decoded attribute value: int64 as bigint, double as number, arrays as arrays. */
type Decoded = bigint | number | string | boolean | null | Decoded[];

let server: Server;
let base: string;
const bodies: Buffer[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

// --- protobuf, by its wire format -------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  /** Fields of the message in `[start, end)`: number, wire type and raw content. */
  *fields(end = this.buf.length): Generator<{ no: number; wire: number; bytes: Buffer; int: bigint }> {
    while (this.pos < end) {
      const tag = Number(this.varint());
      const no = tag >>> 3;
      const wire = tag & 7;
      if (wire === 0) yield { no, wire, bytes: Buffer.alloc(0), int: this.varint() };
      else if (wire === 1) {
        yield { no, wire, bytes: this.buf.subarray(this.pos, this.pos + 8), int: 0n };
        this.pos += 8;
      } else if (wire === 2) {
        const len = Number(this.varint());
        yield { no, wire, bytes: this.buf.subarray(this.pos, this.pos + len), int: 0n };
        this.pos += len;
      } else if (wire === 5) {
        yield { no, wire, bytes: this.buf.subarray(this.pos, this.pos + 4), int: 0n };
        this.pos += 4;
      } else throw new Error(`unexpected wire type ${wire}`);
    }
  }
}
const sub = (b: Buffer) => [...new Reader(b).fields()];

function protoAnyValue(b: Buffer): Decoded {
  for (const f of sub(b)) {
    if (f.no === 1) return f.bytes.toString('utf8');
    if (f.no === 2) return f.int !== 0n;
    if (f.no === 3) return BigInt.asIntN(64, f.int);
    if (f.no === 4) return f.bytes.readDoubleLE(0);
    if (f.no === 5) return sub(f.bytes).filter((x) => x.no === 1).map((x) => protoAnyValue(x.bytes));
  }
  return null;
}

/** Span attributes of the first span of an `ExportTraceServiceRequest`. */
function protoAttributes(body: Buffer): Map<string, Decoded> {
  const rs = sub(body).find((f) => f.no === 1)!.bytes;
  const ss = sub(rs).find((f) => f.no === 2)!.bytes;
  const span = sub(ss).find((f) => f.no === 2)!.bytes;
  const out = new Map<string, Decoded>();
  for (const kv of sub(span).filter((f) => f.no === 9)) {
    const fields = sub(kv.bytes);
    out.set(fields.find((f) => f.no === 1)!.bytes.toString('utf8'), protoAnyValue(fields.find((f) => f.no === 2)?.bytes ?? Buffer.alloc(0)));
  }
  return out;
}

// --- JSON, by the proto3 JSON mapping ---------------------------------------------------------

const INT64 = /^-?(0|[1-9]\d*)$/;

/** An `AnyValue` in OTLP/JSON, refused (thrown) where a strict proto3 JSON decoder refuses it. */
function jsonAnyValue(v: Record<string, unknown>): Decoded {
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) {
    const x = v.intValue;
    // A JSON number is accepted too, but as text it is exact only while it is a safe integer.
    if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x);
    assert.ok(typeof x === 'string' && INT64.test(x), `intValue ${JSON.stringify(x)} is not an exact int64`);
    const n = BigInt(x);
    assert.ok(n >= -(2n ** 63n) && n < 2n ** 63n, `intValue ${x} is out of the int64 range`);
    return n;
  }
  if ('doubleValue' in v) {
    const x = v.doubleValue;
    if (typeof x === 'number') return x;
    assert.ok(x === 'NaN' || x === 'Infinity' || x === '-Infinity', `doubleValue ${JSON.stringify(x)} is not a double`);
    return Number(x);
  }
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(jsonAnyValue);
  return null;
}

function jsonAttributes(body: Buffer): Map<string, Decoded> {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans: { scopeSpans: { spans: { attributes: { key: string; value: Record<string, unknown> }[] }[] }[] }[];
  };
  const span = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  return new Map(span.attributes.map((kv) => [kv.key, jsonAnyValue(kv.value)]));
}

// --- what the span holds ------------------------------------------------------------------------

/** What an attribute value must decode to: int64 where it is an integer within int64 (as the protobuf encoding chooses), else a double. */
function expected(v: AttributeValue | null | undefined): Decoded {
  if (Array.isArray(v)) return (v as (AttributeValue | null | undefined)[]).map(expected);
  if (typeof v === 'number') return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63 ? BigInt(v) : v;
  return (v ?? null) as Decoded;
}

function span(attributes: Record<string, AttributeValue>): ReadableSpan {
  const spans: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    spanProcessors: [{ onStart: () => undefined, onEnd: (s: ReadableSpan) => spans.push(s), forceFlush: async () => undefined, shutdown: async () => undefined }],
  });
  provider.getTracer('wire').startSpan('s', { attributes }).end();
  return spans[0]!;
}

async function send(s: ReadableSpan, encoding: 'json' | 'protobuf'): Promise<Buffer> {
  const exporter = createOtlpHttpSpanExporter({ url: base, encoding });
  const before = bodies.length;
  const result = await new Promise<{ code: number }>((resolve) => exporter.export([s], resolve));
  assert.equal(result.code, 0);
  await exporter.shutdown();
  assert.equal(bodies.length, before + 1);
  return bodies[bodies.length - 1]!;
}

async function check(attributes: Record<string, AttributeValue>): Promise<void> {
  const s = span(attributes);
  const json = jsonAttributes(await send(s, 'json'));
  const proto = protoAttributes(await send(s, 'protobuf'));
  for (const [key, value] of Object.entries(s.attributes)) {
    const want = expected(value);
    assert.deepEqual(proto.get(key), want, `protobuf ${key}`);
    assert.deepEqual(json.get(key), want, `json ${key}`);
  }
}

describe('OTLP attribute numbers on the wire', () => {
  it('integers beyond 2^53 and int64, NaN and ±Infinity: exact and valid in JSON, as in protobuf', () =>
    check({
      beyondSafe: 2 ** 62,
      safePlusTwo: 2 ** 53 + 2,
      int64Max: 2 ** 63, // one past int64: a double
      huge: 1e21,
      negHuge: -(2 ** 63), // int64's minimum, exactly
      nan: NaN,
      inf: Infinity,
      negInf: -Infinity,
      negZero: -0,
      half: 1.5,
      small: -7,
      empty: [],
      numbers: [1, 2.5, 2 ** 64, NaN],
      strings: ['a', ''],
    }));

  it('any number, and arrays of them (fast-check)', async () => {
    const number = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((b) => Number(b)),
      fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER + 1),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(number, fc.array(number, { maxLength: 5 })), { maxKeys: 6 }), (attributes) =>
        check(attributes),
      ),
      { numRuns: 40 },
    );
  });
});
