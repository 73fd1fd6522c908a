import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseLine, formatRunSummary, queryHints } from '../src/index.js';

test('a code run that exited non-zero is marked failed, as agentspan timeline marks it', () => {
  const event = { executionOrder: 9, eventType: 'code_exec', agentName: 'executor', nodeId: 'step_1', status: 'completed', durationMs: 1, filePath: null, hasContent: null };
  const text = formatRunSummary({ runId: 'r', status: 'success', mode: 'm', countsByType: {}, events: [{ ...event, hasError: true }, { ...event, executionOrder: 10, hasError: false }] });
  assert.match(text, /^✗ code_exec executor @ step_1 \(order 9\)$/m);
  assert.match(text, /^✓ code_exec executor @ step_1 \(order 10\)$/m);
});

test('query hints name the database without its password and look in the schema the rows went to', () => {
  const url = 'postgres://bob:s3cret@db.example:5433/app';
  const hints = queryHints(url, "run'1", 'my schema');
  assert.ok(!hints.includes('s3cret'));
  assert.match(hints, /psql "postgres:\/\/bob@db\.example:5433\/app" -c "SET search_path TO \\"my schema\\"; SELECT event_type, COUNT\(\*\) FROM execution_events WHERE run_id = 'run''1'/);
  assert.equal(databaseLine(false, url), 'database: Postgres, postgres://bob@db.example:5433/app');
});
