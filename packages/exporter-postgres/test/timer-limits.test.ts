/**
 * Millisecond options past what a Node timer takes (2^31 - 1 ms): Node fires such a timer after 1 ms, so an
 * unclamped `connectTimeoutMs` failed every connection, an unclamped `statementTimeoutMs` every query (and Postgres
 * refuses a `statement_timeout` above 2^31 - 1 anyway), and `shutdown(ms)` stopped waiting at once.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import { Attr, EventType } from '@agentspan/semconv';
import { MAX_TIMER_MILLIS } from '@agentspan/delivery';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import type pg from 'pg';
import { PostgresExecutionEventExporter, PostgresSpanProcessor } from '../src/index.js';
import { exportSpans, spanFactory, type SpanFactory } from './helpers.js';

// The edges too: a statement timeout 1 ms past the clamp (its query_timeout 5 s later would overflow), 2^31 - 1
// itself (a connect timeout taken as it is), and the first value a timer no longer takes.
const HUGE = [MAX_TIMER_MILLIS - 4999, MAX_TIMER_MILLIS, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER];

describe('millisecond options beyond a Node timer', () => {
  let db: TestSchema;
  let f: SpanFactory;
  before(async () => {
    db = await createTestSchema('timer_limits');
    f = spanFactory();
  });
  after(async () => {
    await f.shutdown();
    await db.drop();
  });

  const eventSpan = (runId: string) => f.make('handoff a -> b', { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: runId });

  async function storedRows(runId: string): Promise<number> {
    const r = await db.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = $1', [runId]);
    return r.rows[0]?.n ?? 0;
  }

  for (const ms of HUGE) {
    it(`connectTimeoutMs ${ms} is "wait as long as it takes", not 1 ms: an owned pool connects and writes`, async () => {
      const exporter = new PostgresExecutionEventExporter({ connectionString: db.url, connectTimeoutMs: ms });
      try {
        const runId = `run-connect-${ms}`;
        const r = await exportSpans(exporter, [eventSpan(runId)]);
        assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
        assert.equal(await storedRows(runId), 1);
      } finally {
        await exporter.shutdown();
      }
    });

    it(`statementTimeoutMs ${ms} on an owned pool: connections open and queries run, with the longest timeout Postgres and a timer take`, async () => {
      const exporter = new PostgresExecutionEventExporter({ connectionString: db.url, statementTimeoutMs: ms });
      try {
        const runId = `run-statement-owned-${ms}`;
        const r = await exportSpans(exporter, [eventSpan(runId)]);
        assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
        assert.equal(await storedRows(runId), 1);
        const pool = (exporter as unknown as { pool: pg.Pool }).pool;
        const shown = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
        // The client gives up 5 s later (query_timeout): that timer must fit too.
        assert.equal(shown.rows[0]?.statement_timeout, `${MAX_TIMER_MILLIS - 5000}ms`);
      } finally {
        await exporter.shutdown();
      }
    });

    it(`statementTimeoutMs ${ms} on a given pool: SET LOCAL takes it`, async () => {
      const exporter = new PostgresExecutionEventExporter({ pool: db.pool, statementTimeoutMs: ms });
      const runId = `run-statement-given-${ms}`;
      const r = await exportSpans(exporter, [eventSpan(runId)]);
      assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
      assert.equal(await storedRows(runId), 1);
      await exporter.shutdown();
    });
  }

  for (const ms of [2 ** 32, Number.POSITIVE_INFINITY, Number.NaN]) {
    it(`shutdown(${ms}) waits for a write in flight instead of cutting it after 1 ms`, async () => {
      const exporter = new PostgresExecutionEventExporter({ connectionString: db.url });
      const warm = await exportSpans(exporter, [eventSpan(`run-shutdown-warm-${ms}`)]); // migrations done
      assert.equal(warm.code, ExportResultCode.SUCCESS, String(warm.error));
      const locker = await db.pool.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE execution_events IN SHARE MODE'); // blocks the write's COPY/INSERT
        const runId = `run-shutdown-${ms}`;
        const write = exportSpans(exporter, [eventSpan(runId)]);
        await new Promise((r) => setTimeout(r, 100));
        const shutdown = exporter.shutdown(ms);
        await new Promise((r) => setTimeout(r, 300));
        await locker.query('COMMIT');
        const r = await write;
        assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
        await shutdown;
        assert.equal(await storedRows(runId), 1);
      } finally {
        await locker.query('ROLLBACK').catch(() => {});
        locker.release();
        await exporter.shutdown();
      }
    });
  }
});

describe('ready(ms) beyond a Node timer, or not a number', () => {
  // A fresh schema each time: the migrations take some milliseconds, longer than the 1 ms Node gave a timer of 2^31
  // ms or NaN, which answered `{ ok: false }` while the database was there.
  for (const ms of [2 ** 31, 2 ** 40, Infinity, Number.NaN]) {
    it(`ready(${ms}) waits for the migrations (as long as they take, NaN the 5000 ms default), not 1 ms`, async () => {
      const schema = await createTestSchema('timer_limits_ready_run');
      const processor = new PostgresSpanProcessor({ connectionString: schema.url });
      try {
        const result = await processor.ready(ms);
        assert.deepEqual(result, { ok: true });
      } finally {
        await processor.shutdown();
        await schema.drop();
      }
    });
  }
});
