/**
 * Spans with more attributes than a replayed span keeps (4 096): the ones
 * the mapping decides on (operation, agent, run, tool, content) survive
 * wherever the sender put them, and what is dropped is counted and marked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import type { Gateway } from '../src/index.js';
import { post, startTestGateway } from './helpers.js';

let db: TestSchema;
let gateway: Gateway;

before(async () => {
  db = await createTestSchema('gateway_attrlimit');
  gateway = await startTestGateway(db);
});
after(async () => {
  await gateway.shutdown();
  await db.drop();
});

const T0 = 1_760_000_000_000;
const REPLAY_KEEPS = 4096;

/** A sender whose SDK keeps every attribute (its limit raised), so the gateway gets spans with thousands. */
function sender() {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'wide-spans' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
    spanLimits: { attributeCountLimit: 100_000 },
  });
  const tracer = provider.getTracer('wide');
  return {
    start(name: string, attributes: Attributes, at: number, parent?: Span): Span {
      return tracer.startSpan(name, { attributes, startTime: T0 + at }, parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent));
    },
    finished: () => memory.getFinishedSpans().slice(),
  };
}

/** `n` attributes the mapping does not read, named `prefix0`, `prefix1`, ... */
function filler(n: number, prefix: string): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < n; i++) out[`${prefix}${i}`] = i;
  return out;
}

async function rowsOf(run: string) {
  const r = await db.pool.query(
    'SELECT event_type, name, agent_name, depth, execution_order, inputs, outputs, meta, attributes FROM execution_events WHERE run_id = $1 ORDER BY execution_order',
    [run],
  );
  return r.rows as { event_type: string; name: string; agent_name: string | null; depth: number | null; execution_order: number | null; inputs: Record<string, unknown>; outputs: Record<string, unknown>; meta: Record<string, unknown>; attributes: Record<string, unknown> }[];
}

test('a GenAI turn and tool whose gen_ai.* attributes come after 4 096 others still become their rows, marked truncated, the drop counted', async () => {
  const s = sender();
  const conv = 'conv-wide-genai';
  // The deciding keys last: what an instrumentation that adds its own attributes first (or a sender's own) gives.
  const agent = s.start('invoke_agent writer', { ...filler(5000, 'app.env.'), 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'writer', 'gen_ai.conversation.id': conv }, 0);
  const turn = s.start('chat gpt-4o', {
    ...filler(REPLAY_KEEPS, 'app.req.'),
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.conversation.id': conv,
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'The answer is 42.' }] }]),
  }, 1, agent);
  turn.end(T0 + 5);
  // Keys that look like array indices ("0", "1", ...): JavaScript puts those first in any object.
  const tool = s.start('execute_tool lookup', { ...filler(5000, ''), 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.arguments': '{"q":"x"}' }, 6, agent);
  tool.end(T0 + 8);
  agent.end(T0 + 9);

  const before = gateway.stats().attributesDropped;
  const r = await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(s.finished()) as Uint8Array, { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r.status, 200);
  const rows = await rowsOf(conv);
  assert.deepEqual(
    rows.map((x) => [x.event_type, x.name, x.agent_name, x.depth]),
    [
      ['agent_call', 'chat gpt-4o', 'writer', 2],
      ['tool_call', 'execute_tool lookup', 'writer', 2],
    ],
  );
  assert.equal(rows[0]?.inputs['content'], 'The answer is 42.');
  assert.deepEqual(rows[1]?.inputs['args'], { q: 'x' });
  for (const row of rows) {
    assert.equal(row.meta['truncated'], true, `${row.name}: marked`);
    assert.ok(typeof row.execution_order === 'number', `${row.name}: numbered (the processor's own attributes fit)`);
    assert.ok(Object.keys(row.attributes).length < REPLAY_KEEPS + 1, `${row.name}: at most what the replay keeps`);
  }
  // 5003 + 4100 + 5003 received; 4096 of each kept.
  assert.equal(gateway.stats().attributesDropped.attributes - before.attributes, (5003 - REPLAY_KEEPS) + (4100 - REPLAY_KEEPS) + (5003 - REPLAY_KEEPS));
  assert.equal(gateway.stats().attributesDropped.spans - before.spans, 3);
});

