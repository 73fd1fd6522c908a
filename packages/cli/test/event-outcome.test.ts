/**
 * Whether an event (or a node) failed, one way for every reader: the timeline's marks and error
 * lines, the `runs` table's `(n failed)`, the report's rows, header and embedded `failed`, all as
 * `agentspan_event_outcomes.succeeded` (and `@agentspan/semconv`'s `eventStatusFailed`) reads it:
 * a status that says no failure (`completed`, `success`, `ok`, ... in any case, `pending`,
 * `skipped`) and no error flag. The event type never decides it: a type of the application's own
 * that contains the word `failed` is no failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS, runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';
import { OUTCOME_EVENTS, OUTCOME_FAILED, seedOutcomeRun } from './helpers/outcome-run.js';

const RUN = 'event-outcomes-1';

const EVENTS = OUTCOME_EVENTS;
const FAILED = OUTCOME_FAILED;

let db: TestSchema;
before(async () => {
  db = await createTestSchema('cli_event_outcome');
  await runMigrations(db.pool, { schema: db.schema });
  await seedOutcomeRun(db, RUN);
});
after(async () => {
  await db.drop();
});

async function cli(args: string[]) {
  const io = captureIo({ DATABASE_URL: db.url });
  const code = await runCli(args, io);
  assert.equal(code, 0, io.stderr.join('\n'));
  return io.text();
}

test('the cases are read as the outcomes view reads them (the one definition of success)', async () => {
  const res = await db.pool.query<{ succeeded: boolean | null }>(
    `SELECT o.succeeded FROM agentspan_event_outcomes o JOIN execution_events e ON e.id = o.id WHERE e.run_id = $1 ORDER BY e.execution_order`,
    [RUN],
  );
  assert.deepEqual(
    res.rows.map((r) => (r.succeeded === null ? null : !r.succeeded)),
    EVENTS.map((e) => e.failed),
  );
});

test('timeline: ✗ and the error line exactly for the events whose status or error flag says failure, whatever their type', async () => {
  const lines = (await cli(['timeline', RUN])).split('\n');
  for (const [i, e] of EVENTS.entries()) {
    const index = lines.findIndex((l) => l.trimStart().startsWith(`#${i + 1} `));
    const line = lines[index]!;
    const mark = e.failed === null ? '…' : e.failed ? '✗' : '✓';
    assert.match(line, new RegExp(`\\s${mark}  `), `${e.type} ${JSON.stringify(e.status)}: ${line}`);
    if (e.error) assert.match(lines[index + 1]!, new RegExp(`^\\s+${e.error}$`), 'the reason of a failed event under it');
  }
  assert.match(lines.find((l) => l.startsWith('timed_out'))!, /✗ timeout/, 'a node whose status says failure');
  assert.match(lines.find((l) => l.startsWith('fine'))!, /✓ completed/);
});

test('runs: (n failed) counts the events whose status or error flag says failure, none in progress', async () => {
  const { runs } = JSON.parse(await cli(['runs', '--json'])) as { runs: { id: string; failedEvents: number }[] };
  assert.equal(runs.find((r) => r.id === RUN)?.failedEvents, FAILED);
  assert.match(await cli(['runs']), new RegExp(`\\(${FAILED} failed\\)`));
});

test('report: each event says whether it failed, the header counts them, and a node whose status says failure is failed', async () => {
  const html = await cli(['report', RUN, '--out', '-']);
  const m = /<script type="application\/json" id="agentspan-data">([\s\S]*?)<\/script>/.exec(html);
  const data = JSON.parse(m![1]!) as { events: { type: string; failed: boolean; hasError: boolean }[]; nodes: { nodeId: string; failed: boolean }[] };
  assert.deepEqual(
    data.events.map((e) => e.failed),
    EVENTS.map((e) => e.failed === true),
  );
  assert.deepEqual(
    data.events.map((e) => e.hasError),
    EVENTS.map((e) => e.hasError === true),
    'the error flag on its own, for the panel',
  );
  assert.deepEqual(
    data.nodes.map((n) => [n.nodeId, n.failed]),
    [['fine', false], ['timed_out', true]],
  );
  assert.match(html, new RegExp(`${EVENTS.length} events <span class="bad">\\(${FAILED} failed\\)</span>`));
});

test('runs: on a schema from before the outcomes view (migrations 1 to 4), the runs are listed and the same events counted failed', async () => {
  const old = await createTestSchema('cli_outcome_old');
  try {
    await runMigrations(old.pool, { schema: old.schema, migrations: MIGRATIONS.filter((m) => m.version < 20) });
    await seedOutcomeRun(old, RUN);
    const io = captureIo({ DATABASE_URL: old.url });
    assert.equal(await runCli(['runs', '--json'], io), 0, io.stderr.join('\n'));
    const { runs } = io.json<{ runs: { id: string; failedEvents: number }[] }>();
    assert.equal(runs.find((r) => r.id === RUN)?.failedEvents, FAILED);
  } finally {
    await old.drop();
  }
});
