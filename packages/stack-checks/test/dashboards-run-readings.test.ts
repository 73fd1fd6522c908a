import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { DASHBOARDS, dashboardByUid, DATASOURCES, allPanels, renderSql, resolveVariables, type DashboardJson, type QueryContext } from '../src/index.js';
import { createReaderRole, type ReaderRole } from './reader-role.js';

/**
 * How the dashboards name and read runs, as the CLI does: a run id someone chose is its label
 * whole (two ids with the same first 8 characters are two labels), and a run status outside the
 * standard four reads one way everywhere (`failed`; no status: `unknown`). Panels run the way
 * Grafana runs them, as the reader role.
 */

let db: TestSchema;
let reader: ReaderRole;
let client: pg.Client;

const now = Date.now();
const CTX: QueryContext = { range: { from: new Date(now - 2 * 3600_000), to: new Date(now + 60_000) }, interval: '1m' };

/** Chosen ids sharing their first 8 characters (`nightly-`), and a UUID the CLI shortens. */
const EU = 'nightly-2026-11-01-eu';
const US = 'nightly-2026-11-01-us';
const UUID = randomUUID();

/**
 * Stored statuses and how they read: the cases `runOutcome` of the CLI is tested with
 * (packages/cli/test/run-outcome.test.ts; both read through the exporter's `runOutcomeSql`). `stale` is a `running` row whose heartbeat stopped.
 */
const STATUSES: readonly { id: string; status: string | null; reads: string; heartbeatAgoMs?: number }[] = [
  { id: 'st-failed', status: 'failed', reads: 'failed' },
  { id: 'st-error', status: 'error', reads: 'failed' },
  { id: 'st-timeout', status: 'timeout', reads: 'failed' },
  { id: 'st-completed', status: 'completed', reads: 'success' },
  { id: 'st-ok', status: 'OK', reads: 'success' },
  { id: 'st-cancelled', status: 'cancelled', reads: 'cancelled' },
  { id: 'st-null', status: null, reads: 'unknown' },
  { id: 'st-empty', status: '', reads: 'unknown' },
  { id: 'st-running', status: 'running', reads: 'running', heartbeatAgoMs: 5_000 },
  { id: 'st-stale', status: 'running', reads: 'stale', heartbeatAgoMs: 3600_000 },
];

async function insertRun(id: string, status: string | null, minutesAgo: number, heartbeatAgoMs?: number): Promise<void> {
  const live = heartbeatAgoMs !== undefined;
  const meta = live ? { last_seen_at: new Date(Date.now() - heartbeatAgoMs).toISOString(), heartbeat_ms: 60_000 } : {};
  await db.pool.query(
    `INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms, meta)
     VALUES ($1, 'nightly', $2, now() - make_interval(mins => $3::int),
             CASE WHEN $4::boolean THEN NULL ELSE now() END, CASE WHEN $4::boolean THEN NULL ELSE 1000 END, $5)`,
    [id, status, minutesAgo, live, meta],
  );
}

