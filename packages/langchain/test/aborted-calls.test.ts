import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessage } from '@langchain/core/messages';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { AgentspanCallbackHandler } from '../src/index.js';
import { ABORT_GRACE_MS } from '../src/callback-handler.js';
import { eventRows, startHarness } from './helpers.js';

/**
 * A chat model's `.stream()` aborted by the caller's AbortController:
 * LangChain reports neither an end nor an error for it (the stream is closed
 * from outside the model's generator), so the handler listens to the call's
 * signal. Driven by LangChain's own `FakeListChatModel`, rows read back from
 * Postgres.
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('langchain_abort');
});
after(async () => {
  await db.drop();
});

/**
 * Waits until the handler tracks no call, at least the abort grace and at most 10 s past it: the grace's
 * timer and the row's end may run late on a loaded machine (the whole suite runs beside the others').
 */
async function graceOver(handler: AgentspanCallbackHandler): Promise<void> {
  await new Promise((r) => setTimeout(r, ABORT_GRACE_MS + 50));
  const deadline = Date.now() + 10_000;
  while (handler.trackedRuns > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Streams `text` from LangChain's fake model and aborts after `stopAfter` chunks; what the caller saw. */
async function streamAndAbort(handler: AgentspanCallbackHandler | undefined, stopAfter: number): Promise<{ seen: string; error: string }> {
  const controller = new AbortController();
  const model = new FakeListChatModel({ responses: ['abcdefghijklmnop'], sleep: 2 });
  let seen = '';
  try {
    const stream = await model.stream('hi', { signal: controller.signal, ...(handler ? { callbacks: [handler] } : {}) });
    for await (const chunk of stream) {
      seen += String(chunk.content);
      if (seen.length === stopAfter) controller.abort(new Error('user pressed stop'));
    }
  } catch (err) {
    return { seen, error: (err as Error).message };
  }
  return { seen, error: '' };
}

test('an aborted model stream is a failed agent_call row once the grace has passed (no dispose needed), and the caller sees the same as without the handler', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-abort-run', task: 'stream then stop' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step, agent: 'talker' });

  const plain = await streamAndAbort(undefined, 3);
  const traced = await streamAndAbort(handler, 3);
  assert.deepEqual(traced, plain, 'the instrumented stream behaves as the plain one');
  assert.deepEqual(traced, { seen: 'abc', error: 'user pressed stop' });
  await graceOver(handler);
  assert.equal(handler.trackedRuns, 0, 'the aborted turn is not left open');

  step.end();
  run.end();
  await agentspan.shutdown(); // no handler.dispose(): the row must not depend on it
  const rows = await eventRows(db, 'lc-abort-run');
  assert.deepEqual(
    rows.map((r) => [r.event_type, r.agent_name, r.status, r.error_message]),
    [['agent_call', 'talker', 'failed', 'user pressed stop']],
  );
  assert.equal(rows[0]?.meta['aborted'], true);
  assert.equal(rows[0]?.meta['model_class'], 'FakeListChatModel');
});

test('a signal shared by many model calls that end normally keeps no listener, and aborting it later changes no row', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-shared-signal', task: 'many calls, one signal' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step });
  const shared = new AbortController();
  const model = new FakeListChatModel({ responses: ['one', 'two', 'three'] });
  for (let i = 0; i < 3; i++) await model.invoke('hi', { signal: shared.signal, callbacks: [handler] });
  let streamed = '';
  for await (const chunk of await model.stream('hi', { signal: shared.signal, callbacks: [handler] })) streamed += String(chunk.content);
  assert.equal(streamed, 'one');
  assert.equal(getEventListeners(shared.signal, 'abort').length, 0, 'no listener left behind on the shared signal');
  shared.abort();
  step.end();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-shared-signal');
  assert.deepEqual(
    rows.map((r) => [r.status, r.inputs['content']]),
    [
      ['completed', 'one'],
      ['completed', 'two'],
      ['completed', 'three'],
      ['completed', 'one'],
    ],
  );
});

test('a signal that cannot be listened to (a throwing addEventListener or signal getter) still lets the turn be recorded', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-hostile-signal', task: 'odd signals' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step });
  const model = { lc: 1, type: 'not_implemented', id: ['x', 'FakeChat'] } as never;
  const output = { generations: [[{ text: 'hi', message: new AIMessage('hi') }]] } as never;
  const hostile = { aborted: false, addEventListener: () => { throw new Error('hostile'); }, removeEventListener: () => undefined };
  const throwingGetter = { get signal(): never { throw new Error('getter'); } };
  for (const [runId, options] of [['a', { signal: hostile }], ['b', throwingGetter]] as const) {
    handler.handleChatModelStart(model, [[]], runId, undefined, { options });
    handler.handleLLMEnd(output, runId);
  }
  assert.equal(handler.trackedRuns, 0);
  step.end();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-hostile-signal');
  assert.deepEqual(rows.map((r) => [r.status, r.inputs['content']]), [
    ['completed', 'hi'],
    ['completed', 'hi'],
  ]);
});

