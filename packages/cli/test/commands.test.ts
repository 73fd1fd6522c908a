import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIB_SCRIPT } from '@agentspan/examples';
import { startAgentspan } from '@agentspan/node';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';
import { FAILING_ERROR, seedRuns, type Seeded } from './helpers/seed.js';

let db: TestSchema;
let seeded: Seeded;
let env: Record<string, string>;
let allRunIds: string[];

before(async () => {
  db = await createTestSchema('cli_cmds');
  seeded = await seedRuns(db);
  env = { DATABASE_URL: db.url };
  allRunIds = [...seeded.oneShot, ...Object.values(seeded.examples), seeded.tooling, seeded.failing];
});
after(async () => {
  await db.drop();
});

/** Runs the CLI against the seeded schema. */
async function cli(args: string[], extra: Parameters<typeof captureIo>[1] = {}) {
  const io = captureIo(env, extra);
  const code = await runCli(args, io);
  return { code, io, text: io.text(), stderr: io.stderr.join('\n') };
}

interface RunsJson {
  runs: {
    id: string;
    mode: string;
    status: string;
    lastSeenAt: string | null;
    eventCounts: Record<string, number>;
    failedEvents: number;
    agents: string[];
    task: string;
    startedAt: string;
    lastEventAt: string | null;
  }[];
}

