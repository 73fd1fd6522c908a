import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Attr } from '@agentspan/semconv';
import { createWorkflowCallbacks, formatTraceparent, parseTraceparent } from '../src/index.js';
import { byName, enableContext, setup } from './helpers.js';

test('span tree and names follow the GenAI conventions: run → node → events', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ task: 'Compute primes', mode: 'one-shot', runId: 'run-1' });
  const step = run.startNode('step_1', { title: 'write the script' });
  step.agentCall({ agent: 'engineer', role: 'assistant', sender: 'planner', content: 'hello' });
  step.codeExecution({ agent: 'executor', language: 'python', code: 'print(1)', output: '1\n', exitCode: 0 });
  step.toolCall({ agent: 'engineer', tool: 'execute_python', args: { code: 'print(1)' }, result: '1' });
  step.fileGenerated({ agent: 'executor', path: 'fib.txt', source: 'code_execution' });
  step.end();
  run.end({ status: 'success' });

  const all = spans();
  const runSpan = byName(all, 'invoke_workflow one-shot');
  const node = byName(all, 'node step_1');
  const agent = byName(all, 'invoke_agent engineer');
  const code = byName(all, 'execute_code executor');
  const tool = byName(all, 'execute_tool execute_python');
  const file = byName(all, 'file_gen fib.txt');

  assert.equal(runSpan.parentSpanContext, undefined);
  assert.equal(node.parentSpanContext?.spanId, runSpan.spanContext().spanId);
  for (const child of [agent, code, tool, file]) {
    assert.equal(child.parentSpanContext?.spanId, node.spanContext().spanId);
    assert.equal(child.spanContext().traceId, runSpan.spanContext().traceId);
    assert.equal(child.attributes[Attr.ATTR_RUN_ID], 'run-1');
    assert.equal(child.attributes[Attr.ATTR_NODE_ID], 'step_1');
    assert.equal(child.attributes[Attr.ATTR_DEPTH], 2);
    assert.equal(child.attributes[Attr.ATTR_GEN_AI_CONVERSATION_ID], 'run-1');
  }
  assert.equal(runSpan.attributes[Attr.ATTR_GEN_AI_OPERATION_NAME], 'invoke_workflow');
  assert.equal(runSpan.attributes[Attr.ATTR_GEN_AI_WORKFLOW_NAME], 'one-shot');
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_TASK], 'Compute primes');
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_STATUS], 'success');
  assert.equal(node.attributes[Attr.ATTR_NODE_TITLE], 'write the script');
  assert.equal(node.attributes[Attr.ATTR_NODE_ORDER], 0);
  assert.equal(agent.attributes[Attr.ATTR_GEN_AI_OPERATION_NAME], 'invoke_agent');
  assert.equal(agent.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], 'engineer');
  assert.equal(agent.attributes[Attr.ATTR_AGENT_ROLE], 'assistant');
  assert.equal(agent.attributes[Attr.ATTR_MESSAGE_SENDER], 'planner');
  assert.equal(agent.attributes[Attr.ATTR_MESSAGE_CONTENT], 'hello');
  assert.equal(code.attributes[Attr.ATTR_GEN_AI_OPERATION_NAME], 'execute_code');
  assert.equal(code.attributes[Attr.ATTR_CODE_LANGUAGE], 'python');
  assert.equal(code.attributes[Attr.ATTR_CODE_CONTENT], 'print(1)');
  assert.equal(code.attributes[Attr.ATTR_CODE_EXIT_CODE], 0);
  assert.equal(tool.attributes[Attr.ATTR_GEN_AI_OPERATION_NAME], 'execute_tool');
  assert.equal(tool.attributes[Attr.ATTR_GEN_AI_TOOL_NAME], 'execute_python');
  assert.equal(tool.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], '{"code":"print(1)"}');
  assert.deepEqual(tool.attributes[Attr.ATTR_TOOL_ARGS_KEYS], ['code']);
  assert.equal(tool.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], '1');
  assert.equal(file.attributes[Attr.ATTR_FILE_PATH], 'fib.txt');
  assert.equal(file.attributes[Attr.ATTR_FILE_SOURCE], 'code_execution');
});

test('run ids are UUIDs unless given; events directly on a run have depth 1 and no node', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  assert.match(run.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  run.agentCall({ agent: 'a', content: 'x' });
  run.end();
  const agent = byName(spans(), 'invoke_agent a');
  assert.equal(agent.attributes[Attr.ATTR_DEPTH], 1);
  assert.equal(agent.attributes[Attr.ATTR_NODE_ID], undefined);
});

