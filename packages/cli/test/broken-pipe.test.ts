/**
 * `agentspan … | head`: the reader of standard output goes away before the
 * command is done. The process must end quietly, not crash with an EPIPE
 * stack trace and exit code 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
