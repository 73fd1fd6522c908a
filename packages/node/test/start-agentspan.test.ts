import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { context, trace } from '@opentelemetry/api';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startAgentspan, createWorkflowCallbacks, resolveOptions } from '../src/index.js';

/** A minimal OTLP/HTTP receiver: records every request body (JSON) it gets. */
interface Receiver {
  url: string;
  bodies: unknown[];
  contentTypes: string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

async function startReceiver(): Promise<Receiver> {
  const bodies: unknown[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      contentTypes.push(String(req.headers['content-type']));
      bodies.push(JSON.parse(body.toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/v1/traces`,
    bodies,
    contentTypes,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; arrayValue?: unknown };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: OtlpAttribute[];
}

function spansOf(bodies: unknown[]): OtlpSpan[] {
  const out: OtlpSpan[] = [];
  for (const body of bodies as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }[]) {
    for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) out.push(...ss.spans);
  }
  return out;
}

function attr(span: OtlpSpan, key: string): unknown {
  const a = span.attributes.find((x) => x.key === key);
  if (!a) return undefined;
  const v = a.value;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.arrayValue;
}

let db: TestSchema;
let receiver: Receiver;
before(async () => {
  db = await createTestSchema('node');
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await db.drop();
});

test('one run lands in Postgres and on the OTLP wire with the same tree', async () => {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-node-'));
  writeFileSync(join(workspaceDir, 'fib.txt'), '0\n1\n1\n2\n');
  const warnings: string[] = [];
  const agentspan = await startAgentspan(
    {
      serviceName: 'research-backend',
      databaseUrl: db.url,
      schema: db.schema,
      otlpEndpoint: receiver.url,
      workspaceDir,
      logger: { warn: (m) => warnings.push(m) },
    },
    {},
  );
  const run = agentspan.startRun({ task: 'Compute primes', mode: 'one-shot' });
  const step = run.startNode('step_1', { title: 'write the script' });
  step.agentCall({ agent: 'engineer', role: 'assistant', sender: 'planner', content: 'I will write fib.txt' });
  const code = 'import math\nwith open("fib.txt", "w") as f:\n    f.write("0\\n")\n';
  step.codeExecution({ agent: 'executor', language: 'python', code, output: 'ok', exitCode: 0 });
  step.toolCall({ agent: 'engineer', tool: 'execute_python', args: { code }, result: 'ok' });
  step.fileGenerated({ agent: 'executor', path: 'fib.txt', source: 'code_execution' });
  step.end();
  run.end({ status: 'success' });
  await agentspan.shutdown();
  assert.deepEqual(warnings, []);

  // Postgres: the three queries of the issue, verbatim.
  const counts = await db.pool.query(
    'SELECT event_type, COUNT(*) FROM execution_events WHERE run_id = $1 GROUP BY event_type;',
    [run.id],
  );
  assert.deepEqual(
    Object.fromEntries(counts.rows.map((r: { event_type: string; count: string }) => [r.event_type, Number(r.count)])),
    { agent_call: 1, code_exec: 1, tool_call: 1, file_gen: 1 },
  );
  // rowMode 'array': the unnamed columns would collapse into one '?column?' key otherwise.
  const files = await db.pool.query({
    text: "SELECT outputs->>'file_path', LENGTH(outputs->>'file_content'), meta->>'has_content' FROM execution_events WHERE event_type = 'file_gen';",
    rowMode: 'array',
  });
  assert.deepEqual(files.rows, [['fib.txt', 8, 'true']]);
  const imports = await db.pool.query({
    text: "SELECT agent_name, meta->>'imports', meta->>'files_written' FROM execution_events WHERE event_type = 'code_exec' AND meta->>'imports' IS NOT NULL;",
    rowMode: 'array',
  });
  assert.deepEqual(imports.rows, [['executor', '["math"]', '["fib.txt"]']]);

  const runs = await db.pool.query('SELECT id, mode, task_description, status, trace_id FROM workflow_runs');
  assert.deepEqual(runs.rows.map((r: { id: string; mode: string; status: string }) => [r.id, r.mode, r.status]), [
    [run.id, 'one-shot', 'success'],
  ]);
  const nodes = await db.pool.query('SELECT id, node_id, title, status FROM dag_nodes WHERE run_id = $1', [run.id]);
  assert.equal(nodes.rows[0]?.node_id, 'step_1');
  const events = await db.pool.query(
    'SELECT event_type, parent_event_id, depth, service_name, execution_order FROM execution_events WHERE run_id = $1 ORDER BY execution_order',
    [run.id],
  );
  assert.deepEqual(
    events.rows.map((r: { event_type: string }) => r.event_type),
    ['agent_call', 'code_exec', 'file_gen', 'tool_call'],
  );
  const nodeId = nodes.rows[0]?.id as string;
  for (const e of events.rows as { event_type: string; parent_event_id: string; depth: number; service_name: string }[]) {
    assert.equal(e.service_name, 'research-backend');
    if (e.event_type !== 'file_gen') {
      assert.equal(e.parent_event_id, nodeId);
      assert.equal(e.depth, 2);
    } else {
      assert.equal(e.depth, 3);
    }
  }

  // OTLP: the same spans, names, parents and attributes.
  assert.ok(receiver.contentTypes.every((t) => t.startsWith('application/json')));
  const spans = spansOf(receiver.bodies);
  const byName = (n: string) => {
    const s = spans.find((x) => x.name === n);
    assert.ok(s, `span ${n} on the wire`);
    return s;
  };
  const runSpan = byName('invoke_workflow one-shot');
  const node = byName('node step_1');
  const agent = byName('invoke_agent engineer');
  const exec = byName('execute_code executor');
  const tool = byName('execute_tool execute_python');
  const file = spans.filter((s) => s.name === 'file_gen fib.txt');
  assert.equal(node.parentSpanId, runSpan.spanId);
  for (const s of [agent, exec, tool]) assert.equal(s.parentSpanId, node.spanId);
  assert.equal(file.length, 2, 'the declared duplicate stays in the trace');
  assert.equal(runSpan.traceId, agent.traceId);
  assert.equal(attr(runSpan, 'gen_ai.operation.name'), 'invoke_workflow');
  assert.equal(attr(agent, 'gen_ai.agent.name'), 'engineer');
  assert.equal(attr(tool, 'gen_ai.tool.name'), 'execute_python');
  assert.equal(attr(exec, 'agentspan.run.id'), run.id);
  assert.equal(attr(exec, 'agentspan.node.id'), 'step_1');
  assert.equal(attr(exec, 'agentspan.code.hash'), (await db.pool.query("SELECT inputs->>'code_hash' AS h FROM execution_events WHERE event_type='code_exec'")).rows[0]?.h);
  assert.equal(typeof attr(exec, 'agentspan.execution.order'), 'number');
});

test('without databaseUrl: one warning, no crash, spans still flow to OTLP; registerGlobal toggles the global provider', async () => {
  const warnings: string[] = [];
  const before = receiver.bodies.length;
  const agentspan = await startAgentspan({ otlpEndpoint: receiver.url, logger: { warn: (m) => warnings.push(m) } }, {});
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /no databaseUrl/);
  const tracer = trace.getTracer('foreign');
  const run = agentspan.startRun({ runId: 'global-run' });
  run.with(() => tracer.startSpan('foreign work').end());
  const cb = createWorkflowCallbacks(run, { nodeId: 'n1' });
  cb.onToolCall('a', 'search', { q: 1 }, 'none');
  run.end();
  await agentspan.shutdown();
  const spans = spansOf(receiver.bodies.slice(before));
  const foreign = spans.find((s) => s.name === 'foreign work');
  assert.ok(foreign, 'a span from another tracer went through the global provider');
  assert.equal(attr(foreign, 'agentspan.run.id'), 'global-run');
  assert.ok(spans.some((s) => s.name === 'execute_tool search'));
  await agentspan.shutdown(); // idempotent
});

test('options resolve from the environment at the edge only, options first', () => {
  const env = {
    OTEL_SERVICE_NAME: 'from-env',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,bad',
    AGENTSPAN_CAPTURE_CONTENT: 'false',
  };
  const r = resolveOptions({}, env);
  assert.equal(r.serviceName, 'from-env');
  assert.equal(r.otlpEndpoint, 'http://collector:4318/v1/traces');
  assert.deepEqual(r.otlpHeaders, { authorization: 'Bearer abc' });
  assert.equal(r.captureContent, false);
  assert.equal(r.warnings.length, 1);
  const o = resolveOptions({ serviceName: 'mine', otlpEndpoint: false, captureContent: true }, env);
  assert.equal(o.serviceName, 'mine');
  assert.equal(o.otlpEndpoint, undefined);
  assert.equal(o.captureContent, true);
  assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://j:4318/custom' }).otlpEndpoint, 'http://j:4318/custom');
  assert.equal(resolveOptions({}, {}).serviceName, 'agentspan');
  assert.equal(resolveOptions({}, { AGENTSPAN_CAPTURE_CONTENT: 'maybe' }).warnings.length, 1);
  assert.throws(() => resolveOptions({ otlpEndpoint: 'ftp://x' }, {}), /otlpEndpoint must be an http\(s\) URL/);
});

test('an unreachable database does not stop the application: warning at start, no throw', async () => {
  const warnings: string[] = [];
  const spoolDir = mkdtempSync(join(tmpdir(), 'agentspan-unreachable-'));
  const agentspan = await startAgentspan(
    { databaseUrl: 'postgres://nobody@127.0.0.1:1/none', otlpEndpoint: false, spoolDir, logger: { warn: (m) => warnings.push(m) } },
    {},
  );
  assert.ok(warnings.some((w) => /could not prepare the Postgres schema/.test(w)), warnings.join('\n'));
  const run = agentspan.startRun();
  assert.doesNotThrow(() => run.agentCall({ agent: 'a', content: 'still works' }));
  run.end();
  await agentspan.shutdown();
  // What could not be written is on disk for the next start, not lost.
  assert.equal(agentspan.stats().postgres?.spooled, 3); // the event, the run at its start and at its end
  rmSync(spoolDir, { recursive: true, force: true });
});

/** Resource attributes of the OTLP requests, as a record. */
function resourcesOf(bodies: unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const body of bodies as { resourceSpans: { resource: { attributes: OtlpAttribute[] } }[] }[]) {
    for (const rs of body.resourceSpans) {
      out.push(Object.fromEntries(rs.resource.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue])));
    }
  }
  return out;
}

test('OTEL_RESOURCE_ATTRIBUTES and the SDK default resource reach OTLP and the service_name column; service.name follows its precedence', async () => {
  const env = { OTEL_RESOURCE_ATTRIBUTES: 'service.name=checkout-agents,deployment.environment.name=prod,service.version=1.4.2' };
  const before = receiver.bodies.length;
  const agentspan = await startAgentspan(
    { databaseUrl: db.url, schema: db.schema, otlpEndpoint: receiver.url, registerGlobal: false, flushOnExit: false, spoolDir: false, logger: { warn: () => {} } },
    env,
  );
  const run = agentspan.startRun({ task: 'resource from the environment' });
  run.toolCall({ agent: 'a', tool: 't' });
  run.end();
  await agentspan.shutdown();
  assert.equal(agentspan.serviceName, 'checkout-agents');
  const [resource] = resourcesOf(receiver.bodies.slice(before));
  assert.equal(resource?.['service.name'], 'checkout-agents');
  assert.equal(resource?.['deployment.environment.name'], 'prod');
  assert.equal(resource?.['service.version'], '1.4.2');
  assert.equal(resource?.['telemetry.sdk.language'], 'nodejs');
  assert.equal(resource?.['telemetry.sdk.name'], 'opentelemetry');
  const names = await db.pool.query('SELECT DISTINCT service_name FROM execution_events WHERE run_id = $1', [run.id]);
  assert.deepEqual(names.rows.map((r: { service_name: string }) => r.service_name), ['checkout-agents']);

  const before2 = receiver.bodies.length;
  const second = await startAgentspan(
    {
      otlpEndpoint: receiver.url,
      registerGlobal: false,
      flushOnExit: false,
      spoolDir: false,
      resourceAttributes: { 'service.name': 'from-resource-attributes', team: 'search' },
      logger: { warn: () => {} },
    },
    { ...env, OTEL_SERVICE_NAME: 'from-env' },
  );
  second.startRun().end();
  await second.shutdown();
  const [resource2] = resourcesOf(receiver.bodies.slice(before2));
  assert.equal(resource2?.['service.name'], 'from-resource-attributes', 'not replaced by the default, nor by the environment');
  assert.equal(resource2?.team, 'search');
  assert.equal(resource2?.['deployment.environment.name'], 'prod');
});

test('service.name precedence: serviceName > resourceAttributes > OTEL_SERVICE_NAME > OTEL_RESOURCE_ATTRIBUTES > agentspan', () => {
  const envBoth = { OTEL_SERVICE_NAME: 'env-name', OTEL_RESOURCE_ATTRIBUTES: 'service.name=env-attrs' };
  const attrs = { resourceAttributes: { 'service.name': 'option-attrs' } };
  assert.equal(resolveOptions({ serviceName: 'option', ...attrs }, envBoth).serviceName, 'option');
  assert.equal(resolveOptions(attrs, envBoth).serviceName, 'option-attrs');
  assert.equal(resolveOptions({}, envBoth).serviceName, 'env-name');
  assert.equal(resolveOptions({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=env-attrs' }).serviceName, 'env-attrs');
  assert.equal(resolveOptions({}, {}).serviceName, 'agentspan');
  const bad = resolveOptions({}, { OTEL_RESOURCE_ATTRIBUTES: 'a=1,broken,b=%E0%A4%A' });
  assert.deepEqual(bad.envResourceAttributes, { a: '1' });
  assert.equal(bad.warnings.length, 2);
});

test('string resource attributes are redacted like span attributes before they leave over OTLP', async () => {
  const slack = 'xoxb-123456789012-abcdefghijklmnop';
  const openai = 'sk-proj-AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234';
  const send = async (redaction: false | undefined): Promise<Record<string, unknown> | undefined> => {
    const before = receiver.bodies.length;
    const agentspan = await startAgentspan(
      {
        otlpEndpoint: receiver.url,
        registerGlobal: false,
        flushOnExit: false,
        spoolDir: false,
        resourceAttributes: { 'deployment.note': `token=${slack}`, replicas: 3 },
        ...(redaction === false ? { redaction } : {}),
        logger: { warn: () => {} },
      },
      { OTEL_RESOURCE_ATTRIBUTES: `ci.key=${openai}` },
    );
    agentspan.startRun().end();
    await agentspan.shutdown();
    return resourcesOf(receiver.bodies.slice(before))[0];
  };
  const resource = await send(undefined);
  assert.ok(!JSON.stringify(resource).includes(slack), JSON.stringify(resource));
  assert.ok(!JSON.stringify(resource).includes(openai), JSON.stringify(resource));
  assert.match(String(resource?.['deployment.note']), /\[REDACTED:[a-z_]+\]/);
  assert.match(String(resource?.['ci.key']), /\[REDACTED:[a-z_]+\]/);
  assert.equal(Number(resource?.replicas), 3);
  assert.equal(resource?.['service.name'], 'agentspan');
  const unredacted = await send(false);
  assert.equal(unredacted?.['deployment.note'], `token=${slack}`, 'redaction: false turns it off here too');
});

test("a run's and a node's own texts redacted: their rows count it in meta.redactions, as events' rows do", async () => {
  const key = 'sk-proj-' + 'Z3x5C7v9B1n3M5q7W9e1R3t5Y7u9I1o3';
  const agentspan = await startAgentspan({
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    registerGlobal: false,
    flushOnExit: false,
    spoolDir: false,
    logger: { warn: () => {} },
  });
  const run = agentspan.startRun({ runId: 'run-own-redactions', task: `Call the API with OPENAI_API_KEY=${key}` });
  const step = run.startNode('login', { title: `log in with ${key}` });
  step.end();
  run.end({ status: 'success' });
  await agentspan.shutdown();
  const runRow = (await db.pool.query(`SELECT task_description, meta FROM "${db.schema}".workflow_runs WHERE id = $1`, ['run-own-redactions'])).rows[0];
  const nodeRow = (await db.pool.query(`SELECT title, meta FROM "${db.schema}".dag_nodes WHERE run_id = $1`, ['run-own-redactions'])).rows[0];
  assert.ok(!JSON.stringify([runRow, nodeRow]).includes(key), JSON.stringify([runRow, nodeRow]));
  assert.match(String(runRow?.task_description), /\[REDACTED:/);
  assert.match(String(nodeRow?.title), /\[REDACTED:/);
  assert.ok(Number(runRow?.meta?.redactions) >= 1, JSON.stringify(runRow?.meta));
  assert.ok(Number(nodeRow?.meta?.redactions) >= 1, JSON.stringify(nodeRow?.meta));
});

test('postgresEventsInProgressAfterMs: a long code execution is listed while it runs (redacted names, no content), its end replaces the row; 0 turns it off', async () => {
  const rowsOf = async (runId: string) =>
    (await db.pool.query(`SELECT status, name, agent_name, inputs, meta, completed_at FROM execution_events WHERE run_id = $1 ORDER BY execution_order`, [runId]))
      .rows as { status: string; name: string; agent_name: string; inputs: Record<string, unknown>; meta: Record<string, unknown>; completed_at: Date | null }[];
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const start = (postgresEventsInProgressAfterMs: number) =>
    startAgentspan({
      databaseUrl: db.url,
      otlpEndpoint: false,
      registerGlobal: false,
      flushOnExit: false,
      spoolDir: false,
      postgresEventsInProgressAfterMs,
      postgresBatch: { scheduledDelayMillis: 5 },
      logger: { warn: () => {} },
    });
  const agentspan = await start(30);
  const run = agentspan.startRun({ runId: 'events-in-progress-on' });
  const step = run.startNode('train');
  const exec = step.beginCodeExecution({ agent: `executor ${key}`, language: 'python', code: `OPENAI_API_KEY = "${key}"\ntrain()` });
  let rows = await rowsOf('events-in-progress-on');
  for (let i = 0; i < 1000 && rows.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    rows = await rowsOf('events-in-progress-on');
  }
  assert.equal(rows.length, 1, 'listed while it runs');
  const live = rows[0]!;
  assert.equal(live.status, 'running');
  assert.equal(live.completed_at, null);
  assert.deepEqual(live.inputs, {});
  assert.ok(!JSON.stringify(live).includes(key), JSON.stringify(live));
  assert.match(live.agent_name, /^executor \[REDACTED:/);
  assert.match(live.name, /^execute_code executor \[REDACTED:/);
  assert.equal(live.meta['heartbeat_ms'], 60_000);

  exec.end({ output: 'done', exitCode: 0 });
  step.end();
  run.end();
  await agentspan.forceFlush();
  assert.equal(agentspan.stats().postgres?.shownRunning, 1);
  await agentspan.shutdown();
  rows = await rowsOf('events-in-progress-on');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.status, 'completed');
  assert.ok(rows[0]!.completed_at instanceof Date);
  assert.match(String(rows[0]!.inputs['code']), /^OPENAI_API_KEY = "\[REDACTED:/, 'its content comes with the end, redacted');
  assert.ok(!JSON.stringify(rows[0]).includes(key));
  assert.equal(rows[0]!.meta['shown_in_progress'], true);

  const off = await start(0);
  const quiet = off.startRun({ runId: 'events-in-progress-off' });
  const slow = quiet.beginToolCall({ agent: 'a', tool: 'search', args: { q: 'x' } });
  await new Promise((r) => setTimeout(r, 150));
  await off.forceFlush();
  assert.equal((await rowsOf('events-in-progress-off')).length, 0, 'off: nothing before the end');
  slow.end({ result: 'ok' });
  quiet.end();
  await off.shutdown();
  assert.equal((await rowsOf('events-in-progress-off')).length, 1);
});

test('postgresEventsInProgressAfterMs: a framework\'s tool call under an envelope that has no row is shown under the node it runs in', async () => {
  const agentspan = await startAgentspan({
    databaseUrl: db.url,
    otlpEndpoint: false,
    // Registered: `step.with` makes the node the active context through the global context manager.
    flushOnExit: false,
    spoolDir: false,
    postgresEventsInProgressAfterMs: 30,
    postgresBatch: { scheduledDelayMillis: 5 },
    logger: { warn: () => {} },
  });
  const tracer = agentspan.tracerProvider.getTracer('ai');
  const run = agentspan.startRun({ runId: 'events-in-progress-foreign' });
  const step = run.startNode('research');
  // The AI SDK's shapes: an envelope with a model turn (so the turn, not the envelope, is the agent's row), then a tool call.
  const { envelope, tool } = step.with(() => {
    const env = tracer.startSpan('ai.generateText', { attributes: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'm', 'ai.telemetry.functionId': 'researcher' } });
    const ctx = trace.setSpan(context.active(), env);
    tracer.startSpan('ai.generateText.doGenerate', { attributes: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.response.text': 'calling search' } }, ctx).end();
    const t = tracer.startSpan('ai.toolCall', { attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search', 'ai.toolCall.id': 'c1', 'ai.toolCall.args': '{"q":"x"}' } }, ctx);
    return { envelope: env, tool: t };
  });
  const parentOf = async () =>
    (
      await db.pool.query(
        `SELECT e.status, (SELECT count(*) FROM dag_nodes n WHERE n.id = e.parent_event_id)::int AS under_node
           FROM execution_events e WHERE e.run_id = 'events-in-progress-foreign' AND e.event_type = 'tool_call'`,
      )
    ).rows as { status: string; under_node: number }[];
  let rows = await parentOf();
  for (let i = 0; i < 1000 && rows.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    rows = await parentOf();
  }
  assert.deepEqual(rows, [{ status: 'running', under_node: 1 }], 'shown running, under its node (the envelope has no row)');
  tool.end();
  envelope.end();
  step.end();
  run.end();
  await agentspan.shutdown();
  assert.deepEqual(await parentOf(), [{ status: 'completed', under_node: 1 }]);
});

test('postgresHeartbeatMs: a running run is written again at that interval, seen later each time; 0 turns it off', async () => {
  const metaOf = async (runId: string): Promise<Record<string, unknown>> => {
    const r = await db.pool.query(`SELECT meta FROM workflow_runs WHERE id = $1`, [runId]);
    return (r.rows[0] as { meta: Record<string, unknown> } | undefined)?.meta ?? {};
  };
  const start = (postgresHeartbeatMs: number) =>
    startAgentspan({
      databaseUrl: db.url,
      otlpEndpoint: false,
      registerGlobal: false,
      flushOnExit: false,
      spoolDir: false,
      postgresHeartbeatMs,
      postgresBatch: { scheduledDelayMillis: 5 },
      logger: { warn: () => {} },
    });
  const beating = await start(40);
  const run = beating.startRun({ runId: 'heartbeat-on' });
  await beating.forceFlush();
  const first = await metaOf('heartbeat-on');
  assert.equal(first['heartbeat_ms'], 40);
  let later = first;
  for (let i = 0; i < 100 && later['last_seen_at'] === first['last_seen_at']; i++) {
    await new Promise((r) => setTimeout(r, 20));
    later = await metaOf('heartbeat-on');
  }
  assert.ok(String(later['last_seen_at']) > String(first['last_seen_at']), 'seen again');
  run.end();
  await beating.shutdown();

  const silent = await start(0);
  const quiet = silent.startRun({ runId: 'heartbeat-off' });
  await silent.forceFlush();
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(Object.keys(await metaOf('heartbeat-off')), ['last_seen_at'], 'no interval: never read as stale');
  assert.equal(silent.stats().postgres?.heartbeats, 0);
  quiet.end();
  await silent.shutdown();
});

test('a key of postgresBatch that is not a batch option is ignored, as its warning says: postgresBatch.schema does not move the rows', async () => {
  // Before: the batch object was spread into the Postgres processor's options whole, so `schema` (or
  // `statementTimeoutMs`, `writeMethod`, ...) given there took effect, unchecked, while the warning said "ignored".
  const elsewhere = await createTestSchema('node_batch_elsewhere');
  try {
    const warnings: string[] = [];
    const agentspan = await startAgentspan(
      {
        databaseUrl: db.url, // search_path: db.schema, where the rows belong without a `schema` option
        otlpEndpoint: false,
        spoolDir: false,
        flushOnExit: false,
        registerGlobal: false,
        postgresBatch: { scheduledDelayMillis: 10, schema: elsewhere.schema } as never,
        logger: { warn: (m) => warnings.push(m) },
      },
      {},
    );
    const run = agentspan.startRun({ runId: 'batch-unknown-key' });
    run.startNode('n').toolCall({ agent: 'a', tool: 't', result: 'ok' });
    run.end();
    await agentspan.shutdown();
    assert.deepEqual(warnings.filter((w) => w.startsWith('ignored')), ['ignored unknown option postgresBatch.schema']);
    const here = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = 'batch-unknown-key'`);
    assert.ok((here.rows[0] as { n: number }).n > 0, 'the rows are where the options put them');
    const there = await elsewhere.pool.query("SELECT to_regclass($1) AS t", [`"${elsewhere.schema}".execution_events`]);
    assert.equal((there.rows[0] as { t: string | null }).t, null, 'nothing was written to the schema named in postgresBatch');
  } finally {
    await elsewhere.drop();
  }
});

test('a batch option read from a getter or an inherited field of postgresBatch / otlpBatch is applied, as the other options are read', async () => {
  // Before: only own fields were taken, so these values were dropped without a word (a known name: not warned) and
  // the defaults stayed in force. A value the delivery processor refuses shows whether it got there.
  class BatchConfig {
    get maxQueueSize(): number {
      return 0;
    }
  }
  const batches: [string, object][] = [
    ['own field', { maxQueueSize: 0 }],
    ['getter of a class', new BatchConfig()],
    ['inherited field', Object.create({ maxQueueSize: 0 }) as object],
  ];
  for (const key of ['postgresBatch', 'otlpBatch'] as const) {
    for (const [how, batch] of batches) {
      await assert.rejects(
        startAgentspan(
          {
            databaseUrl: db.url,
            otlpEndpoint: key === 'otlpBatch' ? 'http://127.0.0.1:9/v1/traces' : false,
            spoolDir: false,
            flushOnExit: false,
            registerGlobal: false,
            [key]: batch,
            logger: { warn: () => undefined },
          },
          {},
        ),
        /maxQueueSize/,
        `${key}: ${how}`,
      );
    }
  }
});
