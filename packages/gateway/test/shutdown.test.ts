/**
 * What shutdown waits for, and what it must not wait out: it resolves as soon as every accepted span is written
 * (or spooled), not after a timer — the Postgres pipeline's batch delay, the keep-alive timeout of idle senders,
 * or the shutdown deadline.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startGateway } from '../src/index.js';
import { closedPort, unreachablePostgresOptions } from './unreachable-postgres.js';
import { assertExported, eventually, exportWith, genAiToolSpans, post, poolWithStuckQueries, startTestGateway } from './helpers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_shutdown');
});
after(async () => {
  await db.drop();
});

const PROTO = { 'Content-Type': 'application/x-protobuf' };
/** The intervals a shutdown could wait out, set far above the bound the tests assert. */
const LONG_MILLIS = 10_000;
/** Well under LONG_MILLIS (and the server's 5 s keep-alive timeout), far over a shutdown that only does its work. */
const BOUND_MILLIS = 3000;

async function rowsOf(conversation: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conversation]);
  return r.rows[0].n as number;
}

async function timedShutdown(gateway: { shutdown(): Promise<void> }): Promise<number> {
  const t0 = performance.now();
  await gateway.shutdown();
  return performance.now() - t0;
}

test('shutdown of a gateway whose rows are written resolves at once: the official exporter\'s idle keep-alive connection and the deadline are not waited out', async () => {
  const gateway = await startTestGateway(db, { shutdownTimeoutMillis: LONG_MILLIS });
  // The official exporter keeps its connection open between requests (an idle keep-alive socket at shutdown).
  const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
  try {
    assertExported(await exportWith(exporter, genAiToolSpans('shutdown-svc', 3, 'conv-shutdown-idle')));
    assertExported(await exportWith(exporter, genAiToolSpans('shutdown-svc', 2, 'conv-shutdown-idle', 3)));
    const took = await timedShutdown(gateway);
    assert.ok(took < BOUND_MILLIS, `shutdown took ${took.toFixed(0)} ms`);
    assert.equal(await rowsOf('conv-shutdown-idle'), 5);
  } finally {
    await exporter.shutdown();
  }
});

test('a request waiting for its batch at shutdown is written and acknowledged at once, not after the pipeline\'s scheduledDelayMillis', async () => {
  const gateway = await startTestGateway(db, {
    // A batch would leave only 10 s after its first span: the shutdown must send it now.
    postgresDelivery: { scheduledDelayMillis: LONG_MILLIS },
    ackTimeoutMillis: 3 * LONG_MILLIS,
    shutdownTimeoutMillis: 3 * LONG_MILLIS,
  });
  let stopped = false;
  try {
    const url = `${gateway.url}/v1/traces`;
    const waiting = post(url, ProtobufTraceSerializer.serializeRequest(genAiToolSpans('shutdown-svc', 4, 'conv-shutdown-batch')) as Uint8Array, PROTO);
    // Replayed, its spans queued for the batch timer, its sender waiting for the commit.
    await eventually(async () => gateway.stats().postgres.queueDepth > 0 && gateway.stats().requestsInFlight === 1);
    const took = await timedShutdown(gateway);
    stopped = true;
    assert.ok(took < BOUND_MILLIS, `shutdown took ${took.toFixed(0)} ms`);
    assert.equal((await waiting).status, 200);
    assert.equal(await rowsOf('conv-shutdown-batch'), 4);
  } finally {
    if (!stopped) await gateway.shutdown();
  }
});

// ---------------------------------------------------------------------------
// Postgres unreachable at shutdown, no spool: the spans held are dropped, and their requests are answered 503.
// ---------------------------------------------------------------------------

test('Postgres unreachable, no spool: a request waiting for its commit when shutdown begins is answered 503 with Retry-After (not a reset), and shutdown ends at its deadline, not at ackTimeoutMillis', async () => {
  const port = await closedPort();
  const gateway = await startGateway({
    ...unreachablePostgresOptions(port),
    retryAfterUnavailableSeconds: 7,
    ackTimeoutMillis: 30_000,
    shutdownTimeoutMillis: 1000,
  });
  const answer = post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(genAiToolSpans('shutdown-svc', 3, 'conv-unreachable')) as Uint8Array, PROTO).then(
    (r) => r,
    (err: NodeJS.ErrnoException) => err,
  );
  // Accepted (Postgres not known to be down yet), replayed, its spans held for a commit that cannot come.
  await eventually(async () => {
    const s = gateway.stats();
    return s.requestsInFlight === 1 && s.postgres.state === 'down' && s.postgres.queueDepth > 0;
  });
  const took = await timedShutdown(gateway);
  const r = await answer;
  assert.ok(!(r instanceof Error), `the sender got ${r instanceof Error ? (r.code ?? r.message) : ''} instead of an answer`);
  assert.equal(r.status, 503);
  assert.equal(r.headers['retry-after'], '7');
  assert.match(r.body.toString('latin1'), /retry later/);
  // The deadline (1 s) and a margin; the acknowledgement's 30 s are not waited out.
  assert.ok(took < BOUND_MILLIS, `shutdown took ${took.toFixed(0)} ms`);
  assert.equal(gateway.stats().requestsInFlight, 0);
});

