/**
 * The delivery guarantees, end to end: Postgres going away (through a TCP
 * proxy in front of the real server), a full queue, the disk spool across a
 * restart, shutdown with requests in flight, and forwarding.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, startTcpProxy, type TcpProxy, type TestSchema } from '@agentspan/test-support';
import { decodeProtobufRequest, type ReceivedSpan } from '../src/index.js';
import { SpanFactory, assertExported, eventually, exportWith, post, poolWithStuckQueries, startTestGateway } from './helpers.js';

let db: TestSchema;
let proxy: TcpProxy;

before(async () => {
  db = await createTestSchema('gateway_reliab');
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
after(async () => {
  await proxy.close();
  await db.drop();
});

const PROTO = { 'Content-Type': 'application/x-protobuf' };
/** Fast retries and short waits, so outages play out in a second or two. */
const FAST = {
  postgresDelivery: { retryInitialDelayMillis: 50, retryMaxDelayMillis: 200, scheduledDelayMillis: 20 },
  connectTimeoutMs: 500,
  statementTimeoutMs: 2000,
  startupMigrationTimeoutMillis: 3000,
  shutdownTimeoutMillis: 3000,
};

function toolSpans(n: number, conversation: string, secret = false) {
  const f = new SpanFactory('reliability-svc');
  for (let i = 0; i < n; i++) {
    const s = f.start(`execute_tool step_${i}`, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'step',
      'gen_ai.conversation.id': conversation,
      'gen_ai.tool.call.arguments': JSON.stringify(secret ? { token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789AB' } : { i }),
    }, i);
    f.end(s, i + 1);
  }
  return f.finished();
}

async function rowsOf(conversation: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conversation]);
  return r.rows[0].n as number;
}

function gatewayVia(extra: Parameters<typeof startTestGateway>[1] = {}) {
  return startTestGateway(db, { pool: undefined, databaseUrl: proxy.url(db.url), ...FAST, ...extra });
}

