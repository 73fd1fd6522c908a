/** `migrate: false`: the application manages the schema; agentspan creates nothing in it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSchema } from '@agentspan/test-support';
import { startAgentspan } from '../src/index.js';

test('with migrate: false no table is created, not at start and not on the first write', async () => {
  const db = await createTestSchema('node_no_migrate');
  try {
    const agentspan = await startAgentspan(
      { databaseUrl: db.url, schema: db.schema, migrate: false, otlpEndpoint: false, spoolDir: false, flushOnExit: false, registerGlobal: false, logger: { warn: () => {} } },
      {},
    );
    const run = agentspan.startRun({ runId: 'no-migrate' });
    run.agentCall({ agent: 'a', content: 'hello' });
    run.end();
    await agentspan.forceFlush();
    await agentspan.shutdown();
    const tables = await db.pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [db.schema]);
    assert.deepEqual(tables.rows, []);
  } finally {
    await db.drop();
  }
});
