/**
 * Spans of other instrumentations (GenAI conventions, OpenInference) and of
 * agentspan itself, sent by the official OTLP/HTTP JSON and protobuf
 * exporters: the same processor makes the same rows as in process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createRecorder } from '@agentspan/instrumentation';
import { PostgresExecutionEventExporter } from '@agentspan/exporter-postgres';
import { ExecutionEventSpanProcessor } from '@agentspan/processor';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { decodeProtobufRequest, type Gateway } from '../src/index.js';
import { SpanFactory, assertExported, eventually, exportWith, startTestGateway } from './helpers.js';

let viaGateway: TestSchema;
let inProcess: TestSchema;
let gateway: Gateway;

before(async () => {
  [viaGateway, inProcess] = await Promise.all([createTestSchema('gateway_genai'), createTestSchema('gateway_inproc')]);
  gateway = await startTestGateway(viaGateway);
});
after(async () => {
  await gateway.shutdown();
  await Promise.all([viaGateway.drop(), inProcess.drop()]);
});

const T = (ms: number): number => 1_760_000_000_000 + ms;

/** The same small workflow, recorded through agentspan's API into whatever processors the provider has. */
function recordWorkflow(processors: SpanProcessor[], processor?: ExecutionEventSpanProcessor): BasicTracerProvider {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'eq-service' }), spanProcessors: processors });
  processor?.setTracerProvider(provider);
  const recorder = createRecorder({ tracerProvider: provider });
  const run = recorder.startRun({ runId: 'eq-run', task: 'Summarise the sales data', mode: 'one-shot', startTime: T(0), newTrace: true });
  const step = run.startNode('step_1', { title: 'analyse', agent: 'engineer', startTime: T(10) });
  step.agentCall({
    agent: 'engineer',
    role: 'assistant',
    sender: 'planner',
    content: 'I will read data/sales.csv:\n```python\nimport pandas as pd\ndf = pd.read_csv("data/sales.csv")\n```',
    model: 'gpt-4o',
    startTime: T(20),
    endTime: T(30),
  });
  step.codeExecution({
    agent: 'executor',
    language: 'python',
    code: 'import pandas as pd\ndf = pd.read_csv("data/sales.csv")\ndf.describe().to_csv("results/summary.csv")',
    output: 'done',
    exitCode: 0,
    startTime: T(40),
    endTime: T(50),
  });
  step.toolCall({
    agent: 'engineer',
    tool: 'search',
    args: { q: 'sales', api_key: 'sk-proj-abcdefghijklmnopqrstuvwxyz123456' },
    result: { hits: 2 },
    startTime: T(60),
    endTime: T(70),
  });
  step.end({ endTime: T(80) });
  run.end({ endTime: T(90) });
  return provider;
}

const COMPARED = `
  SELECT e.event_type, e.event_subtype, e.name, e.agent_name, e.agent_role, e.run_id, e.node_id, e.step_id, e.session_id,
         e.execution_order, e.depth, e.status, e.inputs, e.outputs, e.meta, e.error_message, e.attributes, e.service_name,
         e.started_at, e.completed_at, e.duration_ms, COALESCE(p.name, n.node_id) AS parent
    FROM execution_events e
    LEFT JOIN execution_events p ON p.id = e.parent_event_id
    LEFT JOIN dag_nodes n ON n.id = e.parent_event_id
   WHERE e.run_id = 'eq-run'
   ORDER BY e.execution_order, e.name`;

test('an agentspan workflow sent over OTLP/JSON (unprocessed) makes the same rows as the processor in process', async () => {
  // In process: the processor, then the exporter.
  const processor = new ExecutionEventSpanProcessor({ fileCapture: { enabled: false } });
  const local = recordWorkflow(
    [processor, new SimpleSpanProcessor(new PostgresExecutionEventExporter({ pool: inProcess.pool, schema: inProcess.schema }))],
    processor,
  );
  await local.forceFlush();
  await local.shutdown();

  // Remote: the application only records and exports; the gateway runs the processor.
  const memory = new InMemorySpanExporter();
  recordWorkflow([new SimpleSpanProcessor(memory)]);
  const exporter = new JsonExporter({ url: `${gateway.url}/v1/traces` });
  assertExported(await exportWith(exporter, memory.getFinishedSpans()));
  await exporter.shutdown();

  const [a, b] = await Promise.all([inProcess.pool.query(COMPARED), viaGateway.pool.query(COMPARED)]);
  assert.equal(a.rows.length, 4, 'agent call, code execution, its file, tool call');
  assert.deepEqual(b.rows, a.rows);
  const tool = b.rows.find((r) => r.event_type === 'tool_call');
  assert.equal(tool.inputs.args.api_key, '[REDACTED:openai_key]', 'redacted by the gateway before it was written');

  const runs = 'SELECT id, mode, task_description, status, started_at, completed_at, duration_ms, meta, service_name FROM workflow_runs';
  const nodes = 'SELECT run_id, node_id, node_type, title, agent, status, order_index, depth, started_at, completed_at, meta FROM dag_nodes';
  for (const q of [runs, nodes]) {
    const [x, y] = await Promise.all([inProcess.pool.query(q), viaGateway.pool.query(`${q} WHERE ${q === runs ? 'id' : 'run_id'} = 'eq-run'`)]);
    assert.deepEqual(y.rows, x.rows);
  }
});

