import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Attr } from '@agentspan/semconv';
import { byName, setup } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // finalization callbacks run between turns
  }
}

test('endOpen ends the handles the application still holds: events failed, nodes failed, runs cancelled', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'held' });
  const node = run.startNode('n');
  const held = node.beginToolCall({ agent: 'a', tool: 'held_tool' });
  assert.equal(recorder.endOpen(), 3);
  held.end({ result: 'too late' }); // already ended: nothing happens
  const tool = byName(spans(), 'execute_tool held_tool');
  assert.equal(tool.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.equal(byName(spans(), 'invoke_workflow workflow').attributes[Attr.ATTR_RUN_STATUS], 'cancelled');
  assert.equal(recorder.endOpen(), 0, 'nothing left open');
});

test('handles dropped without end() are not kept alive (with their content) and are counted as abandoned', async () => {
  const { recorder } = setup();
  const run = recorder.startRun();
  const before = process.memoryUsage().heapUsed;
  (() => {
    for (let i = 0; i < 200; i++) run.beginAgentCall({ agent: 'a', content: `${i}`.padEnd(100_000, 'x') });
  })();
  await collect();
  const after = process.memoryUsage().heapUsed;
  assert.ok(after - before < 10_000_000, `${Math.round((after - before) / 1e6)} MB still held after the handles were dropped`);
  assert.equal(recorder.openHandleStats().abandoned, 200);
  assert.equal(recorder.endOpen(), 1, 'only the run, which the test still holds');
});

test('beyond 10 000 open handles, events are let go first (runs and nodes stay tracked) and untracked counts only those still open', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'many' });
  const node = run.startNode('n');
  const handles = Array.from({ length: 15_000 }, (_, i) => node.beginToolCall({ agent: 'a', tool: `t${i}` }));
  assert.equal(recorder.openHandleStats().untracked, 5_002, 'the run and the node took two of the 10 000 places');
  for (const h of handles.slice(0, 4_000)) h.end({ result: 'ok' }); // the oldest, let go: ending them leaves the count
  assert.equal(recorder.openHandleStats().untracked, 1_002);
  for (const h of handles.slice(4_000)) h.end({ result: 'ok' });
  assert.deepEqual(recorder.openHandleStats(), { abandoned: 0, untracked: 0, failed: 0 });
  // The run and the node were never let go: shutdown still ends them.
  assert.equal(recorder.endOpen(), 2);
  assert.equal(byName(spans(), 'invoke_workflow workflow').attributes[Attr.ATTR_RUN_STATUS], 'cancelled');
});
