/**
 * Real child processes, real signals, a real Postgres: what a process ended
 * before it was stopped is in the table (or in the spool, delivered by the
 * next start).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, startTcpProxy, type TcpProxy, type TestSchema } from '@agentspan/test-support';
import { startAgentspan } from '../src/index.js';
import { startEmitter } from './child.js';

let db: TestSchema;
/** Between the children and Postgres: `refuse` plays "Postgres is down". */
let proxy: TcpProxy;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'agentspan-exit-'));
  dirs.push(d);
  return d;
};
before(async () => {
  db = await createTestSchema('exit');
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  // Tables first, so children that only live a moment need not race the migration.
  const a = await startAgentspan({ databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, spoolDir: false, flushOnExit: false, logger: { warn: () => {} } }, {});
  await a.shutdown();
});
after(async () => {
  await proxy.close();
  await db.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function seqs(runId: string): Promise<number[]> {
  const r = await db.pool.query(
    `SELECT (meta->>'seq')::int AS seq FROM "${db.schema}".execution_events WHERE run_id = $1 ORDER BY 1`,
    [runId],
  );
  return r.rows.map((x: { seq: number }) => x.seq);
}

function assertAllUpTo(found: number[], last: number): void {
  const set = new Set(found);
  const missing: number[] = [];
  for (let i = 0; i <= last; i++) if (!set.has(i)) missing.push(i);
  assert.deepEqual(missing, [], `missing ${missing.length} of ${last + 1} ended events`);
  assert.equal(found.length, set.size, 'no duplicates');
}

const base = () => ({ databaseUrl: db.url, schema: db.schema });

describe('exit handling in a child process', () => {
  /**
   * A child ending a span every millisecond gets `signal` mid-run: what it
   * ended before the signal is in the table when it is gone; what it ended
   * while the flush ran is in the table or in its spool (the next start
   * delivers it); it still dies of the signal, without waiting out the
   * flush deadline (5 s) although it never stops ending spans.
   */
  async function signalMidRun(signal: 'SIGTERM' | 'SIGINT', runId: string, after: number): Promise<void> {
    const spoolDir = tempDir();
    const child = startEmitter({ ...base(), spoolDir, runId, mode: 'loop', intervalMs: 1 });
    await child.waitFor(new RegExp(`^ended ${after}$`));
    const endedBefore = child.lastEnded(); // at least this much was ended before the signal
    const sent = Date.now();
    child.process.kill(signal);
    const how = await child.exited;
    const tookMs = Date.now() - sent;
    assert.equal(how.signal, signal, `exit ${JSON.stringify(how)}; stderr: ${child.stderr()}`);
    assert.ok(tookMs < 5000, `the flush stopped waiting once the spans ended before the signal were written (${tookMs} ms)`);
    assertAllUpTo(await seqs(runId), endedBefore);
    if (readdirSync(spoolDir).length > 0) await replay(spoolDir, db.url);
    assertAllUpTo(await seqs(runId), child.lastEnded());
    // The run the child never ended is recorded as cut short, not lost.
    const run = await db.pool.query(`SELECT status FROM "${db.schema}".workflow_runs WHERE id = $1`, [runId]);
    assert.deepEqual(run.rows.map((r: { status: string }) => r.status), ['cancelled']);
  }

  it('SIGTERM mid-run: every span it ended is written (in the table at once, or spooled and delivered by the next start), and the process still dies of SIGTERM', async () => {
    await signalMidRun('SIGTERM', 'run-sigterm', 300);
  });

  it('SIGINT mid-run: the same', async () => {
    await signalMidRun('SIGINT', 'run-sigint', 100);
  });

  it('the application listens for SIGTERM too: agentspan flushes, the application decides when to exit', async () => {
    const child = startEmitter({ ...base(), spoolDir: tempDir(), runId: 'run-app-listener', mode: 'burst', count: 500, then: 'wait', appListener: true, appExitDelayMs: 1500 });
    await child.waitFor(/^done$/);
    child.process.kill('SIGTERM');
    const how = await child.exited;
    assert.equal(how.code, 3, 'the application chose its exit code');
    assert.ok(child.lines.includes('app-sigterm'));
    assertAllUpTo(await seqs('run-app-listener'), 499);
  });

  /**
   * Node removes a `process.once` listener before it calls it: agentspan
   * must still see the application's, flush only, and leave the exit to it,
   * whichever was registered first.
   */
  for (const when of ['before', 'after'] as const) {
    it(`the application's process.once SIGTERM listener, registered ${when} startAgentspan: agentspan only flushes, the application's shutdown runs to its end and picks the exit code`, async () => {
      const runId = `run-once-${when}`;
      const child = startEmitter({
        ...base(),
        spoolDir: false,
        runId,
        mode: 'burst',
        count: 100,
        then: 'wait',
        appListener: 'once',
        appListenerAfterStart: when === 'after',
        appExitDelayMs: 500,
      });
      await child.waitFor(/^done$/);
      child.process.kill('SIGTERM');
      const how = await child.exited;
      assert.deepEqual(how, { code: 3, signal: null }, `not killed mid-shutdown; stderr: ${child.stderr()}`);
      assert.ok(child.lines.includes('app-shutdown-done'));
      assertAllUpTo(await seqs(runId), 99);
    });
  }

  /**
   * signal-exit (a dependency of write-file-atomic, foreground-child, execa, ...) listens for SIGTERM but
   * defers to any other listener. Taken for the application's own handler, it made agentspan defer too: the
   * process no longer ended on SIGTERM (a supervisor had to SIGKILL it, losing what was in memory).
   */
  for (const kind of ['real', 'v3', 'v4'] as const) {
    it(`a library using signal-exit (${kind}), no handler of the application's own: SIGTERM still ends the process, after the flush and signal-exit's cleanup`, async (t) => {
      if (kind === 'real') {
        try {
          createRequire(import.meta.url).resolve('signal-exit');
        } catch {
          t.skip('signal-exit is not installed here');
          return;
        }
      }
      const runId = `run-signal-exit-${kind}`;
      const child = startEmitter({ ...base(), spoolDir: false, runId, mode: 'burst', count: 200, then: 'wait', signalExit: kind, shutdownTimeoutMillis: 2000 });
      await child.waitFor(/^done$/);
      child.process.kill('SIGTERM');
      const how = await Promise.race([child.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 6000))]);
      if (how === 'alive') child.process.kill('SIGKILL');
      assert.notEqual(how, 'alive', `still running 6 s after SIGTERM; stderr: ${child.stderr()}`);
      assert.deepEqual(how, { code: null, signal: 'SIGTERM' }, 'killed by the signal, as without agentspan');
      assert.ok(child.lines.includes('signal-exit-cleanup'), "signal-exit's cleanup ran");
      assertAllUpTo(await seqs(runId), 199);
    });
  }

  for (const kind of ['real', 'v4'] as const) {
    it(`signal-exit (${kind}) loaded, its listener then dropped by the application, which listens itself: agentspan leaves the exit to the application's handler, called once`, async () => {
      // Before: signal-exit's counter (left as it was) passed the application's handler off as signal-exit's: agentspan
      // ended the open events, removed its listeners and raised SIGTERM again, into the application's handler.
      const runId = `run-signal-exit-dropped-${kind}`;
      const child = startEmitter({
        ...base(),
        spoolDir: false,
        runId,
        mode: 'burst',
        count: 50,
        then: 'wait',
        signalExit: kind,
        dropSigtermListeners: true,
        appListener: true,
        appListenerAfterStart: true,
        appExitDelayMs: 500,
      });
      await child.waitFor(/^done$/);
      child.process.kill('SIGTERM');
      const how = await Promise.race([child.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 6000))]);
      if (how === 'alive') child.process.kill('SIGKILL');
      assert.deepEqual(how, { code: 3, signal: null }, `the application chose its exit code; stderr: ${child.stderr()}`);
      assert.equal(child.lines.filter((l) => l === 'app-sigterm').length, 1, "the application's handler ran once");
      assertAllUpTo(await seqs(runId), 49);
    });
  }

  it("the application's SIGTERM handler calls shutdown(): agentspan's listeners are gone once its flush is over", async () => {
    const child = startEmitter({ ...base(), spoolDir: false, runId: 'run-app-shutdown', mode: 'burst', count: 50, then: 'wait', appShutdownOnSigterm: true });
    await child.waitFor(/^done$/);
    child.process.kill('SIGTERM');
    const line = await child.waitFor(/^app-shutdown-done /);
    // SIGTERM, SIGINT, beforeExit, exit: none of agentspan's is left (before, all four stayed registered).
    if (line !== 'app-shutdown-done 0 0 0 0') child.process.kill('SIGKILL'); // a failure must not leave the child running
    assert.equal(line, 'app-shutdown-done 0 0 0 0');
    child.process.kill('SIGTERM'); // no listener left: Node's default ends the process
    const how = await Promise.race([child.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 5000))]);
    if (how === 'alive') child.process.kill('SIGKILL');
    assert.deepEqual(how, { code: null, signal: 'SIGTERM' });
    assertAllUpTo(await seqs('run-app-shutdown'), 49);
  });

  it('shutdownTimeoutMillis at the timer limit (2^31 - 1 ms): the flush on SIGTERM still waits for Postgres instead of giving up after 1 ms', async () => {
    const runId = 'run-longest-deadline';
    // No spool: what the flush does not deliver before the process ends is lost.
    const child = startEmitter({ ...base(), spoolDir: false, runId, mode: 'loop', intervalMs: 1, shutdownTimeoutMillis: 2 ** 31 - 1 });
    await child.waitFor(/^ended 100$/);
    const endedBefore = child.lastEnded();
    child.process.kill('SIGTERM');
    const how = await child.exited;
    assert.equal(how.signal, 'SIGTERM', `exit ${JSON.stringify(how)}; stderr: ${child.stderr()}`);
    assert.doesNotMatch(child.stderr(), /TimeoutOverflowWarning/);
    // Every span ended before the signal was delivered (those the loop ended while the flush ran may be dropped: no spool).
    assertAllUpTo(await seqs(runId), endedBefore);
  });

  it('the application exits at once from its own SIGTERM handler: what was not written yet is spooled at exit and delivered by the next start', async () => {
    const spoolDir = tempDir();
    // Postgres down for the child: nothing can be written before it exits.
    proxy.mode = 'refuse';
    const child = startEmitter({ databaseUrl: proxy.url(db.url), schema: db.schema, spoolDir, runId: 'run-exit-now', mode: 'burst', count: 200, then: 'wait', appListener: true, appExitDelayMs: 0 });
    await child.waitFor(/^done$/);
    child.process.kill('SIGTERM');
    const how = await child.exited;
    assert.equal(how.code, 3);
    assert.ok(readdirSync(spoolDir).length > 0, 'spooled at exit');
    await replay(spoolDir);
    assertAllUpTo(await seqs('run-exit-now'), 199);
    // The run was open at exit: ended as cancelled, spooled after its row in progress, and that end is what is stored.
    const run = await db.pool.query(`SELECT status, completed_at FROM "${db.schema}".workflow_runs WHERE id = 'run-exit-now'`);
    assert.equal(run.rows[0]?.status, 'cancelled');
    assert.ok(run.rows[0]?.completed_at instanceof Date);
  });

  it('beforeExit: a process that simply ends, without calling shutdown, still writes everything', async () => {
    const child = startEmitter({ ...base(), spoolDir: tempDir(), runId: 'run-before-exit', mode: 'burst', count: 400, then: 'end' });
    const how = await child.exited;
    assert.equal(how.code, 0, child.stderr());
    assertAllUpTo(await seqs('run-before-exit'), 399);
  });

  it('SIGKILL: what the child had spooled is delivered by the next start', async () => {
    const spoolDir = tempDir();
    proxy.mode = 'refuse';
    const child = startEmitter({ databaseUrl: proxy.url(db.url), schema: db.schema, spoolDir, runId: 'run-sigkill', mode: 'burst', count: 300, then: 'flush-wait' });
    const flushed = await child.waitFor(/^flushed /);
    const stats = JSON.parse(flushed.slice('flushed '.length)) as { spooled: number };
    assert.equal(stats.spooled, 301, 'forceFlush while Postgres is down spools everything: 300 events and the run in progress');
    child.process.kill('SIGKILL');
    await child.exited;
    assert.ok(readdirSync(spoolDir).some((f) => f.endsWith('.open')), 'the killed process left its open segment');
    await replay(spoolDir);
    assertAllUpTo(await seqs('run-sigkill'), 299);
    // The run never ended: its row in progress keeps it listed, as running, with its start.
    const run = await db.pool.query(`SELECT status, started_at, completed_at FROM "${db.schema}".workflow_runs WHERE id = 'run-sigkill'`);
    assert.equal(run.rows.length, 1, 'a killed run is listed');
    assert.equal(run.rows[0].status, 'running');
    assert.ok(run.rows[0].started_at instanceof Date);
    assert.equal(run.rows[0].completed_at, null);
  });

  it('SIGKILL during a long code execution: the execution stays listed, running, with its node and run (postgresEventsInProgressAfterMs)', async () => {
    const child = startEmitter({ ...base(), spoolDir: false, runId: 'run-killed-mid-code', mode: 'burst', count: 3, then: 'long-event', eventsInProgressAfterMs: 50 });
    await child.waitFor(/^long-event$/);
    const inProgress = async () =>
      (await db.pool.query(`SELECT event_type, agent_name, status, completed_at, node_id FROM "${db.schema}".execution_events WHERE run_id = 'run-killed-mid-code' AND status = 'running'`)).rows;
    const deadline = Date.now() + 10_000;
    while ((await inProgress()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.process.kill('SIGKILL');
    await child.exited;
    const rows = await inProgress();
    assert.deepEqual(rows, [{ event_type: 'code_exec', agent_name: 'executor', status: 'running', completed_at: null, node_id: 'train' }]);
    assert.deepEqual(await seqs('run-killed-mid-code'), [0, 1, 2, null], 'the events that ended before are there too (and the code execution, which has no seq)');
    const node = await db.pool.query(`SELECT status FROM "${db.schema}".dag_nodes WHERE run_id = 'run-killed-mid-code'`);
    assert.deepEqual(node.rows, [{ status: 'running' }]);
  });

  it('flushOnExit: false leaves signals alone (Node default: SIGTERM kills at once)', async () => {
    const child = startEmitter({ ...base(), spoolDir: false, runId: 'run-optout', mode: 'loop', intervalMs: 1, flushOnExit: false });
    await child.waitFor(/^ended 20$/);
    child.process.kill('SIGTERM');
    const how = await child.exited;
    assert.equal(how.signal, 'SIGTERM');
  });

  /**
   * Postgres is back: the next start, with the same database and spool,
   * delivers what was spooled (the same URL as the writer's: a spool is
   * replayed only into the destination it was written for).
   */
  async function replay(spoolDir: string, databaseUrl = proxy.url(db.url)): Promise<void> {
    proxy.mode = 'forward';
    const agentspan = await startAgentspan(
      { databaseUrl, schema: db.schema, otlpEndpoint: false, spoolDir, flushOnExit: false, logger: { warn: () => {} } },
      {},
    );
    const deadline = Date.now() + 15_000;
    while (readdirSync(spoolDir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const replayed = agentspan.stats().postgres?.replayed ?? 0;
    await agentspan.shutdown();
    assert.deepEqual(readdirSync(spoolDir), [], 'the spool was replayed and emptied');
    assert.ok(replayed > 0);
  }
});
