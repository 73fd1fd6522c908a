import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ExportResultCode } from '@opentelemetry/core';
import { Attr, EventType } from '@agentspan/semconv';
import { createTestSchema, testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import { PostgresExecutionEventExporter } from '../src/index.js';
import { exportSpans, spanFactory, type SpanFactory } from './helpers.js';

describe('configuration', () => {
  it('throws a clear error without pool or connection string', () => {
    assert.throws(() => new PostgresExecutionEventExporter({}), /either `pool` \(a pg.Pool\) or `connectionString`/);
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString: '' }), /either `pool`/);
    assert.throws(
      () => new PostgresExecutionEventExporter(undefined as unknown as { connectionString: string }),
      /options are required/,
    );
  });

  it('rejects bad numbers and schema names', () => {
    const connectionString = 'postgres://127.0.0.1:1/none';
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString, maxBatchRows: 0 }), /maxBatchRows/);
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString, poolSize: 1.5 }), /poolSize/);
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString, statementTimeoutMs: -1 }), /statementTimeoutMs/);
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString, schema: '' }), /schema/);
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString, schema: 'x'.repeat(64) }), /63-byte/);
    // "$user" in a search_path always means the role's own schema; pg_ names are reserved (42939 on every retry).
    assert.throws(() => new PostgresExecutionEventExporter({ connectionString, schema: '$user' }), {
      name: 'TypeError',
      message: /cannot be "\$user": in a search_path Postgres reads it as the name of the current role/,
    });
    for (const schema of ['pg_agent', 'pg_temp', 'pg_catalog']) {
      assert.throws(() => new PostgresExecutionEventExporter({ connectionString, schema }), {
        name: 'TypeError',
        message: /cannot start with "pg_" \(reserved for Postgres' system schemas\)/,
      });
    }
    // Only the exact spellings Postgres treats specially.
    for (const schema of ['$User', 'PG_agent', 'agent_pg_', '$user2']) new PostgresExecutionEventExporter({ connectionString, schema });
    assert.throws(
      () => new PostgresExecutionEventExporter({ pool: {} as unknown as pg.Pool }),
      /`pool` must be a pg.Pool/,
    );
  });
});

