/**
 * AG2's spans, sent by the official OTLP exporters (and as a recorded
 * protobuf payload), land as the expected rows in real Postgres.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { eventIdFor } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import type { Gateway } from '../src/index.js';
import { AG2_CHAT_ID, AG2_SERVICE, CODE, TASK, TOOL_RESULT, buildAg2Trace, type Ag2Trace } from './ag2-fixture.js';
import { assertExported, exportWith, post, startTestGateway } from './helpers.js';

let db: TestSchema;
let gateway: Gateway;
let workspace: string;

before(async () => {
  db = await createTestSchema('gateway_ag2');
  workspace = mkdtempSync(join(tmpdir(), 'agentspan-gateway-ws-'));
  writeFileSync(join(workspace, 'fib.txt'), '0 1 1 2 3 5 8 13 21 34');
  gateway = await startTestGateway(db, { workspaces: { [AG2_SERVICE]: { workspaceDir: workspace } } });
});
after(async () => {
  await gateway.shutdown();
  await db.drop();
});

interface EventRow {
  span_id: string;
  event_type: string;
  agent_name: string | null;
  agent_role: string | null;
  run_id: string;
  node_id: string | null;
  depth: number | null;
  execution_order: number | null;
  status: string;
  parent_event_id: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  meta: Record<string, unknown>;
  service_name: string | null;
}

async function eventsOf(traceId: string): Promise<Map<string, EventRow>> {
  const r = await db.pool.query<EventRow>(
    `SELECT span_id, event_type, agent_name, agent_role, run_id, node_id, depth, execution_order, status,
            parent_event_id::text, inputs, outputs, meta, service_name
       FROM execution_events WHERE trace_id = $1`,
    [traceId],
  );
  return new Map(r.rows.map((row) => [row.span_id, row]));
}

/** The expectations every way of sending the AG2 trace must meet. */
async function assertAg2Rows(t: Ag2Trace): Promise<void> {
  const run = await db.pool.query('SELECT id, mode, task_description, status, meta, service_name FROM workflow_runs WHERE trace_id = $1', [t.traceId]);
  assert.equal(run.rows.length, 1);
  const r = run.rows[0];
  assert.equal(r.id, t.traceId, 'an AG2 run is its trace');
  assert.equal(r.mode, 'ag2.conversation');
  assert.equal(r.task_description, TASK);
  assert.equal(r.status, 'success');
  assert.equal(r.service_name, AG2_SERVICE);
  assert.equal(r.meta.conversation_id, AG2_CHAT_ID);
  assert.equal(r.meta.turns, 4);
  assert.equal(r.meta.cost, 0.0042);
  assert.equal(r.meta.framework, 'ag2');

  const ev = await eventsOf(t.traceId);
  const byId = (id: string): EventRow => {
    const row = ev.get(id);
    assert.ok(row, `a row for span ${id}`);
    return row;
  };
  // The LLM call is no row of its own: the agent's reply is.
  assert.equal(ev.has(t.ids.llm), false);
  for (const row of ev.values()) {
    assert.equal(row.run_id, t.traceId);
    assert.equal(row.service_name, AG2_SERVICE);
  }

  const engineer1 = byId(t.ids.engineer1);
  assert.equal(engineer1.event_type, 'agent_call');
  assert.equal(engineer1.agent_name, 'engineer');
  assert.equal(engineer1.agent_role, 'assistant');
  assert.equal(engineer1.depth, 1);
  assert.match(String(engineer1.inputs.content), /```python/);
  assert.equal(engineer1.meta.has_code, true);
  assert.deepEqual(engineer1.meta.code_languages, ['python']);
  assert.equal(engineer1.meta.model, 'gpt-4o');
  assert.equal(engineer1.meta.input_tokens, 120, 'usage of the chat span under it');
  assert.equal(engineer1.meta.output_tokens, 80);
  assert.equal(engineer1.parent_event_id, eventIdFor(t.traceId, t.ids.conversation));

  const code = byId(t.ids.code);
  assert.equal(code.event_type, 'code_exec');
  assert.equal(code.agent_name, 'user_proxy');
  assert.equal(code.depth, 2);
  assert.equal(code.inputs.code, CODE, 'the code comes from the message the executor received');
  assert.equal(code.inputs.language, 'python');
  assert.equal(code.outputs.exit_code, 0);
  assert.equal(code.outputs.result, 'saved 10');
  assert.deepEqual(code.meta.imports, ['math']);
  assert.deepEqual(code.meta.files_written, ['fib.txt']);
  assert.deepEqual(code.outputs.files_generated, ['fib.txt']);
  assert.equal(code.meta.has_error, false);
  assert.equal(code.parent_event_id, eventIdFor(t.traceId, t.ids.proxy1));

  const files = [...ev.values()].filter((e) => e.event_type === 'file_gen');
  assert.equal(files.length, 1);
  const file = files[0] as EventRow;
  assert.equal(file.outputs.file_path, 'fib.txt');
  assert.equal(file.outputs.file_content, '0 1 1 2 3 5 8 13 21 34', 'captured from the workspace configured for the service');
  assert.equal(file.meta.has_content, true);
  assert.equal(file.depth, 3);
  assert.equal(file.parent_event_id, eventIdFor(t.traceId, t.ids.code));

  const engineer2 = byId(t.ids.engineer2);
  assert.equal(engineer2.meta.has_tool_calls, true);
  assert.match(String(engineer2.inputs.content), /get_weather/);

  const tool = byId(t.ids.tool);
  assert.equal(tool.event_type, 'tool_call');
  assert.equal(tool.inputs.tool, 'get_weather');
  assert.deepEqual(tool.inputs.args, { city: 'Paris' });
  assert.equal(tool.inputs.tool_call_id, 'call_weather_1');
  assert.deepEqual(tool.outputs.result, JSON.parse(TOOL_RESULT));
  assert.equal(tool.status, 'completed');
  assert.equal(tool.depth, 2);

  const failed = byId(t.ids.failedTool);
  assert.equal(failed.status, 'failed', 'AG2 marks a failed tool with error.type only');
  assert.equal(failed.meta.has_error, true);
  assert.equal(failed.meta.error_type, 'ExecutionError');

  const human = byId(t.ids.human);
  assert.equal(human.event_type, 'agent_call');
  assert.equal(human.agent_role, 'user');
  assert.equal(human.inputs.content, 'Looks good, thanks. TERMINATE');
  assert.match(String(human.inputs.prompt), /Provide feedback/);
  assert.equal(human.meta.human_input, true);

  // One order per run, in start order, strictly increasing.
  const ordered = [...ev.values()].filter((e) => e.event_type !== 'file_gen').sort((a, b) => (a.execution_order ?? 0) - (b.execution_order ?? 0));
  const expectedStartOrder = [t.ids.engineer1, t.ids.proxy1, t.ids.code, t.ids.engineer2, t.ids.proxy2, t.ids.tool, t.ids.failedTool, t.ids.human];
  assert.deepEqual(
    ordered.map((e) => e.span_id),
    expectedStartOrder,
  );
  const orders = ordered.map((e) => e.execution_order);
  assert.equal(new Set(orders).size, orders.length);
}

test('AG2 spans sent by the official protobuf exporter, children before the conversation (as AG2 exports them), become the expected rows', async () => {
  const t = buildAg2Trace();
  const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
  const root = t.spans.find((s) => s.spanContext().spanId === t.ids.conversation);
  assert.ok(root);
  // Two requests, as AG2's BatchSpanProcessor would send them: everything that ended first, then the conversation.
  assertExported(await exportWith(exporter, t.spans.filter((s) => s !== root)));
  // Acknowledged means committed: the rows are there already.
  const early = await eventsOf(t.traceId);
  assert.equal(early.size, 9, '8 events + 1 file, before the conversation arrives');
  assertExported(await exportWith(exporter, [root]));
  await exporter.shutdown();
  await assertAg2Rows(t);
});

test('a recorded AG2 payload (the official serializer\'s bytes, gzip and not) POSTed as is lands the same, and a replay of it adds no row', async () => {
  const t = buildAg2Trace();
  const payload = ProtobufTraceSerializer.serializeRequest(t.spans);
  assert.ok(payload);
  const url = `${gateway.url}/v1/traces`;
  const first = await post(url, payload, { 'Content-Type': 'application/x-protobuf' });
  assert.equal(first.status, 200);
  assert.equal(first.headers['content-type'], 'application/x-protobuf');
  await assertAg2Rows(t);
  const count = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE trace_id = $1', [t.traceId]);

  const { gzipSync } = await import('node:zlib');
  const again = await post(url, gzipSync(payload), { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
  assert.equal(again.status, 200);
  const after = await db.pool.query('SELECT COUNT(*)::int AS n FROM execution_events WHERE trace_id = $1', [t.traceId]);
  assert.equal(after.rows[0].n, count.rows[0].n, 'a re-sent request never makes a second row');
  await assertAg2Rows(t);
});

test('an AG2 group chat: speaker selection is a handoff, its inner chat a node whose agent turns point at it', async () => {
  const { SpanFactory } = await import('./helpers.js');
  const f = new SpanFactory('group-chat', 'opentelemetry.instrumentation.ag2');
  const conv = { 'ag2.span.type': 'conversation', 'gen_ai.operation.name': 'conversation' };
  const root = f.start('conversation chat_manager', { ...conv, 'gen_ai.agent.name': 'chat_manager' }, 0);
  const selection = f.start('speaker_selection', {
    'ag2.span.type': 'speaker_selection',
    'gen_ai.operation.name': 'speaker_selection',
    'ag2.speaker_selection.candidates': '["planner", "engineer"]',
  }, 1, root);
  const inner = f.start('conversation checking_agent', { ...conv, 'gen_ai.agent.name': 'checking_agent' }, 2, selection);
  const selector = f.start('invoke_agent speaker_selection_agent', { 'ag2.span.type': 'agent', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'speaker_selection_agent' }, 3, inner);
  f.end(selector, 4, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'engineer' }] }]) });
  f.end(inner, 5);
  f.end(selection, 6, { 'ag2.speaker_selection.selected': 'engineer' });
  const engineer = f.start('invoke_agent engineer', { 'ag2.span.type': 'agent', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'engineer' }, 7, root);
  f.end(engineer, 8, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'On it.' }] }]) });
  f.end(root, 9);
  const traceId = root.spanContext().traceId;

  const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
  assertExported(await exportWith(exporter, f.finished()));
  await exporter.shutdown();

  const run = await db.pool.query('SELECT id, mode FROM workflow_runs WHERE trace_id = $1', [traceId]);
  assert.deepEqual(run.rows, [{ id: traceId, mode: 'ag2.conversation' }]);
  const nodes = await db.pool.query('SELECT id::text, node_id, node_type, agent, depth FROM dag_nodes WHERE run_id = $1', [traceId]);
  assert.equal(nodes.rows.length, 1);
  const node = nodes.rows[0];
  assert.deepEqual([node.node_id, node.node_type, node.agent, node.depth], [inner.spanContext().spanId, 'conversation', 'checking_agent', 2]);
  const ev = await eventsOf(traceId);
  const handoff = ev.get(selection.spanContext().spanId);
  assert.equal(handoff?.event_type, 'handoff');
  assert.deepEqual(handoff?.inputs, { to_agent: 'engineer' });
  assert.deepEqual(handoff?.meta.candidates, ['planner', 'engineer']);
  const inside = ev.get(selector.spanContext().spanId);
  assert.equal(inside?.node_id, inner.spanContext().spanId);
  assert.equal(inside?.parent_event_id, node.id, 'an event inside a node points at the node row');
  assert.equal(inside?.depth, 3);
  const turn = ev.get(engineer.spanContext().spanId);
  assert.equal(turn?.inputs.content, 'On it.');
  assert.equal(turn?.node_id, null);
  assert.equal(turn?.depth, 1);
});
