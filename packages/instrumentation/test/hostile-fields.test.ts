/**
 * One field that cannot be read (a revoked proxy, a throwing getter or trap) costs that field,
 * never the event; and end() always ends its span, whatever its options are.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Attr } from '@agentspan/semconv';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createRecorder, createWorkflowCallbacks } from '../src/index.js';
import { byName, setup } from './helpers.js';

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
const throwingGet = (): object => new Proxy({}, { get: () => { throw new Error('trap'); } });
/** Fails on everything, as a whole options object. */
const hostile = (): object =>
  new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
function errorWithUnreadableMessage(): Error {
  const e = new TypeError('hidden');
  Object.defineProperty(e, 'message', { get: () => { throw new Error('getter'); } });
  return e;
}

test('a hostile value in one field records the event, with that field unreadable', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'hostile-fields' });
  const step = run.startNode('step');
  step.toolCall({ agent: 'a', tool: 'args-revoked', args: revokedProxy() });
  step.agentCall({ agent: 'content-revoked', content: revokedProxy() });
  step.agentCall({ agent: 'content-trap', content: throwingGet() });
  step.toolCall({ agent: 'a', tool: 'error-message-throws', error: errorWithUnreadableMessage() });
  step.codeExecution({ agent: 'error-revoked', code: 'print(1)', error: revokedProxy() });
  step.end();
  run.end();
  const all = spans();
  for (const name of ['execute_tool args-revoked', 'invoke_agent content-revoked', 'invoke_agent content-trap']) {
    assert.ok(byName(all, name), `${name} recorded`);
  }
  assert.ok(byName(all, 'execute_tool args-revoked').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]);
  const badMessage = byName(all, 'execute_tool error-message-throws').attributes;
  assert.equal(badMessage[Attr.ATTR_ERROR_TYPE], 'TypeError');
  assert.equal(badMessage[Attr.ATTR_ERROR_MESSAGE], '[unreadable]');
  assert.equal(badMessage[Attr.ATTR_HAS_ERROR], true);
  const revokedError = byName(all, 'execute_code error-revoked').attributes;
  assert.equal(revokedError[Attr.ATTR_ERROR_MESSAGE], '[unreadable]');
  assert.equal(revokedError[Attr.ATTR_HAS_ERROR], true);
});

test('end() ends the span whatever its options: an unreadable error, or options that cannot be read at all', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'hostile-ends' });
  const step = run.startNode('step');
  step.beginToolCall({ agent: 'a', tool: 'end-error' }).end({ error: errorWithUnreadableMessage() });
  step.beginAgentCall({ agent: 'end-content-revoked' }).end({ content: revokedProxy() });
  step.beginToolCall({ agent: 'a', tool: 'end-hostile' }).end(hostile() as never);
  run.startNode('node-error').end({ error: errorWithUnreadableMessage() });
  run.startNode('node-hostile').end(hostile() as never);
  step.end();
  run.end({ error: errorWithUnreadableMessage() });
  const other = recorder.startRun({ runId: 'hostile-run-options', mode: 'other' });
  other.end(hostile() as never);
  const all = spans();
  const endError = byName(all, 'execute_tool end-error').attributes;
  assert.equal(endError[Attr.ATTR_ERROR_MESSAGE], '[unreadable]');
  assert.equal(endError[Attr.ATTR_HAS_ERROR], true);
  assert.ok(byName(all, 'invoke_agent end-content-revoked').attributes[Attr.ATTR_MESSAGE_CONTENT]);
  assert.ok(byName(all, 'execute_tool end-hostile'));
  assert.equal(byName(all, 'node node-error').attributes[Attr.ATTR_ERROR_MESSAGE], '[unreadable]');
  assert.ok(byName(all, 'node node-hostile'));
  const runSpan = byName(all, 'invoke_workflow workflow');
  assert.equal(runSpan.attributes[Attr.ATTR_ERROR_MESSAGE], '[unreadable]');
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_STATUS], 'failed');
  assert.ok(byName(all, 'invoke_workflow other'), 'a run ends even when its end options cannot be read');
});