test('explicit start and end times are kept (events that already happened)', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const start = new Date('2026-01-02T03:04:05.000Z');
  const end = new Date('2026-01-02T03:04:07.500Z');
  run.toolCall({ agent: 'a', tool: 't', startTime: start, endTime: end });
  run.end();
  const tool = byName(spans(), 'execute_tool t');
  assert.deepEqual(tool.startTime, [Math.floor(start.getTime() / 1000), 0]);
  assert.deepEqual(tool.endTime, [Math.floor(end.getTime() / 1000), 500_000_000]);
});

test('begin* handles keep the span open until end(), and end() twice is harmless', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const handle = run.beginCodeExecution({ agent: 'executor', language: 'python', code: 'import os' });
  assert.equal(spans().length, 0);
  handle.end({ output: 'Traceback...', exitCode: 1, error: new TypeError('boom') });
  handle.end({ output: 'again' });
  const code = byName(spans(), 'execute_code executor');
  assert.equal(code.attributes[Attr.ATTR_CODE_OUTPUT], 'Traceback...');
  assert.equal(code.attributes[Attr.ATTR_CODE_EXIT_CODE], 1);
  assert.equal(code.attributes[Attr.ATTR_ERROR_TYPE], 'TypeError');
  assert.equal(code.attributes[Attr.ATTR_ERROR_MESSAGE], 'boom');
  assert.equal(code.status.code, SpanStatusCode.ERROR);
  const tool = run.beginToolCall({ agent: 'a', tool: 'search' });
  const agent = run.beginAgentCall({ agent: 'a' });
  agent.end({ content: { role: 'assistant', tool_calls: [{ id: '1' }] } });
  tool.end({ result: { hits: 3 } });
  run.end();
  assert.equal(byName(spans(), 'execute_tool search').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], '{"hits":3}');
  assert.equal(byName(spans(), 'invoke_agent a').attributes[Attr.ATTR_MESSAGE_HAS_TOOL_CALLS], true);
});

test('never throws, whatever it is given', () => {
  const { recorder, spans } = setup({ maxContentChars: 1000 });
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      ownKeys() {
        throw new Error('trap');
      },
    },
  );
  const run = recorder.startRun(undefined);
  const step = run.startNode(undefined as unknown as string);
  const inputs: unknown[] = [undefined, null, 42, 10n, Symbol('s'), cyclic, hostile, 'x'.repeat(5_000_000), () => 1];
  for (const v of inputs) {
        assert.doesNotThrow(() => step.agentCall(v as never));
    assert.doesNotThrow(() => step.agentCall({ agent: v, content: v, metadata: v } as never));
    assert.doesNotThrow(() => step.codeExecution({ agent: 'e', code: v, output: v, exitCode: v } as never));
    assert.doesNotThrow(() => step.toolCall({ agent: 'e', tool: v, args: v, result: v } as never));
    assert.doesNotThrow(() => step.fileGenerated({ path: v } as never));
    assert.doesNotThrow(() => step.handoff({ from: v, to: v } as never));
    assert.doesNotThrow(() => step.beginToolCall({ agent: 'e', tool: 't', args: v } as never).end({ result: v } as never));
  }
  assert.doesNotThrow(() => step.end(hostile as never));
  assert.doesNotThrow(() => run.end({ error: cyclic } as never));
  const all = spans();
  // A hostile proxy as the event itself cannot even be read: that one call records nothing
  // (logged once through diag); every other call records its span.
  assert.ok(all.length >= (inputs.length - 1) * 7, `recorded ${all.length} spans`);
  const big = all.find((s) => s.attributes[Attr.ATTR_MESSAGE_CONTENT]?.toString().startsWith('xxxx'));
  assert.ok(big, 'the huge string was recorded');
  assert.ok((big.attributes[Attr.ATTR_MESSAGE_CONTENT] as string).length < 1100, 'cut to the content budget');
  assert.equal(big.attributes[Attr.ATTR_TRUNCATED], true);
  const cyc = all.find((s) => String(s.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]).includes('[Circular]'));
  assert.ok(cyc, 'cyclic arguments are serialised with a [Circular] mark');
  const bigint = all.find((s) => s.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] === '"10"');
  assert.ok(bigint, 'BigInt arguments are serialised as text');
});

