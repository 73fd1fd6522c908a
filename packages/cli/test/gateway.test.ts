import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startGateway } from '@agentspan/gateway';
import { runCli } from '../src/index.js';
import type { CommandContext } from '../src/command.js';
import { gatewayOptionsFrom } from '../src/commands/gateway.js';
import { captureIo } from './helpers/io.js';

let db: TestSchema;

/** OTLP/JSON pieces for the tests that post spans by hand. */
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
type OtlpAttribute = ReturnType<typeof attr>;
const at = (ms: number) => String(BigInt(1_760_000_000_000 + ms) * 1_000_000n);
function otlpSpan(traceId: string, spanId: string, parentSpanId: string | undefined, name: string, from: number, to: number, attributes: OtlpAttribute[]) {
  return {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    name,
    kind: 1,
    startTimeUnixNano: at(from),
    endTimeUnixNano: at(to),
    attributes,
  };
}
/** Posts spans of one service to a gateway as OTLP/JSON; asserts 200. */
async function postSpans(gatewayUrl: string, service: string, spans: unknown[]): Promise<void> {
  const body = { resourceSpans: [{ resource: { attributes: [attr('service.name', service)] }, scopeSpans: [{ scope: { name: 'genai' }, spans }] }] };
  const res = await fetch(`${gatewayUrl}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
}
/** Runs the CLI against the test schema. */
async function cliOnDb(...args: string[]) {
  const io = captureIo({});
  const code = await runCli([...args, '--database-url', db.url, '--schema', db.schema], io);
  return { code, io };
}

before(async () => {
  db = await createTestSchema('cli_gateway');
});
after(async () => {
  await db.drop();
});

test('agentspan gateway --help lists its options', async () => {
  const io = captureIo({});
  assert.equal(await runCli(['gateway', '--help'], io), 0);
  for (const flag of ['--port', '--token', '--forward', '--workspace', '--spool-dir', '--no-content']) assert.match(io.text(), new RegExp(flag));
});

test('flags and environment become gateway options; a malformed --workspace is a usage error', async () => {
  const options = gatewayOptionsFrom({
    // `multiple` options arrive as arrays (parseArgs), whatever the values' declared type says.
    values: { port: '0', token: ['a'], workspace: ['agents=work/agents'], 'run-id-attribute': 'trace', 'no-content': true, 'max-body-mb': '2' } as unknown as CommandContext['values'],
    database: { databaseUrl: 'postgres://db/x', schema: 's1' },
    io: captureIo({ AGENTSPAN_GATEWAY_TOKENS: 'b, c', AGENTSPAN_GATEWAY_FORWARD_URL: 'http://jaeger:4318/v1/traces' }, { cwd: '/srv' }),
  });
  assert.deepEqual(options.authTokens, ['a', 'b', 'c']);
  assert.deepEqual(options.workspaces, { agents: { workspaceDir: '/srv/work/agents' } });
  assert.equal(options.forwardUrl, 'http://jaeger:4318/v1/traces');
  assert.equal(options.runIdAttribute, null);
  assert.equal(options.captureContent, false);
  assert.equal(options.maxBodyBytes, 2 * 1024 * 1024);
  assert.equal(options.port, 0);
  assert.equal(options.schema, 's1');
  const io = captureIo({ DATABASE_URL: 'postgres://db/x' });
  assert.equal(await runCli(['gateway', '--workspace', 'no-equals-sign'], io), 2);
  assert.match(io.stderr.join('\n'), /SERVICE=DIRECTORY/);
});

test('agentspan gateway serves OTLP/JSON into Postgres until SIGTERM, then shuts down cleanly', async () => {
  const io = captureIo({});
  const exit = runCli(['gateway', '--port', '0', '--database-url', db.url, '--schema', db.schema, '--json'], io);
  const deadline = Date.now() + 10_000;
  while (io.stdout.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const { endpoint } = io.json<{ endpoint: string }>();
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'py-agents' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'execute_tool search',
                kind: 1,
                startTimeUnixNano: '1760000000000000000',
                endTimeUnixNano: '1760000000500000000',
                attributes: [
                  { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
                  { key: 'gen_ai.conversation.id', value: { stringValue: 'cli-conv' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  const rows = await db.pool.query("SELECT event_type, name, service_name FROM execution_events WHERE run_id = 'cli-conv'");
  assert.deepEqual(rows.rows, [{ event_type: 'tool_call', name: 'execute_tool search', service_name: 'py-agents' }]);
  const run = await db.pool.query("SELECT status, task_description, meta->'multi_trace' AS multi FROM workflow_runs WHERE id = 'cli-conv'");
  assert.deepEqual(run.rows, [{ status: 'success', task_description: 'execute_tool search', multi: true }], 'the conversation is a run with a row');
  process.emit('SIGTERM');
  assert.equal(await exit, 0);
  assert.match(io.stderr.join('\n'), /1 span\(s\) received, 2 written/, 'the event and the conversation\'s run');
});

test('a GenAI trace that only reached the gateway is listed by `runs` once its root ends, and `timeline` finds it by prefix', async () => {
  const gateway = await startGateway({ pool: db.pool, schema: db.schema, port: 0, logger: { info: () => undefined, warn: () => undefined } });
  const traceId = 'c0ffee5a7e1d4f0b9a8c7d6e5f4a3b2c';
  const span = (spanId: string, parentSpanId: string | undefined, name: string, from: number, to: number, attributes: OtlpAttribute[]) =>
    otlpSpan(traceId, spanId, parentSpanId, name, from, to, attributes);
  const send = (spans: unknown[]) => postSpans(gateway.url, 'remote-py', spans);
  const cli = cliOnDb;
  const listed = async () => (await cli('runs', '--json')).io.json<{ runs: { id: string; mode: string; status: string; task: string }[] }>().runs.find((r) => r.id === traceId);
  try {
    // The chat turn first (an SDK exports children before their parent), then the root.
    await send([
      span('2222222222222222', '1111111111111111', 'chat gpt', 1, 8, [
        attr('gen_ai.operation.name', 'chat'),
        attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }] }])),
      ]),
    ]);
    assert.equal(await listed(), undefined, 'the run has not ended: not listed yet');
    await send([span('1111111111111111', undefined, 'invoke_agent helper', 0, 9, [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'helper')])]);
    const run = await listed();
    assert.deepEqual([run?.id, run?.mode, run?.status, run?.task], [traceId, 'otlp.trace', 'success', 'invoke_agent helper']);

    const timeline = await cli('timeline', traceId.slice(0, 8));
    assert.equal(timeline.code, 0, timeline.io.stderr.join('\n'));
    assert.match(timeline.io.text(), new RegExp(`^run ${traceId} .*otlp\\.trace .*success`, 'm'));
    // One row for the answer: the turn's. Its envelope came in a later request, so the gateway marks it
    // (agentspan.agent.turns_elsewhere) and it is no second row; the turn's row, written before its
    // envelope came, has the agent's name filled in from it (gateway README, Agent and depth of spans that came first).
    assert.match(timeline.io.text(), / 1 event\n/);
    assert.match(timeline.io.text(), /agent_call\s+helper\s+.*"hello"/);
    assert.doesNotMatch(timeline.io.text(), /no run row/);
  } finally {
    await gateway.shutdown();
  }
});

test('a conversation over two traces, its first turn under an HTTP handler: `runs` lists it, `timeline` and `report` measure from its earliest event', async () => {
  const gateway = await startGateway({ pool: db.pool, schema: db.schema, port: 0, logger: { info: () => undefined, warn: () => undefined } });
  const span = otlpSpan;
  const send = (spans: unknown[]) => postSpans(gateway.url, 'chat-server', spans);
  const conv = attr('gen_ai.conversation.id', 'cli-conv-http');
  const chat = (traceId: string, spanId: string, parent: string, from: number, text: string) =>
    span(traceId, spanId, parent, 'chat gpt', from, from + 500, [
      attr('gen_ai.operation.name', 'chat'),
      conv,
      attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }])),
    ]);
  const cli = cliOnDb;
  try {
    // Turn 1 (t = 0): the agent under an HTTP handler that names no conversation. Turn 2 (t = 10 s): the agent is the root.
    const t1 = 'aa11aa11aa11aa11aa11aa11aa11aa11';
    const t2 = 'bb22bb22bb22bb22bb22bb22bb22bb22';
    await send([
      chat(t1, '1000000000000002', '1000000000000001', 100, 'first answer'),
      span(t1, '1000000000000001', '1000000000000000', 'invoke_agent concierge', 50, 700, [attr('gen_ai.operation.name', 'invoke_agent'), conv]),
      span(t1, '1000000000000000', undefined, 'POST /chat', 0, 800, [attr('http.request.method', 'POST')]),
    ]);
    await send([
      chat(t2, '2000000000000002', '2000000000000001', 10_100, 'second answer'),
      span(t2, '2000000000000001', undefined, 'invoke_agent concierge', 10_000, 11_000, [attr('gen_ai.operation.name', 'invoke_agent'), conv]),
    ]);
    const runs = (await cli('runs', '--json')).io.json<{ runs: { id: string; status: string }[] }>().runs;
    assert.equal(runs.find((r) => r.id === 'cli-conv-http')?.status, 'success', 'listed: its second trace made its row');

    const timeline = await cli('timeline', 'cli-conv-http');
    assert.equal(timeline.code, 0, timeline.io.stderr.join('\n'));
    const offsets = [...timeline.io.text().matchAll(/^\s*#\d+\s+(\+\S+ \S+)/gm)].map((m) => m[1]);
    assert.deepEqual(offsets, ['+0 ms', '+10.0 s'], timeline.io.text());

    const report = await cli('report', 'cli-conv-http', '--out', '-');
    const data = JSON.parse(/<script type="application\/json" id="agentspan-data">([\s\S]*?)<\/script>/.exec(report.io.text())![1]!);
    assert.deepEqual(data.events.map((e: { start: number | null }) => e.start), [0, 10_000], 'from the earliest event, not from the run row\'s start (the second turn)');
  } finally {
    await gateway.shutdown();
  }
});