test('Postgres down, no spool: 503 with Retry-After (nothing acknowledged); the official exporter retries and its spans land once Postgres is back', async () => {
  proxy.mode = 'forward';
  const gateway = await gatewayVia({ ackTimeoutMillis: 1500, retryAfterUnavailableSeconds: 1 });
  try {
    const url = `${gateway.url}/v1/traces`;
    proxy.mode = 'refuse';
    proxy.cutAll();
    const first = await post(url, ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-down-1')) as Uint8Array, PROTO);
    assert.equal(first.status, 503);
    assert.equal(first.headers['retry-after'], '1');
    // Now known to be down: refused before decoding.
    await eventually(async () => gateway.stats().postgres.state === 'down');
    const refused = await post(url, ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-down-2')) as Uint8Array, PROTO);
    assert.equal(refused.status, 503);
    assert.match(refused.body.toString('latin1'), /unreachable/);

    const exporter = new ProtoExporter({ url, timeoutMillis: 20_000 });
    const pending = exportWith(exporter, toolSpans(3, 'conv-down-3'));
    setTimeout(() => {
      proxy.mode = 'forward';
    }, 1200).unref();
    assertExported(await pending);
    await exporter.shutdown();
    assert.equal(await rowsOf('conv-down-3'), 3);
    // The request answered 503 was delivered later anyway; its retry would have changed nothing.
    await eventually(async () => (await rowsOf('conv-down-1')) === 2);
  } finally {
    proxy.mode = 'forward';
    await gateway.shutdown();
  }
});

test('a full queue answers 429 with Retry-After; the requests already accepted are written once Postgres answers again', async () => {
  proxy.mode = 'forward';
  const gateway = await gatewayVia({ maxQueueSpans: 80, ackTimeoutMillis: 6000, connectTimeoutMs: 5000 });
  try {
    const url = `${gateway.url}/v1/traces`;
    proxy.mode = 'blackhole';
    proxy.cutAll();
    // Each tool span is the root of a trace of the conversation: 15 events and 15 run spans (the conversation's row) per request.
    const a = post(url, ProtobufTraceSerializer.serializeRequest(toolSpans(15, 'conv-full-a')) as Uint8Array, PROTO);
    await eventually(async () => gateway.stats().postgres.queueDepth === 30);
    const b = post(url, ProtobufTraceSerializer.serializeRequest(toolSpans(15, 'conv-full-b')) as Uint8Array, PROTO);
    await eventually(async () => gateway.stats().postgres.queueDepth === 60);
    const c = await post(url, ProtobufTraceSerializer.serializeRequest(toolSpans(15, 'conv-full-c')) as Uint8Array, PROTO);
    assert.equal(c.status, 429);
    assert.equal(c.headers['retry-after'], '2');
    proxy.mode = 'forward';
    proxy.cutAll();
    const [ra, rb] = await Promise.all([a, b]);
    assert.ok([200, 503].includes(ra.status) && [200, 503].includes(rb.status));
    await eventually(async () => (await rowsOf('conv-full-a')) === 15 && (await rowsOf('conv-full-b')) === 15, 10_000);
    assert.equal(await rowsOf('conv-full-c'), 0);
  } finally {
    proxy.mode = 'forward';
    await gateway.shutdown();
  }
});

test('with a spool: acknowledged while Postgres is down (on disk), written after a restart of the gateway', async () => {
  const spoolDir = mkdtempSync(join(tmpdir(), 'agentspan-gateway-spool-'));
  proxy.mode = 'forward';
  const first = await gatewayVia({ spoolDir, ackTimeoutMillis: 5000 });
  proxy.mode = 'refuse';
  proxy.cutAll();
  try {
    const exporter = new ProtoExporter({ url: `${first.url}/v1/traces`, timeoutMillis: 10_000 });
    assertExported(await exportWith(exporter, toolSpans(4, 'conv-spooled')));
    await exporter.shutdown();
    assert.ok(first.stats().postgres.spooled >= 4);
  } finally {
    await first.shutdown();
  }
  assert.equal(await rowsOf('conv-spooled'), 0);
  proxy.mode = 'forward';
  const second = await gatewayVia({ spoolDir });
  try {
    await eventually(async () => (await rowsOf('conv-spooled')) === 4, 10_000);
  } finally {
    await second.shutdown();
  }
});

test('shutdown lets requests in flight finish (acknowledged, rows written), then refuses new connections', async () => {
  proxy.mode = 'forward';
  const gateway = await gatewayVia();
  const url = `${gateway.url}/v1/traces`;
  const inFlight = post(url, ProtobufTraceSerializer.serializeRequest(toolSpans(50, 'conv-shutdown')) as Uint8Array, PROTO);
  await eventually(async () => gateway.stats().requestsInFlight > 0 || (await rowsOf('conv-shutdown')) > 0);
  await gateway.shutdown();
  assert.equal((await inFlight).status, 200);
  assert.equal(await rowsOf('conv-shutdown'), 50);
  await assert.rejects(post(url, Buffer.alloc(0), PROTO));
});

test('forwarding: every received span reaches the OTLP endpoint, agent spans redacted and mapped, others as they came', async () => {
  const received: ReceivedSpan[] = [];
  const jaeger = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(...decodeProtobufRequest(Buffer.concat(chunks)).spans);
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
  const port = (jaeger.address() as { port: number }).port;
  proxy.mode = 'forward';
  const gateway = await startTestGateway(db, { forwardUrl: `http://127.0.0.1:${port}/v1/traces` });
  try {
    const spans = toolSpans(3, 'conv-forward', true);
    const f = new SpanFactory('reliability-svc');
    const http = f.start('GET /health', { 'http.request.method': 'GET' }, 0);
    f.end(http, 1);
    const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
    assertExported(await exportWith(exporter, [...spans, ...f.finished()]));
    await exporter.shutdown();
    await eventually(async () => received.length >= 4);
    assert.deepEqual(new Set(received.map((s) => s.spanId)), new Set([...spans, ...f.finished()].map((s) => s.spanContext().spanId)));
    const tool = received.find((s) => s.name === 'execute_tool step_0');
    assert.match(String(tool?.attributes['gen_ai.tool.call.arguments']), /\[REDACTED:github_token\]/);
    assert.equal(tool?.attributes['agentspan.event.type'], 'tool_call');
    assert.equal(received.find((s) => s.name === 'GET /health')?.attributes['agentspan.event.type'], undefined, 'other spans pass through as they came');
    assert.equal(await rowsOf('conv-forward'), 3);
  } finally {
    await gateway.shutdown();
    await new Promise((resolve) => jaeger.close(resolve));
  }
});

test('forwarding: spans the OTLP endpoint rejects in a partial success are counted as dropped (rejected), the rest as exported', async () => {
  let requests = 0;
  const jaeger = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      // ExportTraceServiceResponse { partial_success { rejected_spans: 1, error_message: "x" } }
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end(Buffer.from([0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, 0x78]));
    });
  });
  await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
  const port = (jaeger.address() as { port: number }).port;
  proxy.mode = 'forward';
  const gateway = await startTestGateway(db, { forwardUrl: `http://127.0.0.1:${port}/v1/traces` });
  try {
    const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
    assertExported(await exportWith(exporter, toolSpans(3, 'conv-forward-partial', true)));
    await exporter.shutdown();
    await eventually(async () => {
      const f = gateway.stats().forward;
      return f !== undefined && f.exported + f.dropped.rejected === 3;
    });
    const f = gateway.stats().forward!;
    assert.equal(f.dropped.rejected, requests, 'one span rejected per forwarded request');
    assert.equal(f.exported, 3 - requests);
    assert.match(f.lastError ?? '', /otlp-forward: the backend rejected 1 of \d spans: x/);
    assert.equal(await rowsOf('conv-forward-partial'), 3, 'Postgres is not affected');
  } finally {
    await gateway.shutdown();
    await new Promise((resolve) => jaeger.close(resolve));
  }
});

