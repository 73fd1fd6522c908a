/**
 * The ROLLBACK of a failed migration is bounded as the writer's is
 * (`ROLLBACK_TIMEOUT_MS`, `rollback.ts`). Unbounded, a server or link that
 * stopped answering right after the failing statement held `runMigrations`,
 * `exporter.migrate()` (and so a start-up that migrates) and the pool's
 * `end()` for ever. Against a real Postgres behind a proxy that goes silent
 * at the ROLLBACK: the migration's own error is what is reported, the
 * timeout is logged (and counted by the exporter), the connection is
 * discarded and the server keeps nothing of the migration.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { createTestSchema, silentAtRollback, testConnectionConfig, type SilentAtRollbackProxy, type TestSchema } from '@agentspan/test-support';
import pg from 'pg';
import {
  MigrationError,
  PostgresExecutionEventExporter,
  ROLLBACK_TIMEOUT_MS,
  RollbackTimeoutError,
  runMigrations,
  type Migration,
} from '../src/index.js';
import { EVENT_OUTCOMES_VIEW } from '../src/views.js';
import { until } from './until.js';

/** A migration whose SQL fails (22012) once the versions table has been created in the transaction. */
const FAILING: readonly Migration[] = [{ version: 1, name: 'divides_by_zero', sql: 'SELECT 1/0' }];