test('GenAI spans with gen_ai.conversation.id on each (official protobuf exporter): the conversation is the run; turns are rows, their envelope is not', async () => {
  const f = new SpanFactory('genai-app', '@ai-sdk/otel');
  const conv = { 'gen_ai.conversation.id': 'conv-genai-1' };
  const agentSpan = f.start('invoke_agent gpt-4o', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'writer', ...conv }, 0);
  const turn = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'openai', ...conv }, 1, agentSpan);
  f.end(turn, 5, {
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { q: 'x' } }] }]),
    'gen_ai.usage.input_tokens': 50,
    'gen_ai.usage.output_tokens': 7,
  });
  const tool = f.start('execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.id': 'c1', ...conv }, 6, agentSpan);
  f.end(tool, 8, { 'gen_ai.tool.call.arguments': '{"q":"x"}', 'gen_ai.tool.call.result': '{"answer":42}' });
  const turn2 = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', ...conv }, 9, agentSpan);
  f.end(turn2, 12, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'The answer is 42.' }] }]) });
  f.end(agentSpan, 13);

  const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
  assertExported(await exportWith(exporter, f.finished()));
  await exporter.shutdown();
  const rows = await viaGateway.pool.query(
    "SELECT event_type, agent_name, name, execution_order, depth, inputs, meta FROM execution_events WHERE run_id = 'conv-genai-1' ORDER BY execution_order",
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.event_type, r.agent_name, r.name, r.execution_order]),
    [
      ['agent_call', 'writer', 'chat gpt-4o', 2],
      ['tool_call', 'writer', 'execute_tool lookup', 3],
      ['agent_call', 'writer', 'chat gpt-4o', 4],
    ],
  );
  assert.equal(rows.rows[0].meta.input_tokens, 50);
  assert.equal(rows.rows[2].inputs.content, 'The answer is 42.');
  assert.deepEqual(rows.rows[1].inputs.args, { q: 'x' });
});

test('OpenInference spans (JSON exporter): AGENT/LLM/TOOL kinds map through the same processor; the run is the trace without a conversation id', async () => {
  const f = new SpanFactory('oi-app', 'openinference.instrumentation.langchain');
  const agentSpan = f.start('AgentExecutor', { 'openinference.span.kind': 'AGENT', 'agent.name': 'researcher', 'graph.node.id': 'research' }, 0);
  const llm = f.start('ChatOpenAI', { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini' }, 1, agentSpan);
  f.end(llm, 3, { 'llm.output_messages.0.message.content': 'I should search.', 'llm.token_count.prompt': 11 });
  const tool = f.start('search', { 'openinference.span.kind': 'TOOL', 'tool.name': 'search' }, 4, agentSpan);
  f.end(tool, 6, { 'input.value': '{"query": "otel"}', 'output.value': 'three results' });
  f.end(agentSpan, 7, { 'output.value': 'done' });
  const traceId = agentSpan.spanContext().traceId;

  const exporter = new JsonExporter({ url: `${gateway.url}/v1/traces` });
  assertExported(await exportWith(exporter, f.finished()));
  await exporter.shutdown();
  const rows = await viaGateway.pool.query(
    'SELECT event_type, agent_name, node_id, depth, inputs, outputs FROM execution_events WHERE run_id = $1 ORDER BY execution_order',
    [traceId],
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.event_type, r.agent_name, r.node_id]),
    [
      ['agent_call', 'researcher', 'research'],
      ['tool_call', 'researcher', 'research'],
    ],
  );
  assert.equal(rows.rows[0].inputs.content, 'I should search.');
  assert.equal(rows.rows[1].outputs.result, 'three results');
  assert.equal(rows.rows[1].depth, 2, 'one below the agent span that came in the same request');
});

