/**
 * Runs the CLI was not built around: recorded text with terminal escape
 * sequences and newlines, a run id with a slash, a run of 130 000 events,
 * failures that say only their error type.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_hostile');
  await runMigrations(db.pool);
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  const run = (id: string, mode: string) =>
    q(`INSERT INTO workflow_runs (id, mode, status, started_at, completed_at, duration_ms) VALUES ($1, $2, 'success', now() - interval '1 minute', now(), 60000)`, [id, mode]);
  await run('hostile', 'mode\u001b]0;pwned\u0007');
  await q(`INSERT INTO dag_nodes (id, run_id, node_id, title, agent, status) VALUES (gen_random_uuid(), 'hostile', 'n1', $1, $2, 'completed')`, ['title\u001b[2J', 'agent\nsplit']);
  await q(
    `INSERT INTO execution_events (id, run_id, node_id, event_type, agent_name, "timestamp", status, trace_id, span_id, execution_order, inputs, meta)
     VALUES (gen_random_uuid(), 'hostile', 'n1', 'tool_call', $1, now(), 'failed', 't', 's1', 1, '{"tool":"execute_python"}', '{"has_error":true,"error_type":"KeyError"}')`,
    ['eng\u001b[2J\nineer'],
  );
  await run('ci/nightly-2026-11-01', 'nightly');
  await q(
    `INSERT INTO execution_events (id, run_id, event_type, "timestamp", status, trace_id, span_id, execution_order, duration_ms)
     SELECT gen_random_uuid(), 'ci/nightly-2026-11-01', 'handoff', now() - interval '1 minute' + i * interval '1 millisecond', 'completed', 't', lpad(i::text, 16, '0'), i, 1
       FROM generate_series(1, 130000) AS i`,
  );
});
after(async () => {
  await db.drop();
});

async function cli(args: string[], extra: Parameters<typeof captureIo>[1] = {}) {
  const io = captureIo({ DATABASE_URL: db.url }, extra);
  const code = await runCli(args, io);
  return { code, text: io.text(), stderr: io.stderr.join('\n') };
}

test('recorded escape sequences and newlines never reach the terminal: runs, timeline', async () => {
  for (const [args, isTTY] of [[['runs'], false], [['runs'], true], [['timeline', 'hostile'], false], [['timeline', 'hostile'], true]] as const) {
    const { code, text } = await cli([...args], { isTTY }); // on a TTY, with our own colour codes
    assert.equal(code, 0, args.join(' '));
    const withoutColours = text.replace(/\u001b\[[0-9;]*m/g, '');
    assert.doesNotMatch(withoutColours, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, `${args.join(' ')}: no control character but newlines`);
    assert.ok(!text.includes('agent\nsplit') && !text.includes('eng\u001b'), args.join(' '));
  }
  const runs = (await cli(['runs'])).text.split('\n');
  assert.equal(runs.filter((l) => l.startsWith('hostile')).length, 1, 'one line per run');
});

test('a failed event that recorded only its error type shows that type as its reason', async () => {
  const { text } = await cli(['timeline', 'hostile']);
  assert.match(text, /execute_python.*\n\s+KeyError/);
  const patterns = await cli(['patterns', '--json']);
  const rates = JSON.parse(patterns.text) as { errorRates: { name: string; lastError: string | null }[] };
  assert.equal(rates.errorRates.find((e) => e.name === 'execute_python')?.lastError, 'KeyError');
});

test('a run of 130 000 events: timeline and report work (no argument-count limit), and a run id with a slash makes a file name', async () => {
  const timeline = await cli(['timeline', 'ci/nightly-2026-11-01']);
  assert.equal(timeline.code, 0, timeline.stderr);
  assert.equal(timeline.text.split('\n').filter((l) => /^\s+#\d+/.test(l)).length, 130_000);
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-report-'));
  const report = await cli(['report', 'ci/nightly-2026-11-01'], { cwd: dir });
  assert.equal(report.code, 0, report.stderr);
  assert.ok(existsSync(join(dir, 'agentspan-run-ci_night.html')), report.text);
});