test('run.with / step.with make foreign spans children of the run or node, sync and async', async () => {
  enableContext();
  const { recorder, spans, provider } = setup();
  const foreign = provider.getTracer('other-lib');
  const run = recorder.startRun({ runId: 'r-with' });
  const step = run.startNode('step_1');
  const syncResult = step.with(() => {
    foreign.startSpan('http GET').end();
    return 7;
  });
  assert.equal(syncResult, 7);
  await run.with(async () => {
    await new Promise((r) => setTimeout(r, 5));
    foreign.startSpan('db query').end();
  });
  step.end();
  run.end();
  const all = spans();
  assert.equal(byName(all, 'http GET').parentSpanContext?.spanId, byName(all, 'node step_1').spanContext().spanId);
  assert.equal(byName(all, 'db query').parentSpanContext?.spanId, byName(all, 'invoke_workflow workflow').spanContext().spanId);
});

test('recording from a timer outside any async context uses the handle, not ambient context', async () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'r-timer' });
  const step = run.startNode('n');
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      // Deliberately under another active span: the handle must win.
      const other = trace.getTracer('x').startSpan('unrelated');
      step.toolCall({ agent: 'a', tool: 'late' });
      other.end();
      resolve();
    });
  });
  step.end();
  run.end();
  const tool = byName(spans(), 'execute_tool late');
  assert.equal(tool.parentSpanContext?.spanId, step.spanContext().spanId);
  assert.equal(tool.attributes[Attr.ATTR_RUN_ID], 'r-timer');
});

test('run.end ends open nodes first; node(id) finds the open node', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun();
  const n = run.startNode('a');
  assert.equal(run.node('a'), n);
  assert.equal(run.node('missing'), undefined);
  run.end({ error: new Error('crashed') });
  const node = byName(spans(), 'node a');
  assert.equal(node.attributes[Attr.ATTR_STATUS], 'failed');
  const r = byName(spans(), 'invoke_workflow workflow');
  assert.equal(r.attributes[Attr.ATTR_RUN_STATUS], 'failed');
  assert.equal(r.status.code, SpanStatusCode.ERROR);
  assert.ok(spans().indexOf(node) < spans().indexOf(r), 'node ended before the run');
});

test('createWorkflowCallbacks records the framework callback shape into the node', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'r-cb' });
  const step = run.startNode('step_2');
  const cb = createWorkflowCallbacks(run, { nodeId: 'step_2' });
  cb.onAgentMessage('planner', 'assistant', 'Plan: do it', { sender: 'user' });
  cb.onCodeExecution('executor', 'print(2)', 'python', { stdout: '2\n', exitCode: 0 });
  cb.onToolCall('engineer', 'search', { q: 'x' }, ['a', 'b']);
  const lazy = createWorkflowCallbacks(run, { nodeId: 'step_9' });
  lazy.onAgentMessage('critic', 'assistant', 'fine');
  step.end();
  run.end();
  const all = spans();
  const msg = byName(all, 'invoke_agent planner');
  assert.equal(msg.parentSpanContext?.spanId, step.spanContext().spanId);
  assert.equal(msg.attributes[Attr.ATTR_MESSAGE_SENDER], 'user');
  const code = byName(all, 'execute_code executor');
  assert.equal(code.attributes[Attr.ATTR_CODE_OUTPUT], '2\n');
  assert.equal(code.attributes[Attr.ATTR_CODE_EXIT_CODE], 0);
  assert.equal(byName(all, 'execute_tool search').attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT], '["a","b"]');
  assert.equal(byName(all, 'invoke_agent critic').attributes[Attr.ATTR_NODE_ID], 'step_9');
});

test('attach() records into a run from its serialisable reference (same trace, same ids)', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'r-ref' });
  const step = run.startNode('s1');
  const ref = JSON.parse(JSON.stringify(step.reference())) as ReturnType<typeof step.reference>;
  const remote = recorder.attach(ref);
  remote.toolCall({ agent: 'worker', tool: 'compute' });
  step.end();
  run.end();
  const tool = byName(spans(), 'execute_tool compute');
  assert.equal(tool.spanContext().traceId, run.spanContext().traceId);
  assert.equal(tool.parentSpanContext?.spanId, step.spanContext().spanId);
  assert.equal(tool.attributes[Attr.ATTR_RUN_ID], 'r-ref');
  assert.equal(tool.attributes[Attr.ATTR_NODE_ID], 's1');
  assert.doesNotThrow(() => recorder.attach(undefined as never).agentCall({ agent: 'x' }));
});

