import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import type { CommandContext } from '../src/command.js';
import { gatewayOptionsFrom } from '../src/commands/gateway.js';
import { captureIo } from './helpers/io.js';

let db: TestSchema;
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
  process.emit('SIGTERM');
  assert.equal(await exit, 0);
  assert.match(io.stderr.join('\n'), /1 span\(s\) received, 1 written/);
});