test('an AG2 span whose ag2.span.type comes after 4 096 others (OTLP/JSON) is still mapped by the AG2 mapping', async () => {
  const s = sender();
  const root = s.start('conversation user_proxy', { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation', 'gen_ai.agent.name': 'user_proxy' }, 0);
  const invoke = s.start('invoke_agent engineer', { ...filler(4500, 'x.'), 'ag2.span.type': 'agent', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'engineer' }, 1, root);
  invoke.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'done' }] }]));
  invoke.end(T0 + 4);
  root.end(T0 + 5);
  const r = await post(`${gateway.url}/v1/traces`, JsonTraceSerializer.serializeRequest(s.finished()) as Uint8Array, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 200);
  const rows = await rowsOf(root.spanContext().traceId);
  assert.deepEqual(rows.map((x) => [x.event_type, x.agent_name, x.meta['truncated'] ?? null]), [['agent_call', 'engineer', true]]);
  const runs = await db.pool.query('SELECT mode FROM workflow_runs WHERE id = $1', [root.spanContext().traceId]);
  assert.deepEqual(runs.rows, [{ mode: 'ag2.conversation' }]);
});

test('an OpenInference LLM span: its kind and its indexed messages after 4 096 others are kept before the others', async () => {
  const s = sender();
  const llm = s.start('ChatOpenAI', { ...filler(6000, 'app.'), 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'I should search.' }, 0);
  llm.end(T0 + 2);
  const r = await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(s.finished()) as Uint8Array, { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r.status, 200);
  const rows = await rowsOf(llm.spanContext().traceId);
  assert.deepEqual(rows.map((x) => [x.event_type, x.inputs['content'], x.meta['truncated']]), [['agent_call', 'I should search.', true]]);
});

test('a span within the limit is untouched: not marked, nothing counted', async () => {
  const s = sender();
  const conv = 'conv-narrow';
  const turn = s.start('chat gpt-4o', { ...filler(REPLAY_KEEPS - 10, 'app.'), 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': conv }, 0);
  turn.end(T0 + 1);
  const before = gateway.stats().attributesDropped;
  const r = await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(s.finished()) as Uint8Array, { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r.status, 200);
  const rows = await rowsOf(conv);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.meta['truncated'], undefined);
  assert.equal(Object.keys(rows[0]?.attributes ?? {}).filter((k) => k.startsWith('app.')).length, REPLAY_KEEPS - 10);
  assert.deepEqual(gateway.stats().attributesDropped, before);
});

/** Every limit of the sender's SDK raised: spans with thousands of attributes, events and links reach the gateway. */
function wideSender() {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'wide-spans' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
    spanLimits: {
      attributeCountLimit: 100_000,
      eventCountLimit: 100_000,
      linkCountLimit: 100_000,
      attributePerEventCountLimit: 100_000,
      attributePerLinkCountLimit: 100_000,
    },
  });
  const tracer = provider.getTracer('wide');
  return { tracer, finished: () => memory.getFinishedSpans().slice() };
}

function protobufOf(spans: ReturnType<ReturnType<typeof sender>['finished']>): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
}

