import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli, type CliIo } from '../src/index.js';

function io(env: Record<string, string | undefined> = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => stdout.push(t), err: (t) => stderr.push(t), env, stdout, stderr };
}

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli');
});
after(async () => {
  await db.drop();
});

test('migrate creates the tables, and running it again applies nothing', async () => {
  const first = io({ DATABASE_URL: db.url });
  assert.equal(await runCli(['migrate', '--schema', db.schema], first), 0, first.stderr.join('\n'));
  assert.match(first.stdout.join('\n'), /applied \d+ migration/);
  const tables = await db.pool.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
    [db.schema],
  );
  const names = tables.rows.map((r: { table_name: string }) => r.table_name);
  for (const t of ['dag_nodes', 'execution_events', 'workflow_runs']) assert.ok(names.includes(t), t);
  const again = io({ DATABASE_URL: db.url });
  assert.equal(await runCli(['migrate', '--schema', db.schema, '--json'], again), 0);
  assert.deepEqual(JSON.parse(again.stdout.join('')), { applied: [], recreated: [] });
});

test('tables dropped by hand: doctor names them, migrate creates them again', async () => {
  const dropped = await createTestSchema('cli_dropped');
  try {
    assert.equal(await runCli(['migrate'], io({ DATABASE_URL: dropped.url })), 0);
    await dropped.pool.query('DROP TABLE execution_events, workflow_runs, dag_nodes CASCADE');

    const doctor = io({ DATABASE_URL: dropped.url });
    assert.equal(await runCli(['doctor'], doctor), 1);
    assert.match(
      doctor.stdout.join('\n'),
      /✗ migrations  all \d+ recorded as applied, but missing \(dropped\?\): execution_events, workflow_runs, dag_nodes, agentspan_event_outcomes, .*\n\s+→ run `agentspan migrate` \(it creates them again\)/,
    );

    const migrate = io({ DATABASE_URL: dropped.url });
    assert.equal(await runCli(['migrate'], migrate), 0, migrate.stderr.join('\n'));
    assert.match(migrate.stdout.join('\n'), /missing although migrated \(dropped\?\): execution_events, workflow_runs, dag_nodes, .*; created again\napplied \d+ migration/);
    const runs = io({ DATABASE_URL: dropped.url });
    assert.equal(await runCli(['runs'], runs), 0, runs.stderr.join('\n'));
    const again = io({ DATABASE_URL: dropped.url });
    await runCli(['doctor'], again);
    assert.match(again.stdout.join('\n'), /✓ migrations  all \d+ applied/);
  } finally {
    await dropped.drop();
  }
});

test('demo against DATABASE_URL prints the timeline read back from the database', async () => {
  const out = io({ DATABASE_URL: db.url });
  assert.equal(await runCli(['demo', '--schema', db.schema], out), 0, out.stderr.join('\n'));
  const text = out.stdout.join('\n');
  assert.match(text, /✓ agent_call planner @ step_1 \(order 1\)/);
  assert.match(text, /code_exec\s+2/);
});

test('clear errors: no database, unreachable database, unknown command, bad flag', async () => {
  const none = io({});
  assert.equal(await runCli(['migrate'], none), 2);
  assert.match(none.stderr.join('\n'), /no database: pass --database-url or set DATABASE_URL/);
  const down = io({});
  assert.equal(await runCli(['migrate', '--database-url', 'postgres://x@127.0.0.1:1/db'], down), 1);
  assert.match(down.stderr.join('\n'), /is Postgres running/);
  const unknown = io();
  assert.equal(await runCli(['frobnicate'], unknown), 2);
  assert.match(unknown.stderr.join('\n'), /unknown command "frobnicate"/);
  const bad = io();
  assert.equal(await runCli(['demo', '--nope'], bad), 2);
  const help = io();
  assert.equal(await runCli(['--help'], help), 0);
  assert.match(help.stdout.join('\n'), /usage: agentspan <command>/);
  assert.match(help.stdout.join('\n'), /exit codes: 0 ok, 1 failure .*, 2 usage error/);
  const helpTopic = io();
  assert.equal(await runCli(['help', 'timeline'], helpTopic), 0);
  assert.match(helpTopic.stdout.join('\n'), /usage: agentspan timeline <run-id>/);
  const helpUnknown = io();
  assert.equal(await runCli(['help', 'frobnicate'], helpUnknown), 2, '`help <unknown command>` is a usage error, as `<unknown command>` is');
  assert.deepEqual(helpUnknown.stdout, []);
  assert.match(helpUnknown.stderr.join('\n'), /unknown command "frobnicate"/);
  const nothing = io();
  assert.equal(await runCli([], nothing), 2);
  assert.deepEqual(nothing.stdout, []);
  assert.match(nothing.stderr.join('\n'), /usage: agentspan <command>/);
});

test('demo --json prints one JSON document: the run id and its summary read back from the database', async () => {
  const out = io({ DATABASE_URL: db.url });
  assert.equal(await runCli(['demo', '--schema', db.schema, '--json'], out), 0, out.stderr.join('\n'));
  const result = JSON.parse(out.stdout.join('\n')) as { runId: string; embedded: boolean; summary: { status: string; countsByType: Record<string, number> } };
  assert.equal(result.embedded, false);
  assert.equal(result.summary.status, 'success');
  assert.equal(result.summary.countsByType['code_exec'], 2);
  const rows = await db.pool.query('SELECT count(*)::int AS n FROM workflow_runs WHERE id = $1', [result.runId]);
  assert.equal(rows.rows[0].n, 1);
});
