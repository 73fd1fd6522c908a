/**
 * Where `timeline` and `report` measure a run from: the earliest of its row's start and its events'
 * (a conversation's row starts with its first trace that had an agent at its root), never from the
 * epoch the exporter stores as `timestamp` when an event's start is unknown.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startAgentspan } from '@agentspan/node';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_origin');
});
after(async () => {
  await db.drop();
});

const T0 = Date.UTC(2026, 2, 1, 12);

async function cli(...args: string[]) {
  const io = captureIo({});
  const code = await runCli([...args, '--database-url', db.url, '--schema', db.schema], io);
  return { code, io };
}

test('an event whose start is unknown shows no offset and moves no other; the run is measured from its earliest known start', async () => {
  const agentspan = await startAgentspan({ serviceName: 'origin-test', databaseUrl: db.url, schema: db.schema, otlpEndpoint: false, registerGlobal: false, logger: { warn: () => undefined } });
  try {
    const run = agentspan.startRun({ runId: 'origin-run', task: 'measure', startTime: T0 + 500 });
    run.toolCall({ agent: 'tester', tool: 'early', args: {}, result: 'ok', startTime: T0, endTime: T0 + 100 }); // before the run's row says it started
    run.toolCall({ agent: 'tester', tool: 'unknown_start', args: {}, result: 'ok', startTime: T0 + 1000, endTime: T0 + 1100 });
    run.toolCall({ agent: 'tester', tool: 'late', args: {}, result: 'ok', startTime: T0 + 3000, endTime: T0 + 3100 });
    run.end({ endTime: T0 + 4000 });
  } finally {
    await agentspan.shutdown();
  }
  // What the exporter stores for an event whose start it could not keep: no start, the epoch as its timestamp.
  const changed = await db.pool.query(
    `UPDATE execution_events SET started_at = NULL, "timestamp" = '1970-01-01T00:00:00Z' WHERE run_id = 'origin-run' AND inputs->>'tool' = 'unknown_start'`,
  );
  assert.equal(changed.rowCount, 1);

  const timeline = await cli('timeline', 'origin-run');
  assert.equal(timeline.code, 0, timeline.io.stderr.join('\n'));
  const offsets = Object.fromEntries([...timeline.io.text().matchAll(/^\s*#\d+\s+(\S+(?: \S+)?)\s+tool_call\s.*?(early|unknown_start|late)/gm)].map((m) => [m[2], m[1]]));
  assert.deepEqual(offsets, { early: '+0 ms', unknown_start: '-', late: '+3.00 s' }, timeline.io.text());

  const report = await cli('report', 'origin-run', '--out', '-');
  assert.equal(report.code, 0);
  const data = JSON.parse(/<script type="application\/json" id="agentspan-data">([\s\S]*?)<\/script>/.exec(report.io.text())![1]!);
  const starts = Object.fromEntries(data.events.map((e: { inputs: { tool: string }; start: number | null }) => [e.inputs.tool, e.start]));
  assert.deepEqual(starts, { early: 0, unknown_start: null, late: 3000 });
});
