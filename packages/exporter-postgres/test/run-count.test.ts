/**
 * The `runs` argument of the pattern functions (`agentspan_<name>_last(runs)` and
 * `agentspan_recent_run_ids(runs)`): how many of the most recently started runs to read, NULL for
 * every run. A negative count is refused with an error naming the argument, whatever rows the
 * schema holds (it used to be Postgres' own "LIMIT must not be negative" on some data and an empty
 * answer on other), and a schema migrated before migration 26 gets the same from it.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { ERROR_RATES_SQL, IMPORT_USAGE_SQL, MIGRATIONS, REPEATED_CODE_SQL, TOOL_SEQUENCES_SQL, runMigrations } from '../src/index.js';

const FUNCTIONS = [
  'agentspan_recent_run_ids',
  'agentspan_repeated_code_last',
  'agentspan_tool_sequences_last',
  'agentspan_import_usage_last',
  'agentspan_error_rates_last',
] as const;

/** Two runs, the second started later, each with two tool calls and a code execution (the same code). */
async function seed(pool: pg.Pool): Promise<void> {
  for (const [i, runId] of ['run-older', 'run-newer'].entries()) {
    await pool.query(`INSERT INTO workflow_runs (id, status, started_at) VALUES ($1, 'success', now() - make_interval(mins => $2::int))`, [runId, 10 - i]);
    const events: [string, Record<string, unknown>][] = [
      ['tool_call', { tool: `search_${runId}` }],
      ['tool_call', { tool: 'write_file' }],
      ['code_exec', { code: 'import json', code_hash: 'same-code', language: 'python' }],
    ];
    for (const [order, [type, inputs]] of events.entries()) {
      await pool.query(
        `INSERT INTO execution_events (id, run_id, node_id, event_type, agent_name, "timestamp", completed_at, duration_ms, inputs, meta,
                                       execution_order, status, trace_id, span_id)
         VALUES ($1, $2, 'worker', $3, 'coder', now(), now(), 5, $4, '{"imports": ["json"]}', $5, 'completed', $6, $7)`,
        [randomUUID(), runId, type, inputs, order + 1, randomBytes(16).toString('hex'), randomBytes(8).toString('hex')],
      );
    }
  }
}

function call(pool: pg.Pool, fn: string, runs: number | null): Promise<pg.QueryResult> {
  return pool.query(`SELECT * FROM ${fn}($1::integer)`, [runs]);
}

/** Asserts the call is refused for its negative count: SQLSTATE 22023, the argument named, the value given. */
async function assertRefused(pool: pg.Pool, fn: string, runs: number): Promise<void> {
  await assert.rejects(call(pool, fn, runs), (err: Error & { code?: string }) => {
    assert.equal(err.code, '22023', `${fn}(${runs}): invalid_parameter_value, got ${err.code}: ${err.message}`);
    assert.match(err.message, new RegExp(`^agentspan: runs must be 0 or more \\(NULL: every run\\), got ${runs}$`));
    return true;
  });
}

