import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { runExample } from '@agentspan/examples';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import {
  DASHBOARDS,
  DATASOURCES,
  allPanels,
  renderSql,
  resolveVariables,
  type DashboardJson,
  type PanelJson,
  type QueryContext,
  type TargetJson,
  type VariableState,
} from '../src/index.js';
import { createReaderRole, type ReaderRole } from './reader-role.js';

/**
 * Every Postgres panel of every dashboard, run the way Grafana runs it:
 * variables resolved by their own queries and interpolated as the frontend
 * does, macros expanded as the backend does, executed as the SELECT-only
 * reader role, against tables filled by the example workflows.
 */

let db: TestSchema;
let reader: ReaderRole;
let client: pg.Client;
const seeded: { name: string; runId: string }[] = [];
const SEED = ['one-shot', 'planning-control', 'idea-generation', 'one-shot', 'planning-control'];

before(async () => {
  db = await createTestSchema('dashboards');
  for (const name of SEED) {
    const r = await runExample(name, {
      databaseUrl: db.url,
      schema: db.schema,
      otlpEndpoint: false,
      print: () => undefined,
      agentspan: { logger: { warn: () => undefined } },
    });
    seeded.push({ name, runId: r.runId });
  }
  reader = await createReaderRole(db);
  client = await reader.connect();
});

after(async () => {
  await client?.end();
  await reader?.drop();
  await db?.drop();
});

const now = Date.now();
const CTX: QueryContext = { range: { from: new Date(now - 2 * 3600_000), to: new Date(now + 60_000) }, interval: '1m' };
const dashboards = Object.entries(DASHBOARDS).map(([file, build]) => [file, build()] as [string, DashboardJson]);

type Row = Record<string, unknown>;
interface Result {
  rows: Row[];
  columns: string[];
}

function numeric(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'bigint') return true;
  return typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v);
}

function sqlTargets(p: PanelJson): TargetJson[] {
  return (p.targets ?? []).filter((t) => t.datasource.uid === DATASOURCES.postgres.uid);
}

async function run(sql: string): Promise<Result> {
  const res = await client.query(sql);
  return { rows: res.rows as Row[], columns: res.fields.map((f) => f.name) };
}

async function runPanel(d: DashboardJson, title: string, selections: Record<string, string | string[]> = {}, ctx = CTX): Promise<Result> {
  const panel = allPanels(d).find((p) => p.title === title);
  assert.ok(panel, `${d.uid} has a panel "${title}"`);
  const vars = await resolveVariables(client, d, ctx, selections);
  return run(renderSql(sqlTargets(panel)[0]!.rawSql!, vars, ctx));
}

function dashboardByUid(uid: string): DashboardJson {
  return dashboards.find(([, d]) => d.uid === uid)![1];
}

/** What the panel type needs from the rows (Grafana's SQL-to-frame rules for each). */
function checkShape(p: PanelJson, t: TargetJson, r: Result, requireRows: boolean): void {
  const where = `${p.title}`;
  if (requireRows) assert.ok(r.rows.length > 0, `${where}: returns rows for the seeded runs`);
  if (t.format === 'time_series') {
    assert.ok(r.columns.includes('time'), `${where}: has a "time" column`);
    const values = r.columns.filter((c) => c !== 'time' && c !== 'metric');
    assert.ok(values.length > 0, `${where}: has a value column`);
    let last = -Infinity;
    for (const row of r.rows) {
      assert.ok(numeric(row['time']) || row['time'] instanceof Date, `${where}: time is epoch seconds or a timestamp`);
      const t0 = row['time'] instanceof Date ? row['time'].getTime() / 1000 : Number(row['time']);
      assert.ok(t0 >= last, `${where}: sorted by time ascending (Grafana needs it for long frames)`);
      last = t0;
      if (r.columns.includes('metric')) assert.equal(typeof row['metric'], 'string', `${where}: metric names the series`);
      for (const c of values) assert.ok(row[c] === null || numeric(row[c]), `${where}: ${c} is numeric`);
    }
    return;
  }
  switch (p.type) {
    case 'stat':
      assert.equal(r.rows.length, 1, `${where}: one row`);
      for (const c of r.columns) {
        const v = r.rows[0]![c];
        assert.ok(requireRows ? numeric(v) : v === null || numeric(v), `${where}: ${c} is a number (${String(v)})`);
      }
      break;
    case 'piechart':
    case 'barchart':
      assert.ok(r.columns.length >= 2, `${where}: a label column and values`);
      for (const row of r.rows) {
        assert.equal(typeof row[r.columns[0]!], 'string', `${where}: the first column labels the bar or slice`);
        for (const c of r.columns.slice(1)) assert.ok(numeric(row[c]), `${where}: ${c} is numeric`);
      }
      break;
    case 'table': {
      const overrides = p.fieldConfig?.overrides ?? [];
      const linked = (field: string): boolean =>
        overrides.some((o) => o.matcher.options === field && o.properties.some((x) => x.id === 'links'));
      if (r.columns.includes('trace_id')) assert.ok(linked('trace_id'), `${where}: trace ids link to Jaeger`);
      if (r.columns.includes('run_id')) assert.ok(linked('run_id'), `${where}: run ids link to the run`);
      break;
    }
    default:
      assert.fail(`${where}: panel type ${p.type} has no shape check`);
  }
}