test('a start or end time that cannot be read (a Proxy around a Date, a throwing getTime) becomes the current time', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'hostile-times', startTime: new Proxy(new Date(), {}) as Date });
  const throwingDate = new Date();
  throwingDate.getTime = () => { throw new Error('getTime'); };
  run.toolCall({ agent: 'a', tool: 'proxy-date', startTime: new Proxy(new Date(), {}) as Date, endTime: revokedProxy() as Date });
  run.toolCall({ agent: 'a', tool: 'throwing-gettime', startTime: throwingDate });
  run.beginToolCall({ agent: 'a', tool: 'begin-proxy-date', startTime: new Proxy(new Date(), {}) as Date }).end({ endTime: throwingDate });
  run.end({ endTime: new Proxy(new Date(), {}) as Date });
  const all = spans();
  for (const name of ['execute_tool proxy-date', 'execute_tool throwing-gettime', 'execute_tool begin-proxy-date', 'invoke_workflow workflow']) {
    const s = byName(all, name);
    assert.ok(Number.isFinite(s.startTime[0]) && Number.isFinite(s.endTime[0]), `${name} has usable times`);
  }
});

test('workflow callbacks record tool and code results that cannot be read', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'hostile-callbacks' });
  const callbacks = createWorkflowCallbacks(run, { nodeId: 'step' });
  callbacks.onToolCall('a', 'tool-revoked-result', { q: 1 }, revokedProxy());
  callbacks.onCodeExecution('exec-trap-result', 'print(1)', 'python', throwingGet());
  run.end();
  const tool = byName(spans(), 'execute_tool tool-revoked-result').attributes;
  assert.equal(tool[Attr.ATTR_HAS_ERROR], undefined, 'an unreadable result is not a failure');
  assert.ok(byName(spans(), 'execute_code exec-trap-result'));
});

test('an unreadable member of args or content costs that member only', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'hostile-members' });
  run.toolCall({ agent: 'a', tool: 'search', args: { query: 'keep me', limit: 5, session: revokedProxy() } });
  run.agentCall({ agent: 'content-trap', content: throwingGet() });
  run.end();
  assert.equal(
    byName(spans(), 'execute_tool search').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS],
    '{"query":"keep me","limit":5,"session":"[unreadable]"}',
  );
  assert.equal(byName(spans(), 'invoke_agent content-trap').attributes[Attr.ATTR_MESSAGE_CONTENT], '"[unreadable]"');
});

test('the content fields of an event are each read once: a getter that computes or consumes its value runs once', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const reads = new Map<string, number>();
  const counted = (fields: Record<string, unknown>): never => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      Object.defineProperty(out, k, { enumerable: true, get: () => (reads.set(k, (reads.get(k) ?? 0) + 1), v) });
    }
    return out as never;
  };
  run.agentCall(counted({ agent: 'a', content: 'hello', hasToolCalls: undefined }));
  run.codeExecution(counted({ agent: 'e', code: 'print(1)', output: '1', exitCode: 0, context: 'why' }));
  run.toolCall(counted({ agent: 't', tool: 'search', args: { q: 1 }, result: { ok: true }, metadata: { m: 1 } }));
  run.end();
  for (const field of ['content', 'hasToolCalls', 'code', 'output', 'exitCode', 'context', 'args', 'result', 'metadata']) {
    assert.equal(reads.get(field), 1, field);
  }
  assert.equal(byName(spans(), 'invoke_agent a').attributes[Attr.ATTR_MESSAGE_CONTENT], 'hello');
});

/**
 * An object whose `key` getter throws, beside ordinary fields. Reading `key`
 * never yields a value, so its type is `never` (defineProperty's own type
 * cannot say the property was added: hence the one cast).
 */
