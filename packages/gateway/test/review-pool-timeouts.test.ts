/**
 * The pool's millisecond options (`connectTimeoutMs`, `statementTimeoutMs`) above what a Node timer or Postgres
 * takes: clamped as the gateway's own timers are, never a pool whose every connection or query fails after 1 ms.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startGateway } from '../src/index.js';
import { genAiToolSpans, post } from './helpers.js';

let db: TestSchema;

before(async () => {
  db = await createTestSchema('gateway_pool_timeouts');
});
after(async () => {
  await db.drop();
});

const PROTO = { 'Content-Type': 'application/x-protobuf' };

async function rowsOf(conversation: string): Promise<number> {
  const r = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [conversation]);
  return r.rows[0].n as number;
}

/** One request through a gateway that owns its pool (`databaseUrl`), with `options`; its status, rows and the overflow warnings seen. */
async function oneRequest(conversation: string, options: { connectTimeoutMs?: number; statementTimeoutMs?: number }): Promise<{ status: number; rows: number; warnings: string[] }> {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'TimeoutOverflowWarning') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    const gateway = await startGateway({
      databaseUrl: db.url,
      schema: db.schema,
      port: 0,
      logger: { info: () => undefined, warn: () => undefined },
      ackTimeoutMillis: 3000,
      ...options,
    });
    let status: number;
    try {
      status = (await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(genAiToolSpans('pool-svc', 2, conversation)) as Uint8Array, PROTO)).status;
    } finally {
      await gateway.shutdown();
    }
    await new Promise((resolve) => setImmediate(resolve));
    return { status, rows: await rowsOf(conversation), warnings };
  } finally {
    process.off('warning', onWarning);
  }
}

test('connectTimeoutMs of 2^31 ms: clamped, the pool still connects (it timed out every connection after 1 ms: every request 503)', async () => {
  const r = await oneRequest('conv-connect-2p31', { connectTimeoutMs: 2 ** 31 });
  assert.equal(r.status, 200);
  assert.equal(r.rows, 2);
  assert.deepEqual(r.warnings, []);
});

test('statementTimeoutMs of 2^31 - 1 ms (the clamp of the other options): still writes (Postgres refused the statement_timeout, and the client timer of the exporter, 5 s beyond it, overflowed)', async () => {
  for (const [i, statementTimeoutMs] of [2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER].entries()) {
    const r = await oneRequest(`conv-statement-${i}`, { statementTimeoutMs });
    assert.equal(r.status, 200, `statementTimeoutMs ${statementTimeoutMs}`);
    assert.equal(r.rows, 2);
    assert.deepEqual(r.warnings, []);
  }
});

test('the pool options are still checked by the exporter: a negative, fractional, non-finite or unsafe value is refused with a RangeError', async () => {
  for (const bad of [{ connectTimeoutMs: -1 }, { statementTimeoutMs: 1.5 }, { connectTimeoutMs: Number.NaN }, { statementTimeoutMs: Number.POSITIVE_INFINITY }, { connectTimeoutMs: 2 ** 53 }]) {
    await assert.rejects(
      startGateway({ databaseUrl: db.url, schema: db.schema, port: 0, logger: { info: () => undefined, warn: () => undefined }, ...bad }),
      RangeError,
    );
  }
});
