/**
 * How a run's status reads, one way for every reader: the `runs` table's
 * mark, `runs --status`, the timeline header and the report. A status outside
 * the standard four (`run.end({ status: 'error' })` from JavaScript,
 * `agentspan.run.status` over OTLP) reads `failed`; none reads `unknown`.
 * stack-checks' dashboards-run-readings.test.ts checks the dashboards on the same cases.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { runOutcome, runOutcomeSql } from '@agentspan/exporter-postgres';
import { captureIo } from './helpers/io.js';

/** Stored statuses and how they read (`stale`: a `running` row whose heartbeat stopped). */
const STATUSES: readonly { id: string; status: string | null; reads: string; mark: string; heartbeatAgoMs?: number }[] = [
  { id: 'st-success', status: 'success', reads: 'success', mark: '✓ success' },
  { id: 'st-failed', status: 'failed', reads: 'failed', mark: '✗ failed' },
  { id: 'st-error', status: 'error', reads: 'failed', mark: '✗ error' },
  { id: 'st-timeout', status: 'timeout', reads: 'failed', mark: '✗ timeout' },
  { id: 'st-completed', status: 'completed', reads: 'success', mark: '✓ completed' },
  { id: 'st-ok', status: 'OK', reads: 'success', mark: '✓ OK' },
  { id: 'st-cancelled', status: 'cancelled', reads: 'cancelled', mark: '✗ cancelled' },
  { id: 'st-null', status: null, reads: 'unknown', mark: '? unknown' },
  { id: 'st-empty', status: '', reads: 'unknown', mark: '? unknown' },
  { id: 'st-running', status: 'running', reads: 'running', mark: '… running', heartbeatAgoMs: 5_000 },
  { id: 'st-stale', status: 'running', reads: 'stale', mark: '! stale', heartbeatAgoMs: 3600_000 },
];

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_outcome');
  await runMigrations(db.pool, { schema: db.schema });
  for (const s of STATUSES) {
    const live = s.heartbeatAgoMs !== undefined;
    const meta = live ? { last_seen_at: new Date(Date.now() - s.heartbeatAgoMs!).toISOString(), heartbeat_ms: 60_000 } : {};
    await db.pool.query(
      `INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms, meta)
       VALUES ($1, 'm', $2, now() - interval '10 minutes', CASE WHEN $3::boolean THEN NULL ELSE now() END, CASE WHEN $3::boolean THEN NULL ELSE 1000 END, $4)`,
      [s.id, s.status, live, meta],
    );
  }
});
after(async () => {
  await db.drop();
});

async function cli(args: string[]) {
  const io = captureIo({ DATABASE_URL: db.url });
  const code = await runCli(args, io);
  return { code, text: io.text(), stderr: io.stderr.join('\n') };
}

/** The ids `runs --status <status> --json` lists, sorted. */
async function listed(status: string): Promise<string[]> {
  const r = await cli(['runs', '--status', status, '--json', '--limit', '100']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.text) as { runs: { id: string }[] }).runs.map((run) => run.id).sort();
}

const readingAs = (outcome: string) => STATUSES.filter((s) => s.reads === outcome).map((s) => s.id).sort();

test('runOutcomeSql reads every status as runOutcome does (the filter and the marks cannot disagree)', async () => {
  const cases = [...STATUSES.map((s) => s.status), 'stale', 'SUCCESS', ' success', 'pending', "it's"];
  const rows = await db.pool.query<{ status: string | null; outcome: string }>(
    `SELECT s AS status, ${runOutcomeSql('s')} AS outcome FROM unnest($1::text[]) AS s`,
    [cases],
  );
  for (const r of rows.rows) assert.equal(r.outcome, runOutcome(r.status), JSON.stringify(r.status));
  await fc.assert(
    fc.asyncProperty(fc.string().filter((s) => !s.includes('\u0000')), async (status) => {
      const res = await db.pool.query<{ outcome: string }>(`SELECT ${runOutcomeSql('$1::text')} AS outcome`, [status]);
      assert.equal(res.rows[0]!.outcome, runOutcome(status));
    }),
    { numRuns: 50 },
  );
});

test('runs: each status is marked by how it reads, shown as stored (✗ error, ✗ timeout); no status is ? unknown', async () => {
  const { code, text } = await cli(['runs', '--limit', '100']);
  assert.equal(code, 0);
  for (const s of STATUSES) {
    const line = text.split('\n').find((l) => l.startsWith(`${s.id} `));
    assert.ok(line?.includes(`  ${s.mark}  `), `${s.id}: ${line}`);
  }
});

test('runs --status failed (and error) lists every run whose status reads failed: failed, error and any non-standard status', async () => {
  assert.deepEqual(await listed('failed'), ['st-error', 'st-failed', 'st-timeout']);
  assert.deepEqual(await listed('error'), await listed('failed'), 'error means failed');
  assert.deepEqual(await listed('success'), readingAs('success'));
  assert.deepEqual(await listed('cancelled'), readingAs('cancelled'));
});

test('runs --status: a run with no status is unknown, never running; running and stale are what the heartbeat says', async () => {
  assert.deepEqual(await listed('unknown'), ['st-empty', 'st-null']);
  assert.deepEqual(await listed('running'), ['st-running']);
  assert.deepEqual(await listed('stale'), ['st-stale']);
});

test('timeline: the run header marks a non-standard status as failed', async () => {
  const { code, text } = await cli(['timeline', 'st-timeout']);
  assert.equal(code, 0);
  assert.match(text.split('\n')[0]!, /^run st-timeout {2}m {2}✗ timeout /);
});