/** A socket that sends the headers of a request and then one byte of its body a second, as a slowloris does. */
function trickle(port: number, contentLength: number, first: Buffer = Buffer.alloc(0)): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${contentLength}\r\n\r\n`);
  if (first.length > 0) socket.write(first);
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('\n')), 1000);
  timer.unref();
  return socket;
}

/** `post`, or 'timeout' when no answer came within `ms`. */
function postWithin(ms: number, ...args: Parameters<typeof post>): Promise<Awaited<ReturnType<typeof post>> | 'timeout'> {
  return Promise.race([post(...args), new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
}

test('more requests than turns and waiting places: 429 at once; the one holding the turn is served', async () => {
  // The lookup of the first request's new run never answers: it holds the only turn for orderLookupTimeoutMillis.
  const stuck = poolWithStuckQueries(db.pool);
  const gateway = await startTestGateway(db, { pool: stuck, maxConcurrentRequests: 1, maxWaitingRequests: 0, orderLookupTimeoutMillis: 1500 });
  try {
    const url = `${gateway.url}/v1/traces`;
    const first = post(url, Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-turns')) as Uint8Array), PROTO);
    await eventually(async () => gateway.stats().orders.lookups === 1);
    const second = await post(url, Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-turns-2')) as Uint8Array), PROTO);
    assert.equal(second.status, 429);
    assert.equal(second.headers['retry-after'], '2');
    assert.equal((await first).status, 200);
    assert.equal(await rowsOf('conv-turns'), 2);
    assert.equal(await rowsOf('conv-turns-2'), 0);
  } finally {
    await gateway.shutdown();
  }
});

test('senders trickling their bodies (a byte a second) hold no turn: a complete request is served at once', async () => {
  // Before, each of them held a decoding turn until the 30 s request timeout (Node checks it every 30 s: up to a
  // minute), and every complete request waited behind them, or was refused with no waiting place.
  const gateway = await startTestGateway(db, { maxConcurrentRequests: 1, maxWaitingRequests: 0 });
  const slow = [1, 2, 3].map(() => trickle(gateway.port, 100_000));
  try {
    await eventually(async () => gateway.stats().requestsInFlight === 3);
    const started = Date.now();
    const r = await postWithin(5000, `${gateway.url}/v1/traces`, Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-beside-slow')) as Uint8Array), PROTO);
    assert.notEqual(r, 'timeout', 'no answer within 5 s');
    assert.equal(r === 'timeout' ? 0 : r.status, 200);
    assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
    assert.equal(await rowsOf('conv-beside-slow'), 2);
  } finally {
    for (const s of slow) s.destroy();
    await gateway.shutdown();
  }
});

test('a request whose body never ends is cut at requestTimeoutMillis with 408, checked every second (Node alone checks every 30 s)', async () => {
  const gateway = await startTestGateway(db, { requestTimeoutMillis: 2000 });
  const slow = trickle(gateway.port, 100_000);
  try {
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      slow.on('data', (d: Buffer) => (got += d.toString('latin1')));
      slow.on('close', () => resolve(got));
    });
    const took = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(took >= 1900 && took < 4500, `cut after ${took} ms`);
  } finally {
    slow.destroy();
    await gateway.shutdown();
  }
});

test('the bodies held at once are bounded (maxConcurrentRequests × maxBodyBytes): past it 429, and a sender that goes gives its bytes back', async () => {
  const maxBodyBytes = 64 * 1024;
  const gateway = await startTestGateway(db, { maxConcurrentRequests: 1, maxBodyBytes });
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(40, 'conv-body-budget')) as Uint8Array);
  assert.ok(body.length > 4096 && body.length < maxBodyBytes);
  // A sender that sent 60 KiB of its body and stalls holds them.
  const slow = trickle(gateway.port, maxBodyBytes, Buffer.alloc(60 * 1024));
  try {
    await eventually(async () => gateway.stats().requestsInFlight === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await post(`${gateway.url}/v1/traces`, body, PROTO);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '2');
    assert.equal(await rowsOf('conv-body-budget'), 0);
    slow.destroy();
    await eventually(async () => gateway.stats().requestsInFlight === 0);
    const r = await post(`${gateway.url}/v1/traces`, body, PROTO);
    assert.equal(r.status, 200);
    assert.equal(await rowsOf('conv-body-budget'), 40);
  } finally {
    slow.destroy();
    await gateway.shutdown();
  }
});

/** A raw request that keeps its side open after the gateway's FIN (as a slowloris may), and what it was answered. */
function halfOpenPost(port: number, contentLength: number, first: Buffer, extraHeaders = ''): { socket: Socket; answer: () => string } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => undefined);
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n${extraHeaders}Content-Length: ${contentLength}\r\n\r\n`);
  if (first.length > 0) socket.write(first);
  return { socket, answer: () => got };
}

