/**
 * HTTP/1.1 pipelining: requests sent back to back on one keep-alive
 * connection are answered in order, each with its own answer, also when a
 * later one times out (`requestTimeoutMillis`) while an earlier one is still
 * being processed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import type { Gateway } from '../src/index.js';
import { eventually, genAiToolSpans, poolWithStuckQueries, startTestGateway } from './helpers.js';
import { answersOf } from './raw-answers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_pipeline');
});
after(async () => {
  await db.drop();
});

function toolSpans(n: number, conversation: string) {
  return genAiToolSpans('pipelining-svc', n, conversation);
}

function body(conversation: string): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(2, conversation)) as Uint8Array);
}

function head(contentLength: number): string {
  return `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

async function rowsOf(conversation: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conversation]);
  return r.rows[0].n as number;
}

/**
 * A gateway whose order lookup never answers: the first request of a new run
 * is held `orderLookupTimeoutMillis` before it is replayed (then numbered from
 * memory and written as usual), long enough for a request behind it to time out.
 */
function slowGateway(options: Parameters<typeof startTestGateway>[1] = {}): Promise<Gateway> {
  const stuck = poolWithStuckQueries(db.pool);
  return startTestGateway(db, { pool: stuck, orderLookupTimeoutMillis: 3000, requestTimeoutMillis: 1000, ...options });
}

