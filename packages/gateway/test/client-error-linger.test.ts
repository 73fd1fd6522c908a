/**
 * A malformed or timed-out request behind many pipelined ones, on a connection whose sender reads its answers late:
 * the answers written before the 400 or 408 all reach it, then the 400 or 408 (`Connection: close`), last. The
 * connection closes without a TCP reset (lingering-close.ts): closed with bytes unread, the socket sent one, and the
 * kernel threw away the answers it had not sent yet.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { eventually, startTestGateway } from './helpers.js';
import { answersOf } from './raw-answers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_client_error_linger');
});
after(async () => {
  await db.drop();
});

const HEALTH = Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
const COUNT = 600;

for (const c of [
  // A header line without a colon: malformed. What follows it stays unread on the socket when the gateway closes it.
  { name: '400 (malformed)', status: 400, requestTimeoutMillis: 30_000, tail: Buffer.concat([Buffer.from('GET /health HTTP/1.1\r\nHost x\r\n\r\n'), Buffer.alloc(256 * 1024, 0x61)]) },
  // Headers never finished: 408 after requestTimeoutMillis (3 to 4 s: Node checks every second), the sender still
  // sending. The linger lasts min(20 s, requestTimeoutMillis): past the 4.5 s the sender does not read.
  { name: '408 (timed out)', status: 408, requestTimeoutMillis: 3000, tail: Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\n') },
]) {
  test(`a sender reading late: the ${COUNT} answers pipelined before a ${c.name} all reach it, then the ${c.status} with Connection: close, none lost to a reset`, async () => {
    const gateway = await startTestGateway(db, { requestTimeoutMillis: c.requestTimeoutMillis });
    const socket = connect(gateway.port, '127.0.0.1');
    const read = answersOf(socket);
    let trickle: NodeJS.Timeout | undefined;
    try {
      socket.pause();
      socket.write(Buffer.concat([...Array<Buffer>(COUNT).fill(HEALTH), c.tail]));
      // Still sending (bytes unread when the gateway closes), but not reading, for 4.5 s.
      trickle = setInterval(() => {
        if (socket.writable) socket.write('X-Slow: 1\r\n');
      }, 100);
      await new Promise((resolve) => setTimeout(resolve, 4500));
      socket.resume();
      await eventually(async () => read.closed() || read.answers().length >= COUNT + 1, 10_000).catch(() => undefined);
      clearInterval(trickle);
      const statuses = read.answers().map((a) => a.status);
      assert.equal(statuses.length, COUNT + 1, `${statuses.length} answers read of ${COUNT + 1}`);
      assert.deepEqual(statuses.slice(0, COUNT), Array(COUNT).fill(200));
      assert.equal(statuses[COUNT], c.status, 'the client error is answered last');
      assert.equal(read.answers()[COUNT]?.headers['connection'], 'close');
      // The sender closes its side: the gateway's side closes too (it lingers only until then).
      socket.end();
      await eventually(async () => read.closed(), 5000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await gateway.shutdown();
    }
  });
}

test('a connection failed by malformed HTTP whose sender never closes: closed by the gateway within the linger bound, and a shutdown meanwhile is prompt', async () => {
  // requestTimeoutMillis 1500: the linger lasts at most that long (min(20 s, requestTimeoutMillis)).
  const gateway = await startTestGateway(db, { requestTimeoutMillis: 1500 });
  const socket = connect(gateway.port, '127.0.0.1');
  const read = answersOf(socket);
  const other = connect(gateway.port, '127.0.0.1');
  const otherRead = answersOf(other);
  let trickle: NodeJS.Timeout | undefined;
  try {
    const bad = Buffer.from('GET /health HTTP/1.1\r\nHost x\r\n\r\n');
    socket.write(Buffer.concat([HEALTH, bad]));
    other.write(Buffer.concat([HEALTH, bad]));
    // The sender keeps sending and never closes its side.
    trickle = setInterval(() => {
      for (const s of [socket, other]) if (s.writable) s.write('junk');
    }, 50);
    await eventually(async () => read.answers().length === 2 && otherRead.answers().length === 2, 5000);
    assert.deepEqual(read.answers().map((a) => a.status), [200, 400]);
    const answeredAt = Date.now();
    await eventually(async () => read.closed(), 5000);
    const lingered = Date.now() - answeredAt;
    assert.ok(lingered < 1500 + 1000, `closed ${lingered} ms after its answer`);
    // `other` has been lingering since too; a shutdown does not wait for it.
    const gateway2 = await startTestGateway(db, { requestTimeoutMillis: 30_000 });
    const third = connect(gateway2.port, '127.0.0.1');
    const thirdRead = answersOf(third);
    third.write(Buffer.concat([HEALTH, bad]));
    await eventually(async () => thirdRead.answers().length === 2, 5000);
    const started = Date.now();
    await gateway2.shutdown();
    assert.ok(Date.now() - started < 3000, `shutdown took ${Date.now() - started} ms with a connection lingering`);
    await eventually(async () => thirdRead.closed(), 2000);
    third.destroy();
  } finally {
    clearInterval(trickle);
    socket.destroy();
    other.destroy();
    await gateway.shutdown();
  }
});