test('a sender answered 408 that keeps sending on its half of the connection is cut off: it holds no bytes and no request', async () => {
  // Before, the 408 only ended the gateway's side: the body went on being read, never timed out again, and its
  // 56 KiB kept every other sender at 429 for as long as the sender liked.
  const maxBodyBytes = 64 * 1024;
  const gateway = await startTestGateway(db, { maxConcurrentRequests: 1, maxBodyBytes, requestTimeoutMillis: 1000 });
  const slow = halfOpenPost(gateway.port, maxBodyBytes, Buffer.alloc(56 * 1024, 0x0a));
  const timer = setInterval(() => (slow.socket.destroyed ? clearInterval(timer) : slow.socket.write('\n')), 300);
  try {
    await eventually(async () => /^HTTP\/1\.1 408 /.test(slow.answer()), 4000);
    await eventually(async () => slow.socket.destroyed || slow.socket.readableEnded, 2000);
    await eventually(async () => gateway.stats().requestsInFlight === 0, 2000);
    const r = await post(`${gateway.url}/v1/traces`, Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(40, 'conv-after-408')) as Uint8Array), PROTO);
    assert.equal(r.status, 200);
    assert.equal(await rowsOf('conv-after-408'), 40);
  } finally {
    clearInterval(timer);
    slow.socket.destroy();
    await gateway.shutdown();
  }
});

