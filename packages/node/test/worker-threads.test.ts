/**
 * Worker threads recording into Postgres through the main thread, in the
 * ways real applications use them: several recorders on one channel,
 * events of the application's own classes, flushes without a deadline.
 * The fixtures use the built package (`npx tsc -b packages/node` first).
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createTestSchema, startTcpProxy, type TcpProxy, type TestSchema } from '@agentspan/test-support';
import type { Agentspan, AgentspanOptions } from '../src/index.js';
import { startQuiet } from './quiet-start.js';
import { createWorkerRecorder } from '../src/worker.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('worker_threads');
});
after(async () => {
  await db.drop();
});

const start = (options: AgentspanOptions = {}): Promise<Agentspan> => startQuiet(db, options);

interface Row {
  agent_name: string;
  status: string;
  error_message: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  meta: Record<string, unknown>;
}

async function toolRows(runId: string): Promise<Row[]> {
  const r = await db.pool.query(
    `SELECT agent_name, status, error_message, inputs, outputs, meta FROM "${db.schema}".execution_events
      WHERE run_id = $1 AND event_type = 'tool_call' ORDER BY execution_order`,
    [runId],
  );
  return r.rows as Row[];
}

/** Runs `fixture` with `data` as its `workerData.agentspan` (plus `extra`); resolves with its first message, once it exited. */
async function runWorker<T>(fixture: string, agentspan: Agentspan, target: Parameters<Agentspan['workerData']>[0], extra: Record<string, unknown> = {}): Promise<T> {
  const data = agentspan.workerData(target);
  const worker = new Worker(new URL(`./fixtures/${fixture}`, import.meta.url), { workerData: { agentspan: data, ...extra }, transferList: [data.port] });
  const exited = once(worker, 'exit'); // listened for now: the worker may be gone before its message is read
  const [message] = (await once(worker, 'message')) as [T];
  await exited;
  await new Promise((r) => setTimeout(r, 50)); // the port's close reaches the main thread
  return message;
}