async function insertFile(runId: string, minutesAgo: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, agent_name, "timestamp", status, trace_id, span_id, execution_order, outputs)
     VALUES ($1, $2, 'file_gen', 'writer', now() - make_interval(mins => $3::int), 'completed', $4, $5, 1, $6)`,
    [randomUUID(), runId, minutesAgo, 'ab'.repeat(16), randomBytes(8).toString('hex'), { file_path: `${runId}.txt`, file_type: 'txt' }],
  );
}

before(async () => {
  db = await createTestSchema('dashboards_runs');
  await runMigrations(db.pool, { schema: db.schema });
  for (const [i, id] of [EU, US, UUID].entries()) {
    await insertRun(id, 'success', 50 - i);
    await insertFile(id, 50 - i);
  }
  for (const s of STATUSES) await insertRun(s.id, s.status, 40, s.heartbeatAgoMs);
  reader = await createReaderRole(db);
  client = await reader.connect();
});

after(async () => {
  await client?.end();
  await reader?.drop();
  await db?.drop();
});

async function runPanel(uid: string, title: string): Promise<Record<string, unknown>[]> {
  const d = dashboardByUid(uid);
  const panel = allPanels(d).find((p) => p.title === title);
  assert.ok(panel, `${uid} has a panel "${title}"`);
  const target = (panel.targets ?? []).find((t) => t.datasource.uid === DATASOURCES.postgres.uid)!;
  const vars = await resolveVariables(client, d, CTX);
  return (await client.query(renderSql(target.rawSql!, vars, CTX))).rows as Record<string, unknown>[];
}

/** The texts `$run_id` offers, by value (what the dropdown shows for each run). */
async function runIdTexts(): Promise<Map<string, string>> {
  const variable = dashboardByUid('agentspan-runs-overview').templating.list.find((v) => v.name === 'run_id')!;
  const rows = (await client.query(renderSql(variable.query, [], CTX))).rows as { __value: string; __text: string }[];
  return new Map(rows.map((r) => [r.__value, r.__text]));
}

test('runs with chosen ids that share their first 8 characters get distinct labels; a UUID is shown as its first 8', async () => {
  const files = await runPanel('agentspan-files', 'Files per run');
  const events = await runPanel('agentspan-runs-overview', 'Events per run');
  const expected = [`${EU} nightly`, `${US} nightly`, `${UUID.slice(0, 8)} nightly`].sort();
  assert.deepEqual(files.map((r) => r['run']).sort(), expected, 'Files per run');
  assert.deepEqual(events.map((r) => r['run']).sort(), expected, 'Events per run');
  const texts = await runIdTexts();
  assert.match(texts.get(EU)!, new RegExp(`· ${EU}$`));
  assert.match(texts.get(US)!, new RegExp(`· ${US}$`));
  assert.match(texts.get(UUID)!, new RegExp(`· ${UUID.slice(0, 8)}$`));
});

/** "Runs by status", and the totals per series of "Runs over time", which must group runs the same way. */
async function runsByReading(): Promise<{ byStatus: Record<string, number>; overTime: Record<string, number> }> {
  const pie = await runPanel('agentspan-runs-overview', 'Runs by status');
  const byStatus = Object.fromEntries(pie.map((r) => [String(r['status']), Number(r['runs'])]));
  const overTime: Record<string, number> = {};
  for (const r of await runPanel('agentspan-runs-overview', 'Runs over time')) {
    overTime[String(r['metric'])] = (overTime[String(r['metric'])] ?? 0) + Number(r['runs']);
  }
  return { byStatus, overTime };
}

test('a status outside the standard four (error, timeout) reads failed in every run panel, a word for success (completed, OK) success, as in `agentspan runs --status`', async () => {
  const failed = STATUSES.filter((s) => s.reads === 'failed').length;
  const { byStatus, overTime } = await runsByReading();
  assert.equal(byStatus['failed'], failed, 'Runs by status');
  assert.equal(overTime['failed'], failed, 'Runs over time');
  assert.ok(!('error' in byStatus) && !('timeout' in byStatus), 'no slice of their own');
  assert.deepEqual(await runPanel('agentspan-runs-overview', 'Failed runs'), [{ failed: String(failed) }]);
  // Of the runs that ended (3 success, `completed`, `OK`, 3 failed, 1 cancelled), 5 succeeded.
  const [succeeded] = await runPanel('agentspan-runs-overview', 'Succeeded');
  assert.equal(Number(succeeded!['success_pct']).toFixed(2), ((100 * 5) / 9).toFixed(2));
  const table = await runPanel('agentspan-runs-overview', 'Runs');
  assert.equal(table.find((r) => r['run_id'] === 'st-error')!['status'], 'error', 'the Runs table shows the status as stored');
});

test('a run with no status (NULL or empty) reads unknown, never running, as in `agentspan runs`', async () => {
  const { byStatus, overTime } = await runsByReading();
  assert.deepEqual(byStatus, { success: 5, failed: 3, cancelled: 1, unknown: 2, running: 1, stale: 1 });
  assert.deepEqual(overTime, byStatus, 'Runs over time groups as Runs by status does');
  const table = await runPanel('agentspan-runs-overview', 'Runs');
  for (const id of ['st-null', 'st-empty']) assert.equal(table.find((r) => r['run_id'] === id)!['status'], 'unknown', id);
});