test('every turn and waiting place taken: a new request is answered 429 at once, before its body is read', async () => {
  const stuck = poolWithStuckQueries(db.pool);
  const gateway = await startTestGateway(db, { pool: stuck, maxConcurrentRequests: 1, maxWaitingRequests: 0, orderLookupTimeoutMillis: 2500 });
  const second = halfOpenPost(gateway.port, 1_000_000, Buffer.alloc(0));
  try {
    const first = post(`${gateway.url}/v1/traces`, Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(2, 'conv-full-first')) as Uint8Array), PROTO);
    await eventually(async () => gateway.stats().orders.lookups === 1);
    // 1000 of its 1 000 000 bytes: before, it was answered only once it had sent them all (or at the request timeout).
    const late = halfOpenPost(gateway.port, 1_000_000, Buffer.alloc(1000, 0x0a));
    try {
      await eventually(async () => /^HTTP\/1\.1 429 /.test(late.answer()), 1000);
      assert.match(late.answer(), /\r\nRetry-After: 2\r\n/i);
    } finally {
      late.socket.destroy();
    }
    assert.equal((await first).status, 200);
  } finally {
    second.socket.destroy();
    await gateway.shutdown();
  }
});

test('a body written a byte at a time is charged what its chunks take in memory (MIN_CHUNK_COST each), not one byte each', async () => {
  // Each chunk is a Buffer of its own: counted as its bytes alone, a trickled body held a hundred times the budget.
  const maxBodyBytes = 64 * 1024;
  const gateway = await startTestGateway(db, { maxConcurrentRequests: 1, maxBodyBytes });
  const slow = halfOpenPost(gateway.port, maxBodyBytes, Buffer.alloc(0));
  slow.socket.setNoDelay(true);
  let sent = 0;
  try {
    await eventually(async () => gateway.stats().requestsInFlight === 1);
    // The budget (64 KiB and some slack) takes about 130 chunks charged 512 bytes; 600 one-byte chunks are sent.
    while (sent < 600 && slow.answer() === '') {
      slow.socket.write('\n');
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await eventually(async () => slow.answer() !== '', 2000);
    assert.match(slow.answer(), /^HTTP\/1\.1 429 /);
    assert.ok(sent < 600, `answered after ${sent} one-byte chunks`);
  } finally {
    slow.socket.destroy();
    await gateway.shutdown();
  }
});

test('a body of exactly maxBodyBytes whose last chunk is small is taken with maxConcurrentRequests 1 (small chunks are charged more)', async () => {
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(40, 'conv-exact-limit')) as Uint8Array);
  const gateway = await startTestGateway(db, { maxConcurrentRequests: 1, maxBodyBytes: body.length });
  const sender = halfOpenPost(gateway.port, body.length, body.subarray(0, body.length - 10));
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    sender.socket.write(body.subarray(body.length - 10));
    await eventually(async () => sender.answer() !== '', 5000);
    assert.match(sender.answer(), /^HTTP\/1\.1 200 /);
    assert.equal(await rowsOf('conv-exact-limit'), 40);
  } finally {
    sender.socket.destroy();
    await gateway.shutdown();
  }
});

test('senders without the token holding large bodies open take nothing from the body budget: a sender with it is served', async () => {
  // The token is checked before a body is read; the rest of an unauthenticated body is read and thrown away.
  const maxBodyBytes = 64 * 1024;
  const gateway = await startTestGateway(db, { maxConcurrentRequests: 1, maxBodyBytes, authTokens: ['tok'] });
  const strangers = [1, 2, 3, 4].map(() => halfOpenPost(gateway.port, maxBodyBytes, Buffer.alloc(60 * 1024, 0x0a)));
  try {
    await eventually(async () => strangers.every((s) => /^HTTP\/1\.1 401 /.test(s.answer())));
    const r = await post(`${gateway.url}/v1/traces`, Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(40, 'conv-with-token')) as Uint8Array), { ...PROTO, Authorization: 'Bearer tok' });
    assert.equal(r.status, 200);
    assert.equal(await rowsOf('conv-with-token'), 40);
  } finally {
    for (const s of strangers) s.socket.destroy();
    await gateway.shutdown();
  }
});