for (const [file, d] of dashboards) {
  test(`${file}: every Postgres panel runs as grafana_reader and returns the shape its panel expects`, async () => {
    const vars = await resolveVariables(client, d, CTX);
    const byName = new Map(vars.map((v) => [v.name, v]));
    const runIds = byName.get('run_id')!.options;
    for (const s of seeded) assert.ok(runIds.includes(s.runId), `$run_id offers ${s.name} run ${s.runId}`);
    const eventTypes = byName.get('event_type'); // only on dashboards whose panels filter by it
    if (eventTypes) assert.deepEqual([...eventTypes.options].sort(), ['agent_call', 'code_exec', 'file_gen', 'handoff', 'tool_call']);
    for (const a of ['planner', 'engineer', 'executor', 'idea_maker', 'idea_hater', 'control']) {
      assert.ok(byName.get('agent')!.options.includes(a), `$agent offers ${a}`);
    }
    let panels = 0;
    for (const p of allPanels(d)) {
      for (const t of sqlTargets(p)) {
        const sql = renderSql(t.rawSql!, vars, CTX);
        assert.ok(!sql.includes('$'), `${p.title}: everything interpolated:\n${sql}`);
        let r: Result;
        try {
          r = await run(sql);
        } catch (err) {
          assert.fail(`${p.title}: ${(err as Error).message}\n${sql}`);
        }
        checkShape(p, t, r, true);
        panels++;
      }
    }
    assert.ok(panels >= 5, `${file} has Postgres panels`);
  });

  test(`${file}: on an empty time range every panel still runs (no rows, no SQL error)`, async () => {
    const empty: QueryContext = { range: { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-01-02T00:00:00Z') }, interval: '1h' };
    const vars: VariableState[] = await resolveVariables(client, d, empty);
    for (const v of vars.filter((x) => x.name !== 'jaeger_url')) assert.deepEqual(v.options, [], `${v.name} has no options`);
    for (const p of allPanels(d)) {
      for (const t of sqlTargets(p)) {
        const r = await run(renderSql(t.rawSql!, vars, empty));
        checkShape(p, t, r, false);
        if (t.format === 'time_series' || p.type === 'table') assert.equal(r.rows.length, 0, `${p.title}: no rows`);
      }
    }
  });
}

test('Runs overview: counts, modes and the events stat match what the examples recorded', async () => {
  const d = dashboardByUid('agentspan-runs-overview');
  assert.deepEqual((await runPanel(d, 'Runs started')).rows, [{ runs: '5' }]);
  const modes = (await runPanel(d, 'Runs by mode')).rows.map((r) => [r['mode'], Number(r['runs'])]);
  assert.deepEqual(modes.sort(), [['idea-generation', 1], ['one-shot', 2], ['planning-control', 2]]);
  // one-shot 7 events, planning-control 27, idea-generation 9.
  assert.deepEqual((await runPanel(d, 'Events')).rows, [{ events: String(2 * 7 + 2 * 27 + 9) }]);
  assert.deepEqual((await runPanel(d, 'Events', { event_type: ['handoff'] })).rows, [{ events: String(2 * 4 + 4) }]);
  assert.deepEqual((await runPanel(d, 'Events', { event_type: ['handoff', 'file_gen'] })).rows, [{ events: String(12 + 2 * 1 + 2 * 4) }]);
  const status = (await runPanel(d, 'Runs by status')).rows;
  assert.deepEqual(status, [{ status: 'success', runs: '5' }]);
  const runsTable = (await runPanel(d, 'Runs')).rows;
  assert.equal(runsTable.length, 5);
  assert.ok(runsTable.every((r) => typeof r['trace_id'] === 'string' && /^[0-9a-f]{32}$/.test(r['trace_id'] as string)));
});

test('Run timeline: selecting one run shows its events in execution order', async () => {
  const d = dashboardByUid('agentspan-runs-overview');
  const planning = seeded.find((s) => s.name === 'planning-control')!;
  const r = await runPanel(d, 'Run timeline', { run_id: [planning.runId] });
  assert.equal(r.rows.length, 27);
  assert.ok(r.rows.every((row) => row['run_id'] === planning.runId));
  assert.deepEqual(r.rows.map((row) => row['order']), Array.from({ length: 27 }, (_, i) => i + 1));
  const failed = r.rows.find((row) => row['event_type'] === 'code_exec' && row['has_error'] === true);
  assert.ok(failed, 'the failed first attempt is in the timeline');
  // A single value, selected on a multi-value variable, is quoted too.
  const two = await runPanel(d, 'Run timeline', { run_id: [planning.runId, seeded[0]!.runId] });
  assert.equal(two.rows.length, 27 + 7);
});

test('Agents: the agent filter narrows the series, the handoffs are all there', async () => {
  const d = dashboardByUid('agentspan-agents');
  const hater = await runPanel(d, 'Calls per agent', { agent: ['idea_hater'] });
  assert.deepEqual([...new Set(hater.rows.map((r) => r['metric']))], ['idea_hater']);
  assert.equal(hater.rows.reduce((n, r) => n + Number(r['calls']), 0), 4, 'idea_hater: 2 critiques + 2 handoffs');
  const planners = await runPanel(d, 'Calls per agent', { agent: ['planner', 'plan_reviewer'] });
  assert.deepEqual([...new Set(planners.rows.map((r) => r['metric']))].sort(), ['plan_reviewer', 'planner']);
  const handoffs = (await runPanel(d, 'Handoffs')).rows.map((r) => [`${r['from_agent']}->${r['to_agent']}`, Number(r['handoffs'])]);
  assert.deepEqual(handoffs.sort(), [
    ['control->engineer', 6],
    ['idea_hater->idea_maker', 2],
    ['idea_maker->idea_hater', 2],
    ['planner->control', 2],
  ]);
  const agents = (await runPanel(d, 'Agents')).rows;
  const executor = agents.find((r) => r['agent'] === 'executor')!;
  assert.equal(Number(executor['code_execs']), 2 * 2 + 2 * 4);
  assert.ok(Number(executor['errors']) >= 2, 'the failed first attempts count as errors');
  assert.ok(Number(executor['p95_ms']) > 0, 'latency from the recorded durations');
});

test('Tools and code: top tools, imports, failures and code repeated across runs', async () => {
  const d = dashboardByUid('agentspan-tools-code');
  const tools = (await runPanel(d, 'Top tools')).rows.map((r) => [r['tool'], Number(r['calls'])]);
  assert.deepEqual(tools, [
    ['execute_python', 2 * 1 + 2 * 4],
    ['inspect_file', 2],
  ]);
  const imports = new Map((await runPanel(d, 'Most common imports')).rows.map((r) => [r['module'], Number(r['executions'])]));
  assert.equal(imports.get('pandas'), 2 * 4, 'every planning-control script imports pandas');
  assert.equal(imports.get('matplotlib'), 2);
  assert.ok(imports.has('json') && imports.has('pathlib'));
  const repeated = (await runPanel(d, 'Code repeated across runs')).rows;
  assert.equal(repeated.length, 4 + 2, 'the four planning-control scripts and the two one-shot scripts ran in both runs');
  assert.ok(repeated.every((r) => Number(r['runs']) === 2));
  const errors = (await runPanel(d, 'Code executions with errors')).rows;
  assert.equal(errors.length, 2);
  assert.ok(errors.every((r) => r['error_type'] === 'KeyError' && r['exit_code'] === '1'));
  const failedTools = (await runPanel(d, 'Failed tool calls')).rows;
  assert.ok(failedTools.length >= 2 && failedTools.every((r) => r['tool'] === 'execute_python'));
});

test('Files: per run, by type, sizes and content previews', async () => {
  const d = dashboardByUid('agentspan-files');
  assert.deepEqual((await runPanel(d, 'Files generated')).rows, [{ files: '10' }]);
  const types = (await runPanel(d, 'Files by type')).rows.map((r) => [r['file_type'], Number(r['files'])]);
  assert.deepEqual(types.sort(), [['csv', 4], ['json', 2], ['png', 2], ['txt', 2]]);
  assert.equal(Number((await runPanel(d, 'Content captured')).rows[0]!['captured_pct']), 80, 'all but the two PNGs');
  const perRun = (await runPanel(d, 'Files per run')).rows.map((r) => Number(r['files'])).sort();
  assert.deepEqual(perRun, [1, 1, 4, 4]);
  const table = (await runPanel(d, 'Generated files')).rows;
  const stats = table.find((r) => r['path'] === 'results/statistics.csv')!;
  assert.match(stats['preview'] as string, /^station,temperature_c_mean/);
  assert.ok(Number(stats['size']) > 0);
  const png = table.find((r) => r['path'] === 'plots/temperature.png')!;
  assert.equal(png['preview'], null);
  assert.equal(png['captured'], 'false');
});