test('traceparent round-trips and rejects malformed input', () => {
  const sc = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  const text = formatTraceparent(sc);
  assert.equal(text, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  assert.deepEqual(parseTraceparent(text), { ...sc, isRemote: true });
  for (const bad of [undefined, '', 'garbage', '00-0000-00-01', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`, 42]) {
    assert.equal(parseTraceparent(bad), undefined);
  }
});

test('a node asked for after its run ended (a late framework callback) opens no span: its events go under the run with the node id', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'late' });
  const cb = createWorkflowCallbacks(run, { nodeId: 'step_1' });
  run.startNode('step_1');
  cb.onAgentMessage('eng', 'assistant', 'hi');
  run.end();
  cb.onToolCall('eng', 'search', { q: 1 }, 'found');
  const late = run.startNode('step_2');
  late.agentCall({ agent: 'eng', content: 'after the end' });
  late.end();
  const all = spans();
  assert.equal(all.filter((s) => s.name.startsWith('node ')).length, 1, 'only the node opened while the run was running');
  const runSpan = byName(all, 'invoke_workflow workflow');
  for (const [name, node] of [['execute_tool search', 'step_1'], ['invoke_agent eng', 'step_2']] as const) {
    const s = all.filter((x) => x.name === name).at(-1);
    assert.ok(s, name);
    assert.equal(s.attributes[Attr.ATTR_NODE_ID], node);
    assert.equal(s.parentSpanContext?.spanId, runSpan.spanContext().spanId, `${name} hangs under the run`);
  }
});

test('ids are normalised alike by startRun, startNode and attach: long ids kept distinct, numbers as text, no shared "unknown"', () => {
  const { recorder, spans } = setup();
  const long = 'r'.repeat(223);
  const longer = (tail: string) => 'p'.repeat(1100) + tail;
  const run = recorder.startRun({ runId: long });
  assert.equal(run.id, long);
  const node = run.startNode('n'.repeat(300));
  node.agentCall({ agent: 'a', content: 'x' });
  recorder.attach({ runId: long, nodeId: 'n'.repeat(300), traceparent: '' }).toolCall({ agent: 'a', tool: 't' });
  run.end();
  const mine = spans().filter((s) => s.attributes[Attr.ATTR_RUN_ID] === long);
  assert.equal(mine.length, 4, 'run, node, and both events share the run id');
  assert.deepEqual(new Set(mine.filter((s) => s.name !== `invoke_workflow workflow`).map((s) => s.attributes[Attr.ATTR_NODE_ID])), new Set(['n'.repeat(300)]));

  assert.equal(recorder.startRun({ runId: 42 as unknown as string }).id, '42');
  recorder.attach({ runId: 42 as unknown as string, traceparent: '' }).toolCall({ agent: 'a', tool: 'numeric' });
  assert.equal(spans().find((s) => s.name === 'execute_tool numeric')?.attributes[Attr.ATTR_RUN_ID], '42');

  const a = recorder.startRun({ runId: longer('a') }).id;
  const b = recorder.startRun({ runId: longer('b') }).id;
  assert.notEqual(a, b, 'ids sharing a long prefix stay apart');
  assert.equal(recorder.startRun({ runId: longer('a') }).id, a, 'and the same id is the same every time');

  recorder.attach({ runId: '', traceparent: '' }).toolCall({ agent: 'a', tool: 'broken-1' });
  recorder.attach({} as never).toolCall({ agent: 'a', tool: 'broken-2' });
  const broken = ['broken-1', 'broken-2'].map((t) => String(spans().find((s) => s.name === `execute_tool ${t}`)?.attributes[Attr.ATTR_RUN_ID]));
  for (const id of broken) assert.match(id, /^unknown-[0-9a-f-]{36}$/);
  assert.notEqual(broken[0], broken[1], 'unrelated broken references are not merged into one run');
});

test('createWorkflowCallbacks: a tool result that is an Error, or carries a non-empty `error`, records a failed tool call', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'r-tool-fail' });
  const cb = createWorkflowCallbacks(run, { nodeId: 's' });
  cb.onToolCall('eng', 'read_file', { path: 'a' }, new Error('ENOENT: no such file'));
  cb.onToolCall('eng', 'write_file', { path: 'b' }, { error: 'permission denied' });
  cb.onToolCall('eng', 'search', { q: 'x' }, { error: null, hits: 2 });
  for (const empty of [0, '', ' ', [], {}, false]) cb.onToolCall('eng', 'quiet', {}, { error: empty, message: 'ok' });
  cb.onToolCall('eng', 'lint', { f: 'c' }, 'Error: 3 problems found');
  run.end();
  const all = spans();
  const failed = byName(all, 'execute_tool read_file');
  assert.equal(failed.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.equal(failed.status.code, SpanStatusCode.ERROR);
  assert.match(String(failed.attributes[Attr.ATTR_ERROR_MESSAGE]), /ENOENT/);
  const denied = byName(all, 'execute_tool write_file');
  assert.equal(denied.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.match(String(denied.attributes[Attr.ATTR_ERROR_MESSAGE]), /permission denied/);
  assert.match(String(denied.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_RESULT]), /permission denied/, 'the result is kept too');
  for (const quiet of all.filter((s) => s.name === 'execute_tool quiet')) assert.notEqual(quiet.status.code, SpanStatusCode.ERROR, 'an empty error member is no failure');
  assert.equal(all.filter((s) => s.name === 'execute_tool quiet').length, 6);
  for (const ok of ['execute_tool search', 'execute_tool lint']) {
    assert.notEqual(byName(all, ok).attributes[Attr.ATTR_HAS_ERROR], true, ok);
    assert.notEqual(byName(all, ok).status.code, SpanStatusCode.ERROR, ok);
  }
});

test('createWorkflowCallbacks: a code result with an empty error member (empty stderr, 0, []) is no failure; a non-empty one is', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'r-code-fail' });
  const cb = createWorkflowCallbacks(run, { nodeId: 's' });
  for (const empty of [0, '', ' ', [], {}, false, null]) cb.onCodeExecution('quiet', 'print(1)', 'python', { output: '1\n', exitCode: 0, error: empty });
  cb.onCodeExecution('loud', 'import pandas', 'python', { output: '', error: "ModuleNotFoundError: No module named 'pandas'" });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const noKeys = new Proxy({ message: 'boom' }, { ownKeys: () => { throw new Error('no keys'); } });
  cb.onCodeExecution('hostile-revoked', 'print(1)', 'python', { output: 'partial', exitCode: 1, error: revoked.proxy });
  cb.onCodeExecution('hostile-keys', 'print(1)', 'python', { output: 'partial', exitCode: 1, error: noKeys });
  run.end();
  const all = spans();
  const quiet = all.filter((s) => s.name === 'execute_code quiet');
  assert.equal(quiet.length, 7);
  for (const q of quiet) {
    assert.notEqual(q.attributes[Attr.ATTR_HAS_ERROR], true);
    assert.notEqual(q.status.code, SpanStatusCode.ERROR);
  }
  for (const name of ['execute_code hostile-revoked', 'execute_code hostile-keys']) {
    const hostile = byName(all, name); // an error that cannot be inspected: the event is still recorded, as failed
    assert.equal(hostile.attributes[Attr.ATTR_HAS_ERROR], true, name);
  }
  const loud = byName(all, 'execute_code loud');
  assert.equal(loud.attributes[Attr.ATTR_HAS_ERROR], true);
  assert.match(String(loud.attributes[Attr.ATTR_ERROR_MESSAGE]), /ModuleNotFoundError/);
});

test('numeric and long node ids are found as startNode stored them: run.node(5), createWorkflowCallbacks({ nodeId: 7 })', () => {
  const { recorder, spans } = setup();
  const run = recorder.startRun({ runId: 'numeric-nodes' });
  const five = run.startNode(5 as unknown as string);
  assert.equal(run.node(5 as unknown as string), five);
  assert.equal(run.node('5'), five);
  const longId = 'n'.repeat(1100);
  const long = run.startNode(longId);
  assert.equal(run.node(longId), long, 'a long id is normalised (cut and hashed) alike on both sides');
  const seven = run.startNode(7 as unknown as string);
  const callbacks = createWorkflowCallbacks(run, { nodeId: 7 as unknown as string });
  callbacks.onAgentMessage('eng', 'assistant', 'hello');
  callbacks.onToolCall('eng', 'search', { q: 'x' }, 'found');
  callbacks.onCodeExecution('exec', 'print(1)', 'python', { output: '1', exitCode: 0 });
  seven.end();
  run.end();
  const sevenSpan = byName(spans(), 'node 7');
  for (const name of ['invoke_agent eng', 'execute_tool search', 'execute_code exec']) {
    const s = byName(spans(), name);
    assert.equal(s.attributes[Attr.ATTR_NODE_ID], '7', `${name} is in node 7`);
    assert.equal(s.parentSpanContext?.spanId, sevenSpan.spanContext().spanId, `${name} hangs under node 7`);
  }
  assert.equal(spans().filter((s) => s.name === 'node 7').length, 1, 'no second node 7 was started');
});
