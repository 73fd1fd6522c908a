/**
 * `agentspan … | head`: the reader of standard output goes away before the
 * command is done. The process must end quietly, not crash with an EPIPE
 * stack trace and exit code 1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { endQuietlyOnClosedOutput } from '../src/io.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** Runs the real bin with its stdout read by nobody (the pipe closed before the child writes). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '', PGHOST: '', PGDATABASE: '' },
    });
    // Closed right away: the child is still starting, so every write it makes meets a pipe without a reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

test('a reader that closes standard output early: exit 0, nothing on stderr (no EPIPE stack trace)', async () => {
  for (const args of [['--help'], ['help', 'report']]) {
    const { code, signal, stderr } = await runWithClosedStdout(args);
    assert.equal(stderr, '', `${args.join(' ')}: ${stderr}`);
    assert.equal(signal, null, args.join(' '));
    assert.equal(code, 0, args.join(' '));
  }
});

test('endQuietlyOnClosedOutput: EPIPE on stdout or stderr ends with 0 once; any other write error with 1 and its reason', () => {
  const error = (code: string) => Object.assign(new Error(`write ${code}`), { code });
  for (const stream of ['stdout', 'stderr'] as const) {
    const streams = { stdout: new EventEmitter(), stderr: new EventEmitter() };
    const exits: number[] = [];
    const reported: string[] = [];
    endQuietlyOnClosedOutput(streams, (c) => exits.push(c), (l) => reported.push(l));
    streams[stream].emit('error', error('EPIPE'));
    streams[stream].emit('error', error('EPIPE'));
    assert.deepEqual(exits, [0], stream);
    assert.deepEqual(reported, [], stream);
  }
  const streams = { stdout: new EventEmitter(), stderr: new EventEmitter() };
  const exits: number[] = [];
  const reported: string[] = [];
  endQuietlyOnClosedOutput(streams, (c) => exits.push(c), (l) => reported.push(l));
  streams.stdout.emit('error', error('ENOSPC'));
  assert.deepEqual(exits, [1]);
  assert.deepEqual(reported, ['agentspan: cannot write to standard output: write ENOSPC']);
});

test('endQuietlyOnClosedOutput after keepRunning(): a closed or failing output ends nothing (a server only loses log lines)', () => {
  const streams = { stdout: new EventEmitter(), stderr: new EventEmitter() };
  const exits: number[] = [];
  const reported: string[] = [];
  endQuietlyOnClosedOutput(streams, (c) => exits.push(c), (l) => reported.push(l)).keepRunning();
  streams.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  streams.stderr.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
  assert.deepEqual(exits, []);
  assert.deepEqual(reported, []);
});

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_broken_pipe');
});
after(async () => {
  await db.drop();
});

test('the gateway whose output reader went away keeps serving, and its stop still writes what it received', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'gateway', '--port', '0', '--json', '--database-url', db.url, '--schema', db.schema], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = once(child, 'exit');
  try {
    // The gateway says where it listens on stderr too; then its stdout reader goes away before the JSON line is read.
    child.stdout.destroy();
    while (!/listening on (http:\/\/\S+)\/v1\/traces/.test(stderr)) {
      assert.equal(child.exitCode, null, `the gateway ended at start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\/\/\S+)\/v1\/traces/.exec(stderr)?.[1] ?? '';
    // Before: the failed write of the startup line ended the server with exit code 0, in silence, within a second.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(child.exitCode, null, `the gateway ended when its output went away: ${stderr}`);
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      name: 'invoke_agent',
      kind: 1,
      startTimeUnixNano: '1760000000000000000',
      endTimeUnixNano: '1760000001000000000',
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
        { key: 'gen_ai.agent.name', value: { stringValue: 'piper' } },
        { key: 'gen_ai.conversation.id', value: { stringValue: 'pipe-run' } },
      ],
    };
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'genai' }, spans: [span] }] }] };
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
    const rows = await db.pool.query<{ agent_name: string }>(`SELECT agent_name FROM execution_events WHERE run_id = 'pipe-run'`);
    assert.deepEqual(rows.rows.map((r) => r.agent_name), ['piper']);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
