/**
 * The replay plan, pure: timeline order and placement in runs, nodes and
 * depths, for any request (including cycles and clock skew in bad input).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import { classifyForeignSpan } from '@agentspan/processor';
import { planReplay, type PlanOptions, type ReceivedSpan } from '../src/index.js';
import { receivedSpan } from './helpers.js';

const OPTIONS: PlanOptions = {
  runIdAttribute: 'gen_ai.conversation.id',
  nodeIdAttribute: 'graph.node.id',
  captureContent: true,
  isForeignAgentSpan: (a) => classifyForeignSpan(a) !== undefined,
};

const RESOURCE = { attributes: { 'service.name': 'plan' }, schemaUrl: undefined, key: 'plan' };
const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(id: number, parent: number | undefined, start: number, end: number, attributes: Attributes = {}, name = `s${id}`): ReceivedSpan {
  return receivedSpan({ resource: RESOURCE, traceId: TRACE, id, parent, start, end, attributes, name });
}

const tool = { 'gen_ai.operation.name': 'execute_tool' };

test('a request in export order (children first) replays in timeline order: starts by time, each end before the next later start', () => {
  // parent 0 [0,100], child 1 [10,20], child 2 [30,40]; sent in end order.
  const plan = planReplay([span(1, 0, 10, 20, tool), span(2, 0, 30, 40, tool), span(0, undefined, 0, 100, tool)], OPTIONS);
  const names = plan.steps.map((s) => `${s.kind} ${plan.spans[s.index]?.span.name}`);
  assert.deepEqual(names, ['start s0', 'start s1', 'end s1', 'start s2', 'end s2', 'end s0']);
});

test('a child whose clock says it started before its parent still starts after it', () => {
  const plan = planReplay([span(1, 0, 5, 20, tool), span(0, undefined, 10, 30, tool)], OPTIONS);
  assert.deepEqual(plan.spans.map((p) => p.span.name), ['s0', 's1']);
  assert.equal(plan.spans[1]?.parent, 0);
});

test('placement: conversation attribute → run; else the nearest placed ancestor\'s run; else the trace; explicit agentspan ids untouched; AG2 ignores the conversation id', () => {
  const plan = planReplay(
    [
      span(0, undefined, 0, 10, { ...tool, 'gen_ai.conversation.id': 'conv-1', 'graph.node.id': 'plan' }),
      span(1, 0, 1, 2, tool),
      span(2, undefined, 3, 4, { 'agentspan.event.type': 'tool_call', 'agentspan.run.id': 'mine', 'agentspan.depth': 7 }),
      span(3, undefined, 5, 6, { 'ag2.span.type': 'tool', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.conversation.id': 'ignored' }),
      span(4, undefined, 7, 8, { 'http.request.method': 'GET' }),
    ],
    OPTIONS,
  );
  const byName = new Map(plan.spans.map((p) => [p.span.name, p.attributes]));
  assert.equal(byName.get('s0')?.['agentspan.run.id'], 'conv-1');
  assert.equal(byName.get('s0')?.['agentspan.node.id'], 'plan');
  assert.equal(byName.get('s0')?.['agentspan.depth'], 1);
  // No attribute of its own: its parent's run, node and depth + 1, as a span inherits them in process.
  assert.equal(byName.get('s1')?.['agentspan.run.id'], 'conv-1');
  assert.equal(byName.get('s1')?.['agentspan.node.id'], 'plan');
  assert.equal(byName.get('s1')?.['agentspan.depth'], 2);
  assert.deepEqual(byName.get('s2'), { 'agentspan.event.type': 'tool_call', 'agentspan.run.id': 'mine', 'agentspan.depth': 7 });
  assert.equal(byName.get('s3')?.['agentspan.run.id'], TRACE);
  assert.equal(byName.get('s3')?.['agentspan.depth'], 2, 'AG2 structure: a tool runs inside an agent turn');
  assert.equal(byName.get('s4')?.['agentspan.run.id'], undefined, 'not an agent span: passed through');
});

test('placement inside a request: depth and node from the nearest placed ancestor of the same run', () => {
  const plan = planReplay(
    [
      span(0, undefined, 0, 100, { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation' }),
      span(1, 0, 1, 90, { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation' }, 'conversation inner'),
      span(2, 1, 2, 80, { 'http.request.method': 'POST' }),
      span(3, 2, 3, 70, { 'ag2.span.type': 'agent', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'checker' }),
    ],
    OPTIONS,
  );
  const [run, node, http, agent] = plan.spans.map((p) => p.attributes);
  assert.equal(run?.['agentspan.event.type'], 'run');
  assert.equal(run?.['agentspan.depth'], 0);
  assert.equal(node?.['agentspan.event.type'], 'node');
  assert.equal(node?.['agentspan.depth'], 1);
  assert.equal(http?.['agentspan.run.id'], undefined);
  assert.equal(agent?.['agentspan.node.id'], node?.['agentspan.node.id']);
  assert.equal(agent?.['agentspan.depth'], 2);
});

test('a span without a run attribute inherits the nearest placed ancestor\'s: through spans that are not placed, in the request, else what is remembered of a parent in an earlier request, else the trace', () => {
  const agent = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a' };
  const own = { 'agentspan.event.type': 'agent_call', 'agentspan.run.id': 'mine', 'agentspan.depth': 3, 'agentspan.node.id': 'n' };
  const asked: string[] = [];
  const plan = planReplay(
    [
      span(0, undefined, 0, 100, { ...agent, 'gen_ai.conversation.id': 'conv-1' }),
      span(1, 0, 1, 90, { 'ai.step.number': 1 }), // not placed: passed through
      span(2, 1, 2, 10, tool),
      span(3, 0, 11, 20, { ...tool, 'gen_ai.conversation.id': 'conv-2' }), // its own attribute wins
      span(4, 3, 12, 13, tool),
      span(5, 0, 21, 30, own), // an agentspan span keeps its run; a GenAI span under it takes that run, as in process
      span(6, 5, 22, 23, tool),
      span(7, 50, 31, 40, tool), // parent 50 came in an earlier request and is remembered
      span(8, 7, 32, 33, tool),
      span(9, 60, 41, 42, tool), // parent 60 is not known: the trace
    ],
    {
      ...OPTIONS,
      placementOf: (traceId, spanId) => {
        asked.push(spanId);
        return traceId === TRACE && spanId === (50 + 1).toString(16).padStart(16, '0') ? { runId: 'conv-9', nodeId: 'n9', depth: 4 } : undefined;
      },
    },
  );
  const placed = new Map(plan.spans.map((p) => [p.span.name, [p.attributes['agentspan.run.id'], p.attributes['agentspan.node.id'], p.attributes['agentspan.depth']]]));
  assert.deepEqual(placed.get('s2'), ['conv-1', undefined, 2]);
  assert.deepEqual(placed.get('s3'), ['conv-2', undefined, undefined], 'another run than its parent\'s: no depth from it');
  assert.deepEqual(placed.get('s4'), ['conv-2', undefined, undefined]);
  assert.deepEqual(placed.get('s6'), ['mine', 'n', 4]);
  assert.deepEqual(placed.get('s7'), ['conv-9', 'n9', 5]);
  assert.deepEqual(placed.get('s8'), ['conv-9', 'n9', 6]);
  assert.deepEqual(placed.get('s9'), [TRACE, undefined, undefined]);
  assert.deepEqual(asked.sort(), [(50 + 1).toString(16).padStart(16, '0'), (60 + 1).toString(16).padStart(16, '0')], 'asked only for parents not in the request');
  // What spans under each inherit (kept by the memory when they arrive).
  assert.deepEqual(plan.spans.find((p) => p.span.name === 's1')?.placement, { runId: 'conv-1', nodeId: undefined, depth: 1 });
  // Without the memory, a span whose parent is in another request is in the trace's run (as before).
  const alone = planReplay([span(7, 50, 31, 40, tool)], OPTIONS);
  assert.equal(alone.spans[0]?.attributes['agentspan.run.id'], TRACE);
});

test('the root of a trace whose run is the trace gets a run span (its workflow_runs row); no other span does', () => {
  const agent = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper' };
  const messages = JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'Summarise sales.csv' }] },
  ]);
  const plan = planReplay(
    [
      span(0, undefined, 0, 100, { ...agent, 'gen_ai.input.messages': messages }, 'invoke_agent helper'),
      span(1, 0, 10, 20, { 'gen_ai.operation.name': 'chat' }),
      span(2, 99, 30, 40, agent), // its parent is in another request: not the root of the trace
    ],
    OPTIONS,
  );
  assert.deepEqual(plan.spans[0]?.run, {
    'agentspan.event.type': 'run',
    'agentspan.run.id': TRACE,
    'agentspan.run.mode': 'otlp.trace',
    'agentspan.run.task': 'Summarise sales.csv',
    'agentspan.run.multi_trace': true, // a conversation may be named after this trace: every run made from a root is a part
  });
  assert.equal(plan.spans[0]?.attributes['agentspan.run.id'], TRACE, 'the same run id as the events of the trace');
  assert.deepEqual(plan.spans.slice(1).map((p) => p.run), [undefined, undefined]);

  // Without content the task is the root's name; gen_ai.workflow.name, when given, is the mode.
  const quiet = planReplay([span(0, undefined, 0, 1, { ...agent, 'gen_ai.input.messages': messages, 'gen_ai.workflow.name': 'triage' }, 'invoke_agent helper')], {
    ...OPTIONS,
    captureContent: false,
  });
  assert.equal(quiet.spans[0]?.run?.['agentspan.run.task'], 'invoke_agent helper');
  assert.equal(quiet.spans[0]?.run?.['agentspan.run.mode'], 'triage');
});

test('the root of a trace in a conversation gets a run span marked as one part of its run (the conversation may span several traces)', () => {
  const plan = planReplay(
    [
      span(0, undefined, 0, 100, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-1' }, 'invoke_agent helper'),
      span(1, 0, 10, 20, { 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': 'conv-1' }),
    ],
    OPTIONS,
  );
  assert.deepEqual(plan.spans[0]?.run, {
    'agentspan.event.type': 'run',
    'agentspan.run.id': 'conv-1',
    'agentspan.run.mode': 'otlp.trace',
    'agentspan.run.task': 'invoke_agent helper',
    'agentspan.run.multi_trace': true,
  });
  assert.equal(plan.spans[1]?.run, undefined);
  // A conversation named after one of its traces: that trace is a part too (else it would replace the others' merge).
  const same = planReplay([span(0, undefined, 0, 1, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': TRACE })], OPTIONS);
  assert.equal(same.spans[0]?.run?.['agentspan.run.id'], TRACE);
  assert.equal(same.spans[0]?.run?.['agentspan.run.multi_trace'], true);
  // With no runIdAttribute the conversation id names nothing: the trace is the run.
  const off = planReplay([span(0, undefined, 0, 1, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-1' })], { ...OPTIONS, runIdAttribute: undefined });
  assert.equal(off.spans[0]?.run?.['agentspan.run.id'], TRACE);
  // A trace named by a conversation, its root without the conversation's id (only its children carry it): still a part.
  const rootWithout = planReplay(
    [span(0, undefined, 0, 10, { 'gen_ai.operation.name': 'invoke_agent' }), span(1, 0, 1, 5, { 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': TRACE })],
    OPTIONS,
  );
  assert.deepEqual([rootWithout.spans[0]?.run?.['agentspan.run.id'], rootWithout.spans[0]?.run?.['agentspan.run.multi_trace']], [TRACE, true]);
});

test('no run span for a root that is not a trace run: an agentspan sender, an AG2 conversation, a span of no agent', () => {
  const roots: Attributes[] = [
    { 'agentspan.event.type': 'agent_call', 'agentspan.run.id': 'mine' }, // an agentspan process writes its own run
    { 'agentspan.event.type': 'tool_call' },
    { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation' }, // already the run
    { 'http.request.method': 'GET' },
  ];
  for (const attributes of roots) {
    const plan = planReplay([span(0, undefined, 0, 1, attributes)], OPTIONS);
    assert.equal(plan.spans[0]?.run, undefined, JSON.stringify(attributes));
  }
});

test('captureContent false removes AG2 and GenAI content keys before the processor sees them', () => {
  const plan = planReplay(
    [span(0, undefined, 0, 1, { 'ag2.span.type': 'code_execution', 'gen_ai.operation.name': 'execute_code', 'ag2.code_execution.output': 'secret output', 'ag2.code_execution.exit_code': 0 })],
    { ...OPTIONS, captureContent: false },
  );
  const a = plan.spans[0]?.attributes ?? {};
  assert.equal(a['ag2.code_execution.output'], undefined);
  assert.equal(a['agentspan.code.output'], 'secret output', 'agentspan\'s copy is removed by the processor\'s own content policy');
  assert.equal(a['agentspan.code.exit_code'], 0);
});

test('any request, cycles and skew included: every span starts once and ends once, after its start and after its in-request parent starts', () => {
  const arb = fc.array(
    fc.record({ parent: fc.option(fc.nat(30), { nil: undefined }), start: fc.nat(1000), length: fc.nat(200), dup: fc.boolean() }),
    { maxLength: 30 },
  );
  fc.assert(
    fc.property(arb, (items) => {
      const spans = items.map((it, i) => span(it.dup && i > 0 ? i - 1 : i, it.parent, it.start, it.start + it.length, tool));
      const plan = planReplay(spans, OPTIONS);
      assert.equal(plan.spans.length, new Set(spans.map((s) => s.spanId)).size, 'a span sent twice is replayed once');
      const startAt = new Map<number, number>();
      const endAt = new Map<number, number>();
      plan.steps.forEach((s, k) => {
        const m = s.kind === 'start' ? startAt : endAt;
        assert.equal(m.has(s.index), false, 'once');
        m.set(s.index, k);
      });
      assert.equal(startAt.size, plan.spans.length);
      assert.equal(endAt.size, plan.spans.length);
      plan.spans.forEach((p, i) => {
        assert.ok((startAt.get(i) ?? 0) < (endAt.get(i) ?? 0));
        if (p.parent !== undefined) assert.ok((startAt.get(p.parent) ?? Infinity) < (startAt.get(i) ?? 0));
      });
    }),
    { numRuns: 300 },
  );
});