describe('runs', () => {
  test('lists every seeded run, newest first, with mode, status, counts, agents and task', async () => {
    const { code, text } = await cli(['runs']);
    assert.equal(code, 0);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^RUN\s+MODE\s+STATUS\s+STARTED \(UTC\)\s+DURATION\s+EVENTS\s+AGENTS\s+TASK$/);
    assert.equal(lines.length, 1 + allRunIds.length);
    assert.match(lines[1]!, new RegExp(`^${seeded.failing}\\s+tool-loop\\s+✗ failed .* 1 agent, 2 code, 6 tool, 1 file \\(3 failed\\)\\s+analyst, executor, writer\\s+Summarise sales.csv`));
    const oneShotLine = lines.find((l) => l.startsWith(seeded.oneShot[0].slice(0, 8)));
    assert.ok(oneShotLine, 'a UUID run id is shown as its first 8 characters');
    assert.match(oneShotLine, /one-shot\s+✓ success .*3 agent, 2 code, 1 tool, 1 file\s+engineer, executor, planner\s+Create a Python script/);
    assert.doesNotMatch(text, /\u001b\[/, 'no colours without a TTY');
  });

  test('--json has full ids, counts by event type and agents', async () => {
    const { code, io } = await cli(['runs', '--json']);
    assert.equal(code, 0);
    const { runs } = io.json<RunsJson>();
    assert.deepEqual(new Set(runs.map((r) => r.id)), new Set(allRunIds));
    const failing = runs.find((r) => r.id === seeded.failing)!;
    assert.deepEqual(failing.eventCounts, { agent_call: 1, code_exec: 2, tool_call: 6, file_gen: 1 });
    assert.equal(failing.status, 'failed');
    assert.equal(failing.failedEvents, 3);
    assert.deepEqual(failing.agents, ['analyst', 'executor', 'writer']);
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM execution_events WHERE run_id = $1', [seeded.oneShot[0]]);
    const oneShot = runs.find((r) => r.id === seeded.oneShot[0])!;
    assert.equal(Object.values(oneShot.eventCounts).reduce((a, b) => a + b, 0), rows.rows[0].n);
  });

  test('--status error selects the failed runs, --limit the newest, --since a time window', async () => {
    const failed = await cli(['runs', '--status', 'error', '--json']);
    assert.deepEqual(failed.io.json<RunsJson>().runs.map((r) => r.id), [seeded.failing]);
    const text = await cli(['runs', '--status', 'failed']);
    assert.equal(text.text.split('\n').length, 2);
    const newest = await cli(['runs', '--limit', '1', '--json']);
    assert.deepEqual(newest.io.json<RunsJson>().runs.map((r) => r.id), [seeded.failing]);
    const recent = await cli(['runs', '--since', '1h', '--json']);
    assert.ok(recent.io.json<RunsJson>().runs.length >= 4);
    const future = await cli(['runs', '--since', '2999-01-01']);
    assert.equal(future.code, 0);
    assert.match(future.text, /no runs match/);
  });

  test('bad values are usage errors (exit 2)', async () => {
    for (const args of [['runs', '--status', 'bogus'], ['runs', '--since', 'yesterday'], ['runs', '--limit', '0'], ['runs', '--limit', 'x'], ['runs', 'extra']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /agentspan runs/);
    }
  });

  test('colours on a TTY, none with NO_COLOR or --no-color', async () => {
    assert.match((await cli(['runs'], { isTTY: true })).text, /\u001b\[31m✗ failed/);
    const io = captureIo({ ...env, NO_COLOR: '1' }, { isTTY: true });
    await runCli(['runs'], io);
    assert.doesNotMatch(io.text(), /\u001b\[/);
    assert.doesNotMatch((await cli(['runs', '--no-color'], { isTTY: true })).text, /\u001b\[/);
  });
});

interface TimelineJson {
  run: { id: string; status: string; mode: string; recorded: boolean };
  nodes: { nodeId: string }[];
  events: { executionOrder: number; eventType: string; agentName: string; nodeId: string; depth: number; status: string; errorMessage: string | null; filePath: string | null }[];
}

describe('timeline', () => {
  test('every event in execution order under its node, files indented under what made them', async () => {
    const { code, text } = await cli(['timeline', seeded.oneShot[0]]);
    assert.equal(code, 0);
    const lines = text.split('\n');
    assert.match(lines[0]!, new RegExp(`^run ${seeded.oneShot[0]}  one-shot  ✓ success  .*  7 events$`));
    assert.match(lines[1]!, /^task: Create a Python script that calculates fibonacci numbers/);
    const step1 = lines.findIndex((l) => /^step_1  write and run the script  \(engineer\)  ✓ completed/.test(l));
    const step2 = lines.findIndex((l) => /^step_2  verify the result/.test(l));
    assert.ok(step1 > 0 && step2 > step1);
    const eventLines = lines.filter((l) => /^\s+#\d+/.test(l));
    const orders = eventLines.map((l) => Number(/#(\d+)/.exec(l)![1]));
    assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'execution order');
    assert.equal(eventLines.length, 7);
    assert.match(eventLines[0]!, /^  #1\s+\+\S+ ms\s+agent_call\s+planner\s+\S+ ms\s+✓  "Plan: \(1\) write a Python script/);
    assert.match(eventLines.find((l) => l.includes('tool_call'))!, /execute_python\(code\) → fib\.txt/);
    assert.match(eventLines.find((l) => l.includes('code_exec'))!, /python: import json from pathlib import Path .*/);
    assert.match(eventLines.find((l) => l.includes('file_gen'))!, /^    #\d+ .*file_gen\s+executor .*fib\.txt \(214 B, content captured\)/);
    for (const l of lines) assert.ok(l.length <= 120, `fits the terminal: ${l}`);
  });

  test('failed events show their error; a unique prefix selects the run', async () => {
    const { code, text } = await cli(['timeline', 'tooling-f']);
    assert.equal(code, 0);
    assert.match(text, /^run tooling-failed-\S+  tool-loop  ✗ failed/);
    assert.match(text, /tool_call\s+analyst\s+\S+ ms\s+✗  execute_python\(code\)\n\s+ModuleNotFoundError: No module named 'pandas'/);
    assert.match(text, /agent_call\s+writer\s+\S+ ms\s+✗  "Writing the summary"\n\s+model rate limited/);
  });

  test('--json: the run, its nodes and every event with its order', async () => {
    const { code, io } = await cli(['timeline', seeded.oneShot[1], '--json']);
    assert.equal(code, 0);
    const t = io.json<TimelineJson>();
    assert.equal(t.run.id, seeded.oneShot[1]);
    assert.equal(t.run.status, 'success');
    assert.deepEqual(t.nodes.map((n) => n.nodeId), ['step_1', 'step_2']);
    const db_ = await db.pool.query('SELECT execution_order, event_type FROM execution_events WHERE run_id = $1 ORDER BY execution_order', [seeded.oneShot[1]]);
    assert.deepEqual(
      t.events.map((e) => [e.executionOrder, e.eventType]),
      db_.rows.map((r: { execution_order: number; event_type: string }) => [r.execution_order, r.event_type]),
    );
    assert.equal(t.events.find((e) => e.eventType === 'file_gen')?.filePath, 'fib.txt');
  });

  test('unknown and ambiguous run ids are clear failures (exit 1); a missing id is a usage error', async () => {
    const unknown = await cli(['timeline', 'no-such-run']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no run "no-such-run" in this database \(`agentspan runs` lists the recent runs\)/);
    const ambiguous = await cli(['timeline', 'tooling-']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /prefix "tooling-" is ambiguous; it matches 2 runs/);
    assert.match(ambiguous.stderr, new RegExp(seeded.failing));
    const missing = await cli(['timeline']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing <run-id>/);
  });
});

describe('files', () => {
  test('size, type, source and capture state; --content prints the captured content', async () => {
    const plain = await cli(['files', seeded.oneShot[0]]);
    assert.equal(plain.code, 0);
    assert.match(plain.text, /^PATH\s+SIZE\s+TYPE\s+SOURCE\s+AGENT\s+NODE\s+ORDER\s+CONTENT\nfib\.txt\s+214 B\s+txt\s+code_execution\s+executor\s+step_1\s+\d+\s+captured$/);
    assert.doesNotMatch(plain.text, /F\(19\)/);
    const content = await cli(['files', seeded.oneShot[0], '--content']);
    assert.match(content.text, /── fib\.txt \(214 B, captured\) ──\nF\(0\) = 0\nF\(1\) = 1\n[\s\S]*F\(19\) = 4181$/);
  });

  test('--json carries content only with --content', async () => {
    const withContent = (await cli(['files', seeded.failing, '--json', '--content'])).io.json<{ runId: string; files: { path: string; content?: string; sizeBytes: number; source: string }[] }>();
    assert.equal(withContent.runId, seeded.failing);
    assert.deepEqual(withContent.files.map((f) => [f.path, f.content, f.sizeBytes, f.source]), [['summary.md', '# Sales\n\nnorth: 10\n', 19, 'explicit']]);
    const without = (await cli(['files', seeded.failing, '--json'])).io.json<{ files: object[] }>();
    assert.ok(!('content' in without.files[0]!));
  });

  test('a run without files says so', async () => {
    if (!seeded.examples['idea-generation']) return;
    const r = await cli(['files', seeded.examples['idea-generation']]);
    assert.equal(r.code, 0);
    assert.match(r.text, /generated no files/);
  });
});

interface PatternsJson {
  runWindow: number | null;
  runsAnalysed: number;
  repeatedCode: { codeHash: string; language: string; executions: number; runs: number; successRate: number; sampleCode: string }[];
  toolSequences: { tools: string[]; occurrences: number; runs: number; successRate: number }[];
  imports: { module: string; language: string; uses: number }[];
  errorRates: { kind: string; name: string; calls: number; errors: number; errorRate: number; lastError: string | null }[];
}

describe('patterns', () => {
  test('--json: repeated code across runs, tool n-grams, imports, error rates', async () => {
    const { code, io } = await cli(['patterns', '--json', '--limit', '50']);
    assert.equal(code, 0);
    const p = io.json<PatternsJson>();
    assert.equal(p.runWindow, null);
    assert.equal(p.runsAnalysed, allRunIds.length);
    const fib = p.repeatedCode.find((c) => c.sampleCode === FIB_SCRIPT);
    assert.ok(fib, 'the one-shot script, run in two runs');
    assert.ok(fib.executions >= 2 && fib.runs >= 2);
    assert.equal(fib.successRate, 1);
    assert.equal(fib.language, 'python');
    const seq = p.toolSequences.find((s) => s.tools.join(' ') === 'search_files read_file execute_python');
    assert.deepEqual(seq && { occurrences: seq.occurrences, runs: seq.runs, successRate: seq.successRate }, { occurrences: 4, runs: 2, successRate: 0.75 });
    assert.ok(p.toolSequences.some((s) => s.tools.join(' ') === 'search_files read_file' && s.successRate === 1));
    assert.ok(p.imports.some((i) => i.module === 'json' && i.language === 'python' && i.uses >= 4));
    assert.ok(p.imports.some((i) => i.module === 'pandas'));
    const python = p.errorRates.find((e) => e.kind === 'tool' && e.name === 'execute_python')!;
    assert.ok(python.errors >= 1 && python.errorRate > 0 && python.errorRate < 1);
    assert.equal(python.lastError, FAILING_ERROR);
    assert.deepEqual(p.errorRates[0], { kind: 'agent', name: 'writer', calls: 1, errors: 1, errorRate: 1, runs: 1, lastError: 'model rate limited' });
    const rates = p.errorRates.map((e) => e.errorRate);
    assert.deepEqual(rates, [...rates].sort((a, b) => b - a), 'highest error rate first');
  });

  test('the CLI and the SQL views agree', async () => {
    const p = (await cli(['patterns', '--json', '--limit', '1000'])).io.json<PatternsJson>();
    const views = await db.pool.query('SELECT sequence, occurrences FROM agentspan_tool_sequences ORDER BY occurrences DESC, sequence');
    assert.deepEqual(
      views.rows.map((r: { sequence: string; occurrences: number }) => [r.sequence, r.occurrences]),
      p.toolSequences.map((s) => [s.tools.join(' > '), s.occurrences]).sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]))),
    );
    const code = await db.pool.query('SELECT code_hash, executions FROM agentspan_repeated_code');
    assert.deepEqual(
      new Set(code.rows.map((r: { code_hash: string; executions: number }) => `${r.code_hash}:${r.executions}`)),
      new Set(p.repeatedCode.map((c) => `${c.codeHash}:${c.executions}`)),
    );
    const errors = await db.pool.query('SELECT count(*)::int AS n FROM agentspan_error_rates');
    assert.equal(errors.rows[0].n, p.errorRates.length);
  });

  test('--runs N looks at the newest N runs only', async () => {
    const p = (await cli(['patterns', '--runs', '1', '--json'])).io.json<PatternsJson>();
    assert.equal(p.runWindow, 1);
    assert.equal(p.runsAnalysed, 1);
    assert.deepEqual(p.repeatedCode.map((c) => c.executions), [], 'the newest run alone repeats no code');
    const seq = p.toolSequences.find((s) => s.tools.join(' ') === 'search_files read_file execute_python');
    assert.deepEqual(seq && [seq.occurrences, seq.runs, seq.successRate], [2, 1, 0.5]);
  });

  test('text: four sections with their tables', async () => {
    const { code, text } = await cli(['patterns']);
    assert.equal(code, 0);
    assert.match(text, new RegExp(`^patterns over all ${allRunIds.length} runs`));
    assert.match(text, /code executed more than once \(same code_hash\)\nCODE HASH\s+LANG\s+RUNS\s+IN RUNS\s+SUCCESS\s+LAST SEEN \(UTC\)\s+CODE\n/);
    assert.match(text, /search_files → read_file → execute_python\s+4\s+2\s+75%/);
    assert.match(text, /imports by frequency \(executed code\)\nMODULE\s+LANG\s+USES\s+IN RUNS\s+SUCCESS\n/);
    assert.match(text, /error rates of tools and agents \(highest first\)\nKIND\s+NAME\s+CALLS\s+ERRORS\s+ERROR RATE\s+LAST ERROR\nagent\s+writer\s+1\s+1\s+100%\s+model rate limited/);
  });

  test('a progress bar on a TTY (stderr), none with --json', async () => {
    const tty = await cli(['patterns'], { isTTY: true });
    assert.match(tty.io.stderrChunks.join(''), /\rmining patterns \[#+\] 100% 5\/5/);
    assert.equal(tty.io.stderrChunks.at(-1), '\r\u001b[2K');
    const json = await cli(['patterns', '--json'], { isTTY: true });
    assert.deepEqual(json.io.stderrChunks, []);
  });
});

describe('report', () => {
  test('writes one self-contained HTML file holding the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentspan-report-'));
    const { code, text } = await cli(['report', seeded.oneShot[0].slice(0, 8), '--out', 'run.html'], { cwd: dir });
    assert.equal(code, 0);
    assert.match(text, new RegExp(`^wrote ${join(dir, 'run.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ KB, 7 events\\)$`));
    const html = readFileSync(join(dir, 'run.html'), 'utf8');
    assert.match(html, /Content-Security-Policy/);
    assert.doesNotMatch(html, /https?:\/\//);
    const data = JSON.parse(/<script type="application\/json" id="agentspan-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
    assert.equal(data.run.id, seeded.oneShot[0]);
    assert.equal(data.events.length, 7);
    const file = data.events.find((e: { type: string }) => e.type === 'file_gen');
    assert.match(file.outputs.file_content, /F\(19\) = 4181/);
  });

  test('--json says where it wrote; --out - writes the HTML to stdout; a progress bar on a TTY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentspan-report-'));
    const out = join(dir, 'x.html');
    const r = await cli(['report', seeded.failing, '--out', out, '--json'], { isTTY: true });
    assert.equal(r.code, 0);
    const info = r.io.json<{ runId: string; out: string; bytes: number; events: number }>();
    assert.deepEqual([info.runId, info.out, info.events], [seeded.failing, out, 10]);
    assert.equal(info.bytes, readFileSync(out).length);
    assert.deepEqual(r.io.stderrChunks, [], 'no progress with --json');
    const stdout = await cli(['report', seeded.failing, '--out', '-']);
    assert.match(stdout.text, /^<!DOCTYPE html>/);
    const tty = await cli(['report', seeded.failing, '--out', join(dir, 'y.html')], { isTTY: true });
    assert.match(tty.io.stderrChunks.join(''), /loading events \[#+\] 100% 10\/10/);
    assert.equal((await cli(['report', seeded.failing, '--out', '-', '--json'])).code, 2);
  });
});

/** A port nothing listens on (fetch refuses some low ports outright, so take a real free one). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('doctor', () => {
  let server: Server;
  let port: number;
  let received: string[];
  before(async () => {
    received = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
        res.statusCode = req.url === '/v1/traces' ? 200 : 404;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('AGENTSPAN_SPOOL_DIR=off is reported as the spool turned off, not as a directory named off', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'agentspan-doctor-'));
    const io = captureIo({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, AGENTSPAN_SPOOL_DIR: 'off' }, { cwd });
    assert.equal(await runCli(['doctor'], io), 0, io.text());
    assert.match(io.text(), /\n✓ spool       off \(AGENTSPAN_SPOOL_DIR=off\)/);
    received.length = 0; // the OTLP check's request: the next test counts its own
  });

  test('all good: database, migrations, a reachable OTLP endpoint, an empty spool', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'agentspan-doctor-'));
    const io = captureIo({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }, { cwd });
    assert.equal(await runCli(['doctor'], io), 0, io.text());
    const text = io.text();
    assert.match(text, /^✓ database    connected to 127\.0\.0\.1:5432\/\S+ \(PostgreSQL [\d.]+.*, schema t_cli_cmds_/);
    assert.match(text, /\n✓ migrations  all \d+ applied \(versions 1, 2, 3, .*20, 21, 22, 23, 24, 25(, \d+)*\)/, 'every migration, later ones too');
    assert.match(text, new RegExp(`\\n✓ otlp        http://127\\.0\\.0\\.1:${port}/v1/traces is reachable \\(HTTP 200 for an empty export\\)`));
    assert.match(text, /\n✓ spool       \.agentspan\/spool: not created yet \(nothing waiting\)/);
    assert.match(text, /everything needed works$/);
    assert.deepEqual(received, ['POST /v1/traces application/json {}']);
    assert.doesNotMatch(text, /postgres:\/\//, 'never prints the connection string');
  });

  test('what to fix: no migrations, an unreachable endpoint, a wrong path, data waiting in the spool; exit 1', async () => {
    const empty = await createTestSchema('cli_doctor_empty');
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'agentspan-doctor-'));
      mkdirSync(join(cwd, 'spool', 'batches'), { recursive: true });
      writeFileSync(join(cwd, 'spool', 'batches', 'a.jsonl'), 'x'.repeat(2048));
      writeFileSync(join(cwd, 'spool', 'b.jsonl'), 'y'.repeat(100));
      const closed = await closedPort();
      const io = captureIo({ DATABASE_URL: empty.url, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${closed}/v1/traces` }, { cwd });
      assert.equal(await runCli(['doctor', '--spool-dir', 'spool'], io), 1);
      const text = io.text();
      assert.match(text, /✗ migrations  no agentspan tables in schema t_cli_doctor_empty_\w+\n\s+→ run `agentspan migrate`/);
      assert.match(text, new RegExp(`✗ otlp        http://127\\.0\\.0\\.1:${closed}/v1/traces is not reachable \\(ECONNREFUSED\\)\\n\\s+→ start Jaeger or the Collector`));
      assert.match(text, /! spool       spool: 2\.1 KB in 2 files waiting to be written to Postgres/);
      assert.match(text, /2 checks failed$/);

      const json = captureIo({ DATABASE_URL: empty.url }, { cwd });
      assert.equal(await runCli(['doctor', '--json', '--otlp-endpoint', `http://127.0.0.1:${port}/wrong`], json), 1);
      const report = json.json<{ ok: boolean; checks: { name: string; status: string; fix?: string }[] }>();
      assert.equal(report.ok, false);
      assert.deepEqual(report.checks.map((c) => [c.name, c.status]), [['database', 'ok'], ['migrations', 'fail'], ['otlp', 'warn'], ['spool', 'ok']]);
      assert.match(report.checks[2]!.fix!, /\/v1\/traces/);
    } finally {
      await empty.drop();
    }
  });

  test('with --schema, the fix names that schema, quoted for the shell', async () => {
    const empty = await createTestSchema('cli_doctor_schema');
    const odd = `${empty.schema} It's`;
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'agentspan-doctor-'));
      const bare = captureIo({ DATABASE_URL: empty.url }, { cwd });
      assert.equal(await runCli(['doctor', '--schema', empty.schema], bare), 1);
      assert.match(bare.text(), new RegExp(`✗ migrations  no agentspan tables in schema ${empty.schema}\\n\\s+→ run \`agentspan migrate --schema ${empty.schema}\``));

      const missing = captureIo({ DATABASE_URL: empty.url }, { cwd });
      assert.equal(await runCli(['doctor', '--schema', odd], missing), 1);
      const quoted = `'${odd.replaceAll("'", `'\\''`)}'`;
      assert.ok(missing.text().includes(`→ run \`agentspan migrate --schema ${quoted}\``), missing.text());

      await runCli(['migrate', '--schema', odd], captureIo({ DATABASE_URL: empty.url }, { cwd }));
      await empty.pool.query(`DELETE FROM "${odd.replaceAll('"', '""')}".agentspan_schema_migrations WHERE version = 21`);
      const due = captureIo({ DATABASE_URL: empty.url }, { cwd });
      assert.equal(await runCli(['doctor', '--schema', odd], due), 1);
      assert.ok(due.text().includes(`not applied: 21 (event_outcomes_error_type)`), due.text());
      assert.ok(due.text().includes(`→ run \`agentspan migrate --schema ${quoted}\``), due.text());
    } finally {
      await empty.pool.query(`DROP SCHEMA IF EXISTS "${odd.replaceAll('"', '""')}" CASCADE`);
      await empty.drop();
    }
  });

  test('no database at all, or one that is down', async () => {
    const none = captureIo({}, { cwd: tmpdir() });
    assert.equal(await runCli(['doctor'], none), 1);
    assert.match(none.text(), /✗ database    no database configured\n\s+→ set DATABASE_URL/);
    assert.match(none.text(), /- migrations  needs the database/);
    const down = captureIo({ DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/db' }, { cwd: tmpdir() });
    assert.equal(await runCli(['doctor'], down), 1);
    assert.match(down.text(), /✗ database    cannot connect to 127\.0\.0\.1:1\/db: .*is Postgres running/);
    assert.doesNotMatch(down.text(), /secret/);
  });
});

describe('errors', () => {
  test('a schema without the tables: "run `agentspan migrate`", exit 1', async () => {
    const empty = await createTestSchema('cli_no_tables');
    try {
      for (const args of [['runs'], ['timeline', 'abc'], ['patterns'], ['files', 'abc']]) {
        const io = captureIo({ DATABASE_URL: empty.url });
        assert.equal(await runCli(args, io), 1, args.join(' '));
        assert.match(io.stderr.join('\n'), /run `agentspan migrate`/, args.join(' '));
      }
    } finally {
      await empty.drop();
    }
  });

  test('no database configured: usage error naming the fix', async () => {
    const io = captureIo({});
    assert.equal(await runCli(['runs'], io), 2);
    assert.match(io.stderr.join('\n'), /no database: pass --database-url or set DATABASE_URL/);
  });

  test('a --schema no agentspan schema can have ($user, pg_*) is a usage error, not another schema read', async () => {
    for (const schema of ['$user', 'pg_agent']) {
      const io = captureIo(env);
      assert.equal(await runCli(['runs', '--schema', schema], io), 2, schema);
      assert.match(io.stderr.join('\n'), /--schema: /, schema);
    }
  });

  test('options before the command, per-command help, unknown options', async () => {
    const io = captureIo({});
    assert.equal(await runCli(['--database-url', db.url, 'runs', '--json', '--limit', '1'], io), 0, io.stderr.join('\n'));
    assert.equal(io.json<RunsJson>().runs.length, 1);
    const help = captureIo({});
    assert.equal(await runCli(['report', '--help'], help), 0);
    assert.match(help.text(), /usage: agentspan report <run-id> \[--out FILE\]/);
    const help2 = captureIo({});
    assert.equal(await runCli(['help', 'patterns'], help2), 0);
    assert.match(help2.text(), /--runs N/);
    const bad = captureIo({});
    assert.equal(await runCli(['runs', '--content'], bad), 2, 'an option of another command');
    assert.match(bad.stderr.join('\n'), /Unknown option '--content'/);
  });
});

describe('a run in progress', () => {
  test('is listed as running while it goes, its node too, and its timeline says no end is recorded; its end replaces that', async () => {
    const own = await createTestSchema('cli_live');
    const agentspan = await startAgentspan({
      databaseUrl: own.url,
      schema: own.schema,
      otlpEndpoint: false,
      registerGlobal: false,
      workspaceDir: mkdtempSync(join(tmpdir(), 'agentspan-cli-live-')),
      logger: { warn: () => undefined },
    });
    const live = async (args: string[]) => {
      const io = captureIo({ DATABASE_URL: own.url });
      const code = await runCli(args, io);
      return { code, io, text: io.text() };
    };
    try {
      const run = agentspan.startRun({ runId: 'live-run-1', mode: 'research', task: 'Find the flaky test' });
      const node = run.startNode('search', { title: 'search the logs', agent: 'researcher' });
      node.toolCall({ agent: 'researcher', tool: 'grep', args: { pattern: 'flaky' }, result: 'ci.log:12' });
      await agentspan.forceFlush();

      const listed = await live(['runs', '--status', 'running', '--json']);
      assert.equal(listed.code, 0);
      const runs = (JSON.parse(listed.io.stdout.join('')) as RunsJson).runs;
      assert.deepEqual(runs.map((r) => [r.id, r.status, r.mode]), [['live-run-1', 'running', 'research']]);
      assert.equal(runs[0]!.eventCounts['tool_call'], 1);
      assert.ok(runs[0]!.lastEventAt !== null && runs[0]!.lastEventAt >= runs[0]!.startedAt, 'how far it got');
      const table = await live(['runs']);
      assert.match(table.text, /^live-run-1\s+research\s+… running\s+\S+ \S+\s+≥ \S+ m?s\s+1 tool/m, table.text);
      const timeline = await live(['timeline', 'live-run-1']);
      assert.equal(timeline.code, 0);
      assert.match(timeline.text, /^run live-run-1  research  … running/);
      assert.match(timeline.text, /\(no end recorded yet: the run is still going, its process last seen running at \S+ \S+ \(\S+ m?s ago\)\)/);
      assert.match(timeline.text, /^search  .*… running/m);

      // As if its process had died ten minutes ago: the heartbeats (every minute) stopped then.
      const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString();
      for (const table of ['workflow_runs', 'dag_nodes']) {
        const column = table === 'workflow_runs' ? 'id' : 'run_id';
        await own.pool.query(`UPDATE ${own.schema}.${table} SET meta = jsonb_set(meta, '{last_seen_at}', to_jsonb($1::text)) WHERE ${column} = 'live-run-1'`, [tenMinutesAgo]);
      }
      const stale = await live(['runs', '--status', 'stale', '--json']);
      const staleRuns = (JSON.parse(stale.io.stdout.join('')) as RunsJson).runs;
      assert.deepEqual(staleRuns.map((r) => [r.id, r.status, r.lastSeenAt]), [['live-run-1', 'stale', tenMinutesAgo]]);
      const stillRunning = await live(['runs', '--status', 'running', '--json']);
      assert.deepEqual((JSON.parse(stillRunning.io.stdout.join('')) as RunsJson).runs, [], '--status running: only runs still seen');
      assert.match((await live(['runs'])).text, /^live-run-1\s+research\s+! stale\s/m);
      const staleTimeline = await live(['timeline', 'live-run-1']);
      assert.match(staleTimeline.text, /^run live-run-1  research  ! stale/);
      assert.match(staleTimeline.text, /\(stale: no end recorded, and its process was last seen running at \S+ \S+ \(10m 0\ds ago\): it most likely died/);
      assert.match(staleTimeline.text, /^search  .*! stale/m);

      node.end();
      run.end();
      await agentspan.forceFlush();
      const ended = await live(['runs', '--json']);
      assert.deepEqual((JSON.parse(ended.io.stdout.join('')) as RunsJson).runs.map((r) => [r.id, r.status, r.task]), [['live-run-1', 'success', 'Find the flaky test']]);
      const after = await live(['timeline', 'live-run-1']);
      assert.doesNotMatch(after.text, /no end recorded/);
      assert.match(after.text, /^search  search the logs  \(researcher\)  ✓ completed/m);
    } finally {
      await agentspan.shutdown();
      await own.drop();
    }
  });
});