function withThrowingGetter<T extends object, K extends string>(fields: T, key: K): T & { readonly [P in K]: never } {
  return Object.defineProperty({ ...fields }, key, { enumerable: true, get: () => { throw new Error('getter'); } }) as T & { readonly [P in K]: never };
}

test('a throwing getter on the event itself costs that field: the event is recorded, not failed', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'event-getters' });
  const step = run.startNode('step');
  step.toolCall(withThrowingGetter({ agent: 'a', tool: 'search', args: { q: 'x' }, result: 'found' }, 'metadata'));
  step.agentCall(withThrowingGetter({ agent: 'planner', content: 'hello' }, 'role'));
  step.codeExecution(withThrowingGetter({ agent: 'executor', language: 'python', code: 'print(1)' }, 'output'));
  step.fileGenerated(withThrowingGetter({ agent: 'executor', path: 'a.txt' }, 'source'));
  step.beginToolCall(withThrowingGetter({ agent: 'a', tool: 'slow', args: { q: 'y' } }, 'metadata')).end({ result: 'done' });
  // The name comes from a field that cannot be read: it is named for that.
  step.toolCall(withThrowingGetter({ agent: 'a', args: { q: 'z' } }, 'tool'));
  step.end();
  run.end();
  const all = spans();
  const search = byName(all, 'execute_tool search').attributes;
  assert.equal(search[Attr.ATTR_RUN_ID], 'event-getters');
  assert.equal(search[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], 'found');
  assert.ok(String(search[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]).includes('"q"'));
  assert.equal(byName(all, 'invoke_agent planner').attributes[Attr.ATTR_MESSAGE_CONTENT], 'hello');
  assert.equal(byName(all, 'execute_code executor').attributes[Attr.ATTR_CODE_CONTENT], 'print(1)');
  assert.equal(byName(all, 'file_gen a.txt').attributes[Attr.ATTR_FILE_PATH], 'a.txt');
  assert.equal(byName(all, 'execute_tool slow').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], 'done');
  assert.ok(byName(all, 'execute_tool [unreadable]'));
  assert.equal(recorder.openHandleStats().failed, 0);
});

test('a throwing getter in startRun or startNode options keeps the explicit ids and the rest', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun(withThrowingGetter({ runId: 'kept-run', mode: 'research' }, 'task'));
  assert.equal(run.id, 'kept-run');
  const step = run.startNode('step_1', withThrowingGetter({ title: 't', agent: 'planner' }, 'metadata'));
  step.agentCall({ agent: 'planner', content: 'x' });
  step.end();
  run.end();
  const all = spans();
  const runSpan = byName(all, 'invoke_workflow research').attributes;
  assert.equal(runSpan[Attr.ATTR_RUN_ID], 'kept-run');
  const node = byName(all, 'node step_1');
  assert.equal(node.attributes[Attr.ATTR_NODE_TITLE], 't');
  assert.equal(node.attributes[Attr.ATTR_RUN_ID], 'kept-run');
  const event = byName(all, 'invoke_agent planner');
  assert.equal(event.parentSpanContext?.spanId, node.spanContext().spanId, 'the event is under its node');
});

test('attach() never throws, whatever the reference: unreadable fields are skipped, nothing usable goes to a placeholder run', () => {
  const { recorder } = setup();
  assert.equal(recorder.attach(withThrowingGetter({ runId: 'r1', traceparent: '' }, 'nodeId')).runId, 'r1');
  assert.match(recorder.attach(hostile() as never).runId, /^unknown-/);
  assert.match(recorder.attach(withThrowingGetter({ traceparent: '' }, 'runId')).runId, /^unknown-/);
  assert.match(recorder.attach(undefined as never).runId, /^unknown-/);
});