test('a retried request (the same spans again, its answer lost) is counted once in attributesDropped: its rows are written once', async () => {
  const s = sender();
  const conv = 'conv-wide-retried';
  const tool = s.start('execute_tool lookup', { ...filler(4200, 'app.'), 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.conversation.id': conv }, 0);
  tool.end(T0 + 1);
  const body = protobufOf(s.finished());
  const before = gateway.stats().attributesDropped;
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await post(`${gateway.url}/v1/traces`, body, { 'Content-Type': 'application/x-protobuf' });
    assert.equal(r.status, 200);
  }
  assert.equal((await rowsOf(conv)).length, 1);
  const after = gateway.stats().attributesDropped;
  assert.deepEqual({ spans: after.spans - before.spans, attributes: after.attributes - before.attributes }, { spans: 1, attributes: 4203 - REPLAY_KEEPS });
});

test('the gateway\'s cut is told from the processor\'s content cut: meta.gateway_dropped on the row the gateway cut, the other metadata kept', async () => {
  const s = sender();
  const conv = 'conv-cut-who';
  const wide = s.start('execute_tool wide', { ...filler(4100, 'app.'), 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'wide', 'gen_ai.conversation.id': conv }, 0);
  wide.end(T0 + 1);
  // A tool name past the processor's bound (200 characters): the processor cuts it, the gateway cuts nothing.
  const longName = 't'.repeat(300);
  const named = s.start('execute_tool long', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': longName, 'gen_ai.conversation.id': conv }, 2);
  named.end(T0 + 3);
  const turn = s.start('chat gpt-4o', {
    ...filler(4100, 'app.req.'),
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.conversation.id': conv,
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Hi.' }] }]),
  }, 4);
  turn.end(T0 + 5);
  const r = await post(`${gateway.url}/v1/traces`, protobufOf(s.finished()), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r.status, 200);
  const rows = await rowsOf(conv);
  const byName = new Map(rows.map((x) => [x.name, x]));
  const wideRow = byName.get('execute_tool wide');
  assert.equal(wideRow?.meta['truncated'], true);
  assert.deepEqual(wideRow?.meta['gateway_dropped'], { attributes: 4103 - REPLAY_KEEPS });
  const namedRow = byName.get('execute_tool long');
  assert.equal(namedRow?.meta['truncated'], true, 'the processor cut the tool name');
  assert.equal(namedRow?.meta['gateway_dropped'], undefined, 'not the gateway');
  const turnRow = byName.get('chat gpt-4o');
  assert.deepEqual(turnRow?.meta['gateway_dropped'], { attributes: 4104 - REPLAY_KEEPS });
  // The processor's own metadata of the turn (its GenAI mapping writes agentspan.meta) is there beside the mark.
  assert.ok(Object.keys(turnRow?.meta ?? {}).some((k) => k !== 'gateway_dropped' && k !== 'truncated'), JSON.stringify(turnRow?.meta));
});

test('an AG2 span cut by the gateway keeps the AG2 mapping\'s metadata beside meta.gateway_dropped', async () => {
  const s = sender();
  const root = s.start('conversation user_proxy', { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation', 'gen_ai.agent.name': 'user_proxy' }, 0);
  const invoke = s.start('invoke_agent engineer', { ...filler(4200, 'x.'), 'ag2.span.type': 'agent', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'engineer' }, 1, root);
  invoke.end(T0 + 4);
  root.end(T0 + 5);
  const r = await post(`${gateway.url}/v1/traces`, protobufOf(s.finished()), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r.status, 200);
  const rows = await rowsOf(root.spanContext().traceId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.meta['framework'], 'ag2');
  assert.deepEqual(rows[0]?.meta['gateway_dropped'], { attributes: 4203 - REPLAY_KEEPS });
});

test('events past 4 096 and attributes past 1 024 on an event or a link are counted in stats() and marked on the row, once per span', async () => {
  const { tracer, finished } = wideSender();
  const conv = 'conv-wide-events';
  const links = [];
  for (let i = 0; i < 1030; i++) {
    links.push({
      context: { traceId: 'a'.repeat(32), spanId: (i + 1).toString(16).padStart(16, '0'), traceFlags: 1 },
      attributes: i === 1029 ? filler(1030, 'l.') : { n: i },
    });
  }
  const span = tracer.startSpan('execute_tool busy', { startTime: T0, links, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'busy', 'gen_ai.conversation.id': conv } });
  for (let i = 0; i < 4100; i++) span.addEvent(`e${i}`, { i }, T0 + 1);
  span.addEvent('wide', filler(1030, 'e.'), T0 + 1); // the last one: kept (the SDK drops the oldest)
  span.end(T0 + 2);
  const body = protobufOf(finished());
  const before = gateway.stats();
  for (let attempt = 0; attempt < 2; attempt++) {
    const r = await post(`${gateway.url}/v1/traces`, body, { 'Content-Type': 'application/x-protobuf' });
    assert.equal(r.status, 200);
  }
  const after = gateway.stats();
  assert.deepEqual(
    { spans: after.eventsDropped.spans - before.eventsDropped.spans, events: after.eventsDropped.events - before.eventsDropped.events, eventAttributes: after.eventsDropped.eventAttributes - before.eventsDropped.eventAttributes },
    { spans: 1, events: 4101 - 4096, eventAttributes: 1030 - 1024 },
  );
  assert.deepEqual(
    { spans: after.linksDropped.spans - before.linksDropped.spans, links: after.linksDropped.links - before.linksDropped.links, linkAttributes: after.linksDropped.linkAttributes - before.linksDropped.linkAttributes },
    { spans: 1, links: 1030 - 1024, linkAttributes: 1030 - 1024 },
  );
  assert.deepEqual(after.attributesDropped, before.attributesDropped, 'no span attribute was left out');
  const rows = await rowsOf(conv);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.meta['truncated'], true);
  assert.deepEqual(rows[0]?.meta['gateway_dropped'], { events: 5, event_attributes: 6, links: 6, link_attributes: 6 });
});
