/**
 * What shutdown waits for, and what it must not wait out: it resolves as soon as every accepted span is written
 * (or spooled), not after a timer — the Postgres pipeline's batch delay, the keep-alive timeout of idle senders,
 * or the shutdown deadline.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { assertExported, eventually, exportWith, genAiToolSpans, post, startTestGateway } from './helpers.js';

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