describe('lifecycle against Postgres', () => {
  let db: TestSchema;
  let f: SpanFactory;
  before(async () => {
    db = await createTestSchema('lifecycle');
    f = spanFactory();
  });
  after(async () => {
    await f.shutdown();
    await db.drop();
  });

  const eventSpan = (runId: string) =>
    f.make('handoff a -> b', { [Attr.ATTR_EVENT_TYPE]: EventType.HANDOFF, [Attr.ATTR_RUN_ID]: runId });

  it('an unreachable database gives FAILED without throwing or hanging', async () => {
    const exporter = new PostgresExecutionEventExporter({ connectionString: 'postgres://127.0.0.1:1/test', statementTimeoutMs: 2000 });
    const started = Date.now();
    let calls = 0;
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => {
      assert.doesNotThrow(() =>
        exporter.export([eventSpan('run-unreachable')], (r) => {
          calls++;
          resolve(r);
        }),
      );
    });
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(result.error instanceof Error);
    assert.ok(Date.now() - started < 2000 + 1000, 'finished within the timeout');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls, 1, 'callback called once');
    assert.equal(exporter.stats().failedExports, 1);
    await exporter.shutdown();
  });

  it('a connection that never answers fails within the connection timeout', async () => {
    // 10.255.255.1 is not routed on these machines: either an immediate error or a hang cut by the timeout.
    const exporter = new PostgresExecutionEventExporter({ connectionString: 'postgres://10.255.255.1:5432/test', statementTimeoutMs: 500 });
    const started = Date.now();
    const result = await exportSpans(exporter, [eventSpan('run-blackhole')]);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    await exporter.shutdown();
  });

  it('shutdown keeps its deadline when a connection is stuck while connecting (a server that accepts TCP and never answers)', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const exporter = new PostgresExecutionEventExporter({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 30_000, statementTimeoutMs: 30_000 });
      const result = exportSpans(exporter, [eventSpan('run-stuck-connecting')]);
      while (sockets.length === 0) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      await exporter.shutdown(300);
      const took = Date.now() - started;
      assert.ok(took < 800, `shutdown(300) took ${took} ms`);
      assert.equal((await result).code, ExportResultCode.FAILED);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('owns, configures and ends a pool made from a connection string', async () => {
    const exporter = new PostgresExecutionEventExporter({ connectionString: db.url, statementTimeoutMs: 12345 });
    const r = await exportSpans(exporter, [eventSpan('run-owned')]);
    assert.equal(r.code, ExportResultCode.SUCCESS, String(r.error));
    const pool = (exporter as unknown as { pool: pg.Pool }).pool;
    assert.equal(pool.listenerCount('error'), 1);
    const timeout = await pool.query('SHOW statement_timeout');
    assert.equal(timeout.rows[0].statement_timeout, '12345ms');
    await exporter.shutdown();
    await exporter.shutdown(); // idempotent
    assert.equal(pool.ended, true);
    const after = await exportSpans(exporter, [eventSpan('run-owned')]);
    assert.equal(after.code, ExportResultCode.FAILED);
    assert.match(String(after.error), /shut down/);
  });

  it('never ends a pool it was given', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool });
    assert.equal((await exportSpans(exporter, [eventSpan('run-given')])).code, ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const n = await db.pool.query(`SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'run-given'`);
    assert.equal(n.rows[0].n, 1);
  });

  it('forceFlush and shutdown await exports in flight', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool });
    let done = 0;
    for (let i = 0; i < 5; i++) exporter.export([eventSpan('run-flush')], () => done++);
    await exporter.forceFlush();
    assert.equal(done, 5);
    exporter.export([eventSpan('run-flush')], () => done++);
    await exporter.shutdown();
    assert.equal(done, 6);
  });

  it('retries a failed migration on the next export', async () => {
    const schema = `${db.schema}_later`;
    // search_path names a schema that does not exist yet: CREATE TABLE has nowhere to go.
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 2, options: `-c search_path="${schema}"` });
    pool.on('error', () => {});
    const exporter = new PostgresExecutionEventExporter({ pool });
    try {
      const first = await exportSpans(exporter, [eventSpan('run-retry')]);
      assert.equal(first.code, ExportResultCode.FAILED);
      await pool.query(`CREATE SCHEMA "${schema}"`);
      const second = await exportSpans(exporter, [eventSpan('run-retry')]);
      assert.equal(second.code, ExportResultCode.SUCCESS, String(second.error));
      const n = await pool.query(`SELECT COUNT(*)::int AS n FROM execution_events WHERE run_id = 'run-retry'`);
      assert.equal(n.rows[0].n, 1);
      assert.deepEqual(exporter.stats().failedExports, 1);
    } finally {
      await exporter.shutdown();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it('tables dropped with their versions kept: the failed write makes the next one migrate again, and it succeeds', async () => {
    const schema = `${db.schema}_dropped`;
    const exporter = new PostgresExecutionEventExporter({ connectionString: db.url, schema });
    try {
      assert.equal((await exportSpans(exporter, [eventSpan('run-before-drop')])).code, ExportResultCode.SUCCESS);
      await db.pool.query(`DROP TABLE "${schema}".execution_events, "${schema}".workflow_runs, "${schema}".dag_nodes CASCADE`);
      const failed = await exportSpans(exporter, [eventSpan('run-after-drop')]);
      assert.equal(failed.code, ExportResultCode.FAILED);
      assert.match(String(failed.error), /does not exist/);
      const next = await exportSpans(exporter, [eventSpan('run-after-drop')]);
      assert.equal(next.code, ExportResultCode.SUCCESS, String(next.error));
      const n = await db.pool.query(`SELECT COUNT(*)::int AS n FROM "${schema}".execution_events WHERE run_id = 'run-after-drop'`);
      assert.equal(n.rows[0].n, 1);
    } finally {
      await exporter.shutdown();
      await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('migrate() runs the migrations on demand, and again after a failure', async () => {
    const schema = `${db.schema}_ondemand`;
    const pool = new pg.Pool({ ...testConnectionConfig(), max: 2, options: `-c search_path="${schema}"` });
    pool.on('error', () => {});
    const exporter = new PostgresExecutionEventExporter({ pool, migrate: false });
    try {
      await assert.rejects(exporter.migrate(), /no schema has been selected/);
      await pool.query(`CREATE SCHEMA "${schema}"`);
      await exporter.migrate();
      await exporter.migrate(); // once applied, later calls resolve at once
      const n = await pool.query(`SELECT COUNT(*)::int AS n FROM agentspan_schema_migrations`);
      assert.ok(n.rows[0].n >= 3);
      assert.equal((await exportSpans(exporter, [eventSpan('run-ondemand')])).code, ExportResultCode.SUCCESS);
    } finally {
      await exporter.shutdown();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it('writes into a configured schema with qualified names', async () => {
    const schema = `${db.schema}_cfg`;
    const exporter = new PostgresExecutionEventExporter({ connectionString: db.url, schema });
    try {
      assert.equal((await exportSpans(exporter, [eventSpan('run-schema')])).code, ExportResultCode.SUCCESS);
      const n = await db.pool.query(`SELECT COUNT(*)::int AS n FROM "${schema}".execution_events WHERE run_id = 'run-schema'`);
      assert.equal(n.rows[0].n, 1);
    } finally {
      await exporter.shutdown();
      await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('a callback that throws does not break the exporter', async () => {
    const exporter = new PostgresExecutionEventExporter({ pool: db.pool, migrate: false });
    exporter.export([eventSpan('run-throwing-cb')], () => {
      throw new Error('callback failure');
    });
    await exporter.forceFlush();
    assert.equal((await exportSpans(exporter, [eventSpan('run-throwing-cb')])).code, ExportResultCode.SUCCESS);
    await exporter.shutdown();
  });
});