/** What diag logged at WARN and above. */
function captureDiag(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const logger: DiagLogger = {
    error: (m) => lines.push(`error ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { lines, stop: () => diag.disable() };
}

/** `p`'s outcome (its value or its error), or `'pending'` after `ms`. */
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | unknown | 'pending'> {
  return Promise.race([
    p.then(
      (v) => v,
      (err: unknown) => err,
    ),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms).unref()),
  ]);
}

describe("a failed migration's ROLLBACK against a server that stops answering", () => {
  let db: TestSchema;
  let proxy: SilentAtRollbackProxy;
  let app: string;
  let pool: pg.Pool;
  let poolErrors: Error[];
  before(async () => {
    db = await createTestSchema('migration_rollback');
  });
  beforeEach(async () => {
    proxy = await silentAtRollback({ host: '127.0.0.1', port: Number(testConnectionConfig().port ?? 5432) });
    app = `migration-rollback-${randomBytes(4).toString('hex')}`;
    // The application's pool, lent: no client-side query timeout bounds anything on it.
    pool = new pg.Pool({ ...testConnectionConfig(), host: '127.0.0.1', port: proxy.port, max: 1, application_name: app });
    poolErrors = [];
    pool.on('error', (e) => poolErrors.push(e));
  });
  after(async () => {
    await db.drop();
  });

  /** No backend of this test's pool is left, and nothing of the migration was committed. */
  async function nothingLeftOnTheServer(): Promise<void> {
    await until(async () => {
      const r = await db.pool.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
      return r.rows[0].n === 0;
    }, 5000, 'the backend of the cut connection to end');
    const versions = await db.pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [`"${db.schema}".agentspan_schema_migrations`]);
    assert.equal(versions.rows[0].present, false, 'the versions table created in the failed transaction is not there');
  }

  it(`runMigrations rejects with the migration's error after ${ROLLBACK_TIMEOUT_MS} ms, logs the timeout, discards the connection; pool.end() returns`, async () => {
    const log = captureDiag();
    try {
      const startedAt = Date.now();
      const outcome = await settledWithin(runMigrations(pool, { schema: db.schema, migrations: FAILING }), ROLLBACK_TIMEOUT_MS + 5000);
      const took = Date.now() - startedAt;
      assert.equal(proxy.swallowed, 1, 'the ROLLBACK met the silence');
      assert.ok(outcome instanceof MigrationError, `rejects with the MigrationError, got ${String(outcome)}`);
      assert.equal(outcome.code, '22012', "the migration's own SQLSTATE, not the ROLLBACK's");
      assert.deepEqual(outcome.migration, { version: 1, name: 'divides_by_zero' });
      assert.match(outcome.message, /division by zero/);
      assert.ok(!(outcome.cause instanceof RollbackTimeoutError));
      assert.ok(took >= ROLLBACK_TIMEOUT_MS && took < ROLLBACK_TIMEOUT_MS + 3000, `settled after ${took} ms`);
      assert.equal(pool.totalCount, 0, 'the cut connection was discarded, not given back to the pool');
      const rollbackLines = log.lines.filter((l) => l.includes('ROLLBACK'));
      assert.equal(rollbackLines.length, 1, JSON.stringify(log.lines));
      assert.match(rollbackLines[0] ?? '', /^warn .*ROLLBACK of a failed migration did not answer within 2000 ms.*division by zero/);
      await nothingLeftOnTheServer();
      await Promise.race([pool.end(), new Promise((_, reject) => setTimeout(() => reject(new Error('pool.end() hung')), 3000))]);
    } finally {
      log.stop();
      await proxy.close();
    }
  });

  it('exporter.migrate() (start-up) rejects with the MigrationError, counts the timeout in stats(), logs it once', async () => {
    // Migration 20 then fails: a table stands where it creates a view (42809).
    const blocked = await createTestSchema('migration_rollback_blocked');
    await blocked.pool.query(`CREATE TABLE "${blocked.schema}".${EVENT_OUTCOMES_VIEW} (x int)`);
    const log = captureDiag();
    const exporter = new PostgresExecutionEventExporter({ pool, schema: blocked.schema, migrate: false });
    try {
      const startedAt = Date.now();
      const outcome = await settledWithin(exporter.migrate(), ROLLBACK_TIMEOUT_MS + 5000);
      const took = Date.now() - startedAt;
      assert.equal(proxy.swallowed, 1);
      assert.ok(outcome instanceof MigrationError, `rejects with the MigrationError, got ${String(outcome)}`);
      assert.equal(outcome.migration.version, 20);
      assert.equal(outcome.code, '42809');
      assert.ok(took >= ROLLBACK_TIMEOUT_MS && took < ROLLBACK_TIMEOUT_MS + 3000, `settled after ${took} ms`);
      assert.equal(pool.totalCount, 0, 'discarded');
      assert.equal(exporter.stats().rollbackTimeouts, 1);
      assert.equal(log.lines.filter((l) => l.includes('ROLLBACK')).length, 1, JSON.stringify(log.lines));
      const tables = await blocked.pool.query(
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'execution_events'`,
        [blocked.schema],
      );
      assert.equal(tables.rows[0].n, 0, 'nothing of the failed transaction was committed');
      await exporter.shutdown();
      await Promise.race([pool.end(), new Promise((_, reject) => setTimeout(() => reject(new Error('pool.end() hung')), 3000))]);
    } finally {
      log.stop();
      await proxy.close();
      await blocked.drop();
    }
  });

  it('on a server that answers, the ROLLBACK is immediate and the connection goes back to the pool', async () => {
    const startedAt = Date.now();
    const answering = new pg.Pool({ ...testConnectionConfig(), max: 1, application_name: app });
    try {
      await assert.rejects(runMigrations(answering, { schema: db.schema, migrations: FAILING }), (err: unknown) => err instanceof MigrationError && err.code === '22012');
      assert.ok(Date.now() - startedAt < ROLLBACK_TIMEOUT_MS, 'no wait');
      assert.equal(answering.totalCount, 1, 'kept');
      assert.equal(answering.idleCount, 1, 'given back');
      // The same connection is sound: outside any transaction, and the next migration on it succeeds.
      const r = await answering.query('SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS outside');
      assert.equal(r.rows[0].outside, true);
      const ok = await runMigrations(answering, { schema: db.schema, migrations: [{ version: 1, name: 'fine', sql: 'SELECT 1' }] });
      assert.deepEqual(ok.applied, [1]);
    } finally {
      await answering.end();
      await proxy.close();
      await pool.end();
    }
  });
});
