/**
 * An agent envelope (GenAI `invoke_agent`, AI SDK `ai.generateText`,
 * OpenInference `AGENT`) whose model turns came in an earlier request than
 * itself: SDKs export children before parents, in batches, so a batch
 * boundary can fall between them. The envelope must not become a row then
 * (the turns are the rows), exactly as when the whole trace came in one
 * request, or the agent's answer is stored twice.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { eventIdFor } from '@agentspan/exporter-postgres';
import { Attr } from '@agentspan/semconv';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { decodeProtobufRequest, type Gateway, type ReceivedSpan } from '../src/index.js';
import { SpanFactory, assertExported, eventually, exportWith, startTestGateway } from './helpers.js';

let db: TestSchema;
let gateway: Gateway;
/** Spans the gateway forwarded (what Jaeger would get), by span id. */
const forwarded = new Map<string, ReceivedSpan>();
let jaeger: Server;

before(async () => {
  db = await createTestSchema('gateway_envelopes');
  jaeger = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      for (const s of decodeProtobufRequest(Buffer.concat(chunks)).spans) forwarded.set(s.spanId, s);
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
  gateway = await startTestGateway(db, { forwardUrl: `http://127.0.0.1:${(jaeger.address() as AddressInfo).port}/v1/traces` });
});
after(async () => {
  await gateway.shutdown();
  await new Promise((resolve) => jaeger.close(resolve));
  await db.drop();
});

const text = (role: string, content: string): string => JSON.stringify([{ role, parts: [{ type: 'text', content }] }]);
const ANSWER = 'The answer is 42.';

/** Sends each batch as one request (the official protobuf exporter), in order. */
async function send(url: string, ...batches: ReadableSpan[][]): Promise<void> {
  const exporter = new ProtoExporter({ url: `${url}/v1/traces` });
  for (const batch of batches) assertExported(await exportWith(exporter, batch));
  await exporter.shutdown();
}

/** A GenAI agent run: `invoke_agent` (root) → chat turn asking for a tool, the tool, chat turn with the answer. */
function genAiAgent(service: string): { spans: ReadableSpan[]; envelope: string; traceId: string } {
  const f = new SpanFactory(service, '@ai-sdk/otel');
  const agent = { 'gen_ai.agent.name': 'writer' };
  const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'openai' };
  const envelope = f.start('invoke_agent writer', { 'gen_ai.operation.name': 'invoke_agent', ...agent, 'gen_ai.input.messages': text('user', 'What is 6 times 7?') }, 0);
  const ask = f.start('chat gpt-4o', chat, 1, envelope);
  f.end(ask, 5, {
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'multiply', arguments: { a: 6, b: 7 } }] }]),
  });
  const tool = f.start('execute_tool multiply', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.id': 'c1' }, 6, envelope);
  f.end(tool, 8, { 'gen_ai.tool.call.arguments': '{"a":6,"b":7}', 'gen_ai.tool.call.result': '42' });
  const answer = f.start('chat gpt-4o', chat, 9, envelope);
  f.end(answer, 12, { 'gen_ai.output.messages': text('assistant', ANSWER) });
  // The envelope's output repeats its last turn's: stored twice if the envelope became a row too.
  f.end(envelope, 13, { 'gen_ai.output.messages': text('assistant', ANSWER) });
  return { spans: f.finished(), envelope: envelope.spanContext().spanId, traceId: envelope.spanContext().traceId };
}

interface Row {
  event_type: string;
  name: string;
  content: string | null;
  parent: string | null;
  agent_name: string | null;
  depth: number | null;
}

/** The trace's rows, with `parent_event_id` told as the span name it was derived from (or the raw id). */
async function rowsOf(traceId: string, spans: readonly ReadableSpan[]): Promise<Row[]> {
  const names = new Map(spans.map((s) => [eventIdFor(traceId, s.spanContext().spanId), s.name]));
  const r = await db.pool.query(
    `SELECT event_type, name, inputs->>'content' AS content, parent_event_id, agent_name, depth FROM execution_events
      WHERE trace_id = $1 ORDER BY started_at, name`,
    [traceId],
  );
  return r.rows.map((row) => ({
    event_type: row.event_type,
    name: row.name,
    content: row.content,
    parent: row.parent_event_id === null ? null : (names.get(row.parent_event_id) ?? row.parent_event_id),
    agent_name: row.agent_name,
    depth: row.depth,
  }));
}

const isRoot = (s: ReadableSpan): boolean => s.parentSpanContext === undefined;

