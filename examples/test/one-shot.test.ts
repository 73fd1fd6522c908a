import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runExample } from '../src/index.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('examples');
});
after(async () => {
  await db.drop();
});

test('the one-shot demo writes fib.txt, and its run is in Postgres with the file content captured', async () => {
  const printed: string[] = [];
  const result = await runExample('one-shot', {
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    print: (t) => printed.push(t),
  });
  const fib = join(result.workspaceDir, 'fib.txt');
  assert.ok(existsSync(fib), 'fib.txt really written');
  assert.match(readFileSync(fib, 'utf8'), /^F\(0\) = 0\nF\(1\) = 1\n/);

  const counts = await db.pool.query(
    'SELECT event_type, COUNT(*)::int AS n FROM execution_events WHERE run_id = $1 GROUP BY event_type ORDER BY event_type',
    [result.runId],
  );
  assert.deepEqual(counts.rows, [
    { event_type: 'agent_call', n: 3 },
    { event_type: 'code_exec', n: 2 },
    { event_type: 'file_gen', n: 1 },
    { event_type: 'tool_call', n: 1 },
  ]);
  const file = await db.pool.query(
    "SELECT outputs->>'file_path' AS path, outputs->>'file_content' AS content, meta->>'has_content' AS has FROM execution_events WHERE run_id = $1 AND event_type = 'file_gen'",
    [result.runId],
  );
  assert.equal(file.rows[0]?.path, 'fib.txt');
  assert.equal(file.rows[0]?.content, readFileSync(fib, 'utf8'));
  assert.equal(file.rows[0]?.has, 'true');
  const orders = await db.pool.query(
    'SELECT execution_order FROM execution_events WHERE run_id = $1 ORDER BY execution_order',
    [result.runId],
  );
  const seq = orders.rows.map((r: { execution_order: number }) => r.execution_order);
  assert.deepEqual([...seq].sort((a, b) => a - b), seq);
  assert.equal(new Set(seq).size, seq.length, 'execution orders are distinct');

  const text = printed.join('\n');
  assert.match(text, /✓ agent_call planner @ step_1 \(order 1\)/);
  assert.match(text, /✓ file_gen executor @ step_1 \(order \d+\) fib\.txt \[content captured\]/);
  assert.match(text, /agent_call\s+3/);
});

test('without a database URL the demo runs on the embedded PGlite database', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentspan-pglite-'));
  const printed: string[] = [];
  const result = await runExample('one-shot', {
    databaseUrl: undefined,
    embeddedDataDir: dataDir,
    otlpEndpoint: false,
    print: (t) => printed.push(t),
  });
  assert.equal(result.summary.status, 'success');
  assert.equal(result.summary.countsByType['file_gen'], 1);
  assert.equal(result.summary.events.filter((e) => e.eventType === 'agent_call').length, 3);
  assert.match(printed.join('\n'), /database: embedded PGlite/);
});
