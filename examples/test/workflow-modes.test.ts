import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { EXAMPLES, PLANNING_CONTROL_PLAN, runExample, type ExampleResult } from '../src/index.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('workflow_modes');
});
after(async () => {
  await db.drop();
});

async function run(name: string): Promise<{ result: ExampleResult; printed: string }> {
  const printed: string[] = [];
  const result = await runExample(name, {
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    print: (t) => printed.push(t),
    agentspan: { logger: { warn: () => undefined } },
  });
  return { result, printed: printed.join('\n') };
}

async function eventMix(runId: string): Promise<Record<string, number>> {
  const res = await db.pool.query<{ event_type: string; n: number }>(
    'SELECT event_type, COUNT(*)::int AS n FROM execution_events WHERE run_id = $1 GROUP BY event_type ORDER BY event_type',
    [runId],
  );
  return Object.fromEntries(res.rows.map((r) => [r.event_type, r.n]));
}

/** Execution order follows simulated time: a replay by order is a replay in time. */
async function assertOrderedInTime(runId: string): Promise<void> {
  const res = await db.pool.query<{ execution_order: number; ts: Date }>(
    'SELECT execution_order, "timestamp" AS ts FROM execution_events WHERE run_id = $1 ORDER BY execution_order',
    [runId],
  );
  for (let i = 1; i < res.rows.length; i++) {
    assert.ok(res.rows[i]!.ts.getTime() >= res.rows[i - 1]!.ts.getTime(), `event ${res.rows[i]!.execution_order} starts before its predecessor`);
  }
  const runRow = await db.pool.query<{ completed_at: Date; status: string }>('SELECT completed_at, status FROM workflow_runs WHERE id = $1', [runId]);
  assert.equal(runRow.rows[0]?.status, 'success');
  assert.ok(runRow.rows[0]!.completed_at.getTime() <= Date.now(), 'the scripted run ends before now (inside a dashboard range ending at now)');
}

test('all three workflow modes are registered', () => {
  assert.deepEqual(Object.keys(EXAMPLES).sort(), ['idea-generation', 'one-shot', 'planning-control']);
});

test('one-shot records agent calls, code executions, a tool call and fib.txt', async () => {
  const { result, printed } = await run('one-shot');
  assert.deepEqual(await eventMix(result.runId), { agent_call: 3, code_exec: 2, file_gen: 1, tool_call: 1 });
  assert.ok(existsSync(join(result.workspaceDir, 'fib.txt')));
  assert.match(printed, /events by type:/);
});

