/**
 * The recording API as plain JavaScript meets it: one unreadable member of
 * an end() result, options that are null, a provider that is none, a
 * `with()` given no function, `error: false`. Nothing throws, and what could
 * be read is recorded as it was meant.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { Attr } from '@agentspan/semconv';
import { createRecorder, createWorkflowCallbacks } from '../src/index.js';
import { byName, setup } from './helpers.js';

/** `fields` with `unreadable` defined as an enumerable getter that throws. */
function withUnreadable(fields: Record<string, unknown>, unreadable: string): Record<string, unknown> {
  Object.defineProperty(fields, unreadable, { get: () => { throw new Error('getter'); }, enumerable: true });
  return fields;
}

test('end() with one unreadable member records the rest: an error beside it still fails the event, node or run', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'end-members', mode: 'end-members' });
  const step = run.startNode('step');
  // `result` comes before `error` in what end() reads: built from the caller's object, the error was lost.
  step.beginToolCall({ agent: 'a', tool: 'denied' }).end(withUnreadable({ error: new Error('permission denied') }, 'result') as never);
  step.beginAgentCall({ agent: 'talker' }).end(withUnreadable({ error: 'model refused' }, 'content') as never);
  step.beginCodeExecution({ agent: 'exec', code: 'x' }).end(withUnreadable({ exitCode: 3, error: 'boom' }, 'output') as never);
  run.startNode('failing').end(withUnreadable({ error: new Error('node broke') }, 'status') as never);
  step.end();
  run.end(withUnreadable({ error: new Error('run broke') }, 'metadata') as never);
  const all = spans();

  const tool = byName(all, 'execute_tool denied');
  assert.equal(tool.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.equal(tool.attributes[Attr.ATTR_ERROR_MESSAGE], 'permission denied');
  assert.equal(tool.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], '[unreadable]', 'the unreadable member is marked, not dropped');
  assert.equal(tool.status.code, SpanStatusCode.ERROR);

  assert.equal(byName(all, 'invoke_agent talker').attributes[Attr.ATTR_ERROR_MESSAGE], 'model refused');
  const code = byName(all, 'execute_code exec');
  assert.equal(code.attributes[Attr.ATTR_CODE_EXIT_CODE], 3);
  assert.equal(code.attributes[Attr.ATTR_ERROR_MESSAGE], 'boom');

  assert.equal(byName(all, 'node failing').attributes[Attr.ATTR_ERROR_MESSAGE], 'node broke');
  assert.equal(byName(all, 'node failing').status.code, SpanStatusCode.ERROR);

  const runSpan = byName(all, 'invoke_workflow end-members');
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_STATUS], 'failed');
  assert.equal(runSpan.attributes[Attr.ATTR_ERROR_MESSAGE], 'run broke');
  assert.equal(runSpan.status.code, SpanStatusCode.ERROR, 'a failed run has an ERROR span status');
});

test('end() reads each member of its result once (a getter that consumes its value runs once)', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  let reads = 0;
  const result = { get result(): string { reads += 1; return `page ${reads}`; } };
  run.beginToolCall({ agent: 'a', tool: 'once' }).end(result);
  run.end();
  assert.equal(reads, 1);
  assert.equal(byName(spans(), 'execute_tool once').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], 'page 1');
});

test('end() reads each member of its result once even when another member throws: the value recorded is the one the getter gave', () => {
  // On the first member that threw, every member was read again from a copy: a getter that consumes
  // its value (a stream's next chunk) ran twice and the second chunk was recorded.
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'once-beside-throw', mode: 'once' });
  const chunks = ['first chunk', 'second chunk'];
  let contentReads = 0;
  run.beginAgentCall({ agent: 'streamer' }).end(
    withUnreadable({ get content(): string | undefined { contentReads += 1; return chunks.shift(); } }, 'metadata') as never,
  );
  let resultReads = 0;
  class Outcome {
    get result(): string { resultReads += 1; return `page ${resultReads}`; }
    get error(): unknown { throw new Error('lazy error'); }
  }
  run.beginToolCall({ agent: 'a', tool: 'paged' }).end(new Outcome() as never);
  let statusReads = 0;
  run.end(withUnreadable({ get status(): string { statusReads += 1; return statusReads === 1 ? 'success' : 'cancelled'; } }, 'metadata') as never);
  const all = spans();
  const agent = byName(all, 'invoke_agent streamer');
  assert.equal(contentReads, 1);
  assert.equal(agent.attributes[Attr.ATTR_MESSAGE_CONTENT], 'first chunk');
  assert.equal(agent.attributes[Attr.ATTR_USER_META], '"[unreadable]"', 'the member that threw is marked');
  const tool = byName(all, 'execute_tool paged');
  assert.equal(resultReads, 1);
  assert.equal(tool.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], 'page 1');
  assert.equal(tool.attributes[Attr.ATTR_ERROR_MESSAGE], '[unreadable]', 'an error that cannot be read is still an error');
  assert.equal(statusReads, 1);
  assert.equal(byName(all, 'invoke_workflow once').attributes[Attr.ATTR_RUN_STATUS], 'success');
});

