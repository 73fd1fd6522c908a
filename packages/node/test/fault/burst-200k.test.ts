/**
 * Memory stays bounded while Postgres is down for a 200 000-event burst:
 * the queue holds at most `maxQueueSize` spans, the rest is spooled to disk,
 * and everything is delivered exactly once when Postgres is back.
 * Slow (about a minute): `npm run test:fault`. Prints the measured numbers.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestSchema, startTcpProxy, type TcpProxy, type TestSchema } from '@agentspan/test-support';

const COUNT = Number(process.env['AGENTSPAN_BURST_COUNT'] ?? 200_000);
let db: TestSchema;
let proxy: TcpProxy;
let spoolDir: string;
before(async () => {
  db = await createTestSchema('burst');
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  spoolDir = mkdtempSync(join(tmpdir(), 'agentspan-burst-'));
});
after(async () => {
  await proxy.close();
  await db.drop();
  rmSync(spoolDir, { recursive: true, force: true });
});

async function burst(t: { diagnostic(message: string): void }, runId: string, down: boolean): Promise<{ burst: Record<string, unknown>; delivered: Record<string, unknown> }> {
  proxy.mode = down ? 'refuse' : 'forward';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../fixtures/burst.ts', import.meta.url)), JSON.stringify({ databaseUrl: proxy.url(db.url), schema: db.schema, spoolDir, count: COUNT, runId })],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const next = (phase: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      let buffer = '';
      const onData = (d: Buffer): void => {
        buffer += d.toString();
        for (const line of buffer.split('\n').slice(0, -1)) {
          const m = JSON.parse(line) as Record<string, unknown>;
          if (m['phase'] === phase) {
            child.stdout.off('data', onData);
            resolve(m);
          }
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${phase}`)));
    });
  const burstDone = await next('burst-done');
  t.diagnostic(`burst (Postgres ${down ? 'down' : 'up'}): ${JSON.stringify(burstDone)}`);
  proxy.mode = 'forward';
  child.stdin.write('go\n');
  const delivered = await next('delivered');
  t.diagnostic(`delivered: ${JSON.stringify(delivered)}`);
  const r = await db.pool.query(
    `SELECT COUNT(*)::int AS n, COUNT(DISTINCT span_id)::int AS d, COUNT(DISTINCT meta->>'seq')::int AS seqs FROM "${db.schema}".execution_events WHERE run_id = $1`,
    [runId],
  );
  assert.deepEqual(r.rows[0], { n: COUNT, d: COUNT, seqs: COUNT });
  return { burst: burstDone, delivered };
}

it(`a ${COUNT}-event burst while Postgres is down: bounded memory, then every event exactly once`, { timeout: 600_000 }, async (t) => {
  const { burst: b } = await burst(t, 'run-burst-down', true);
  assert.equal(b['dropped'], 0);
  assert.ok((b['maxDepth'] as number) <= 20_000, 'the queue never held more than maxQueueSize');
  assert.ok((b['spooled'] as number) >= COUNT - 20_000);
  // Bounded: the queue (20 000 spans by default) and one spool segment, not 200 000 spans.
  const peakMb = (b['peakRss'] as number) / 1024 / 1024;
  assert.ok(peakMb < 400, `peak RSS ${peakMb.toFixed(0)} MB`);
});

it(`for comparison, the same burst with Postgres up (a burst that blocks the event loop outruns delivery: the overflow is spooled)`, { timeout: 600_000 }, async (t) => {
  const { burst: b } = await burst(t, 'run-burst-up', false);
  assert.equal(b['dropped'], 0);
  assert.ok((b['maxDepth'] as number) <= 20_000);
});
