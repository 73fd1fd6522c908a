/**
 * `postgresConnectTimeoutMs: 0` is documented as "no timeout" (node-postgres' own reading of 0) and accepted by the
 * option checks; the exporter takes only a positive integer, so it was handed on as given and `startAgentspan`
 * failed with a RangeError: a documented value must start.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startQuiet } from './quiet-start.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('connect_timeout_zero');
});
after(async () => {
  await db.drop();
});

test('postgresConnectTimeoutMs: 0 (no timeout) starts, writes the rows, and waits no longer at start than the default', async () => {
  const started = Date.now();
  const warned: string[] = [];
  const agentspan = await startQuiet(db, { postgresConnectTimeoutMs: 0, logger: { warn: (m) => void warned.push(m) } });
  assert.ok(Date.now() - started < 5000, 'the start is not held');
  // The migrations at start get their usual wait: a wait of 0 gave up on a healthy database and warned at every start.
  assert.deepEqual(warned, []);
  const run = agentspan.startRun({ runId: 'connect-timeout-zero' });
  for (let i = 0; i < 3; i++) run.agentCall({ agent: 'a', content: `event ${i}` });
  run.end();
  await agentspan.shutdown();
  const r = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = $1`, ['connect-timeout-zero']);
  assert.equal(r.rows[0].n, 3);
});
