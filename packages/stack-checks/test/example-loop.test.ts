import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { REPO_ROOT, STACK_PATHS } from '../src/index.js';
import { exists } from './stack-files.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('example_loop');
});
after(async () => {
  await db.drop();
});

/** Runs docker/example/run-examples.sh as the example service does (from the repository root). */
function runLoop(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [STACK_PATHS.exampleLoopScript], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the example loop runs every workflow once per round and records them', async () => {
  assert.ok(exists('examples/dist/bin/one-shot.js'), 'the examples are built (npm run build)');
  const r = await runLoop({ DATABASE_URL: db.url, AGENTSPAN_EXAMPLE_ITERATIONS: '1', AGENTSPAN_EXAMPLE_INTERVAL_SECONDS: '0' });
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['one-shot', 'planning-control', 'idea-generation']) assert.match(r.stdout, new RegExp(`round 1, ${name}`));
  const modes = await db.pool.query<{ mode: string; status: string }>('SELECT mode, status FROM workflow_runs ORDER BY mode');
  assert.deepEqual(modes.rows, [
    { mode: 'idea-generation', status: 'success' },
    { mode: 'one-shot', status: 'success' },
    { mode: 'planning-control', status: 'success' },
  ]);
});

test('the example loop refuses an unknown workflow name before running anything', async () => {
  const r = await runLoop({ DATABASE_URL: db.url, AGENTSPAN_EXAMPLES: 'one-shot nope', AGENTSPAN_EXAMPLE_ITERATIONS: '1' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown example "nope"/);
});
