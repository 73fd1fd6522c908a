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
import { eventually, genAiToolSpans, poolWithStuckQueries, post, startTestGateway } from './helpers.js';
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

test('a refused body arriving slower than its 5 s discard: the answer of the request before it, still being processed, is written before the connection closes, then the refusal with Connection: close', async () => {
  // The first request's order lookup never answers: it is replayed after orderLookupTimeoutMillis (7 s), past the
  // 5 s the refused body behind it gets to arrive. Until 2026-12 the discard then destroyed the connection, and the
  // first request's 200 (its rows written) was never sent.
  const gateway = await startTestGateway(db, { pool: poolWithStuckQueries(db.pool), orderLookupTimeoutMillis: 7000 });
  // Refused on its headers: a 415 whose declared body fits maxBodyBytes (read and thrown away on a connection kept
  // open), and a 413 whose body does not (the connection closes after it; its body is still read so that the sender
  // gets to read the answer). Both trickle 10 bytes every 200 ms: whole after minutes, never within the 5 s.
  const cases = [
    { name: '415', head: 'Content-Type: text/plain\r\nContent-Length: 1000', status: 415 },
    { name: '413', head: `Content-Type: application/x-protobuf\r\nContent-Length: ${17 * 1024 * 1024}`, status: 413 },
  ];
  const sockets = cases.map(() => connect(gateway.port, '127.0.0.1'));
  let trickle: NodeJS.Timeout | undefined;
  try {
    const reads = cases.map((c, i) => {
      const socket = sockets[i]!;
      const read = answersOf(socket);
      socket.write(Buffer.concat([request(body(`conv-slow-discard-${c.name}`)), Buffer.from(`POST /v1/traces HTTP/1.1\r\nHost: x\r\n${c.head}\r\n\r\n`)]));
      return read;
    });
    trickle = setInterval(() => {
      for (const socket of sockets) if (socket.writable) socket.write(Buffer.alloc(10, 0x61));
    }, 200);
    await eventually(async () => reads.every((r) => r.closed()), 12_000);
    for (const [i, c] of cases.entries()) {
      const answers = reads[i]!.answers();
      assert.deepEqual(answers.map((a) => a.status), [200, c.status], `${c.name}: the answer owed before the refusal, then the refusal, in order`);
      assert.notEqual(answers[0]?.headers['connection'], 'close', c.name);
      assert.equal(answers[1]?.headers['connection'], 'close', `${c.name}: the refusal says the connection closes (its body was not read whole)`);
      assert.equal(await rowsOf(`conv-slow-discard-${c.name}`), 2, `${c.name}: the request answered 200 was written`);
    }
  } finally {
    clearInterval(trickle);
    for (const socket of sockets) socket.destroy();
    await gateway.shutdown();
  }
});

test('requests pipelined behind an answer that closes the connection, while an earlier one is processed: not processed, and the connection read no further after the first (they were all parsed and held until it closed)', async () => {
  const gateway = await startTestGateway(db, { pool: poolWithStuckQueries(db.pool), orderLookupTimeoutMillis: 3000, maxBodyBytes: 2000 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  let flood: NodeJS.Timeout | undefined;
  try {
    // The first request is held 3 s (its order lookup); the second declares a body over maxBodyBytes: 413, and the
    // connection closes after it. Its body comes whole (read and thrown away), then a health check every 20 ms, each
    // in a write of its own, until the connection closes: none can ever be answered.
    socket.write(Buffer.concat([request(body('conv-behind-close')), request(Buffer.alloc(3000, 0))]));
    let sent = 0;
    flood = setInterval(() => {
      if (!socket.writable) return;
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      sent += 1;
    }, 20);
    await eventually(async () => read.closed(), 8000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 413]);
    assert.ok(sent > 50, `${sent} requests sent behind the 413`);
    const notProcessed = gateway.stats().requestsNotProcessed;
    // What one read brings (a loaded machine may read several writes at once); all of them before (153 of 154).
    assert.ok(notProcessed >= 1 && notProcessed <= 10, `${notProcessed} of ${sent} requests parsed behind the closing answer`);
    assert.equal(await rowsOf('conv-behind-close'), 2);
  } finally {
    clearInterval(flood);
    socket.destroy();
    await gateway.shutdown();
  }
});

test('a sender reading its answers late (its receive window full): the answers owed before a refused body slower than its discard all reach it, none lost to a reset', async () => {
  // 600 health checks (about 150 kB of answers, more than the sender's receive window while it does not read), a
  // request whose order lookup holds it 6 s, and a refusal whose body trickles past the 5 s discard. Closing a socket
  // with bytes unread sends a TCP reset, and a reset throws away what the kernel had not sent yet: the sender, reading
  // at 9 s, got the answers its window held and lost the rest, the 200 of the request whose rows were written among them.
  const gateway = await startTestGateway(db, { pool: poolWithStuckQueries(db.pool), orderLookupTimeoutMillis: 6000 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  let trickle: NodeJS.Timeout | undefined;
  try {
    socket.pause();
    const health = Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.write(Buffer.concat([...Array<Buffer>(600).fill(health), request(body('conv-late-reader')), Buffer.from('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n')]));
    trickle = setInterval(() => {
      if (socket.writable) socket.write(Buffer.alloc(10, 0x61));
    }, 200);
    await new Promise((resolve) => setTimeout(resolve, 9000));
    clearInterval(trickle);
    socket.resume();
    await eventually(async () => read.closed(), 10_000);
    const statuses = read.answers().map((a) => a.status);
    assert.equal(statuses.length, 602, `${statuses.length} answers read of 602`);
    assert.deepEqual(statuses.slice(-2), [200, 415]);
    assert.equal(await rowsOf('conv-late-reader'), 2);
  } finally {
    clearInterval(trickle);
    socket.destroy();
    await gateway.shutdown();
  }
});