test('concurrent calls sharing one signal add one listener to it, not one each: no "possible memory leak" warning the application would not get', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-concurrent-signal', task: 'six streams, one signal' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step });
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  /** Six concurrent streams on a fresh signal (Node warns once per signal, past 10 listeners); the most listeners it carried. */
  const six = async (withHandler: boolean, stopAt?: number) => {
    const controller = new AbortController();
    const model = new FakeListChatModel({ responses: ['abcdef'], sleep: 3 });
    let most = 0;
    const texts = await Promise.all(
      Array.from({ length: 6 }, async () => {
        let text = '';
        try {
          for await (const chunk of await model.stream('hi', { signal: controller.signal, ...(withHandler ? { callbacks: [handler] } : {}) })) {
            text += String(chunk.content);
            most = Math.max(most, getEventListeners(controller.signal, 'abort').length);
            if (text.length === stopAt) controller.abort(new Error('stop all'));
          }
        } catch (err) {
          text += ` (${(err as Error).message})`;
        }
        return text;
      }),
    );
    return { most, texts, left: getEventListeners(controller.signal, 'abort').length };
  };
  try {
    const plain = await six(false);
    const traced = await six(true);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.ok(traced.most <= plain.most + 1, `one listener of agentspan on the shared signal (${traced.most} with it, ${plain.most} without)`);
    assert.deepEqual(traced.texts, plain.texts);
    assert.equal(traced.left, 0);
    assert.deepEqual(warnings, []);
    const stopped = await six(true, 2);
    assert.ok(stopped.texts.some((t) => t.endsWith('(stop all)')), JSON.stringify(stopped.texts));
  } finally {
    process.off('warning', onWarning);
  }
  await graceOver(handler); // the stopped calls wait out the grace
  assert.equal(handler.trackedRuns, 0);
  step.end();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-concurrent-signal');
  const statuses = rows.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 'completed').length, 6, 'the six calls that ran to their end');
  assert.deepEqual(
    rows.filter((r) => r.status === 'failed').map((r) => [r.error_message, r.meta['aborted']]),
    Array.from({ length: 6 }, () => ['stop all', true]),
    'each of the six stopped calls ends failed with the reason, through the one listener',
  );
});

test('a stream whose signal was aborted before it started is a failed row with the reason; an invoke whose model ignores an abort keeps its reply', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-abort-timing', task: 'aborted early, aborted late' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step, agent: 'talker' });

  // Aborted before the call: `.stream()` rejects; whatever LangChain reports (an error, with @langchain/core 1.4), the row fails with the reason.
  const early = new AbortController();
  early.abort(new Error('cancelled before start'));
  await assert.rejects(async () => {
    for await (const _ of await new FakeListChatModel({ responses: ['never'] }).stream('hi', { signal: early.signal, callbacks: [handler] })) void _;
  });
  // Aborted mid-way while the model ignores the signal: `invoke()` returns the whole reply, as LangChain reports.
  const late = new AbortController();
  // Aborted once the model has started (a timer from before the call could fire before it starts on a loaded machine).
  const abortOnceStarted = { handleChatModelStart: () => void setTimeout(() => late.abort(new Error('too late')), 20) };
  const reply = await new FakeListChatModel({ responses: ['the whole reply'], sleep: 60 }).invoke('hi', { signal: late.signal, callbacks: [handler, abortOnceStarted] });
  assert.equal(reply.content, 'the whole reply');

  await graceOver(handler);
  assert.equal(handler.trackedRuns, 0);
  step.end();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-abort-timing');
  assert.deepEqual(
    rows.map((r) => [r.status, r.error_message, r.inputs['content'] ?? null]),
    [
      ['failed', 'cancelled before start', null],
      ['completed', null, 'the whole reply'],
    ],
  );
});

test('disposing the handler while an aborted call waits out the grace ends it with the abort reason', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-abort-dispose', task: 'dispose during the grace' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step, agent: 'talker' });
  const c = new AbortController();
  c.abort(new Error('stopped'));
  await assert.rejects(async () => {
    for await (const _ of await new FakeListChatModel({ responses: ['x'] }).stream('hi', { signal: c.signal, callbacks: [handler] })) void _;
  });
  handler.dispose();
  step.end();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-abort-dispose');
  assert.deepEqual(rows.map((r) => [r.status, r.error_message]), [['failed', 'stopped']]);
});

test('a run id the caller reuses while an aborted call waits out the grace: the aborted row still ends with its reason, the new call with its reply', async () => {
  // Before: the new call replaced the waiting one, which nothing found again; its row ended "agentspan shut down".
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-lc-abort-')));
  const run = agentspan.startRun({ runId: 'lc-abort-reused-id', task: 'retry under the same run id' });
  const step = run.startNode('chat');
  const handler = new AgentspanCallbackHandler({ node: step, agent: 'talker' });
  const runId = '0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e';
  const controller = new AbortController();
  let seen = '';
  await assert.rejects(async () => {
    const model = new FakeListChatModel({ responses: ['abcdefgh'], sleep: 2 });
    for await (const chunk of await model.stream('hi', { signal: controller.signal, callbacks: [handler], runId })) {
      seen += String(chunk.content);
      if (seen.length === 2) controller.abort(new Error('stopped, retrying'));
    }
  }, /stopped, retrying/);
  const reply = await new FakeListChatModel({ responses: ['second try'] }).invoke('hi', { callbacks: [handler], runId });
  assert.equal(reply.content, 'second try');
  await graceOver(handler);
  assert.equal(handler.trackedRuns, 0);
  step.end();
  run.end();
  await agentspan.shutdown();
  const rows = await eventRows(db, 'lc-abort-reused-id');
  assert.deepEqual(
    rows.map((r) => [r.meta['langchain_run_id'], r.status, r.error_message, r.meta['aborted'] ?? null, r.inputs['content'] ?? null]),
    [
      [runId, 'failed', 'stopped, retrying', true, null],
      [runId, 'completed', null, null, 'second try'],
    ],
  );
});
