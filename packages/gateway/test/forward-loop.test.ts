/**
 * Forwarding loops: a forwardUrl naming the gateway itself is refused at
 * start, and a request one gateway forwarded is stored but never forwarded
 * again by the next, so a loop through another gateway or a proxy ends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { hostname } from 'node:os';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startGateway } from '../src/index.js';
import { FORWARDED_HEADER, forwardsToItself } from '../src/forward-loop.js';
import { SpanFactory, assertExported, eventually, exportWith, startTestGateway } from './helpers.js';

describe('forwardsToItself', () => {
  const cases: [string, string, number, boolean][] = [
    // [forwardUrl, listening host, listening port, is it the gateway?]
    ['http://localhost:4318/v1/traces', '127.0.0.1', 4318, true],
    ['http://127.0.0.1:4318/v1/traces', '127.0.0.1', 4318, true],
    ['http://127.0.0.2:4318/v1/traces', '127.0.0.1', 4318, false], // another loopback address: another socket
    ['http://[::1]:4318/v1/traces', '127.0.0.1', 4318, false],
    ['http://127.0.0.1:4318/v1/traces', '::1', 4318, false],
    ['http://127.0.0.1:4318/v1/traces', '127.0.0.2', 4318, false],
    ['http://127.0.0.2:4318/v1/traces', '0.0.0.0', 4318, true],
    ['http://127.0.0.1:4318/v1/traces', 'localhost', 4318, true],
    ['http://0.0.0.0:4318/v1/traces', '127.0.0.1', 4318, true],
    ['http://LOCALHOST:4318/v1/traces', '0.0.0.0', 4318, true],
    ['http://localhost:4318/v1/traces', '::', 4318, true],
    [`http://${hostname()}:4318/v1/traces`, '0.0.0.0', 4318, true],
    ['http://gw.internal:4318/v1/traces', 'gw.internal', 4318, true],
    ['http://localhost/v1/traces', 'localhost', 80, true],
    ['https://localhost/v1/traces', '127.0.0.1', 443, true],
    ['http://localhost:14318/v1/traces', '127.0.0.1', 4318, false],
    ['http://jaeger:4318/v1/traces', '0.0.0.0', 4318, false],
    ['http://localhost:4318/v1/traces', '10.1.2.3', 4318, false],
    ['http://localhost/v1/traces', '127.0.0.1', 4318, false],
    ['not a url', '127.0.0.1', 4318, false],
  ];
  for (const [url, host, port, expected] of cases) {
    test(`${url} from ${host}:${port}: ${expected ? 'itself' : 'elsewhere'}`, () => {
      assert.equal(forwardsToItself(url, { host, port }), expected);
    });
  }
});

test('startGateway refuses a forwardUrl that is its own address, with a clear RangeError', async () => {
  const port = await freePort();
  await assert.rejects(
    startGateway({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', port, forwardUrl: `http://localhost:${port}/v1/traces` }),
    (err: unknown) => err instanceof RangeError && /forwardUrl .* is this gateway's own address/.test(err.message),
  );
  // Nothing was left listening.
  assert.equal(await freePort(port), port);
});

describe('the forwarded-request header', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('gateway_fwdloop');
  });
  after(async () => {
    await db.drop();
  });

  test(`forwarded requests carry ${FORWARDED_HEADER}: 1`, async () => {
    const seen: IncomingHttpHeaders[] = [];
    const jaeger = await otlpSink((req) => seen.push(req.headers));
    const gateway = await startTestGateway(db, { forwardUrl: `${jaeger.url}/v1/traces` });
    try {
      await send(gateway.url, toolSpans('conv-header'));
      await eventually(async () => seen.length > 0);
      assert.equal(seen[0]?.[FORWARDED_HEADER], '1');
    } finally {
      await gateway.shutdown();
      await jaeger.close();
    }
  });

  test('two gateways forwarding to each other: one request is stored and forwarded once, not back again', async () => {
    // Both ports chosen first: A on a port of the system's choosing could be given B's, just freed (then A
    // would forward to itself, which it refuses).
    const portB = await freePort();
    let portA = await freePort();
    while (portA === portB) portA = await freePort();
    const a = await startTestGateway(db, { port: portA, forwardUrl: `http://127.0.0.1:${portB}/v1/traces` });
    const b = await startTestGateway(db, { port: portB, forwardUrl: `${a.url}/v1/traces` });
    let aDown = false;
    try {
      const spans = toolSpans('conv-loop');
      await send(a.url, spans);
      await eventually(async () => b.stats().spansReceived >= spans.length);
      // B's shutdown delivers what its forwarding queue holds (to A, still up) before it resolves.
      await b.shutdown();
      await a.shutdown();
      aDown = true;
      assert.equal(a.stats().spansReceived, spans.length, 'A received the spans once: B did not send them back');
      assert.equal(b.stats().spansReceived, spans.length);
      assert.equal(b.stats().spansNotForwarded, spans.length);
      assert.equal(a.stats().spansNotForwarded, 0);
      const rows = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', ['conv-loop']);
      assert.equal(rows.rows[0].n, spans.length);
    } finally {
      await b.shutdown();
      if (!aDown) await a.shutdown();
    }
  });
});

function toolSpans(conversation: string) {
  const f = new SpanFactory('loop-svc');
  for (let i = 0; i < 2; i++) {
    const s = f.start(`execute_tool step_${i}`, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'step', 'gen_ai.conversation.id': conversation }, i);
    f.end(s, i + 1);
  }
  return f.finished();
}

async function send(gatewayUrl: string, spans: ReturnType<typeof toolSpans>): Promise<void> {
  const exporter = new ProtoExporter({ url: `${gatewayUrl}/v1/traces` });
  assertExported(await exportWith(exporter, spans));
  await exporter.shutdown();
}

/** A port nothing listens on (`wanted` if it is free). */
function freePort(wanted = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(wanted, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** An OTLP/HTTP endpoint that answers 200 to everything and reports each request. */
async function otlpSink(onRequest: (req: IncomingMessage) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    onRequest(req);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