test('Postgres unreachable, no spool, a request in flight at shutdown: the process exits promptly once shutdown() resolved (nothing waits out ackTimeoutMillis)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./unreachable-shutdown-child.ts', import.meta.url)), '1000', '30000'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let resolvedAt: number | undefined;
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (resolvedAt === undefined && out.includes('\n')) resolvedAt = performance.now();
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  // Killed well before the 30 s acknowledgement wait would end: a process still alive then fails the test.
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const exitedAt = performance.now();
  clearTimeout(kill);
  assert.ok(resolvedAt !== undefined, `the child printed nothing (exit ${String(code)}): ${err}`);
  const report = JSON.parse(out.trim()) as { shutdownMillis: number; answer: { status?: number; retryAfter?: string; error?: string } };
  assert.equal(report.answer.error, undefined, `the sender got ${report.answer.error ?? ''} instead of an answer`);
  assert.equal(report.answer.status, 503);
  assert.equal(report.answer.retryAfter, '5');
  assert.ok(report.shutdownMillis < BOUND_MILLIS, `shutdown took ${report.shutdownMillis.toFixed(0)} ms`);
  const lived = exitedAt - resolvedAt;
  assert.equal(code, 0, err);
  assert.ok(lived < BOUND_MILLIS, `the process lived ${lived.toFixed(0)} ms after shutdown() resolved`);
});

// ---------------------------------------------------------------------------
// Millisecond options above a Node timer's limit (2^31 - 1): clamped, never a timer that fires after 1 ms.
// ---------------------------------------------------------------------------

const OVER_TIMER_LIMIT = 2 ** 31;

/** Collects the TimeoutOverflowWarnings Node emits while `fn` runs (a timer given more than 2^31 - 1 ms fires after 1 ms). */
async function overflowWarningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'TimeoutOverflowWarning') seen.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    await fn();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

test('shutdownTimeoutMillis above the timer limit (2^31 ms): shutdown still waits for a request in flight (answered 200), instead of giving up after 1 ms and resetting its connection', async () => {
  // The request's order lookup never answers: it is in flight for orderLookupTimeoutMillis, then written.
  const gateway = await startTestGateway(db, { pool: poolWithStuckQueries(db.pool), orderLookupTimeoutMillis: 1000, shutdownTimeoutMillis: OVER_TIMER_LIMIT });
  let answer: Promise<{ status: number } | Error> | undefined;
  const warnings = await overflowWarningsDuring(async () => {
    answer = post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(genAiToolSpans('shutdown-svc', 2, 'conv-shutdown-overflow')) as Uint8Array, PROTO).then(
      (r) => r,
      (err: Error) => err,
    );
    await eventually(async () => gateway.stats().orders.lookups === 1 && gateway.stats().requestsInFlight === 1);
    await gateway.shutdown();
  });
  const r = await answer;
  assert.ok(r !== undefined && !(r instanceof Error), `the sender got ${r instanceof Error ? r.message : 'nothing'} instead of an answer`);
  assert.equal(r.status, 200);
  assert.equal(await rowsOf('conv-shutdown-overflow'), 2);
  assert.deepEqual(warnings, []);
});

test('every millisecond option above the timer limit is clamped: a gateway with all of them at 2^31 ms starts, answers and stops without a TimeoutOverflowWarning', async () => {
  const warnings = await overflowWarningsDuring(async () => {
    const gateway = await startTestGateway(db, {
      startupMigrationTimeoutMillis: OVER_TIMER_LIMIT,
      requestTimeoutMillis: OVER_TIMER_LIMIT,
      ackTimeoutMillis: OVER_TIMER_LIMIT,
      orderLookupTimeoutMillis: OVER_TIMER_LIMIT,
      shutdownTimeoutMillis: OVER_TIMER_LIMIT,
    });
    try {
      const r = await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(genAiToolSpans('shutdown-svc', 2, 'conv-clamped')) as Uint8Array, PROTO);
      assert.equal(r.status, 200);
    } finally {
      await gateway.shutdown();
    }
  });
  assert.deepEqual(warnings, []);
  assert.equal(await rowsOf('conv-clamped'), 2);
});

test('startupMigrationTimeoutMillis is checked as the other options are: a negative, fractional or non-finite value is refused with a RangeError naming it; 0 (do not wait) is accepted', async () => {
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    await assert.rejects(startTestGateway(db, { startupMigrationTimeoutMillis: bad }), (err: Error) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, /`startupMigrationTimeoutMillis` must be a non-negative integer/);
      return true;
    });
  }
  const gateway = await startTestGateway(db, { startupMigrationTimeoutMillis: 0 });
  await gateway.shutdown();
});
