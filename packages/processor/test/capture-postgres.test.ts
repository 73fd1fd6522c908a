import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createRecorder } from '@agentspan/instrumentation';
import { PostgresExecutionEventExporter } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { ExecutionEventSpanProcessor } from '../src/index.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('capture');
});
after(async () => {
  await db.drop();
});

test('a code execution writing a binary, a ../ escape, a symlink to /etc/passwd and a text file: four rows, content only for the text', async () => {
  const base = mkdtempSync(join(tmpdir(), 'agentspan-capture-'));
  const workspaceDir = join(base, 'workspace');
  mkdirSync(workspaceDir);
  writeFileSync(join(workspaceDir, 'weights.bin.txt'), Buffer.from([1, 2, 0, 3, 4]));
  writeFileSync(join(base, 'escaped.txt'), 'outside the workspace');
  symlinkSync('/etc/passwd', join(workspaceDir, 'users.txt'));
  writeFileSync(join(workspaceDir, 'summary.txt'), 'mean = 4.2\n');

  const processor = new ExecutionEventSpanProcessor({ workspaceDir });
  const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
  const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  processor.setTracerProvider(provider);
  const run = createRecorder({ tracerProvider: provider }).startRun({ runId: 'capture-run' });
  const code = [
    'import numpy as np',
    'open("weights.bin.txt", "wb").write(bytes([1, 2, 0, 3, 4]))',
    'with open("../escaped.txt", "w") as f:',
    '    f.write("outside the workspace")',
    'with open("users.txt", "w") as f:',
    '    f.write("x")',
    'with open("summary.txt", "w") as f:',
    '    f.write("mean = 4.2\\n")',
  ].join('\n');
  run.codeExecution({ agent: 'executor', language: 'python', code, output: '', exitCode: 0 });
  run.end();
  await provider.forceFlush();
  await provider.shutdown();

  const rows = await db.pool.query(
    `SELECT outputs->>'file_path' AS path, outputs->>'file_content' AS content, meta->>'has_content' AS has,
            meta->>'skip_reason' AS reason, meta->>'source' AS source
       FROM execution_events WHERE run_id = 'capture-run' AND event_type = 'file_gen' ORDER BY path`,
  );
  assert.deepEqual(rows.rows, [
    { path: '../escaped.txt', content: null, has: 'false', reason: 'outside_workspace', source: 'code_execution' },
    { path: 'summary.txt', content: 'mean = 4.2\n', has: 'true', reason: null, source: 'code_execution' },
    { path: 'users.txt', content: null, has: 'false', reason: 'outside_workspace', source: 'code_execution' },
    { path: 'weights.bin.txt', content: null, has: 'false', reason: 'binary', source: 'code_execution' },
  ]);
  const exec = await db.pool.query(
    "SELECT meta->'files_written' AS written, outputs->'files_generated' AS generated FROM execution_events WHERE run_id = 'capture-run' AND event_type = 'code_exec'",
  );
  assert.deepEqual(exec.rows[0]?.written, ['weights.bin.txt', '../escaped.txt', 'users.txt', 'summary.txt']);
});

test('files whose paths are cut (a cwd or a path longer than 4096 characters) are one row each: cut alike, they are not taken for one file', async () => {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-capture-'));
  const processor = new ExecutionEventSpanProcessor({ workspaceDir });
  const exporter = new PostgresExecutionEventExporter({ pool: db.pool, schema: db.schema });
  const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  processor.setTracerProvider(provider);
  const run = createRecorder({ tracerProvider: provider }).startRun({ runId: 'cut-paths' });
  const node = run.startNode('n');
  // Two files written under a cwd as long as a path can be: resolved, both are longer, and cut at the same place.
  node.codeExecution({ agent: 'executor', language: 'python', cwd: 'w'.repeat(4096), code: 'open("a.txt", "w").write("1")\nopen("b.txt", "w").write("2")\n' });
  // Two declared paths (another instrumentation's spans) sharing their first 5000 characters.
  const reference = node.reference();
  const tracer = provider.getTracer('other');
  for (const last of ['x', 'y']) {
    tracer
      .startSpan('file_gen declared', {
        attributes: { 'agentspan.event.type': 'file_gen', 'agentspan.run.id': reference.runId, 'agentspan.node.id': reference.nodeId ?? '', 'agentspan.file.path': `${'d/'.repeat(2500)}${last}.txt` },
      })
      .end();
  }
  node.end();
  run.end();
  await provider.forceFlush();
  await provider.shutdown();
  const rows = await db.pool.query<{ path: string; reason: string; truncated: string }>(
    `SELECT outputs->>'file_path' AS path, meta->>'skip_reason' AS reason, meta->>'truncated' AS truncated
       FROM execution_events WHERE run_id = 'cut-paths' AND event_type = 'file_gen' ORDER BY path`,
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.path.length > 100 ? `${r.path.slice(0, 4)}…(${r.path.length})` : r.path, r.reason, r.truncated]),
    [
      ['a.txt', 'path_too_long', 'true'],
      ['b.txt', 'path_too_long', 'true'],
      ['d/d/…(4108)', 'path_too_long', 'true'],
      ['d/d/…(4108)', 'path_too_long', 'true'],
    ],
  );
});