test('GenAI: turns and tool in one request, their invoke_agent envelope in the next: the answer is one row, as when the trace came in one request', async () => {
  const whole = genAiAgent('envelopes-one-request');
  await send(gateway.url, whole.spans);
  const expected: Row[] = [
    { event_type: 'agent_call', name: 'chat gpt-4o', content: JSON.stringify({ tool_calls: [{ id: 'c1', name: 'multiply', arguments: { a: 6, b: 7 } }] }), parent: 'invoke_agent writer', agent_name: 'writer', depth: 2 },
    { event_type: 'tool_call', name: 'execute_tool multiply', content: null, parent: 'invoke_agent writer', agent_name: 'writer', depth: 2 },
    { event_type: 'agent_call', name: 'chat gpt-4o', content: ANSWER, parent: 'invoke_agent writer', agent_name: 'writer', depth: 2 },
  ];
  assert.deepEqual(await rowsOf(whole.traceId, whole.spans), expected, 'one request: the turns are the rows, the envelope is none');

  const statsBefore = gateway.stats();
  const split = genAiAgent('envelopes-two-requests');
  // What a BatchSpanProcessor does when its batch fills right before the envelope ends.
  await send(gateway.url, split.spans.filter((s) => !isRoot(s)), split.spans.filter(isRoot));
  const rows = await rowsOf(split.traceId, split.spans);
  // parent_event_id included: the turns' rows, written before the envelope came, name its span, as in one request.
  assert.deepEqual(rows, expected, 'two requests: the same rows; no invoke_agent row');
  assert.equal(rows.filter((r) => r.content === ANSWER).length, 1, 'the answer is stored once');
  assert.equal(gateway.stats().envelopes.marked, statsBefore.envelopes.marked + 1, 'counted');

  // The root still makes the trace's run.
  const run = await db.pool.query('SELECT status, task_description FROM workflow_runs WHERE id = $1', [split.traceId]);
  assert.deepEqual(run.rows, [{ status: 'success', task_description: 'What is 6 times 7?' }]);

  // The envelope reaches Jaeger with the fact the processor was told, and no event type (it is no row).
  await eventually(async () => forwarded.has(split.envelope) && forwarded.has(whole.envelope));
  assert.equal(forwarded.get(split.envelope)?.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE], true);
  assert.equal(forwarded.get(split.envelope)?.attributes[Attr.ATTR_EVENT_TYPE], undefined);
  assert.equal(forwarded.get(whole.envelope)?.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE], undefined, 'not set when the turns came with it');

  // The sender retries the envelope's request (say its acknowledgement timed out): still no row.
  await send(gateway.url, split.spans.filter(isRoot));
  assert.deepEqual(await rowsOf(split.traceId, split.spans), expected, 'a retried envelope request makes no row either');
});

test('every batch boundary of a children-first export gives the rows of the whole trace in one request', async () => {
  const whole = genAiAgent('envelopes-cuts-whole');
  await send(gateway.url, whole.spans);
  const expected = await rowsOf(whole.traceId, whole.spans);
  assert.equal(expected.length, 3);
  const n = whole.spans.length;
  for (let cut = 1; cut < n; cut++) {
    const t = genAiAgent(`envelopes-cut-${cut}`);
    await send(gateway.url, t.spans.slice(0, cut), t.spans.slice(cut));
    assert.deepEqual(await rowsOf(t.traceId, t.spans), expected, `cut after ${cut} of ${n} spans`);
  }
  // One span per request.
  const t = genAiAgent('envelopes-one-by-one');
  await send(gateway.url, ...t.spans.map((s) => [s]));
  assert.deepEqual(await rowsOf(t.traceId, t.spans), expected, 'one span per request');
});

test('an envelope whose only child (a tool) came in an earlier request is still a row: a tool is no model turn', async () => {
  const f = new SpanFactory('envelopes-tool-only', '@ai-sdk/otel');
  const envelope = f.start('invoke_agent router', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'router' }, 0);
  const tool = f.start('execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool' }, 1, envelope);
  f.end(tool, 2, { 'gen_ai.tool.call.result': 'billing' });
  f.end(envelope, 3, { 'gen_ai.output.messages': text('assistant', 'routed to billing') });
  const spans = f.finished();
  const traceId = envelope.spanContext().traceId;
  await send(gateway.url, spans.filter((s) => !isRoot(s)), spans.filter(isRoot));
  assert.deepEqual(await rowsOf(traceId, spans), [
    { event_type: 'agent_call', name: 'invoke_agent router', content: 'routed to billing', parent: null, agent_name: 'router', depth: 1 },
    // Written before its envelope came, then filled in from it.
    { event_type: 'tool_call', name: 'execute_tool lookup', content: null, parent: 'invoke_agent router', agent_name: 'router', depth: 2 },
  ]);
});

/** An envelope → (intermediate span) → turn, in the given convention. */
interface Shape {
  readonly label: string;
  readonly envelope: Attributes;
  readonly step: Attributes | undefined;
  readonly turn: Attributes;
  readonly turnEnd: Attributes;
}

const SHAPES: Shape[] = [
  {
    label: 'AI SDK v7 (@ai-sdk/otel): invoke_agent → step → chat',
    envelope: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
    step: { 'ai.step.number': 1 },
    turn: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
    turnEnd: { 'gen_ai.output.messages': text('assistant', 'the plan') },
  },
  {
    label: 'AI SDK ≤ v6: ai.generateText → ai.generateText.doGenerate',
    envelope: { 'ai.operationId': 'ai.generateText', 'ai.telemetry.functionId': 'planner' },
    step: undefined,
    turn: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o' },
    turnEnd: { 'ai.response.text': 'the plan' },
  },
  {
    label: 'OpenInference: AGENT → CHAIN → LLM',
    envelope: { 'openinference.span.kind': 'AGENT', 'agent.name': 'planner' },
    step: { 'openinference.span.kind': 'CHAIN' },
    turn: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o' },
    turnEnd: { 'llm.output_messages.0.message.content': 'the plan' },
  },
];