test('shutdown while a body is still arriving: that request is answered 503 at once and does not hold the shutdown', async () => {
  // Before, the shutdown waited its whole deadline for the body (which would have been refused anyway, the gateway
  // closing), and the delivery was left none of it to flush.
  const gateway = await startTestGateway(db, { shutdownTimeoutMillis: 4000 });
  const slow = halfOpenPost(gateway.port, 100_000, Buffer.alloc(1000, 0x0a));
  const timer = setInterval(() => (slow.socket.destroyed ? clearInterval(timer) : slow.socket.write('\n')), 200);
  try {
    await eventually(async () => gateway.stats().requestsInFlight === 1);
    const started = Date.now();
    await gateway.shutdown();
    assert.ok(Date.now() - started < 2000, `shutdown took ${Date.now() - started} ms`);
    await eventually(async () => slow.answer() !== '', 1000);
    assert.match(slow.answer(), /^HTTP\/1\.1 503 /);
    assert.match(slow.answer(), /\r\nRetry-After: 5\r\n/i);
  } finally {
    clearInterval(timer);
    slow.socket.destroy();
    await gateway.shutdown();
  }
});

test('a forwarded span is the received one: ids, parent, trace state, kind, times (ns), events, links, status, scope, resource', async () => {
  const received: ReceivedSpan[] = [];
  const jaeger = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(...decodeProtobufRequest(Buffer.concat(chunks)).spans);
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
  const port = (jaeger.address() as { port: number }).port;
  const gateway = await startTestGateway(db, { forwardUrl: `http://127.0.0.1:${port}/v1/traces` });
  try {
    const span = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '53995c3f42cd8ad8',
      traceState: 'vendor=abc,other=1',
      name: 'HTTP POST /generate',
      kind: 3,
      startTimeUnixNano: '1760000000123456789',
      endTimeUnixNano: '1760000000987654321',
      attributes: [{ key: 'http.request.method', value: { stringValue: 'POST' } }, { key: 'retries', value: { intValue: '2' } }],
      events: [{ timeUnixNano: '1760000000500000001', name: 'retry', attributes: [{ key: 'attempt', value: { intValue: 1 } }] }],
      links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'k=v', attributes: [{ key: 'why', value: { stringValue: 'batch' } }] }],
      status: { code: 2, message: 'upstream timeout' },
    };
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'python-worker' } }, { key: 'host.name', value: { stringValue: 'gpu-7' } }] },
          scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.requests', version: '0.48b0' }, spans: [span] }],
        },
      ],
    };
    const r = await post(`${gateway.url}/v1/traces`, Buffer.from(JSON.stringify(body)), { 'Content-Type': 'application/json' });
    assert.equal(r.status, 200);
    await eventually(async () => received.length === 1);
    const got = received[0] as ReceivedSpan;
    assert.equal(got.traceId, span.traceId);
    assert.equal(got.spanId, span.spanId);
    assert.equal(got.parentSpanId, span.parentSpanId);
    assert.equal(got.traceState, span.traceState);
    assert.equal(got.name, span.name);
    assert.equal(got.kind, 2); // API SpanKind.CLIENT
    assert.equal(got.startNanos, 1760000000123456789n);
    assert.equal(got.endNanos, 1760000000987654321n);
    assert.equal(got.attributes['http.request.method'], 'POST');
    assert.equal(got.attributes['retries'], 2);
    assert.deepEqual(got.events.map((e) => [e.name, e.time, e.attributes]), [['retry', [1760000000, 500000001], { attempt: 1 }]]);
    assert.deepEqual(got.links, [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'k=v', attributes: { why: 'batch' } }]);
    assert.deepEqual(got.status, { code: 2, message: 'upstream timeout' });
    assert.equal(got.scope.name, 'opentelemetry.instrumentation.requests');
    assert.equal(got.scope.version, '0.48b0');
    assert.deepEqual(got.resource.attributes, { 'service.name': 'python-worker', 'host.name': 'gpu-7' });
  } finally {
    await gateway.shutdown();
    await new Promise((resolve) => jaeger.close(resolve));
  }
});
