/** The worker-thread recorder with hostile events: counted as lost, never thrown into the worker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startAgentspan } from '../src/index.js';
import { createWorkerRecorder } from '../src/worker.js';
import { MessageChannel, Worker } from 'node:worker_threads';
import { once } from 'node:events';

/** agentspan without exporters, with a processor that keeps every ended span. */
async function started(shutdownTimeoutMillis?: number) {
  const ended: ReadableSpan[] = [];
  const collector: SpanProcessor = { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const agentspan = await startAgentspan(
    {
      registerGlobal: false,
      flushOnExit: false,
      otlpEndpoint: false,
      spoolDir: false,
      spanProcessors: [collector],
      logger: { warn: () => {} },
      ...(shutdownTimeoutMillis !== undefined ? { shutdownTimeoutMillis } : {}),
    },
    {},
  );
  return { agentspan, ended };
}

test('events that cannot be copied (a throwing proxy, a throwing getter) are counted as lost, not thrown', async () => {
  const { agentspan, ended } = await started();
  const run = agentspan.startRun({ runId: 'hostile-worker' });
  // The same API a worker thread gets, here on the main thread: what it sends goes through the same port.
  const rec = createWorkerRecorder(agentspan.workerData(run));
  const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } });
  const getter = { agent: 'a', tool: 'hostile', get args(): unknown { throw new Error('getter'); } };
  assert.doesNotThrow(() => rec.toolCall(proxy as never));
  assert.doesNotThrow(() => rec.toolCall(getter as never));
  assert.doesNotThrow(() => rec.beginToolCall(getter as never).end());
  const handle = rec.beginToolCall({ agent: 'a', tool: 'ends-anyway' });
  assert.doesNotThrow(() => handle.end({ get result(): unknown { throw new Error('end getter'); } } as never));
  rec.toolCall({ agent: 'a', tool: 'fine' });
  assert.equal(rec.lost, 3);
  rec.close();
  await new Promise((r) => setTimeout(r, 100)); // the port delivers on a later turn, as from a real worker
  run.end();
  await agentspan.shutdown();
  const tools = ended.filter((s) => s.attributes['agentspan.run.id'] === 'hostile-worker' && s.name.startsWith('execute_tool')).map((s) => s.name);
  assert.deepEqual(tools.sort(), ['execute_tool ends-anyway', 'execute_tool fine']);
});

test('at shutdown, events still in the channel are recorded, and events left running end as failed', async () => {
  const { agentspan, ended } = await started();
  const run = agentspan.startRun({ runId: 'worker-at-shutdown' });
  const rec = createWorkerRecorder(agentspan.workerData(run));
  rec.toolCall({ agent: 'a', tool: 'posted-just-before' });
  rec.beginCodeExecution({ agent: 'a', language: 'python', code: 'while True: pass' });
  run.end();
  await agentspan.shutdown(); // no turn of the event loop in between: both messages are still in the port
  const mine = ended.filter((s) => s.attributes['agentspan.run.id'] === 'worker-at-shutdown');
  assert.ok(mine.some((s) => s.name === 'execute_tool posted-just-before'), mine.map((s) => s.name).join(', '));
  const running = mine.find((s) => s.name.startsWith('execute_code'));
  assert.ok(running, mine.map((s) => s.name).join(', '));
  assert.equal(running.attributes['agentspan.status'], 'failed');
});

test('an event that cannot be structured-cloned keeps its times and error message, and an unreadable field costs that field only', async () => {
  const { agentspan, ended } = await started();
  const run = agentspan.startRun({ runId: 'worker-fallback' });
  const rec = createWorkerRecorder(agentspan.workerData(run));
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const start = new Date(Date.UTC(2020, 0, 1));
  const end = new Date(Date.UTC(2020, 0, 1, 0, 0, 2));
  rec.toolCall({ agent: 'a', tool: 'with-function', args: { q: 'x', callback: () => 1 }, startTime: start, endTime: end, error: new Error('boom') });
  rec.toolCall({ agent: 'a', tool: 'with-revoked', args: { query: 'keep me', limit: 5, session: revoked } });
  rec.beginToolCall({ agent: 'a', tool: 'begun', args: { fn: () => 1 }, startTime: start }).end({ result: { fn: () => 2 }, endTime: end, error: new Error('late') });
  assert.equal(rec.lost, 0);
  await rec.flush();
  rec.close();
  run.end();
  await agentspan.shutdown();
  const span = (name: string) => {
    const s = ended.find((x) => x.attributes['agentspan.run.id'] === 'worker-fallback' && x.name === name);
    assert.ok(s, name);
    return s;
  };
  for (const name of ['execute_tool with-function', 'execute_tool begun']) {
    assert.deepEqual(span(name).startTime, [1_577_836_800, 0], `${name} keeps its start time`);
    assert.deepEqual(span(name).duration, [2, 0], `${name} keeps its end time`);
  }
  assert.equal(span('execute_tool with-function').attributes['agentspan.error.message'], 'boom');
  assert.equal(span('execute_tool with-function').attributes['gen_ai.tool.call.arguments'], '{"q":"x","callback":"[function callback]"}');
  assert.equal(span('execute_tool begun').attributes['agentspan.error.message'], 'late');
  assert.equal(span('execute_tool with-revoked').attributes['gen_ai.tool.call.arguments'], '{"query":"keep me","limit":5,"session":"[unreadable]"}');
});

