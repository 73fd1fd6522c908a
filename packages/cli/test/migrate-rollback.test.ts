/**
 * `agentspan migrate` when the server stops answering right after a migration failed: the command ends (the
 * migration's error, exit 1) and says that the ROLLBACK was cut, where it used to wait for ever.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLLBACK_TIMEOUT_MS } from '@agentspan/exporter-postgres';
import { createTestSchema, silentAtRollback, testConnectionConfig, type SilentAtRollbackProxy, type TestSchema } from '@agentspan/test-support';
import { runCli } from '../src/index.js';
import { captureIo } from './helpers/io.js';

let db: TestSchema;
let proxy: SilentAtRollbackProxy;

before(async () => {
  db = await createTestSchema('cli_migrate_rollback');
  // Migration 20 then fails: a table stands where it creates a view (42809).
  await db.pool.query(`CREATE TABLE "${db.schema}".agentspan_event_outcomes (x int)`);
  proxy = await silentAtRollback({ host: '127.0.0.1', port: Number(testConnectionConfig().port ?? 5432) });
});
after(async () => {
  await proxy.close();
  await db.drop();
});

test('a failed migration whose ROLLBACK meets a silent server: exit 1 with the migration\'s error, and a warning that the ROLLBACK was cut', async () => {
  const url = new URL(db.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const io = captureIo({ DATABASE_URL: url.toString() });
  const startedAt = Date.now();
  const code = await Promise.race([
    runCli(['migrate'], io),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('agentspan migrate still waiting after 15 s')), 15_000)),
  ]);
  const took = Date.now() - startedAt;
  const stderr = io.stderr.join('\n');
  assert.equal(code, 1, stderr);
  assert.equal(proxy.swallowed, 1, 'the ROLLBACK was sent, and swallowed');
  assert.ok(took >= ROLLBACK_TIMEOUT_MS, `ended after ${took} ms`);
  assert.match(stderr, /42809|agentspan_event_outcomes/, 'the migration\'s own error is what the command reports');
  assert.match(stderr, new RegExp(`warning: the ROLLBACK of the failed migration did not answer within ${ROLLBACK_TIMEOUT_MS} ms`));
});