test('file paths are kept whole up to 4096 characters (a deep workspace path is longer than a name), longer cut there and marked', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'paths' });
  const deep = 'out/' + 'deeply_nested_directory/'.repeat(12) + 'result.csv';
  run.fileGenerated({ path: deep });
  run.fileGenerated({ path: 'p/'.repeat(3000) });
  run.end();
  const files = spans().filter((s) => s.attributes[Attr.ATTR_FILE_PATH] !== undefined);
  assert.equal(files[0]!.attributes[Attr.ATTR_FILE_PATH], deep);
  assert.equal(files[1]!.attributes[Attr.ATTR_FILE_PATH], 'p/'.repeat(2048) + '…[truncated]');
});

test('a record call that fails inside agentspan is counted in openHandleStats().failed, never thrown', () => {
  const broken = {
    getTracer: () => ({
      startSpan: () => {
        throw new Error('tracer broken');
      },
      startActiveSpan: () => {
        throw new Error('tracer broken');
      },
    }),
  };
  const recorder = createRecorder({ tracerProvider: broken as never });
  const scope = recorder.attach({ runId: 'r', traceparent: '' });
  scope.toolCall({ agent: 'a', tool: 't' });
  scope.agentCall({ agent: 'a' });
  scope.beginCodeExecution({ agent: 'a', code: 'x' }).end();
  assert.equal(recorder.openHandleStats().failed, 3);
});

test('metadata given at the end merges into the metadata given at the start (the end wins per key)', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'meta', mode: 'm', metadata: { team: 'a', budget: 1 } });
  const step = run.startNode('s', { metadata: { phase: 'plan', retries: 0 } });
  step.beginToolCall({ agent: 'a', tool: 'slow', metadata: { region: 'eu' } }).end({ result: 'ok', metadata: { cached: true } });
  step.end({ metadata: { retries: 2 } });
  run.end({ metadata: { budget: 3, cost: 0.5, ['__proto__']: 'kept' } as Record<string, unknown> });
  const all = spans();
  const meta = (name: string): unknown => JSON.parse(String(byName(all, name).attributes[Attr.ATTR_USER_META]));
  const runMeta = meta('invoke_workflow m') as Record<string, unknown>;
  assert.deepEqual(runMeta, JSON.parse('{"team":"a","budget":3,"cost":0.5,"__proto__":"kept"}'), 'a __proto__ key is kept as a key');
  assert.deepEqual(meta('node s'), { phase: 'plan', retries: 2 });
  assert.deepEqual(meta('execute_tool slow'), { region: 'eu', cached: true });
});

test('a throwing startTime or endTime getter costs the time (now instead), and a class instance keeps its getters when one field throws', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'times' });
  run.toolCall(withThrowingGetter({ tool: 'start-throws', agent: 'a' }, 'startTime'));
  run.toolCall(withThrowingGetter({ tool: 'end-throws', agent: 'a' }, 'endTime'));
  run.beginToolCall(withThrowingGetter({ tool: 'begin-start-throws', agent: 'a' }, 'startTime')).end({ result: 'ok' });
  class ToolEvent {
    get tool(): string {
      return 'from-a-class';
    }
    get result(): string {
      throw new Error('getter');
    }
  }
  run.toolCall(new ToolEvent() as never);
  run.end();
  const names = spans().map((s) => s.name);
  for (const n of ['execute_tool start-throws', 'execute_tool end-throws', 'execute_tool begin-start-throws', 'execute_tool from-a-class']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  assert.equal(byName(spans(), 'execute_tool from-a-class').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], '[unreadable]');
  assert.equal(recorder.openHandleStats().failed, 0);
});

