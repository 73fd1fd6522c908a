import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { activeRecording, runIdOf, type ActiveRecording } from '../src/index.js';
import { enableContext, setup } from './helpers.js';

/** What `activeRecording()` reports, as [kind, run id, node id]. */
function seen(r: ActiveRecording | undefined): [string, string, string | undefined] | undefined {
  if (r === undefined) return undefined;
  return [r.kind, runIdOf(r), r.kind === 'node' ? r.node.id : r.kind === 'attached' ? r.recorder.nodeId : undefined];
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test("activeRecording() names the run or node of the innermost with(), across awaits, and nothing outside", async () => {
  enableContext();
  const { recorder } = setup();
  const run = recorder.startRun({ runId: 'ar-run' });
  const step = run.startNode('step_1');
  assert.equal(activeRecording(), undefined);
  await run.with(async () => {
    assert.deepEqual(seen(activeRecording()), ['run', 'ar-run', undefined]);
    await tick();
    await step.with(async () => {
      await tick();
      assert.deepEqual(seen(activeRecording()), ['node', 'ar-run', 'step_1']);
      // An event's with(): its run or node (what recorded it).
      const tool = step.beginToolCall({ agent: 'a', tool: 't' });
      await run.with(() => tool.with(async () => {
        await tick();
        assert.deepEqual(seen(activeRecording()), ['node', 'ar-run', 'step_1']);
      }));
      tool.end();
    });
    assert.deepEqual(seen(activeRecording()), ['run', 'ar-run', undefined]);
    const onRun = run.beginAgentCall({ agent: 'a' });
    onRun.with(() => assert.deepEqual(seen(activeRecording()), ['run', 'ar-run', undefined]));
    onRun.end();
  });
  assert.equal(activeRecording(), undefined);
  // Two runs at once each see their own.
  const other = recorder.startRun({ runId: 'ar-other' });
  const both = await Promise.all([
    run.with(async () => (await tick(), seen(activeRecording()))),
    other.with(async () => (await tick(), seen(activeRecording()))),
  ]);
  assert.deepEqual(both, [
    ['run', 'ar-run', undefined],
    ['run', 'ar-other', undefined],
  ]);
  step.end();
  run.end();
  other.end();
});

test('a node asked for after its run ended, and an attached recorder, are active recordings too', () => {
  enableContext();
  const { recorder } = setup();
  const run = recorder.startRun({ runId: 'ar-ended' });
  run.end();
  const late = run.startNode('late');
  late.with(() => assert.deepEqual(seen(activeRecording()), ['node', 'ar-ended', 'late']));
  const attached = recorder.attach({ runId: 'ar-attached', nodeId: 'n', traceparent: '' });
  const handle = attached.beginCodeExecution({ agent: 'x', code: 'print(1)' });
  handle.with(() => assert.deepEqual(seen(activeRecording()), ['attached', 'ar-attached', 'n']));
  handle.end();
});

test('activeRecording() ignores foreign values and a context that throws', () => {
  assert.equal(activeRecording(ROOT_CONTEXT), undefined);
  const key = Symbol.for('agentspan active recording');
  assert.equal(activeRecording(ROOT_CONTEXT.setValue(key, { kind: 'nope' })), undefined);
  assert.equal(activeRecording(ROOT_CONTEXT.setValue(key, 'run')), undefined);
  const hostile = { getValue: () => { throw new Error('boom'); } } as unknown as typeof ROOT_CONTEXT;
  assert.equal(activeRecording(hostile), undefined);
  assert.equal(context.active().getValue(key), undefined);
});