test('an error from a worker keeps its type (a custom Error class, a name set by hand), on both the cloneable and the fallback path', async () => {
  const { agentspan, ended } = await started();
  const run = agentspan.startRun({ runId: 'worker-error-types' });
  const rec = createWorkerRecorder(agentspan.workerData(run));
  class ToolError extends Error {
    override name = 'ToolError';
  }
  const renamed = new Error("No module named 'pandas'");
  renamed.name = 'ModuleNotFoundError';
  rec.toolCall({ agent: 'a', tool: 'custom', error: new ToolError('quota exceeded') });
  rec.codeExecution({ agent: 'a', code: 'import pandas', language: 'python', error: renamed });
  rec.toolCall({ agent: 'a', tool: 'fallback', args: { fn: () => 1 }, error: new ToolError('with a function beside it') });
  rec.beginToolCall({ agent: 'a', tool: 'begun' }).end({ error: new RangeError('too far') });
  rec.toolCall({ agent: 'a', tool: 'look-alike', result: { 'agentspan.worker/error': 'no', name: 'X', message: 'plain data' } });
  await rec.flush();
  rec.close();
  run.end();
  await agentspan.shutdown();
  const attrs = (name: string) => {
    const s = ended.find((x) => x.attributes['agentspan.run.id'] === 'worker-error-types' && x.name === name);
    assert.ok(s, name);
    return s.attributes;
  };
  assert.equal(attrs('execute_tool custom')['error.type'], 'ToolError');
  assert.equal(attrs('execute_tool custom')['agentspan.error.message'], 'quota exceeded');
  assert.equal(attrs('execute_code a')['error.type'], 'ModuleNotFoundError');
  assert.equal(attrs('execute_tool fallback')['error.type'], 'ToolError');
  assert.equal(attrs('execute_tool begun')['error.type'], 'RangeError');
  assert.equal(attrs('execute_tool look-alike')['error.type'], undefined, 'a result that only looks like one is data');
  assert.match(String(attrs('execute_tool look-alike')['gen_ai.tool.call.result']), /plain data/);
});

test('workerData() and childEnv() never throw: a target without a usable run goes to a placeholder run', async () => {
  const { agentspan } = await started();
  const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
  const throwingReference = { reference: () => { throw new Error('reference'); } };
  for (const target of [undefined, null, 42, hostile, throwingReference, { get runId(): string { throw new Error('getter'); }, traceparent: '' }]) {
    assert.doesNotThrow(() => agentspan.workerData(target as never).port.close());
    const env = agentspan.childEnv(target as never, {});
    assert.match(String(env['AGENTSPAN_RUN_REFERENCE']), /unknown-/);
  }
  const run = agentspan.startRun({ runId: 'usable' });
  assert.match(String(agentspan.childEnv(run, {})['AGENTSPAN_RUN_REFERENCE']), /usable/);
  run.end();
  await agentspan.shutdown();
});

test('shutdown stops receiving from a worker that keeps posting within its budget, and the worker counts every event it lost', async () => {
  const { agentspan, ended } = await started();
  const run = agentspan.startRun({ runId: 'worker-keeps-posting' });
  const data = agentspan.workerData(run);
  const worker = new Worker(new URL('./fixtures/worker-keeps-posting.mjs', import.meta.url), {
    workerData: { agentspan: data, millis: 4000 },
    transferList: [data.port],
  });
  await once(worker, 'message'); // recording
  await new Promise((r) => setTimeout(r, 200));
  // Listened for before shutdown: on a loaded machine the worker may report while shutdown() is awaited,
  // and a Worker's message with no listener is gone (the test then waited for it past the worker's exit).
  const reported = once(worker, 'message');
  const exited = once(worker, 'exit');
  const before = Date.now();
  const done = agentspan.shutdown();
  const blocked = Date.now() - before;
  await done;
  const [report] = (await reported) as [{ posted: number; lost: number }];
  await exited;
  // The budget is 1 s (or half of shutdownTimeoutMillis): without one, shutdown() held the thread until the worker stopped.
  assert.ok(blocked < 3000, `shutdown() blocked the main thread ${blocked} ms`);
  const recorded = ended.filter((s) => s.name === 'execute_tool tick').length;
  assert.ok(report.lost > 0);
  assert.equal(recorded + report.lost, report.posted, 'every event is recorded or counted lost by the worker');
});