test('run.end({ error: false }) is no failure, as for events: the run succeeds and its open nodes complete', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ mode: 'no-error' });
  run.startNode('open');
  run.end({ error: false });
  const all = spans();
  assert.equal(byName(all, 'invoke_workflow no-error').attributes[Attr.ATTR_RUN_STATUS], 'success');
  assert.equal(byName(all, 'node open').attributes[Attr.ATTR_STATUS], 'completed');
  assert.equal(byName(all, 'invoke_workflow no-error').attributes[Attr.ATTR_HAS_ERROR], undefined);
});

test('node.end({ status: failed, error: null or false }) fails the node span, as run.end does: null and false are no error, not no failure', () => {
  // Only `error: undefined` gave the ERROR span status: a failed node ended with `error: null` (Python's
  // None through a bridge) showed as a success in Jaeger while its row said failed.
  const { recorder, spans } = setup();
  const run = recorder.startRun({ mode: 'failed-nodes' });
  for (const error of [undefined, null, false]) run.startNode(`failed-${String(error)}`).end({ status: 'failed', error } as never);
  run.end();
  for (const error of [undefined, null, false]) {
    const node = byName(spans(), `node failed-${String(error)}`);
    assert.equal(node.status.code, SpanStatusCode.ERROR, `error: ${String(error)}`);
    assert.equal(node.attributes[Attr.ATTR_STATUS], 'failed');
    assert.equal(node.attributes[Attr.ATTR_HAS_ERROR], undefined, 'no error recorded: there was none');
  }
});

test('workflow callbacks record the message whatever its metadata, and with options null', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  // A metadata object whose `sender` cannot be read: the message is recorded, the member marked.
  createWorkflowCallbacks(run).onAgentMessage('guarded', 'assistant', 'hello', withUnreadable({ topic: 'x' }, 'sender'));
  createWorkflowCallbacks(run, null as never).onAgentMessage('null-options', 'assistant', 'hi', { sender: 'planner' });
  createWorkflowCallbacks(run, null as never).onToolCall('null-options', 'search', { q: 1 }, 'found');
  // A nodeId that is an object but no node handle (a framework's own node object): recorded on the run, not lost.
  createWorkflowCallbacks(run, { nodeId: { name: 'step' } as never }).onAgentMessage('object-node', 'assistant', 'x');
  run.end();
  const all = spans();
  const guarded = byName(all, 'invoke_agent guarded');
  assert.equal(guarded.attributes[Attr.ATTR_MESSAGE_CONTENT], 'hello');
  assert.equal(guarded.attributes[Attr.ATTR_USER_META], '{"topic":"x","sender":"[unreadable]"}');
  assert.equal(byName(all, 'invoke_agent null-options').attributes[Attr.ATTR_MESSAGE_SENDER], 'planner');
  assert.equal(byName(all, 'execute_tool search').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], 'found');
  assert.equal(byName(all, 'invoke_agent object-node').parentSpanContext?.spanId, run.spanContext().spanId);
});

test('createRecorder never throws: null options, a tracerProvider that is none, a content budget under 1', () => {
  for (const options of [null, 5, 'x', { tracerProvider: {} }, { tracerProvider: { getTracer: () => { throw new Error('x'); } } }, { tracerProvider: { getTracer: () => null } }]) {
    const recorder = createRecorder(options as never);
    assert.doesNotThrow(() => recorder.startRun().end());
  }
  const throwing = withUnreadable({}, 'tracerProvider');
  assert.doesNotThrow(() => createRecorder(throwing as never).startRun().end());
  // A budget under one character (0.5 floored to 0) would cut every content value to nothing.
  const { recorder, spans } = setup({ maxContentChars: 0.5 });
  recorder.startRun().agentCall({ agent: 'a', content: 'kept' });
  assert.equal(byName(spans(), 'invoke_agent a').attributes[Attr.ATTR_MESSAGE_CONTENT], 'kept');
});

test('with() given no function runs nothing and returns undefined, on runs, nodes, late nodes and event handles', () => {
  const { recorder } = setup();
  const run = recorder.startRun();
  const node = run.startNode('n');
  const handle = node.beginToolCall({ agent: 'a', tool: 't' });
  run.end();
  const late = run.startNode('late');
  for (const notAFunction of [undefined, null, 5, 'fn', {}]) {
    for (const target of [run, node, late, handle]) {
      assert.equal(target.with(notAFunction as never), undefined);
    }
  }
  // A function's own exception is the caller's: it passes through.
  assert.throws(() => run.with(() => { throw new Error('own'); }), /own/);
  assert.equal(node.with(() => 7), 7);
  handle.end();
});

