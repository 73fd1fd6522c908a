/**
 * Runs of spans that carry no run attribute of their own: a span takes the
 * run of its nearest placed ancestor (as it inherits its parent's run in
 * process), in its request and, where the gateway remembers that ancestor,
 * across requests. GenAI conventions list `gen_ai.conversation.id` for agent
 * and inference spans only, so a conversation's tools must inherit it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import type { Gateway } from '../src/index.js';
import { SpanFactory, post, startTestGateway } from './helpers.js';

let db: TestSchema;
let gateway: Gateway;

before(async () => {
  db = await createTestSchema('gateway_convruns');
  gateway = await startTestGateway(db);
});
after(async () => {
  await gateway.shutdown();
  await db.drop();
});

/** One OTLP request (protobuf, as the official exporter sends it), answered 200. */
async function send(spans: readonly ReadableSpan[]): Promise<void> {
  const r = await post(`${gateway.url}/v1/traces`, ProtobufTraceSerializer.serializeRequest([...spans]) as Uint8Array, {
    'Content-Type': 'application/x-protobuf',
  });
  assert.equal(r.status, 200, r.body.toString('latin1'));
}

function byId(spans: readonly ReadableSpan[], ...ids: string[]): ReadableSpan[] {
  return spans.filter((s) => ids.includes(s.spanContext().spanId));
}

const AGENT = (name: string): Attributes => ({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name });
const CHAT: Attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' };
const TOOL = (name: string): Attributes => ({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name });
const userSays = (text: string): string => JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text }] }]);
const assistantSays = (text: string): string => JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }]);

async function eventsOfTraces(traceIds: readonly string[]) {
  const r = await db.pool.query(
    `SELECT trace_id, run_id, event_type, name, agent_name, depth, execution_order
       FROM execution_events WHERE trace_id = ANY($1::text[]) ORDER BY started_at`,
    [traceIds],
  );
  return r.rows as { trace_id: string; run_id: string; event_type: string; name: string; agent_name: string | null; depth: number | null; execution_order: number }[];
}

async function runRows(ids: readonly string[]): Promise<string[]> {
  const r = await db.pool.query('SELECT id FROM workflow_runs WHERE id = ANY($1::text[]) ORDER BY id', [ids]);
  return r.rows.map((row) => row.id as string);
}

test('a GenAI-semconv conversation in one request: the execute_tool span (no gen_ai.conversation.id, as the semconv has it) is in the conversation\'s run, at its agent\'s depth + 1', async () => {
  const f = new SpanFactory('support-app');
  const conv = { 'gen_ai.conversation.id': 'conv-semconv-1' };
  const agent = f.start('invoke_agent support', { ...AGENT('support'), ...conv, 'gen_ai.input.messages': userSays('refund order 42') }, 0);
  const c1 = f.start('chat gpt-4o', { ...CHAT, ...conv }, 10, agent, SpanKind.CLIENT);
  f.end(c1, 40);
  const tool = f.start('execute_tool refund', { ...TOOL('refund'), 'gen_ai.tool.call.arguments': '{"order":42}' }, 41, agent);
  f.end(tool, 50, { 'gen_ai.tool.call.result': 'done' });
  const c2 = f.start('chat gpt-4o', { ...CHAT, ...conv }, 51, agent, SpanKind.CLIENT);
  f.end(c2, 90, { 'gen_ai.output.messages': assistantSays('Refunded.') });
  f.end(agent, 100);
  const traceId = agent.spanContext().traceId;
  await send(f.finished());

  const rows = await eventsOfTraces([traceId]);
  assert.deepEqual(
    rows.map((r) => [r.run_id, r.event_type, r.name, r.agent_name, r.depth, r.execution_order]),
    [
      ['conv-semconv-1', 'agent_call', 'chat gpt-4o', 'support', 2, 2],
      ['conv-semconv-1', 'tool_call', 'execute_tool refund', 'support', 2, 3],
      ['conv-semconv-1', 'agent_call', 'chat gpt-4o', 'support', 2, 4],
    ],
  );
  // The tool is in a run that has a row (agentspan runs lists it); the trace is no run of its own.
  assert.deepEqual(await runRows(['conv-semconv-1', traceId]), ['conv-semconv-1']);
});

