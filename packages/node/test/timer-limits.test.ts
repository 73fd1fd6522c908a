/**
 * Timeouts beyond what a Node timer takes (2^31 - 1 ms): such a timer fires
 * after 1 ms, so "wait as long as it takes" written as a huge number became
 * "give up now". Every timeout agentspan takes from the user is clamped.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { resolveOptions } from '../src/index.js';
import { startQuiet } from './quiet-start.js';

const MAX_TIMER_MILLIS = 2 ** 31 - 1;

let db: TestSchema;
before(async () => {
  db = await createTestSchema('timer_limits');
});
after(async () => {
  await db.drop();
});

test('shutdownTimeoutMillis beyond the timer limit, from code or AGENTSPAN_SHUTDOWN_TIMEOUT_MS, is clamped to it; below it, kept', () => {
  assert.equal(resolveOptions({ shutdownTimeoutMillis: MAX_TIMER_MILLIS + 1 }, {}).shutdownTimeoutMillis, MAX_TIMER_MILLIS);
  assert.equal(resolveOptions({ shutdownTimeoutMillis: Number.MAX_SAFE_INTEGER }, {}).shutdownTimeoutMillis, MAX_TIMER_MILLIS);
  const fromEnv = resolveOptions({}, { AGENTSPAN_SHUTDOWN_TIMEOUT_MS: '4000000000' });
  assert.equal(fromEnv.shutdownTimeoutMillis, MAX_TIMER_MILLIS);
  assert.deepEqual(fromEnv.warnings, [], 'clamped, not refused');
  assert.equal(resolveOptions({ shutdownTimeoutMillis: MAX_TIMER_MILLIS }, {}).shutdownTimeoutMillis, MAX_TIMER_MILLIS);
  assert.equal(resolveOptions({ shutdownTimeoutMillis: 20_000 }, {}).shutdownTimeoutMillis, 20_000);
});

test('postgresStatementTimeoutMs, postgresConnectTimeoutMs and postgresBatch.exportTimeoutMillis at or beyond the timer limit: the rows are written, no timer overflows', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const logged: string[] = [];
  try {
    for (const [runId, options] of [
      ['statement-timeout', { postgresStatementTimeoutMs: MAX_TIMER_MILLIS }],
      ['connect-timeout', { postgresConnectTimeoutMs: MAX_TIMER_MILLIS + 1 }],
      ['export-timeout', { postgresBatch: { exportTimeoutMillis: MAX_TIMER_MILLIS + 1 } }],
    ] as const) {
      const agentspan = await startQuiet(db, { logger: { warn: (m) => void logged.push(m) }, ...options });
      const run = agentspan.startRun({ runId });
      for (let i = 0; i < 5; i++) run.agentCall({ agent: 'a', content: `event ${i}` });
      run.end();
      await agentspan.shutdown();
      const r = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".execution_events WHERE run_id = $1`, [runId]);
      assert.equal(r.rows[0].n, 5, `${runId}: every event written; agentspan said: ${logged.join(' | ')}`);
    }
    await new Promise((r) => setImmediate(r)); // warnings are emitted on a later tick
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});
