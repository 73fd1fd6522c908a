/**
 * The ROLLBACK of an abandoned write is bounded (`ROLLBACK_TIMEOUT_MS`). On a
 * pool the application lent, nothing else bounds it (no client-side query
 * timeout of ours): a server that stops answering just then held the write,
 * and the application's connection, for ever, and with them the exporter's
 * shutdown and the application's own `pool.end()`. Against a real Postgres
 * behind a proxy that goes silent when it sees the ROLLBACK.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, silentAtRollback, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import pg from 'pg';
import { PostgresExecutionEventExporter, ROLLBACK_TIMEOUT_MS, WriteAbortedError } from '../src/index.js';
import { spanFactory, type SpanFactory } from './helpers.js';
import { until } from './until.js';

describe('the ROLLBACK after an abort, on a lent pool, against a server that stops answering', () => {
  let db: TestSchema;
  let f: SpanFactory;
  let locker: pg.Client;
  before(async () => {
    db = await createTestSchema('rollback_timeout');
    f = spanFactory();
    locker = new pg.Client(testConnectionConfig());
    await locker.connect();
    const setup = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
    await setup.migrate();
  });
  after(async () => {
    await locker.end();
    await f.shutdown();
    await db.drop();
  });

  it(`gives up after ${ROLLBACK_TIMEOUT_MS} ms: the write rejects, the connection is discarded, counted and logged once; the pool ends`, async () => {
    const proxy = await silentAtRollback({ host: '127.0.0.1', port: Number(testConnectionConfig().port ?? 5432) });
    const app = `rollback-test-${randomBytes(4).toString('hex')}`;
    // The application's pool, lent to the exporter: no query timeout of ours on it.
    const pool = new pg.Pool({ ...testConnectionConfig(), host: '127.0.0.1', port: proxy.port, max: 1, application_name: app });
    pool.on('error', () => {});
    const logged: string[] = [];
    const logger: DiagLogger = {
      error: (m) => logged.push(`error ${m}`),
      warn: (m) => logged.push(`warn ${m}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const exporter = new PostgresExecutionEventExporter({ pool, schema: db.schema, migrate: false, writeMethod: 'unnest' });
    try {
      for (let round = 1; round <= 2; round++) {
        const rows = exporter.prepareRows(
          [f.make('execute_tool t', { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: `rollback-${round}`, [Attr.ATTR_EXECUTION_ORDER]: 1 })],
        ).rows;
        // The write waits for a lock; the abort cancels its statement (the cancel passes), then its ROLLBACK meets silence.
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE "${db.schema}".execution_events IN SHARE MODE`);
        const abort = new AbortController();
        const write = exporter.writeMappedRows(rows, abort.signal);
        const settled = write.then(
          () => 'resolved',
          (err: unknown) => err,
        );
        try {
          await until(async () => {
            const r = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app]);
            return r.rows[0].n === 1;
          }, 5000, 'the write to wait for the lock');
          const abortedAt = Date.now();
          abort.abort(new Error('given up'));
          await until(() => proxy.swallowed === round, 5000, 'the ROLLBACK to be sent');
          const outcome = await Promise.race([settled, new Promise((r) => setTimeout(() => r('pending'), ROLLBACK_TIMEOUT_MS + 3000))]);
          assert.ok(outcome instanceof WriteAbortedError, `the write rejects with WriteAbortedError, got ${String(outcome)}`);
          const took = Date.now() - abortedAt;
          assert.ok(took >= ROLLBACK_TIMEOUT_MS && took < ROLLBACK_TIMEOUT_MS + 3000, `settled ${took} ms after the abort`);
          assert.equal(pool.totalCount, 0, 'the silent connection was discarded, not given back');
        } finally {
          await locker.query('COMMIT');
        }
        assert.equal(exporter.stats().rollbackTimeouts, round);
      }
      assert.equal(logged.filter((l) => l.includes('ROLLBACK')).length, 1, `logged once: ${JSON.stringify(logged)}`);
      // Nothing of ours holds the application's pool: it ends, and the exporter shuts down at once.
      const shutdownAt = Date.now();
      await exporter.shutdown(10_000);
      assert.ok(Date.now() - shutdownAt < 1000, `shutdown took ${Date.now() - shutdownAt} ms`);
      await Promise.race([pool.end(), new Promise((_, reject) => setTimeout(() => reject(new Error('pool.end() hung')), 3000))]);
    } finally {
      diag.disable();
      await proxy.close();
    }
  });
});