test('a conversation whose id only invoke_agent carries, over two traces: its turns and tools are all in the conversation\'s run, none in a run of a trace', async () => {
  const conv = 'conv-agent-only-1';
  const traces: string[] = [];
  for (const [offset, question, answer] of [
    [0, 'hello', 'hi'],
    [1000, 'and then?', 'bye'],
  ] as const) {
    const f = new SpanFactory('agent-only-app');
    const agent = f.start('invoke_agent support', { ...AGENT('support'), 'gen_ai.conversation.id': conv, 'gen_ai.input.messages': userSays(question) }, offset);
    const chat = f.start('chat gpt-4o', CHAT, offset + 10, agent, SpanKind.CLIENT);
    f.end(chat, offset + 90, { 'gen_ai.output.messages': assistantSays(answer) });
    const tool = f.start('execute_tool lookup', TOOL('lookup'), offset + 91, agent);
    f.end(tool, offset + 95, { 'gen_ai.tool.call.result': 'r' });
    f.end(agent, offset + 100);
    traces.push(agent.spanContext().traceId);
    await send(f.finished()); // each trace whole, children first (as a batch processor exports it)
  }

  const rows = await eventsOfTraces(traces);
  assert.deepEqual(
    rows.map((r) => [r.run_id, r.event_type, r.agent_name, r.depth]),
    [
      [conv, 'agent_call', 'support', 2],
      [conv, 'tool_call', 'support', 2],
      [conv, 'agent_call', 'support', 2],
      [conv, 'tool_call', 'support', 2],
    ],
  );
  assert.equal(new Set(rows.map((r) => r.execution_order)).size, 4, 'one sequence for the conversation');
  assert.deepEqual(await runRows([conv, ...traces]), [conv]);
  const run = await db.pool.query('SELECT task_description, meta FROM workflow_runs WHERE id = $1', [conv]);
  assert.equal(run.rows[0].task_description, 'hello');
  const counted = await db.pool.query('SELECT count(*)::int AS n FROM execution_events WHERE run_id = $1', [conv]);
  assert.equal(counted.rows[0].n, 4, 'agentspan timeline of the conversation sees every turn and tool');
});

test('across requests: a span under an ancestor that came in an earlier request (an awaited envelope that arrived, an envelope that became a row) is in the ancestor\'s run; one that came before its ancestor stays in the trace\'s run', async () => {
  const conv = { 'gen_ai.conversation.id': 'conv-across-1' };
  const f = new SpanFactory('across-app');
  const agent = f.start('invoke_agent planner', { ...AGENT('planner'), ...conv }, 0);
  const early = f.start('chat gpt-4o', CHAT, 10, agent, SpanKind.CLIENT);
  f.end(early, 20, { 'gen_ai.output.messages': assistantSays('step one') });
  // Spans of the agent exported after it (a batch retried or overtaken): a tool, and a tool under an AI SDK step.
  const late = f.start('execute_tool search', TOOL('search'), 30, agent);
  const step = f.start('step 1', { 'ai.step.number': 1 }, 40, agent);
  const nested = f.start('execute_tool fetch', TOOL('fetch'), 41, step);
  f.end(late, 35, { 'gen_ai.tool.call.result': 'r' });
  f.end(nested, 45, { 'gen_ai.tool.call.result': 'r' });
  f.end(step, 46);
  f.end(agent, 100);
  const spans = f.finished();
  const id = (s: { spanContext(): { spanId: string } }) => s.spanContext().spanId;
  const traceId = agent.spanContext().traceId;

  await send(byId(spans, id(early))); // before its agent: the ancestor is not known yet
  await send(byId(spans, id(agent))); // the agent arrives (its turn came first: it is awaited, and no row)
  await send(byId(spans, id(late), id(step), id(nested)));

  // An envelope without turns becomes a row; a model call that outlives it (a returned stream) comes later.
  const g = new SpanFactory('across-app');
  const streaming = g.start('invoke_agent writer', { ...AGENT('writer'), ...conv }, 200);
  const stream = g.start('chat gpt-4o', CHAT, 210, streaming, SpanKind.CLIENT);
  g.end(streaming, 220);
  g.end(stream, 400, { 'gen_ai.output.messages': assistantSays('streamed') });
  const streamTrace = streaming.spanContext().traceId;
  await send(byId(g.finished(), id(streaming)));
  await send(byId(g.finished(), id(stream)));

  const rows = await eventsOfTraces([traceId, streamTrace]);
  assert.deepEqual(
    rows.map((r) => [r.name, r.run_id, r.depth]),
    [
      ['chat gpt-4o', traceId, null], // came before its agent: the trace's run (documented)
      ['execute_tool search', 'conv-across-1', 2],
      ['execute_tool fetch', 'conv-across-1', 2], // through the step, not placed: the agent's depth + 1, as in one request
      ['invoke_agent writer', 'conv-across-1', 1],
      ['chat gpt-4o', 'conv-across-1', 2],
    ],
  );
});
