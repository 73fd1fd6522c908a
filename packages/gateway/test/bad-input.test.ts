/**
 * Bad input over HTTP: clear status codes, no crash, bounded memory, and
 * nothing already accepted lost.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { otlpSchema, type Gateway } from '../src/index.js';
import { SpanFactory, assertExported, exportWith, post, startTestGateway } from './helpers.js';

let db: TestSchema;
let gateway: Gateway;
let url: string;

before(async () => {
  db = await createTestSchema('gateway_bad');
  gateway = await startTestGateway(db, { authTokens: ['s3cret-token'] });
  url = `${gateway.url}/v1/traces`;
});
after(async () => {
  await gateway.shutdown();
  await db.drop();
});

const AUTH = { Authorization: 'Bearer s3cret-token' };
const PROTO = { 'Content-Type': 'application/x-protobuf', ...AUTH };

/** `n` GenAI tool spans of one conversation, as an agent framework would emit them. */
function toolSpans(n: number, conversation: string) {
  const f = new SpanFactory('bad-input-svc');
  for (let i = 0; i < n; i++) {
    const s = f.start(
      `execute_tool lookup_${i % 7}`,
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': `lookup_${i % 7}`,
        'gen_ai.conversation.id': conversation,
        'gen_ai.tool.call.arguments': JSON.stringify({ i }),
        'gen_ai.tool.call.result': JSON.stringify({ ok: true, i }),
      },
      i,
    );
    f.end(s, i + 1);
  }
  return f.finished();
}

async function rowsOf(conversation: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conversation]);
  return r.rows[0].n as number;
}

function statusMessage(body: Buffer): { code: number; message: string } {
  return otlpSchema().status.toObject(otlpSchema().status.decode(body)) as { code: number; message: string };
}

test('an accepted request stays accepted whatever comes after it', async () => {
  const exporter = new ProtoExporter({ url, headers: AUTH });
  assertExported(await exportWith(exporter, toolSpans(3, 'conv-before-bad-input')));
  await exporter.shutdown();
  assert.equal(await rowsOf('conv-before-bad-input'), 3);
});

