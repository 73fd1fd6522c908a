/**
 * Runs the CLI was not built around: recorded text with terminal escape
 * sequences and newlines, a run id with a slash, a run of 130 000 events,
 * failures that say only their error type.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  // Run ids sharing a prefix, with a terminal title, a clear screen and a newline in them.
  for (const id of ['esc-\u001b]0;PWNED\u0007-a', 'esc-\u001b[2J-b', 'esc-\nfake line']) await run(id, 'esc');
  // An id stored with its spaces (startRun keeps them), beside the id without them.
  await run(' spaced ', 'with-spaces');
  await run('spaced', 'without-spaces');
  // Bidi controls (an unterminated right-to-left override, an isolate) in a mode, a task and an agent name.
  await run('bidi', 'ok\u202e');
  await q(`UPDATE workflow_runs SET task_description = $1 WHERE id = 'bidi'`, ['deploy \u202edeliaf\u202c \u2067x\u200f']);
  await q(
    `INSERT INTO execution_events (id, run_id, event_type, agent_name, "timestamp", status, trace_id, span_id, execution_order)
     VALUES (gen_random_uuid(), 'bidi', 'agent_call', $1, now(), 'completed', 't', 'b1', 1)`,
    ['bot\u202e\u2066'],
  );
  // A generated file whose path and content (a coloured build log) carry escape sequences, a carriage return and a bidi override.
  await run('files-esc', 'files');
  await q(
    `INSERT INTO execution_events (id, run_id, node_id, event_type, agent_name, "timestamp", status, trace_id, span_id, execution_order, outputs, meta)
     VALUES (gen_random_uuid(), 'files-esc', 'n1', 'file_gen', 'w', now(), 'completed', 't', 'f1', 1, $1, '{"has_content":true}')`,
    [JSON.stringify({ file_path: 'log\u001b]0;PATH\u0007.txt', file_size: 60, file_content: 'ok\n\u001b]0;PWNED\u0007\u001b[2J\u001b[31mred\u001b[0m\n\tindented\r\n\u202eright-to-left\nlast\rOVER\n' })],
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

test('files --content: a recorded path and content send the terminal no control sequence; lines and tabs kept', async () => {
  for (const isTTY of [false, true]) {
    const { code, text } = await cli(['files', 'files-esc', '--content'], { isTTY });
    assert.equal(code, 0);
    const withoutOurColours = text.replace(/\u001b\[(1|22|2|0)m/g, '');
    assert.doesNotMatch(withoutOurColours, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(text));
    assert.doesNotMatch(text, BIDI, JSON.stringify(text));
    assert.ok(text.includes('── log]0;PATH.txt (60 B, captured) ──'), JSON.stringify(text));
    assert.ok(text.endsWith('ok\n]0;PWNED[2J[31mred[0m\n\tindented\nright-to-left\nlastOVER'), JSON.stringify(text));
  }
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
  assert.ok(existsSync(join(dir, 'agentspan-run-ci_nightly-2026-11-01.html')), report.text);
});

test('timeline --json of a run of 130 000 events: written in chunks of at most 1 000 events (one string of 500 000 was past V8\'s limit), the same text as one JSON.stringify', async () => {
  const io = captureIo({ DATABASE_URL: db.url });
  assert.equal(await runCli(['timeline', 'ci/nightly-2026-11-01', '--json'], io), 0, io.stderr.join('\n'));
  const eventsPerChunk = io.stdout.map((chunk) => (chunk.match(/"eventType":/g) ?? []).length);
  assert.ok(io.stdout.length > 130, `${io.stdout.length} chunks`);
  assert.ok(Math.max(...eventsPerChunk) <= 1000, `at most 1000 events a chunk: ${Math.max(...eventsPerChunk)}`);
  const text = io.text();
  const parsed = JSON.parse(text) as { run: { id: string }; events: { executionOrder: number }[] };
  assert.equal(parsed.events.length, 130_000);
  assert.equal(parsed.events[129_999]!.executionOrder, 130_000);
  assert.equal(text, JSON.stringify(parsed, null, 2), 'the text JSON.stringify(timeline, null, 2) gives');
  const small = captureIo({ DATABASE_URL: db.url });
  assert.equal(await runCli(['timeline', 'hostile', '--json'], small), 0);
  assert.equal(small.text(), JSON.stringify(small.json(), null, 2));
});

test('default report files: runs whose chosen ids share their first 8 characters get a file each; a UUID its first 8', async () => {
  await db.pool.query(
    `INSERT INTO workflow_runs (id, mode, status, started_at) VALUES ('nightly-a-2026-11-01', 'n', 'success', now()), ('nightly-a-2026-11-02', 'n', 'failed', now()),
            ('0f1e2d3c-4b5a-4968-8776-655443322110', 'n', 'success', now()), ($1, 'n', 'success', now())`,
    [`long-${'x'.repeat(300)}`],
  );
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-report-'));
  for (const id of ['nightly-a-2026-11-01', 'nightly-a-2026-11-02', '0f1e2d3c', 'long-']) {
    const r = await cli(['report', id], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(readdirSync(dir).sort(), [
    'agentspan-run-0f1e2d3c.html',
    `agentspan-run-long-${'x'.repeat(95)}.html`,
    'agentspan-run-nightly-a-2026-11-01.html',
    'agentspan-run-nightly-a-2026-11-02.html',
  ]);
  assert.match(readFileSync(join(dir, 'agentspan-run-nightly-a-2026-11-01.html'), 'utf8'), /<title>agentspan run nightly-a-2026-11-01 \(n\)<\/title>/);
});

test('default report files: runs that share a default name (UUIDv7 ids of one minute, non-ASCII ids, / and :) each keep their report; an unrelated file of that name is kept; the same run\'s report is replaced', async () => {
  const ids = ['0193a1b2-7c3d-7e4f-8a5b-111111111111', '0193a1b2-9f00-7aaa-9bbb-222222222222', '実験-1', '試験-1', 'team/a', 'team:a'];
  for (const id of ids) await db.pool.query(`INSERT INTO workflow_runs (id, mode, status, started_at) VALUES ($1, 'shared-name', 'success', now())`, [id]);
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-report-'));
  writeFileSync(join(dir, 'agentspan-run-team_a.html'), 'notes of mine, no report\n');
  const written = async (id: string): Promise<string> => {
    const r = await cli(['report', id, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.text) as { out: string }).out;
  };
  const paths = new Map<string, string>();
  for (const id of ids) paths.set(id, await written(id));
  assert.equal(new Set(paths.values()).size, ids.length, `one file per run: ${[...paths.values()].join(', ')}`);
  assert.equal(readFileSync(join(dir, 'agentspan-run-team_a.html'), 'utf8'), 'notes of mine, no report\n');
  assert.equal(paths.get('実験-1'), join(dir, 'agentspan-run-__-1.html'), 'the first run of a name gets the plain name');
  for (const [id, path] of paths) {
    // The full id is in the embedded JSON (the title shows a UUID by its first 8 characters).
    const html = readFileSync(path, 'utf8');
    assert.deepEqual(ids.filter((other) => html.includes(`"${other}"`)), [id], `${path} is the report of ${id} only`);
  }
  // Again: every run's report replaces its own file, no new files.
  for (const id of ids) assert.equal(await written(id), paths.get(id), id);
  assert.equal(readdirSync(dir).length, ids.length + 1);
});

/** Any control character but the line break (colour codes removed first: ours). */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
/** Bidi controls: embeddings, overrides, isolates and marks. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('an ambiguous prefix lists its runs terminal-safe: no recorded escape sequence reaches stderr, one candidate per line', async () => {
  for (const command of ['timeline', 'files', 'report']) {
    const { code, stderr } = await cli([command, 'esc-']);
    assert.equal(code, 1, command);
    assert.match(stderr, /prefix "esc-" is ambiguous; it matches 3 runs:/, command);
    assert.doesNotMatch(stderr, CONTROL, `${command}: ${JSON.stringify(stderr)}`);
    const candidates = stderr.split('\n').filter((l) => l.startsWith('  esc-'));
    assert.deepEqual(candidates.sort(), ['  esc- fake line', '  esc-[2J-b', '  esc-]0;PWNED-a'], command);
  }
});

test('every error message is terminal-safe, also ones quoting what was typed', async () => {
  for (const args of [['runs', '--status', 'x\u001b]0;PWNED\u0007'], ['timeline', 'no\u001b[2Jrun'], ['no\u001b[2Jcommand']]) {
    const { code, stderr } = await cli(args);
    assert.notEqual(code, 0, args.join(' '));
    assert.doesNotMatch(stderr, CONTROL, JSON.stringify(stderr));
  }
});

test('a run id stored with leading or trailing spaces opens as given; a stray space around a typed id is trimmed only when nothing matches', async () => {
  const opened = async (args: string[]) => {
    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, `${JSON.stringify(args)}: ${r.stderr}`);
    return r.text;
  };
  const timeline = JSON.parse(await opened(['timeline', ' spaced '])) as { run: { id: string } };
  assert.equal(timeline.run.id, ' spaced ', 'the exact id first, not the trimmed one');
  assert.equal((JSON.parse(await opened(['files', ' spaced '])) as { runId: string }).runId, ' spaced ');
  const dir = mkdtempSync(join(tmpdir(), 'agentspan-report-'));
  const report = JSON.parse(await opened(['report', ' spaced ', '--out', join(dir, 'r.html')])) as { runId: string };
  assert.equal(report.runId, ' spaced ');
  assert.equal((JSON.parse(await opened(['timeline', 'spaced'])) as { run: { id: string } }).run.id, 'spaced');
  assert.equal((JSON.parse(await opened(['timeline', ' hostile\t'])) as { run: { id: string } }).run.id, 'hostile', 'a stray space still opens');
});

test('bidi controls recorded in a mode, task or agent name never reach the terminal: runs, timeline', async () => {
  for (const args of [['runs'], ['timeline', 'bidi']]) {
    const { code, text } = await cli(args);
    assert.equal(code, 0, args.join(' '));
    assert.doesNotMatch(text, BIDI, `${args.join(' ')}: ${JSON.stringify(text)}`);
  }
  const line = (await cli(['runs'])).text.split('\n').find((l) => l.startsWith('bidi '));
  assert.match(line ?? '', /^bidi\s+ok\s+✓ success .*bot\s+deploy deliaf x$/);
});