test('planning-control: a reviewed 3-step plan, one node per step, real CSV and plot files', async () => {
  const { result, printed } = await run('planning-control');
  const { runId, workspaceDir } = result;
  assert.deepEqual(await eventMix(runId), { agent_call: 10, code_exec: 4, file_gen: 4, handoff: 4, tool_call: 5 });
  await assertOrderedInTime(runId);

  const nodes = await db.pool.query<{ node_id: string; node_type: string; order_index: number; status: string }>(
    'SELECT node_id, node_type, order_index, status FROM dag_nodes WHERE run_id = $1 ORDER BY order_index',
    [runId],
  );
  assert.deepEqual(
    nodes.rows.map((n) => [n.node_id, n.node_type, n.status]),
    [['planning', 'planning', 'completed'], ...PLANNING_CONTROL_PLAN.map((s) => [s.nodeId, 'step', 'completed'])],
  );
  const mode = await db.pool.query<{ mode: string; task: string }>('SELECT mode, task_description AS task FROM workflow_runs WHERE id = $1', [runId]);
  assert.equal(mode.rows[0]?.mode, 'planning-control');
  assert.match(mode.rows[0]!.task, /load data, plot, compute statistics/);

  // The files are really there, and each has one file_gen row in the node that wrote it.
  const files = await db.pool.query<{ node_id: string; path: string; type: string; has: string; content: string | null; size: string }>(
    `SELECT node_id, outputs->>'file_path' AS path, outputs->>'file_type' AS type, meta->>'has_content' AS has,
            outputs->>'file_content' AS content, outputs->>'file_size' AS size
       FROM execution_events WHERE run_id = $1 AND event_type = 'file_gen' ORDER BY execution_order`,
    [runId],
  );
  assert.deepEqual(
    files.rows.map((f) => [f.node_id, f.path, f.type]),
    [
      ['step_1', 'data/clean.csv', 'csv'],
      ['step_2', 'plots/temperature.png', 'png'],
      ['step_3', 'results/statistics.csv', 'csv'],
      ['step_3', 'results/summary.json', 'json'],
    ],
  );
  for (const f of files.rows) {
    const onDisk = readFileSync(join(workspaceDir, f.path));
    assert.equal(Number(f.size), onDisk.length, `${f.path}: recorded size`);
    if (f.type === 'png') {
      assert.deepEqual([...onDisk.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a real PNG');
      assert.equal(f.has, 'false', 'binary content is not captured');
    } else {
      assert.equal(f.has, 'true');
      assert.equal(f.content, onDisk.toString('utf8'), `${f.path}: captured content`);
    }
  }
  const stats = readFileSync(join(workspaceDir, 'results/statistics.csv'), 'utf8');
  assert.match(stats, /^station,temperature_c_mean,temperature_c_std,/);
  assert.match(stats, /\nnorth,/);
  assert.match(stats, /\nsouth,/);
  const summary = JSON.parse(readFileSync(join(workspaceDir, 'results/summary.json'), 'utf8')) as { rows: number; stations: string[] };
  assert.deepEqual(summary.stations, ['north', 'south']);
  assert.equal(summary.rows, 46, 'two incomplete rows dropped from 48');

  // Extraction saw the pandas/matplotlib code: imports, and the failed first attempt.
  const code = await db.pool.query<{ node_id: string; imports: string[]; has_error: string; error_type: string | null; exit_code: number }>(
    `SELECT node_id, meta->'imports' AS imports, meta->>'has_error' AS has_error, meta->>'error_type' AS error_type,
            (outputs->>'exit_code')::int AS exit_code
       FROM execution_events WHERE run_id = $1 AND event_type = 'code_exec' ORDER BY execution_order`,
    [runId],
  );
  assert.equal(code.rows.length, 4);
  assert.deepEqual(code.rows[0], { node_id: 'step_1', imports: ['pandas'], has_error: 'true', error_type: 'KeyError', exit_code: 1 });
  for (const row of code.rows.slice(1)) assert.equal(row.has_error, 'false');
  assert.ok(code.rows[2]!.imports.includes('matplotlib'), 'the plot step imports matplotlib');

  const handoffs = await db.pool.query<{ from: string; to: string }>(
    `SELECT inputs->>'from_agent' AS from, inputs->>'to_agent' AS to FROM execution_events
      WHERE run_id = $1 AND event_type = 'handoff' ORDER BY execution_order`,
    [runId],
  );
  assert.deepEqual(handoffs.rows.map((h) => `${h.from}->${h.to}`), [
    'planner->control',
    'control->engineer',
    'control->engineer',
    'control->engineer',
  ]);
  const tools = await db.pool.query<{ tool: string; n: number }>(
    `SELECT inputs->>'tool' AS tool, COUNT(*)::int AS n FROM execution_events WHERE run_id = $1 AND event_type = 'tool_call' GROUP BY 1 ORDER BY 1`,
    [runId],
  );
  assert.deepEqual(tools.rows, [
    { tool: 'execute_python', n: 4 },
    { tool: 'inspect_file', n: 1 },
  ]);

  assert.match(printed, /run [0-9a-f-]+ \(planning-control\): success/);
  assert.match(printed, /file_gen executor @ step_2 \(order \d+\) plots\/temperature\.png/);
  assert.match(printed, /handoff\s+4/);
});

test('idea-generation: maker and hater rounds, handoffs, no code and no files', async () => {
  const { result, printed } = await run('idea-generation');
  const { runId } = result;
  assert.deepEqual(await eventMix(runId), { agent_call: 5, handoff: 4 });
  await assertOrderedInTime(runId);
  const nodes = await db.pool.query<{ node_id: string }>('SELECT node_id FROM dag_nodes WHERE run_id = $1 ORDER BY order_index', [runId]);
  assert.deepEqual(nodes.rows.map((n) => n.node_id), ['round_1', 'round_2', 'selection']);
  const speakers = await db.pool.query<{ agent_name: string; has_code: string | null }>(
    `SELECT agent_name, meta->>'has_code' AS has_code FROM execution_events
      WHERE run_id = $1 AND event_type = 'agent_call' ORDER BY execution_order`,
    [runId],
  );
  assert.deepEqual(speakers.rows.map((s) => s.agent_name), ['idea_maker', 'idea_hater', 'idea_maker', 'idea_hater', 'idea_maker']);
  assert.ok(speakers.rows.every((s) => s.has_code !== 'true'), 'no message carries code');
  assert.match(printed, /run [0-9a-f-]+ \(idea-generation\): success/);
  assert.match(printed, /agent_call\s+5/);
});