test('a span processor that throws when a run or node starts does not throw into the caller: the handle works, the failure is counted', () => {
  const exporter = new InMemorySpanExporter();
  const throwsOnScopes: SpanProcessor = {
    onStart(span) {
      if ((span as unknown as { name: string }).name.startsWith('invoke_workflow') || (span as unknown as { name: string }).name.startsWith('node ')) throw new Error('processor bug');
    },
    onEnd: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [throwsOnScopes, new SimpleSpanProcessor(exporter)] });
  const recorder = createRecorder({ tracerProvider: provider });
  const run = recorder.startRun({ runId: 'kept' });
  assert.equal(run.id, 'kept');
  const node = run.startNode('n');
  node.toolCall({ agent: 'a', tool: 'still-recorded' });
  node.end();
  run.end();
  assert.ok(exporter.getFinishedSpans().some((s) => s.name === 'execute_tool still-recorded'));
  assert.equal(recorder.openHandleStats().failed, 2, 'the run and the node');
});

test('a fallback reads no more than the record methods would: begin*() never reads endTime, a class getter outside the event fields never runs', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'reads' });
  let toolReads = 0;
  const begun = { get tool(): string { toolReads += 1; return 'begun'; }, get endTime(): never { throw new Error('getter'); } };
  run.beginToolCall(begun as never).end({ result: 'ok' });
  assert.equal(toolReads, 2, 'the name and the attribute, as before: no fallback, endTime is not read at begin');
  let pages = 0;
  class Paged {
    get tool(): string { return 'paged'; }
    get result(): string { throw new Error('getter'); }
    get nextPage(): number { pages += 1; return pages; }
  }
  run.toolCall(new Paged() as never);
  run.end();
  assert.ok(spans().some((s) => s.name === 'execute_tool paged'));
  assert.equal(pages, 0, 'a getter that is no event field is not run');
});

test('a workflow callback that fails (its node option throws, a node object given throws) is counted in openHandleStats().failed, never thrown', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'callbacks-fail' });
  const unreadable = createWorkflowCallbacks(run, {
    get nodeId(): string {
      throw new Error('options getter');
    },
  });
  unreadable.onAgentMessage('planner', 'assistant', 'lost');
  unreadable.onCodeExecution('executor', 'print(1)', 'python', { output: '1' });
  // A node object of the application's (it looks like a node handle) whose recording throws: a hook of its own.
  const hook = { agentCall: () => { throw new Error('hook'); }, codeExecution: () => undefined, toolCall: () => { throw new Error('hook'); } };
  const viaHook = createWorkflowCallbacks(run, { nodeId: hook as never });
  viaHook.onAgentMessage('planner', 'assistant', 'lost too');
  viaHook.onToolCall('planner', 'search', { q: 'x' }, 'found');
  viaHook.onCodeExecution('executor', 'print(2)', 'python', { output: '2' }); // recorded by the hook: no failure
  assert.equal(recorder.openHandleStats().failed, 4);
  // The callbacks of a run that works record as before.
  createWorkflowCallbacks(run).onAgentMessage('planner', 'assistant', 'kept');
  run.end();
  assert.ok(spans().some((s) => s.attributes[Attr.ATTR_MESSAGE_CONTENT] === 'kept'));
  assert.equal(recorder.openHandleStats().failed, 4);
});

test('a span processor that throws when an event, node or run ends is counted in openHandleStats().failed, as when an instant event ends', () => {
  const exporter = new InMemorySpanExporter();
  const throwsOnEnd: SpanProcessor = {
    onStart: () => undefined,
    onEnd() {
      throw new Error('processor bug');
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), throwsOnEnd] });
  const recorder = createRecorder({ tracerProvider: provider });
  const run = recorder.startRun({ runId: 'ends-fail' });
  const node = run.startNode('n');
  node.toolCall({ agent: 'a', tool: 'instant' }); // counted before too
  assert.equal(recorder.openHandleStats().failed, 1);
  node.beginToolCall({ agent: 'a', tool: 'begun' }).end({ result: 'ok' });
  node.end();
  run.end();
  assert.equal(recorder.openHandleStats().failed, 4, 'the begun event, the node and the run');
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name).sort(), ['execute_tool begun', 'execute_tool instant', 'invoke_workflow workflow', 'node n']);
});