test('every method, given hostile values in every field, after its run ended and twice, neither throws nor fails', () => {
  const { recorder, spans } = setup({ maxContentChars: 500 });
  const boom = (): never => { throw new Error('trap'); };
  const traps = { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom, apply: boom };
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  class Instance { readonly #hidden = 1; get agent(): string { return String(this.#hidden); } }
  const values: unknown[] = [
    undefined, null, 0, Number.NaN, 10n, Symbol('s'), () => 1, new Proxy({}, traps), revoked, cyclic, Object.freeze({ a: [1] }),
    new Instance(), new Float64Array(4), Buffer.from('abc'), new Date(Number.NaN), 'x'.repeat(100_000), 'a\ud800b', { toJSON: boom, toString: boom }, new Map([[{}, revoked]]),
  ];
  const fields = ['agent', 'tool', 'path', 'from', 'to', 'content', 'code', 'args', 'result', 'output', 'exitCode', 'metadata', 'error', 'status', 'startTime', 'endTime', 'stepId', 'role', 'sender', 'model', 'language', 'cwd', 'context', 'toolCallId', 'source', 'hasToolCalls'];
  let calls = 0;
  for (const v of values) {
    const run = recorder.startRun({ runId: 'sweep', metadata: v } as never);
    const node = run.startNode(v as never, v as never);
    for (const scope of [run, node, recorder.attach(v as never)]) {
      for (const field of fields) {
        const event = { agent: 'a', tool: 't', path: 'p', from: 'f', to: 'g', [field]: v } as never;
        scope.agentCall(event);
        scope.codeExecution(event);
        scope.toolCall(event);
        scope.fileGenerated(event);
        scope.handoff(event);
        scope.beginToolCall(event).end(event);
        calls += 6;
      }
    }
    const callbacks = createWorkflowCallbacks(run, { nodeId: v as never });
    callbacks.onAgentMessage(v as never, v as never, v, v as never);
    callbacks.onToolCall(v as never, v as never, v, v);
    callbacks.onCodeExecution(v as never, v as never, v as never, v);
    node.end(v as never);
    run.end(v as never);
    run.end(v as never);
    node.end(v as never);
    run.startNode('late').agentCall({ agent: 'late' });
    run.agentCall({ agent: 'late' });
    calls += 5;
  }
  assert.equal(recorder.endOpen(), 0, 'nothing left open');
  assert.equal(recorder.openHandleStats().failed, 0, 'no call failed inside agentspan');
  const events = spans().filter((s) => s.attributes[Attr.ATTR_EVENT_TYPE] !== 'run' && s.attributes[Attr.ATTR_EVENT_TYPE] !== 'node');
  assert.equal(events.length, calls, 'every call recorded its event');
  for (const s of spans()) {
    assert.ok([...s.startTime, ...s.endTime].every(Number.isFinite) && s.startTime[0] > 0, `${s.name}: usable times`);
  }
});

test("an event ended with status 'failed' and no error fails its span too: its row reads failed, Jaeger must not show a success", () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ mode: 'failed-events' });
  const node = run.startNode('n');
  node.beginToolCall({ agent: 'a', tool: 'lookup' }).end({ status: 'failed' });
  node.beginCodeExecution({ agent: 'a', code: 'x = 1', language: 'python' }).end({ status: 'failed', error: null } as never);
  node.beginToolCall({ agent: 'a', tool: 'ok' }).end({ status: 'completed' });
  node.end();
  run.end();
  const all = spans();
  for (const name of ['execute_tool lookup']) {
    const s = byName(all, name);
    assert.equal(s.status.code, SpanStatusCode.ERROR, name);
    assert.equal(s.status.message, undefined, 'no message: the row has no error_message to show');
    assert.equal(s.attributes[Attr.ATTR_HAS_ERROR], undefined, 'no error recorded: there was none');
  }
  const code = all.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'code_exec');
  assert.equal(code?.status.code, SpanStatusCode.ERROR);
  assert.equal(byName(all, 'execute_tool ok').status.code, SpanStatusCode.UNSET);
});

test('an event status is read as the outcomes view reads it: error or timeout fails the span, a success word or a standard status does not', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ mode: 'status-words' });
  const node = run.startNode('n');
  const words = ['error', ' Timeout ', 'FAILED', 'completed', 'OK', 'Success', 'skipped', 'pending', ''];
  // Statuses beyond the typed ones arrive from plain JavaScript and bridges.
  for (const status of words) node.beginToolCall({ agent: 'a', tool: `t${JSON.stringify(status)}` }).end({ status } as never);
  node.end();
  run.end();
  const failed = words.filter((status) => byName(spans(), `execute_tool t${JSON.stringify(status)}`).status.code === SpanStatusCode.ERROR);
  assert.deepEqual(failed, ['error', ' Timeout ', 'FAILED']);
});