for (const shape of SHAPES) {
  test(`${shape.label}: one request per span (turn, then the span between, then the envelope): the envelope is no row, the turn's row gets its agent and depth`, async () => {
    const f = new SpanFactory('envelopes-shapes', 'shapes');
    const envelope = f.start('planner', shape.envelope, 0);
    const step = shape.step === undefined ? undefined : f.start('step 1', shape.step, 1, envelope);
    const turn = f.start('model call', shape.turn, 2, step ?? envelope);
    f.end(turn, 3, shape.turnEnd);
    if (step !== undefined) f.end(step, 4);
    f.end(envelope, 5, { 'output.value': 'the plan', 'ai.response.text': 'the plan', 'gen_ai.output.messages': text('assistant', 'the plan') });
    const spans = f.finished();
    const traceId = envelope.spanContext().traceId;
    await send(gateway.url, ...spans.map((s) => [s]));
    const rows = await rowsOf(traceId, spans);
    // The turn's row, written first, has its agent and depth filled in once the envelope came (through the span between).
    assert.deepEqual(rows.map((r) => [r.event_type, r.name, r.content, r.agent_name, r.depth]), [['agent_call', 'model call', 'the plan', 'planner', 2]]);
  });
}

test('the memory is bounded: an entry evicted (maxAwaitedEnvelopes) or expired (awaitedEnvelopeMaxAgeMillis) before its envelope came is counted, and that envelope is a row', async () => {
  const warnings: string[] = [];
  const small = await startTestGateway(db, { maxAwaitedEnvelopes: 1, logger: { info: () => undefined, warn: (m) => warnings.push(m) } });
  try {
    const a = genAiAgent('envelopes-evicted-a');
    const b = genAiAgent('envelopes-evicted-b');
    await send(small.url, a.spans.filter((s) => !isRoot(s)));
    assert.deepEqual(small.stats().envelopes, { remembered: 1, marked: 0, evicted: 0, expired: 0, turnsAfterRow: 0, fillsDropped: 0 });
    await send(small.url, b.spans.filter((s) => !isRoot(s))); // pushes a's out
    assert.equal(small.stats().envelopes.evicted, 1);
    assert.equal(warnings.filter((w) => w.includes('maxAwaitedEnvelopes 1 reached')).length, 1, 'logged');
    await send(small.url, a.spans.filter(isRoot), b.spans.filter(isRoot));
    assert.equal((await rowsOf(a.traceId, a.spans)).filter((r) => r.content === ANSWER).length, 2, 'forgotten: its envelope became a row (counted above)');
    assert.equal((await rowsOf(b.traceId, b.spans)).filter((r) => r.content === ANSWER).length, 1);
    assert.equal(small.stats().envelopes.marked, 1);
    await send(small.url, genAiAgent('envelopes-evicted-c').spans.filter((s) => !isRoot(s)));
    await send(small.url, genAiAgent('envelopes-evicted-d').spans.filter((s) => !isRoot(s))); // pushes c's out
    assert.equal(small.stats().envelopes.evicted, 2);
    assert.equal(warnings.filter((w) => w.includes('envelope')).length, 1, 'logged once');
  } finally {
    await small.shutdown();
  }

  const brief = await startTestGateway(db, { awaitedEnvelopeMaxAgeMillis: 50 });
  try {
    const c = genAiAgent('envelopes-expired');
    await send(brief.url, c.spans.filter((s) => !isRoot(s)));
    await new Promise((r) => setTimeout(r, 120));
    await send(brief.url, c.spans.filter(isRoot));
    assert.equal(brief.stats().envelopes.expired, 1);
    assert.equal((await rowsOf(c.traceId, c.spans)).filter((r) => r.content === ANSWER).length, 2, 'expired: its envelope became a row (counted)');
  } finally {
    await brief.shutdown();
  }
});

test('the reverse order (the envelope in an earlier request than its turns) is not corrected: both rows are kept, and counted', async () => {
  const statsBefore = gateway.stats();
  const t = genAiAgent('envelopes-reverse');
  await send(gateway.url, t.spans.filter(isRoot), t.spans.filter((s) => !isRoot(s)));
  const rows = await rowsOf(t.traceId, t.spans);
  assert.deepEqual(rows.map((r) => [r.event_type, r.name]), [
    ['agent_call', 'invoke_agent writer'],
    ['agent_call', 'chat gpt-4o'],
    ['tool_call', 'execute_tool multiply'],
    ['agent_call', 'chat gpt-4o'],
  ]);
  assert.equal(gateway.stats().envelopes.turnsAfterRow, statsBefore.envelopes.turnsAfterRow + 1);
});
