/**
 * Requests refused before their body is read (Postgres down without a spool, a declared body over the limit),
 * with more requests pipelined behind them on the same keep-alive connection: every request the gateway reads is
 * answered, in order, and a request it cannot answer (behind an answer that closes the connection) is not processed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startGateway, type Gateway } from '../src/index.js';
import { closedPort, unreachablePostgresOptions } from './unreachable-postgres.js';
import { eventually, genAiToolSpans, post, startTestGateway } from './helpers.js';
import { answersOf } from './raw-answers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_pipelined_refusals');
});
after(async () => {
  await db.drop();
});

const PROTO = { 'Content-Type': 'application/x-protobuf' };

function body(conversation: string, spans = 2): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(genAiToolSpans('pipelined-refusals-svc', spans, conversation)) as Uint8Array);
}

function request(payload: Buffer): Buffer {
  const head = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), payload]);
}

/** A gateway whose Postgres refuses every connection, known to be down (new requests are refused on their headers). */
async function downGateway(): Promise<Gateway> {
  const gateway = await startGateway({ ...unreachablePostgresOptions(await closedPort()), ackTimeoutMillis: 1000, retryAfterUnavailableSeconds: 3 });
  const first = await post(`${gateway.url}/v1/traces`, body('conv-refusals-warm'), PROTO);
  assert.equal(first.status, 503);
  await eventually(async () => gateway.stats().postgres.state === 'down');
  return gateway;
}

async function rowsOf(conversation: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conversation]);
  return r.rows[0].n as number;
}

for (const count of [2, 5]) {
  test(`Postgres down, no spool: ${count} requests pipelined in one write are each answered 503 with Retry-After, in order`, async () => {
    const gateway = await downGateway();
    const socket = connect(gateway.port, '127.0.0.1');
    const read = answersOf(socket);
    try {
      const requests = Array.from({ length: count }, (_, i) => request(body(`conv-refusals-${count}-${i}`)));
      socket.write(Buffer.concat(requests));
      await eventually(async () => read.answers().length >= count || read.closed(), 5000).catch(() => undefined);
      const answers = read.answers();
      assert.deepEqual(answers.map((a) => a.status), Array(count).fill(503), 'every request read gets its own answer');
      for (const a of answers) assert.equal(a.headers['retry-after'], '3');
      // Their bodies were read whole (and thrown away): the connection stays usable.
      assert.ok(!read.closed(), 'the connection is kept');
      socket.write(request(body('conv-refusals-after')));
      await eventually(async () => read.answers().length === count + 1, 5000);
      assert.equal(read.answers()[count]?.status, 503);
    } finally {
      socket.destroy();
      await gateway.shutdown();
    }
  });
}

test('Postgres down, no spool: a request refused while its body is still arriving is answered, its body read, and the request behind it answered too', async () => {
  const gateway = await downGateway();
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = request(body('conv-refusals-split-1', 20));
    const cut = first.length - 100;
    socket.write(first.subarray(0, cut));
    await eventually(async () => read.answers().length === 1, 5000);
    socket.write(Buffer.concat([first.subarray(cut), request(body('conv-refusals-split-2'))]));
    await eventually(async () => read.answers().length === 2 || read.closed(), 5000).catch(() => undefined);
    assert.deepEqual(read.answers().map((a) => a.status), [503, 503]);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('a body declared over maxBodyBytes is answered 413 and closes the connection; a request pipelined behind it is not processed (its sender retries it)', async () => {
  const gateway = await startTestGateway(db, { maxBodyBytes: 2000 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const big = Buffer.alloc(3000, 0);
    socket.write(Buffer.concat([request(big), request(body('conv-refusals-behind-413'))]));
    await eventually(async () => read.closed(), 5000);
    assert.deepEqual(read.answers().map((a) => a.status), [413]);
    assert.equal(read.answers()[0]?.headers['connection'], 'close');
    // Give a request that was processed anyway the time to be written.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await rowsOf('conv-refusals-behind-413'), 0, 'a request that could not be answered was not written either');
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('requests without a body (GET /health, GET /ready, a POST with neither Content-Length nor Transfer-Encoding) keep the connection: the requests pipelined behind them are each answered', async () => {
  const gateway = await startTestGateway(db);
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const bodyless = (line: string) => Buffer.from(`${line} HTTP/1.1\r\nHost: x\r\n\r\n`);
    socket.write(
      Buffer.concat([
        bodyless('GET /health'),
        bodyless('GET /ready'),
        bodyless('POST /nope'),
        bodyless('GET /v1/traces'),
        request(body('conv-refusals-behind-bodyless')),
      ]),
    );
    await eventually(async () => read.answers().length >= 5 || read.closed(), 5000).catch(() => undefined);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 200, 404, 405, 200], 'every request read gets its own answer');
    assert.ok(read.answers().every((a) => a.headers['connection'] !== 'close'), 'no answer closes the connection');
    assert.ok(!read.closed(), 'the connection is kept');
    assert.equal(await rowsOf('conv-refusals-behind-bodyless'), 2);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});