test('pipelined: the second request times out while the first is processed: the first is answered 200, the second 408, in order', async () => {
  const gateway = await slowGateway();
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-first');
    const second = body('conv-pipe-second');
    // One write: the first request whole, the second's headers and half its body (the rest never comes).
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from(head(second.length)), second.subarray(0, 10)]));
    await eventually(async () => read.closed(), 8000);
    const answers = read.answers();
    assert.deepEqual(answers.map((a) => a.status), [200, 408], 'each request its own answer, in order');
    assert.equal(answers[1]?.headers['connection'], 'close');
    assert.equal(await rowsOf('conv-pipe-first'), 2, 'the first was accepted, and said so');
    assert.equal(await rowsOf('conv-pipe-second'), 0);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined: the second request\'s headers never end while the first is processed: 200 for the first, then 408 and the connection closed', async () => {
  const gateway = await slowGateway();
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-head-first');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-')]));
    await eventually(async () => read.closed(), 8000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 408]);
    assert.equal(await rowsOf('conv-pipe-head-first'), 2);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined: malformed HTTP behind a request being processed: 200 for that request, then 400 and the connection closed', async () => {
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 1000 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-malformed-first');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from('NOT HTTP AT ALL\r\n\r\n')]));
    await eventually(async () => read.closed(), 8000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 400]);
    assert.equal(await rowsOf('conv-pipe-malformed-first'), 2);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined: two whole requests in one write are both accepted and answered in order; the connection stays open', async () => {
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 1500 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-both-1');
    const second = body('conv-pipe-both-2');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from(head(second.length)), second]));
    await eventually(async () => read.answers().length === 2, 8000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 200]);
    assert.equal(read.closed(), false);
    assert.equal(await rowsOf('conv-pipe-both-1'), 2);
    assert.equal(await rowsOf('conv-pipe-both-2'), 2);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('requests are planned in the order they were read: a gzip body read first is numbered first, though a later plain one decodes sooner', async () => {
  const gateway = await startTestGateway(db);
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const conv = 'conv-pipe-read-order';
    const large = gzipSync(Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(4000, conv)) as Uint8Array));
    const small = Buffer.from(ProtobufTraceSerializer.serializeRequest(toolSpans(1, conv)) as Uint8Array);
    const gzipHead = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: gzip\r\nContent-Length: ${large.length}\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(gzipHead), large, Buffer.from(head(small.length)), small]));
    await eventually(async () => read.answers().length === 2, 15_000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 200]);
    const all = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conv]);
    assert.equal(all.rows[0].n, 4001);
    // The large request's spans are step_0 ... step_3999; the small one's single span is a step_0 of its own.
    const last = await db.pool.query('SELECT name FROM execution_events WHERE run_id = $1 ORDER BY execution_order DESC LIMIT 1', [conv]);
    assert.equal(last.rows[0].name, 'execute_tool step_0', 'the request read second is numbered after the first one\'s spans');
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined: a request timing out while nothing is pending on its connection is still answered 408 at once', async () => {
  const gateway = await startTestGateway(db, { requestTimeoutMillis: 1000 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-alone');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first.subarray(0, 10)]));
    const started = Date.now();
    await eventually(async () => read.closed(), 9000);
    assert.deepEqual(read.answers().map((a) => a.status), [408]);
    // Node's check falls 1 to 2 s after; held behind pending answers it would be pipelinedCloseMillis (10 s): room for load.
    assert.ok(Date.now() - started < 7000, `closed after ${Date.now() - started} ms`);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

/** Headers of a request that waits for `100 Continue` before sending its body (curl, .NET, Go with ExpectContinueTimeout). */
function expectHead(contentLength: number, contentType = 'application/x-protobuf'): string {
  return `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nExpect: 100-continue\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

test('pipelined Expect: 100-continue behind a request being processed: its 100 after the first answer, and its body then gets requestTimeoutMillis', async () => {
  // The first request is held 2.5 s (its order lookup), longer than the second's requestTimeoutMillis (1 s).
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 2500 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-expect');
    const second = body('conv-pipe-expect');
    const sentAt = Date.now();
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from(expectHead(second.length))]));
    // A client that waits for its 100 (no timeout of its own) sends the body only then.
    await eventually(async () => read.answers().some((a) => a.status === 100) || read.closed(), 20_000);
    const continuedAt = Date.now();
    socket.write(second);
    await eventually(async () => read.answers().length >= 3 || read.closed(), 20_000);
    const answers = read.answers();
    assert.deepEqual(answers.map((a) => a.status), [200, 100, 200], 'the 100 in its turn, after the first answer; the body taken');
    assert.ok((answers[1]?.at ?? 0) >= (answers[0]?.at ?? Infinity), 'the 100 is not read before the first answer');
    // Only a lower bound (load cannot make it fail): the body came after requestTimeoutMillis had passed since its headers.
    assert.ok(continuedAt - sentAt >= 1000, `body sent ${continuedAt - sentAt} ms after its headers`);
    assert.equal(read.closed(), false);
    assert.equal(await rowsOf('conv-pipe-expect'), 4);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined Expect: 100-continue whose body never comes after its 100: 408 requestTimeoutMillis after the 100, then closed', async () => {
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 2500 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-expect-silent');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from(expectHead(100))]));
    await eventually(async () => read.closed(), 20_000);
    const answers = read.answers();
    assert.deepEqual(answers.map((a) => a.status), [200, 100, 408]);
    // Timed from the headers, the 408 would come with the 100; from the 100, about requestTimeoutMillis (1 s) after it.
    // Both times are read by this (possibly loaded) process: a lower bound with room, no upper bound but the deadline.
    const waited = (answers[2]?.at ?? 0) - (answers[1]?.at ?? 0);
    assert.ok(waited >= 500, `408 ${waited} ms after the 100`);
    assert.equal(await rowsOf('conv-pipe-expect-silent'), 2);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined Expect: 100-continue refused on its headers (415) behind a request being processed: its final answer alone, intact, in order', async () => {
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 1500 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-expect-415');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from(expectHead(10, 'text/plain'))]));
    await eventually(async () => read.answers().length >= 2 || read.closed(), 8000);
    const answers = read.answers();
    assert.deepEqual(answers.map((a) => a.status), [200, 415], 'no 100 for a request refused on its headers');
    const status = JSON.parse(answers[1]?.body.toString('utf8') ?? '') as { message: string };
    assert.match(status.message, /Content-Type/, 'the 415 body is whole: no interim response written inside it');
    assert.equal(await rowsOf('conv-pipe-expect-415'), 2);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('Expect: 100-continue alone on its connection: 100 at once when the body is wanted, none when the headers already refuse it', async () => {
  const gateway = await startTestGateway(db, { authTokens: ['t0ken'] });
  try {
    const accepted = connect(gateway.port, '127.0.0.1');
    const readAccepted = answersOf(accepted);
    const payload = body('conv-expect-alone');
    accepted.write(expectHead(payload.length).replace('Host: x\r\n', 'Host: x\r\nAuthorization: Bearer t0ken\r\n'));
    // The sender sends nothing more until its 100 (it has no timeout of its own): the 100 must come unasked.
    await eventually(async () => readAccepted.answers().length >= 1, 10_000);
    assert.equal(readAccepted.answers()[0]?.status, 100);
    accepted.write(payload);
    await eventually(async () => readAccepted.answers().length >= 2, 10_000);
    assert.deepEqual(readAccepted.answers().map((a) => a.status), [100, 200]);
    accepted.destroy();

    const refused = connect(gateway.port, '127.0.0.1');
    const readRefused = answersOf(refused);
    refused.write(expectHead(payload.length)); // no token
    // Its body never sent, the connection is closed after the answer: nothing can come after that.
    await eventually(async () => readRefused.closed(), 10_000);
    assert.deepEqual(readRefused.answers().map((a) => a.status), [401], 'a final answer instead of asking for a body it refuses');
    refused.destroy();
    assert.equal(await rowsOf('conv-expect-alone'), 2);
  } finally {
    await gateway.shutdown();
  }
});

test('pipelined Expect: 100-continue held about as long as requestTimeoutMillis, its body sent half of it after the 100: accepted', async () => {
  // Node checks timeouts once a second: its 408 (2 to 3 s after the headers) falls before or after the 100 is written
  // (2.5 s); the body's time counts from the 100 either way. Sent 1 s after it: 1 s to spare for a loaded machine.
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 2500, requestTimeoutMillis: 2000 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const first = body('conv-pipe-expect-late');
    const second = body('conv-pipe-expect-late');
    socket.write(Buffer.concat([Buffer.from(head(first.length)), first, Buffer.from(expectHead(second.length))]));
    await eventually(async () => read.answers().some((a) => a.status === 100) || read.closed(), 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    socket.write(second);
    await eventually(async () => read.answers().length >= 3 || read.closed(), 20_000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 100, 200]);
    assert.equal(await rowsOf('conv-pipe-expect-late'), 4);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});

test('pipelined Expect: 100-continue requests whose bodies came without waiting for their 100, behind a request being processed: each answered in order, the connection kept open', async () => {
  // A sender may send the body without waiting for its 100 (RFC 9110, 10.1.1). Answered before its turn, such a request
  // gets no 100 (its body is read already): its final answer must not close the connection, as Node does by default
  // for an answer to an Expect request that was sent no 100, leaving the requests pipelined behind it unanswered.
  const gateway = await slowGateway({ orderLookupTimeoutMillis: 1500 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  try {
    const parts: Buffer[] = [];
    const first = body('conv-pipe-expect-eager');
    parts.push(Buffer.from(head(first.length)), first);
    for (let i = 0; i < 4; i++) {
      const next = body('conv-pipe-expect-eager');
      parts.push(Buffer.from(expectHead(next.length)), next);
    }
    socket.write(Buffer.concat(parts));
    const finals = (): number[] => read.answers().map((a) => a.status).filter((s) => s !== 100);
    await eventually(async () => finals().length >= 5 || read.closed(), 20_000);
    assert.deepEqual(finals(), [200, 200, 200, 200, 200], 'every request its own answer');
    assert.equal(read.closed(), false, 'the connection stays open');
    // A 100 written at all comes right before its request's final answer, never inside or after another.
    const statuses = read.answers().map((a) => a.status);
    statuses.forEach((s, i) => {
      if (s === 100) assert.notEqual(statuses[i + 1], 100);
    });
    assert.equal(await rowsOf('conv-pipe-expect-eager'), 10);
  } finally {
    socket.destroy();
    await gateway.shutdown();
  }
});