describe('worker threads', () => {
  it('two recorders made from the same workerData keep their own events: each result on its own event, nothing left open, nothing lost', async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'two-recorders' });
    const report = await runWorker<{ lost: number[] }>('worker-two-recorders.mjs', agentspan, run);
    run.end();
    await agentspan.shutdown();

    assert.deepEqual(report.lost, [0, 0]);
    const rows = await toolRows('two-recorders');
    const summary = rows.map((r) => ({ agent: r.agent_name, tool: r.inputs['tool'], result: r.outputs['result'], status: r.status, error: r.error_message }));
    assert.deepEqual(
      summary.sort((a, b) => String(a.agent).localeCompare(String(b.agent))),
      [
        { agent: 'app', tool: 'search', result: 'from the app', status: 'completed', error: null },
        { agent: 'library', tool: 'lookup', result: 'from the library', status: 'completed', error: null },
      ],
    );
  });

  it("events and results of the application's own classes keep the fields their getters give; only event fields are read, and a throwing getter is counted lost, never thrown", async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'class-events' });
    const report = await runWorker<{ lost: number; thrown: boolean; pagesRead: number }>('worker-class-events.mjs', agentspan, run);
    run.end();
    await agentspan.shutdown();

    assert.deepEqual(report, { lost: 1, thrown: false, pagesRead: 0 }, 'the Broken event is lost (counted), nextPage (not an event field) never read');
    const rows = await toolRows('class-events');
    assert.equal(rows.length, 2, JSON.stringify(rows));
    const [search, fetch] = rows;
    assert.equal(search?.agent_name, 'researcher');
    assert.equal(search?.inputs['tool'], 'search');
    assert.deepEqual(search?.inputs['args'], { q: 'otel' });
    assert.equal(search?.outputs['result'], 'found 3 papers');
    assert.equal(search?.meta['attempt'], 2, 'a getter of the class extended');
    assert.equal(fetch?.inputs['tool'], 'fetch');
    assert.deepEqual(fetch?.inputs['args'], { url: 'https://example.org' });
    assert.equal(fetch?.outputs['result'], 'fetched', 'a result of a class ends its event with its fields');
    assert.equal(fetch?.status, 'completed');
  });

  for (const timeoutMillis of [Infinity, 2 ** 31]) {
    it(`flush({ deliver: true, timeoutMillis: ${timeoutMillis} }) waits until what was posted is in Postgres (no deadline, no timer overflow)`, async () => {
      const agentspan = await start();
      const runId = `flush-${timeoutMillis}`;
      const run = agentspan.startRun({ runId });
      const data = agentspan.workerData(run);
      const worker = new Worker(new URL('./fixtures/worker-flush-deadline.mjs', import.meta.url), {
        workerData: { agentspan: data, count: 200, timeoutMillis },
        transferList: [data.port],
      });
      const exited = once(worker, 'exit');
      const [report] = (await once(worker, 'message')) as [{ warnings: string[] }];
      // Counted the moment the worker's flush resolved, before anything else is flushed.
      const stored = (await toolRows(runId)).length;
      await exited;
      run.end();
      await agentspan.shutdown();
      assert.deepEqual(report.warnings, [], 'no TimeoutOverflowWarning');
      assert.equal(stored, 200, 'every event posted before the flush was delivered when it resolved');
    });
  }

  it("an event a recorder left running when it closed is ended at its close(), as failed, while the others still use the channel", async () => {
    // Before: the channel stayed open for the others, and the event stayed listed as running until the worker ended.
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'release-one' });
    const data = agentspan.workerData(run);
    const worker = new Worker(new URL('./fixtures/worker-release.mjs', import.meta.url), { workerData: { agentspan: data }, transferList: [data.port] });
    const exited = once(worker, 'exit');
    await once(worker, 'message');
    await new Promise((r) => setTimeout(r, 50)); // the release reaches the main thread
    await agentspan.forceFlush();
    const whileAlive = (await toolRows('release-one')).map((r) => `${r.agent_name}:${String(r.inputs['tool'])}:${r.status}:${r.error_message ?? ''}`);
    worker.postMessage('go');
    await exited;
    run.end();
    await agentspan.shutdown();
    assert.deepEqual(whileAlive.sort(), ['app:search:completed:', 'library:left-open-at-close:failed:its worker recorder was closed before this event ended']);
  });

  it("one recorder's close() leaves the channel to the others: their events are recorded; the last close() closes it", async () => {
    const agentspan = await start();
    const run = agentspan.startRun({ runId: 'close-one' });
    const report = await runWorker<{ lost: number[]; lateLost: number; warnings: string[] }>('worker-close-one.mjs', agentspan, run);
    run.end();
    await agentspan.shutdown();

    // Before: the library's close() closed the shared port, and the app's next event went nowhere, counted nowhere.
    assert.deepEqual(report.lost, [1, 0], "only the library's own event after its close() is lost");
    assert.equal(report.lateLost, 1, 'a recorder made from the closed channel counts its events lost');
    assert.deepEqual(report.warnings, [], 'recorders made and closed per task leave no listeners behind');
    const rows = await toolRows('close-one');
    const summary = rows.map((r) => `${r.agent_name}:${String(r.inputs['tool'])}:${r.status}`).sort();
    assert.deepEqual(summary, [
      'app:left-running:failed', // the last close() closed the channel: the main thread ended it as failed
      'app:search:completed',
      'library:lookup:completed',
      ...Array.from({ length: 12 }, (_, i) => `task:task-${i}:completed`).sort(),
    ]);
  });
});

describe('worker recorders sharing a channel, Postgres not answering', () => {
  let proxy: TcpProxy;
  before(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  });
  after(async () => {
    await proxy.close();
  });

  it("one recorder's flush answer does not resolve another's: a flush({ deliver: true }) waits for its own delivery", async () => {
    const agentspan = await start({ databaseUrl: proxy.url(db.url), shutdownTimeoutMillis: 1000 });
    const run = agentspan.startRun({ runId: 'shared-flush' });
    const data = agentspan.workerData(run);
    // The worker API, here on the main thread: both recorders post on the same port, as in a worker.
    const library = createWorkerRecorder(data);
    const app = createWorkerRecorder(data);
    proxy.mode = 'blackhole'; // delivery now waits out its deadline (1 s)
    app.toolCall({ agent: 'app', tool: 'search' });
    const started = Date.now();
    const delivered = app.flush({ deliver: true }).then(() => Date.now() - started);
    await library.flush(); // answered as soon as the main thread has read the channel
    const libraryMs = Date.now() - started;
    const appMs = await delivered;
    proxy.mode = 'forward';
    library.close();
    run.end();
    await agentspan.shutdown();
    assert.ok(libraryMs < 500, `the library's flush waits for no delivery (${libraryMs} ms)`);
    assert.ok(appMs >= 900, `the app's flush waited for its delivery's deadline, not the library's answer (${appMs} ms)`);
  });
});
