/**
 * The shutdown deadline bounds the life of the process: an OTLP endpoint
 * that accepts the connection and never answers must not keep it alive
 * after `shutdown()` resolves, nor past the flush on exit. Real child
 * processes; the bound is generous (deadline + 3 s) against the exporter's
 * own 10 s timeout, which is what kept them alive.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/otlp-silent-endpoint.ts', import.meta.url));
const MARGIN_MS = 3000;

/** Accepts connections, reads the requests, never answers. */
let silent: Server;
const sockets = new Set<Socket>();
let endpoint: string;
before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}/v1/traces`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

/** Runs the fixture; resolves with the milliseconds from its `ending` line to its exit, and what it printed. */
function outlives(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; out: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify({ endpoint, ...config })], {
    cwd: packageDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let endingAt: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    if (endingAt === undefined && out.includes('ending\n')) endingAt = Date.now();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  // Stops a child the fix did not help, so a failure does not wait out the exporter's timeout.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ ms: Date.now() - (endingAt ?? Date.now()), out, code });
    });
  });
}

test('shutdown() with AGENTSPAN_SHUTDOWN_TIMEOUT_MS=1000, an OTLP timeout of 1 s and an endpoint that never answers: the process is gone within the deadline (plus margin)', async () => {
  const { ms, out, code } = await outlives({ then: 'shutdown' }, { AGENTSPAN_SHUTDOWN_TIMEOUT_MS: '1000', OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
  assert.equal(code, 0, out);
  assert.match(out, /shut down/);
  assert.ok(ms < 1000 + MARGIN_MS, `exited ${ms} ms after it began shutting down (deadline 1000 ms)`);
});

test('a script that just ends (flush on beforeExit) with shutdownTimeoutMillis: 1000, an OTLP timeout of 1 s and a silent endpoint exits within the deadline (plus margin)', async () => {
  const { ms, out, code } = await outlives({ then: 'end', shutdownTimeoutMillis: 1000 }, { OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
  assert.equal(code, 0, out);
  assert.ok(ms < 1000 + MARGIN_MS, `exited ${ms} ms after its last statement (deadline 1000 ms)`);
});

test('the OTLP export timeout comes from OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT, else 10 s, whatever the shutdown deadline (a slow collector still gets its time in normal running)', async () => {
  const { resolveOptions } = await import('../src/index.js');
  assert.equal(resolveOptions({}, {}).otlpTimeoutMillis, 10_000);
  assert.equal(resolveOptions({ shutdownTimeoutMillis: 20_000 }, {}).otlpTimeoutMillis, 10_000);
  assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_TIMEOUT: '2000' }).otlpTimeoutMillis, 2000);
  assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3000' }).otlpTimeoutMillis, 3000);
  assert.equal(resolveOptions({ shutdownTimeoutMillis: 1000 }, { OTEL_EXPORTER_OTLP_TIMEOUT: '30000' }).otlpTimeoutMillis, 30_000);
  const bad = resolveOptions({}, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' });
  assert.equal(bad.otlpTimeoutMillis, 10_000);
  assert.equal(bad.warnings.length, 1);
});