test('no token, a wrong token: 401 with WWW-Authenticate; the health endpoint needs none', async () => {
  const payload = ProtobufTraceSerializer.serializeRequest(toolSpans(1, 'conv-auth')) as Uint8Array;
  const none = await post(url, payload, { 'Content-Type': 'application/x-protobuf' });
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer');
  assert.equal(statusMessage(none.body).code, 16);
  const wrong = await post(url, payload, { 'Content-Type': 'application/x-protobuf', Authorization: 'Bearer s3cret-tokem' });
  assert.equal(wrong.status, 401);
  assert.equal(await rowsOf('conv-auth'), 0);
  const health = await fetch(`${gateway.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
});

test('wrong content type 415, unknown content encoding 415, wrong path 404, GET 405', async () => {
  const payload = ProtobufTraceSerializer.serializeRequest(toolSpans(1, 'conv-ct')) as Uint8Array;
  const text = await post(url, payload, { 'Content-Type': 'text/plain', ...AUTH });
  assert.equal(text.status, 415);
  assert.match(JSON.parse(text.body.toString()).message, /application\/x-protobuf or application\/json/);
  const br = await post(url, payload, { ...PROTO, 'Content-Encoding': 'br' });
  assert.equal(br.status, 415);
  const wrongPath = await post(`${gateway.url}/v1/logs`, payload, PROTO);
  assert.equal(wrongPath.status, 404);
  const get = await fetch(url, { headers: AUTH });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.equal(await rowsOf('conv-ct'), 0);
});

test('truncated protobuf, any cut: 400 with a google.rpc.Status body (or 200 where the cut falls on a boundary), never 5xx', async () => {
  const payload = ProtobufTraceSerializer.serializeRequest(toolSpans(5, 'conv-truncated')) as Uint8Array;
  const half = await post(url, payload.subarray(0, Math.floor(payload.length / 2)), PROTO);
  assert.equal(half.status, 400);
  assert.equal(half.headers['content-type'], 'application/x-protobuf');
  assert.match(statusMessage(half.body).message, /not a valid protobuf/);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: payload.length - 1 }), async (cut) => {
      const r = await post(url, payload.subarray(0, cut), PROTO);
      assert.ok(r.status === 400 || r.status === 200, `status ${r.status} for a cut at ${cut}`);
    }),
    { numRuns: 25 },
  );
});

test('invalid UTF-8 in an attribute: 400 naming the reason, and the gateway goes on', async () => {
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-utf8')) as Uint8Array);
  const at = body.indexOf(Buffer.from('conv-utf8'));
  body[at + 4] = 0xc0; // an overlong-encoding lead byte: never valid UTF-8
  const r = await post(url, body, PROTO);
  assert.equal(r.status, 400);
  assert.match(statusMessage(r.body).message, /utf-8/i);
  assert.equal(await rowsOf('conv-utf8'), 0);
  const json = Buffer.from(JsonTraceSerializer.serializeRequest(toolSpans(2, 'conv-utf8-json')) as Uint8Array);
  json[json.indexOf(Buffer.from('conv-utf8-json')) + 2] = 0xff;
  const j = await post(url, json, { 'Content-Type': 'application/json', ...AUTH });
  assert.equal(j.status, 400);
  assert.equal(j.headers['content-type'], 'application/json');
});

test('broken gzip 400; a gzip bomb (16 MiB of zeros inflating past the limit) 413 without inflating it all', async () => {
  const payload = ProtobufTraceSerializer.serializeRequest(toolSpans(1, 'conv-gzip')) as Uint8Array;
  const broken = gzipSync(payload).subarray(0, 20);
  const r = await post(url, broken, { ...PROTO, 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 400);
  const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024));
  assert.ok(bomb.length < 100_000);
  const b = await post(url, bomb, { ...PROTO, 'Content-Encoding': 'gzip' });
  assert.equal(b.status, 413);
});

/** Sends `total` bytes of zeros as a stream (chunked, or with a Content-Length), sampling this process's memory meanwhile. */
function sendLarge(total: number, withLength: boolean): Promise<{ status: number; peakArrayBuffers: number }> {
  return new Promise((resolve, reject) => {
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    }, 5);
    const req = httpRequest(url, { method: 'POST', headers: { ...PROTO, ...(withLength ? { 'Content-Length': total } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => {
        clearInterval(sampler);
        resolve({ status: res.statusCode ?? 0, peakArrayBuffers: peak });
      });
    });
    req.on('error', (err) => {
      clearInterval(sampler);
      reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const write = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

test('a 50 MB body: 413, with a Content-Length at once and without one after the 16 MiB limit; memory stays bounded', async () => {
  const declared = await sendLarge(50 * 1024 * 1024, true);
  assert.equal(declared.status, 413);
  const streamed = await sendLarge(50 * 1024 * 1024, false);
  assert.equal(streamed.status, 413);
  // Sender and gateway share this process: the whole body at once would be 50 MB of buffers.
  assert.ok(streamed.peakArrayBuffers < 40 * 1024 * 1024, `peak ${streamed.peakArrayBuffers} bytes of buffers`);
  assert.equal(gateway.stats().requestsInFlight, 0);
});

test('10 000 spans in one request (official exporter): 200 and 10 000 rows', async () => {
  const exporter = new ProtoExporter({ url, headers: AUTH, timeoutMillis: 30_000 });
  assertExported(await exportWith(exporter, toolSpans(10_000, 'conv-10k')));
  await exporter.shutdown();
  assert.equal(await rowsOf('conv-10k'), 10_000);
  const orders = await db.pool.query("SELECT MIN(execution_order) AS lo, MAX(execution_order) AS hi, COUNT(DISTINCT execution_order)::int AS n FROM execution_events WHERE run_id = 'conv-10k'");
  assert.deepEqual(orders.rows[0], { lo: 1, hi: 10_000, n: 10_000 });
});

test('bad ids inside a valid request: 200 with partial_success counting them; the good spans are written', async () => {
  const good = toolSpans(2, 'conv-partial');
  const request = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(good) as Uint8Array).toString());
  const spans = request.resourceSpans[0].scopeSpans[0].spans;
  spans.push({ ...spans[0], spanId: '' }, { ...spans[0], traceId: 'not-hex' });
  const r = await post(url, Buffer.from(JSON.stringify(request)), { 'Content-Type': 'application/json', ...AUTH });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body.toString()), {
    partialSuccess: { rejectedSpans: '2', errorMessage: '2 span(s) rejected: span_id must be 8 bytes, not all zero' },
  });
  assert.equal(await rowsOf('conv-partial'), 2);
});

test('not JSON, JSON of the wrong shape, an empty body: 400, 400, 200', async () => {
  const json = { 'Content-Type': 'application/json', ...AUTH };
  assert.equal((await post(url, Buffer.from('{"resourceSpans": [ '), json)).status, 400);
  assert.equal((await post(url, Buffer.from('{"resourceSpans": "all of them"}'), json)).status, 400);
  assert.equal((await post(url, Buffer.from('[1,2,3]'), json)).status, 400);
  const empty = await post(url, Buffer.alloc(0), PROTO);
  assert.equal(empty.status, 200, 'an empty protobuf message is a valid request with no spans');
});

test('a small body that decodes into over two million values (empty AnyValues, {} in JSON): 413 before decoding, heap bounded', async () => {
  const base = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(toolSpans(1, 'conv-amplified')) as Uint8Array).toString());
  const span = base.resourceSpans[0].scopeSpans[0].spans[0];
  const heapBefore = process.memoryUsage().heapUsed;
  // protobuf: 2.2 million empty values, 2 bytes each on the wire
  const type = otlpSchema().exportRequest;
  const message = type.fromObject({
    resource_spans: [{ scope_spans: [{ spans: [{ trace_id: Buffer.from(span.traceId, 'hex'), span_id: Buffer.from(span.spanId, 'hex'), name: 'x', attributes: [{ key: 'a', value: { array_value: { values: new Array(2_200_000).fill({}) } } }] }] }] }],
  });
  const proto = await post(url, type.encode(message).finish(), PROTO);
  assert.equal(proto.status, 413);
  assert.match(statusMessage(proto.body).message, /more than 2097152 values/);
  // JSON: 2.2 million {} (3 bytes each)
  span.attributes = [{ key: 'a', value: { arrayValue: { values: new Array(2_200_000).fill({}) } } }];
  const json = await post(url, Buffer.from(JSON.stringify(base)), { 'Content-Type': 'application/json', ...AUTH });
  assert.equal(json.status, 413);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 400 * 1024 * 1024, 'nothing was decoded into millions of objects');
  assert.equal(await rowsOf('conv-amplified'), 0);
});

test('a span with a long array (16 long strings, then 100 000 empty values) is accepted: its size is estimated from every element', async () => {
  const base = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(toolSpans(2, 'conv-long-array')) as Uint8Array).toString());
  const values = [...Array.from({ length: 16 }, () => ({ stringValue: 'x'.repeat(10_000) })), ...Array.from({ length: 100_000 }, () => ({}))];
  base.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: 'payload', value: { arrayValue: { values } } });
  const r = await post(url, Buffer.from(JSON.stringify(base)), { 'Content-Type': 'application/json', ...AUTH });
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(await rowsOf('conv-long-array'), 2);
});

test('after all of that: the first accepted spans are intact, and the gateway still accepts', async () => {
  assert.equal(await rowsOf('conv-before-bad-input'), 3);
  const exporter = new ProtoExporter({ url, headers: AUTH });
  assertExported(await exportWith(exporter, toolSpans(2, 'conv-after-bad-input')));
  await exporter.shutdown();
  assert.equal(await rowsOf('conv-after-bad-input'), 2);
  const stats = gateway.stats();
  assert.equal(stats.postgres.droppedTotal, 0);
  assert.ok((stats.responses[400] ?? 0) >= 5);
  assert.ok((stats.responses[413] ?? 0) >= 3);
});

test('a port already in use: startGateway rejects with the listen error; options that make no sense throw', async () => {
  await assert.rejects(startTestGateway(db, { port: gateway.port }), /EADDRINUSE/);
  await assert.rejects(startTestGateway(db, { maxBodyBytes: 0 }), RangeError);
  await assert.rejects(startTestGateway(db, { pool: undefined, databaseUrl: '' }), TypeError);
});

test('spans past the span limit with a malformed one after them: 400 whatever the body\'s size (decoded whole below 512 KiB, span by span above)', async () => {
  // At most maxQueueSpans / 2 = 10 spans a request.
  const small = await startTestGateway(db, { maxQueueSpans: 20 });
  try {
    /** 12 tool spans (2 past the limit), `pad` bytes of attribute each; the last one's name made invalid UTF-8. */
    const body = (conversation: string, pad: number, malformed: boolean): Buffer => {
      const f = new SpanFactory('span-limit-svc');
      for (let i = 0; i < 12; i++) {
        const name = i === 11 ? 'execute_tool zz-last-span' : `execute_tool t${i}`;
        const s = f.start(name, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.conversation.id': conversation, 'app.pad': 'p'.repeat(pad) }, i);
        f.end(s, i + 1);
      }
      const bytes = Buffer.from(ProtobufTraceSerializer.serializeRequest(f.finished()) as Uint8Array);
      if (malformed) bytes[bytes.indexOf(Buffer.from('zz-last-span')) + 2] = 0xc0; // never valid UTF-8
      return bytes;
    };
    const sizes = [100, 60_000]; // about 2 KB and 730 KB
    for (const pad of sizes) {
      const bad = body(`conv-limit-bad-${pad}`, pad, true);
      assert.equal(bad.length >= 512 * 1024, pad > 1000, 'one body on each side of the span-by-span threshold');
      const r = await post(`${small.url}/v1/traces`, bad, { 'Content-Type': 'application/x-protobuf' });
      assert.equal(r.status, 400, `${bad.length} bytes: malformed is 400 whatever the size`);
      assert.match(statusMessage(r.body).message, /protobuf/);
      const tooMany = await post(`${small.url}/v1/traces`, body(`conv-limit-ok-${pad}`, pad, false), { 'Content-Type': 'application/x-protobuf' });
      assert.equal(tooMany.status, 413, `${bad.length} bytes: well-formed but over the span limit is 413`);
    }
  } finally {
    await small.shutdown();
  }
});
