import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { DASHBOARDS, dashboardByUid, DATASOURCES, allPanels, renderSql, resolveVariables, type DashboardJson, type QueryContext } from '../src/index.js';
import { createReaderRole, type ReaderRole } from './reader-role.js';

/**
 * The dashboards beside events in progress: an agent call, code execution or tool call still
 * running has a row that says `running` with no end, no duration and nothing its end records
 * (inputs, outputs, meta but its heartbeat). Panels run the way Grafana runs them, as the reader role.
 */

let db: TestSchema;
let reader: ReaderRole;
let client: pg.Client;

const now = Date.now();
const CTX: QueryContext = { range: { from: new Date(now - 2 * 3600_000), to: new Date(now + 60_000) }, interval: '1m' };
const RUN = 'dash-live-1';
const OTHER_RUN = 'dash-live-2';

interface EventSpec {
  runId: string;
  order: number;
  type: 'agent_call' | 'code_exec' | 'tool_call';
  name: string;
  /** `running`: a row in progress, last written `seenAgo` ms ago. */
  status: 'completed' | 'failed' | 'running';
  seenAgo?: number;
  inputs?: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

async function insertEvent(e: EventSpec): Promise<void> {
  const live = e.status === 'running';
  const meta = live ? { ...e.meta, last_seen_at: new Date(Date.now() - (e.seenAgo ?? 0)).toISOString(), heartbeat_ms: 60_000 } : (e.meta ?? {});
  await db.pool.query(
    `INSERT INTO execution_events (id, run_id, event_type, agent_name, "timestamp", started_at, completed_at, duration_ms, inputs, meta,
                                   error_message, execution_order, depth, status, trace_id, span_id, name)
     VALUES ($1, $2, $3, 'dash_agent', now() - interval '30 minutes' + make_interval(secs => $4::int),
             now() - interval '30 minutes' + make_interval(secs => $4::int),
             CASE WHEN $5::boolean THEN NULL ELSE now() - interval '30 minutes' + make_interval(secs => $4::int + 1) END,
             CASE WHEN $5::boolean THEN NULL ELSE 100 * $4::int END, $6, $7, $8, $4::int, 2, $9, $10, $11, $12)`,
    [
      randomUUID(),
      e.runId,
      e.type,
      e.order,
      live,
      e.inputs ?? {},
      meta,
      e.status === 'failed' ? 'boom' : null,
      e.status,
      'cd'.repeat(16),
      randomBytes(8).toString('hex'),
      e.name,
    ],
  );
}

before(async () => {
  db = await createTestSchema('dashboards_live');
  await runMigrations(db.pool, { schema: db.schema });
  for (const [id, ago] of [[RUN, 40], [OTHER_RUN, 35]] as const) {
    await db.pool.query(
      `INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms, trace_id)
       VALUES ($1, 'tool-loop', 'success', now() - make_interval(mins => $2::int), now(), 1000, $3)`,
      [id, ago, 'cd'.repeat(16)],
    );
  }
  const code = { code: 'import dash_mod\n', code_hash: 'dash-hash', language: 'python' };
  await insertEvent({ runId: RUN, order: 1, type: 'tool_call', name: 'execute_tool grep', status: 'failed', inputs: { tool: 'grep' }, meta: { has_error: true } });
  await insertEvent({ runId: RUN, order: 2, type: 'tool_call', name: 'execute_tool grep', status: 'completed', inputs: { tool: 'grep' } });
  await insertEvent({ runId: RUN, order: 3, type: 'tool_call', name: 'execute_tool grep', status: 'running', seenAgo: 5_000 });
  await insertEvent({ runId: RUN, order: 4, type: 'code_exec', name: 'execute_code dash_agent', status: 'running', seenAgo: 3600_000 });
  await insertEvent({ runId: RUN, order: 5, type: 'code_exec', name: 'execute_code dash_agent', status: 'completed', inputs: code, meta: { language: 'python', imports: ['dash_mod'] } });
  // The same code still running in another run, its row carrying the code and imports (as a writer that records them at
  // the start would): not a repetition yet, whatever the row holds.
  await insertEvent({ runId: OTHER_RUN, order: 1, type: 'code_exec', name: 'execute_code dash_agent', status: 'running', seenAgo: 3600_000, inputs: code, meta: { language: 'python', imports: ['dash_mod'] } });
  reader = await createReaderRole(db);
  client = await reader.connect();
});

after(async () => {
  await client?.end();
  await reader?.drop();
  await db?.drop();
});

async function runPanel(uid: string, title: string, selections: Record<string, string | string[]> = {}): Promise<Record<string, unknown>[]> {
  const d = dashboardByUid(uid);
  const panel = allPanels(d).find((p) => p.title === title);
  assert.ok(panel, `${uid} has a panel "${title}"`);
  const target = (panel.targets ?? []).find((t) => t.datasource.uid === DATASOURCES.postgres.uid)!;
  const vars = await resolveVariables(client, d, CTX, selections);
  return (await client.query(renderSql(target.rawSql!, vars, CTX))).rows as Record<string, unknown>[];
}

test('Run timeline: an event in progress reads running, or stale once its process fell silent, with no duration; its span name says what it is', async () => {
  const rows = await runPanel('agentspan-runs-overview', 'Run timeline', { run_id: [RUN] });
  assert.deepEqual(
    rows.map((r) => [r['order'], r['event_type'], r['status'], r['duration_ms'], r['detail']]),
    [
      [1, 'tool_call', 'failed', 100, 'grep'],
      [2, 'tool_call', 'completed', 200, 'grep'],
      [3, 'tool_call', 'running', null, 'execute_tool grep'],
      [4, 'code_exec', 'stale', null, 'execute_code dash_agent'],
      [5, 'code_exec', 'completed', 500, 'import dash_mod\n'],
    ],
  );
});

test('Runs overview: events in progress are events, and no errors', async () => {
  assert.deepEqual(await runPanel('agentspan-runs-overview', 'Events'), [{ events: '6' }]);
  assert.deepEqual(await runPanel('agentspan-runs-overview', 'Events with errors'), [{ errors: '1' }]);
});

test('Agents: the error rate is over the events that ended (one still running is no success), latencies over their durations', async () => {
  const [agent] = await runPanel('agentspan-agents', 'Agents');
  assert.deepEqual(
    [agent!['agent'], agent!['events'], agent!['errors'], Number(agent!['error_pct']), Number(agent!['max_ms'])],
    ['dash_agent', '6', '1', 33.3, 500],
  );
});

test('Tools and code: tool calls in progress are counted as calls, but in no failure rate and under no "(unknown)" tool', async () => {
  const uid = 'agentspan-tools-code';
  assert.deepEqual(await runPanel(uid, 'Tool calls'), [{ tool_calls: '3' }]);
  assert.equal(Number((await runPanel(uid, 'Tool failure rate'))[0]!['failure_pct']), 50);
  assert.deepEqual(await runPanel(uid, 'Top tools'), [{ tool: 'grep', calls: '2', failures: '1' }]);
  const tools = await runPanel(uid, 'Tools');
  assert.deepEqual(tools.map((t) => [t['tool'], t['calls'], Number(t['failure_pct'])]), [['grep', '2', 50]]);
  const overTime = await runPanel(uid, 'Tool failure rate over time');
  assert.deepEqual([...new Set(overTime.map((r) => r['metric']))], ['grep']);
});

test('Tools and code: an unfinished code execution is no repetition of its code, no use of its imports, and of no language yet', async () => {
  const uid = 'agentspan-tools-code';
  assert.deepEqual(await runPanel(uid, 'Code executions'), [{ code_execs: '3' }]);
  assert.deepEqual(await runPanel(uid, 'Code reused across runs'), [{ reused: '0' }]);
  assert.deepEqual(await runPanel(uid, 'Code repeated across runs'), []);
  assert.deepEqual(await runPanel(uid, 'Most common imports'), [{ module: 'dash_mod', executions: '1', runs: '1' }]);
  const languages = await runPanel(uid, 'Code executions by language');
  assert.deepEqual(languages.map((r) => [r['metric'], Number(r['executions'])]), [['python', 1]]);
});