test('a channel opened after shutdown tells the worker at once: what it records is counted lost', async () => {
  const { agentspan } = await started();
  await agentspan.shutdown();
  const rec = createWorkerRecorder(agentspan.workerData({ runId: 'late', traceparent: '' }));
  for (let i = 0; i < 10; i++) rec.toolCall({ agent: 'a', tool: 't' });
  await new Promise((r) => setTimeout(r, 50));
  rec.toolCall({ agent: 'a', tool: 't' });
  assert.equal(rec.lost, 11);
  await rec.flush(null as never); // a flush with no options resolves, never rejects
});

test('two recorders on one channel: at shutdown each counts as lost only its own events that did not arrive', async () => {
  // shutdownTimeoutMillis 2: shutdown reads what is still in the channel for 1 ms only, and leaves the rest.
  const { agentspan, ended } = await started(2);
  const run = agentspan.startRun({ runId: 'two-recorders-lost' });
  const data = agentspan.workerData(run);
  const library = createWorkerRecorder(data);
  const app = createWorkerRecorder(data);
  for (let i = 0; i < 3; i++) library.toolCall({ agent: 'library', tool: 'lookup' });
  await library.flush(); // all three arrived
  const posted = 20_000;
  for (let i = 0; i < posted; i++) app.toolCall({ agent: 'app', tool: 'search' });
  await agentspan.shutdown(); // no turn of the event loop in between: the app's events are still in the channel
  await new Promise((r) => setTimeout(r, 50)); // the recorders read agentspan's "closed" on a later turn
  const recorded = (tool: string) => ended.filter((s) => s.attributes['agentspan.run.id'] === 'two-recorders-lost' && s.name === `execute_tool ${tool}`).length;
  assert.equal(recorded('lookup'), 3);
  assert.equal(library.lost, 0, "the library's events all arrived");
  assert.ok(app.lost > 0, 'shutdown left some of the app\'s events in the channel');
  assert.equal(recorded('search') + app.lost, posted, "every one of the app's events is recorded or counted lost by the app");
});

test('flush({ timeoutMillis: Infinity }) (or 2^31 ms and more) waits for the answer: no deadline, no TimeoutOverflowWarning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    for (const timeoutMillis of [Infinity, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      // A main thread that never answers: only the deadline could end the flush.
      const { port1, port2 } = new MessageChannel();
      const rec = createWorkerRecorder({ port: port2, reference: { runId: 'silent', traceparent: '' } });
      let resolved = false;
      const flushed = rec.flush({ timeoutMillis }).then(() => {
        resolved = true;
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(resolved, false, `flush with timeoutMillis ${timeoutMillis} still waiting after 200 ms`);
      rec.close(); // a flush still waiting resolves when its recorder closes
      await flushed;
      port1.close();
    }
    await new Promise((r) => setImmediate(r)); // warnings are emitted on a later tick
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test("a worker recorder of another agentspan version (another protocol) is reported once, not dropped in silence; other traffic on the port is left alone", async () => {
  const warnings: string[] = [];
  const agentspan = await startAgentspan(
    { registerGlobal: false, flushOnExit: false, otlpEndpoint: false, spoolDir: false, logger: { warn: (m) => void warnings.push(m) } },
    {},
  );
  const run = agentspan.startRun({ runId: 'foreign-protocol' });
  const data = agentspan.workerData(run);
  // What a later version's recorder would post; and the application's own messages on the same port.
  for (let i = 0; i < 3; i++) data.port.postMessage({ p: 'agentspan.worker/2', op: 'record', rid: 'r', method: 'toolCall', event: { tool: 't' } });
  data.port.postMessage({ p: 'my-app', hello: 1 });
  data.port.postMessage('plain text');
  await new Promise((r) => setTimeout(r, 100));
  run.end();
  await agentspan.shutdown();
  data.port.close();
  const reported = warnings.filter((w) => /protocol/.test(w));
  assert.equal(reported.length, 1, warnings.join(' | '));
  assert.match(reported[0] ?? '', /records in protocol "agentspan\.worker\/2", which this agentspan \(agentspan\.worker\/1\) does not read: its events are not recorded/);
});