describe('the runs argument of the pattern functions', () => {
  let db: TestSchema;
  before(async () => {
    db = await createTestSchema('run_count');
    await runMigrations(db.pool);
  });
  after(() => db.drop());

  it('a negative count is refused with an error naming it, on an empty schema', async () => {
    for (const fn of FUNCTIONS) for (const runs of [-1, -2147483648]) await assertRefused(db.pool, fn, runs);
  });

  it('a negative count is refused the same once runs and events are there', async () => {
    const s = await createTestSchema('run_count_data');
    try {
      await runMigrations(s.pool);
      await seed(s.pool);
      for (const fn of FUNCTIONS) await assertRefused(s.pool, fn, -1);
    } finally {
      await s.drop();
    }
  });

  it('0 reads no run, NULL every run, a positive count the newest ones', async () => {
    const s = await createTestSchema('run_count_reads');
    try {
      await runMigrations(s.pool);
      await seed(s.pool);
      for (const fn of FUNCTIONS) assert.equal((await call(s.pool, fn, 0)).rowCount, 0, `${fn}(0)`);
      assert.deepEqual((await call(s.pool, 'agentspan_recent_run_ids', 1)).rows, [{ run_id: 'run-newer' }]);
      assert.deepEqual((await call(s.pool, 'agentspan_recent_run_ids', null)).rows, [{ run_id: 'run-newer' }, { run_id: 'run-older' }]);
      const tools = async (runs: number | null) =>
        (await call(s.pool, 'agentspan_error_rates_last', runs)).rows.filter((r) => r.kind === 'tool').map((r) => `${r.name}:${r.calls}`).sort();
      assert.deepEqual(await tools(1), ['search_run-newer:1', 'write_file:1']);
      assert.deepEqual(await tools(null), ['search_run-newer:1', 'search_run-older:1', 'write_file:2']);
      assert.deepEqual((await call(s.pool, 'agentspan_repeated_code_last', null)).rows.map((r) => [r.code_hash, r.executions]), [['same-code', 2]]);
      assert.equal((await call(s.pool, 'agentspan_repeated_code_last', 1)).rowCount, 0, 'one execution in the newest run: no repetition');
      assert.deepEqual((await call(s.pool, 'agentspan_import_usage_last', 5)).rows.map((r) => [r.module, r.uses]), [['json', 2]]);
      assert.deepEqual(
        (await call(s.pool, 'agentspan_tool_sequences_last', 1)).rows.map((r) => r.sequence),
        ['search_run-newer > write_file'],
      );
      // The views are the functions over every run.
      assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM agentspan_error_rates')).rows[0].n, (await call(s.pool, 'agentspan_error_rates_last', null)).rowCount);
    } finally {
      await s.drop();
    }
  });

  it('a schema migrated before migration 26 gets the check from it', async () => {
    const s = await createTestSchema('run_count_mig26');
    try {
      await runMigrations(s.pool, { migrations: MIGRATIONS.filter((m) => m.version < 26) });
      // The functions as migrations 20 to 25 left them: no check, no condition calling it.
      const unchecked = [REPEATED_CODE_SQL, TOOL_SEQUENCES_SQL, IMPORT_USAGE_SQL, ERROR_RATES_SQL].map((sql) => {
        const before = sql.replace(/\n\s+(?:AND|WHERE) \(runs IS NULL OR runs >= 0 OR EXISTS \(SELECT FROM agentspan_recent_run_ids\(runs\)\)\)/, '');
        assert.notEqual(before, sql, 'the function as it was before migration 26');
        return before;
      });
      await s.pool.query(`
        CREATE OR REPLACE FUNCTION agentspan_recent_run_ids(runs integer) RETURNS TABLE (run_id text) LANGUAGE sql STABLE
        BEGIN ATOMIC SELECT w.id FROM workflow_runs w ORDER BY w.started_at DESC NULLS LAST, w.id LIMIT runs; END;
        DROP FUNCTION agentspan_checked_run_count(integer);
        ${unchecked.join('\n')}`);
      // Before: Postgres' own LIMIT error where the newest runs were read, an empty answer where they were not.
      await assert.rejects(call(s.pool, 'agentspan_recent_run_ids', -1), (err: Error & { code?: string }) => err.code === '2201W');
      assert.equal((await call(s.pool, 'agentspan_repeated_code_last', -1)).rowCount, 0);
      assert.deepEqual((await runMigrations(s.pool, { migrations: MIGRATIONS.filter((m) => m.version <= 26) })).applied, [26]);
      for (const fn of FUNCTIONS) await assertRefused(s.pool, fn, -1);
      await seed(s.pool);
      assert.equal((await call(s.pool, 'agentspan_error_rates_last', 1)).rowCount, 3, 'two tools and an agent of the newest run');
    } finally {
      await s.drop();
    }
  });
});