test('a GenAI trace without a conversation id is a run once its root arrives: workflow_runs row with the events\' run id, the root\'s times and status', async () => {
  const f = new SpanFactory('genai-runs', '@ai-sdk/otel');
  const input = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Summarise sales.csv' }] }]);
  const ok = f.start('invoke_agent helper', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper', 'gen_ai.input.messages': input }, 100);
  const turn = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }, 110, ok);
  f.end(turn, 150, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Done.' }] }]) });
  f.end(ok, 190);
  const bad = f.start('invoke_agent helper', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper' }, 200);
  const tool = f.start('execute_tool search', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }, 210, bad);
  f.end(tool, 220);
  f.end(bad, 230, {}, 'rate limited');
  const [okTrace, badTrace] = [ok, bad].map((s) => s.spanContext().traceId) as [string, string];
  const runOf = (id: string) =>
    viaGateway.pool.query(
      `SELECT id, mode, task_description, status, started_at, completed_at, duration_ms, meta, trace_id, span_id, service_name,
              (SELECT array_agg(DISTINCT run_id) FROM execution_events WHERE trace_id = $1) AS event_runs
         FROM workflow_runs WHERE id = $1`,
      [id],
    );

  // A forwarding target: the run span the gateway makes up must not reach it (it reuses the root's span id).
  const forwarded: string[] = [];
  const jaeger = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      forwarded.push(...decodeProtobufRequest(Buffer.concat(chunks)).spans.map((s) => s.spanId));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
  const forwarding = await startTestGateway(viaGateway, { forwardUrl: `http://127.0.0.1:${(jaeger.address() as AddressInfo).port}/v1/traces` });
  try {
    const exporter = new ProtoExporter({ url: `${forwarding.url}/v1/traces` });
    // The children first, as a batch boundary can split them from their root: no run row until the root ends.
    const finished = f.finished();
    const roots = finished.filter((s) => s.parentSpanContext === undefined);
    assertExported(await exportWith(exporter, finished.filter((s) => s.parentSpanContext !== undefined)));
    assert.equal((await runOf(okTrace)).rowCount, 0, 'the root has not arrived: the run has not ended');
    assertExported(await exportWith(exporter, roots));
    await exporter.shutdown();
    await eventually(async () => forwarded.length >= finished.length);
    await new Promise((r) => setTimeout(r, 200)); // a run span forwarded by mistake would follow within this
    assert.deepEqual(forwarded.slice().sort(), finished.map((s) => s.spanContext().spanId).sort(), 'each received span once, nothing made up');
  } finally {
    await forwarding.shutdown();
    await new Promise((resolve) => jaeger.close(resolve));
  }

  const T0 = 1_760_000_000_000;
  const okRun = (await runOf(okTrace)).rows[0];
  assert.deepEqual(okRun, {
    id: okTrace,
    mode: 'otlp.trace',
    task_description: 'Summarise sales.csv',
    status: 'success',
    started_at: new Date(T0 + 100),
    completed_at: new Date(T0 + 190),
    duration_ms: 90,
    meta: { service_name: 'genai-runs', multi_trace: true },
    trace_id: okTrace,
    span_id: ok.spanContext().spanId,
    service_name: 'genai-runs',
    event_runs: [okTrace],
  });
  const badRun = (await runOf(badTrace)).rows[0];
  assert.equal(badRun.status, 'failed');
  assert.equal(badRun.meta.error_message, 'rate limited');
  assert.equal(badRun.task_description, 'invoke_agent helper', 'no input messages: the root\'s name');
  assert.deepEqual(badRun.event_runs, [badTrace]);
});

test('a conversation over several traces (gen_ai.conversation.id) is one run: its workflow_runs row spans every trace that has ended, in whatever order they arrive', async () => {
  const f = new SpanFactory('genai-conversation', '@ai-sdk/otel');
  const conv = { 'gen_ai.conversation.id': 'conv-multi-1' };
  const userSays = (text: string) => JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text }] }]);
  /** One user turn: a trace of its own, an agent envelope around one model call. */
  const turn = (at: number, text: string, error?: string) => {
    const agent = f.start('invoke_agent concierge', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'concierge', 'gen_ai.input.messages': userSays(text), ...conv }, at);
    const chat = f.start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', ...conv }, at + 10, agent);
    f.end(chat, at + 40, { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `re: ${text}` }] }]) }, error);
    f.end(agent, at + 50, {}, error);
    return agent.spanContext().traceId;
  };
  const traces = [turn(1000, 'Book a flight to Oslo'), turn(5000, 'Make it Tuesday', 'model overloaded'), turn(9000, 'Thanks')];
  const finished = f.finished();
  const ofTrace = (t: string) => finished.filter((s) => s.spanContext().traceId === t);

  const exporter = new ProtoExporter({ url: `${gateway.url}/v1/traces` });
  // The last turn first, then the first, then the middle one: each request its own replay.
  for (const t of [traces[2], traces[0], traces[1]] as string[]) assertExported(await exportWith(exporter, ofTrace(t)));
  await exporter.shutdown();

  const T0 = 1_760_000_000_000;
  const runs = await viaGateway.pool.query(
    `SELECT id, mode, task_description, status, started_at, completed_at, duration_ms, meta, trace_id, service_name FROM workflow_runs WHERE id = 'conv-multi-1'`,
  );
  assert.deepEqual(runs.rows, [
    {
      id: 'conv-multi-1',
      mode: 'otlp.trace',
      task_description: 'Book a flight to Oslo',
      status: 'failed',
      started_at: new Date(T0 + 1000),
      completed_at: new Date(T0 + 9050),
      duration_ms: 8050,
      meta: { service_name: 'genai-conversation', error_message: 'model overloaded', multi_trace: true },
      trace_id: traces[0],
      service_name: 'genai-conversation',
    },
  ]);
  const events = await viaGateway.pool.query("SELECT count(*)::int AS n, count(DISTINCT trace_id)::int AS t FROM execution_events WHERE run_id = 'conv-multi-1'");
  assert.deepEqual(events.rows[0], { n: 3, t: 3 }, 'one model call per trace, all in the conversation\'s run');
  assert.equal((await viaGateway.pool.query("SELECT 1 FROM workflow_runs WHERE id = ANY($1)", [traces])).rowCount, 0, 'no run per trace');
});
