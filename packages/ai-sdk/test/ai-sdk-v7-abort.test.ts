import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTelemetry, streamText } from 'ai';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { agentspanTelemetry } from '../src/index.js';
import { eventRows, startHarness } from './helpers.js';
import { streamingModel } from './v7-streaming-model.js';

/**
 * AI SDK v7 `streamText` aborted through its `abortSignal`: `@ai-sdk/otel`
 * ends the open spans without an error, so without agentspan's marking the
 * cut-short turn was a `completed` row with no message. Driven by the SDK's
 * own `MockLanguageModelV4`, rows read back from Postgres.
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('ai_sdk_v7_abort');
});
after(async () => {
  await db.drop();
});

/** Streams from the mock model, aborting after `stopAt` characters when given; what the caller read. */
async function read(modelId: string, functionId: string, stopAt?: number): Promise<string> {
  const controller = new AbortController();
  const result = streamText({
    model: streamingModel(modelId, 'abcdefghijklmnop', 3),
    prompt: 'spell',
    abortSignal: controller.signal,
    telemetry: { functionId },
    onError: () => undefined,
  });
  let seen = '';
  for await (const delta of result.textStream) {
    seen += delta;
    if (stopAt !== undefined && seen.length >= stopAt && !controller.signal.aborted) controller.abort(new Error('user pressed stop'));
  }
  return seen;
}

test('an aborted streamText turn is a failed row with the abort reason; a concurrent call that runs to its end stays completed', async () => {
  registerTelemetry(agentspanTelemetry());
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-ai-abort-')));
  const run = agentspan.startRun({ runId: 'ai-v7-abort', task: 'two streams, one stopped' });
  const stopped = run.startNode('stopped');
  const finished = run.startNode('finished');
  const [cut, whole] = await Promise.all([
    stopped.with(() => read('mock-stopped', 'speller', 4)),
    finished.with(() => read('mock-finished', 'finisher')),
  ]);
  assert.equal(whole, 'abcdefghijklmnop');
  assert.ok(cut.length >= 4 && cut.length < 16, `the aborted stream stopped early (read ${JSON.stringify(cut)})`);
  stopped.end();
  finished.end();
  run.end();
  await agentspan.shutdown();

  const rows = await eventRows(db, 'ai-v7-abort');
  const byNode = Object.fromEntries(rows.map((r) => [r.node_id, r]));
  assert.equal(rows.length, 2, 'one turn row each: the aborted envelope is not a second row');
  assert.equal(byNode['stopped']?.event_type, 'agent_call');
  assert.equal(byNode['stopped']?.agent_name, 'speller');
  assert.equal(byNode['stopped']?.status, 'failed');
  assert.equal(byNode['stopped']?.error_message, 'user pressed stop');
  assert.equal(byNode['finished']?.status, 'completed');
  assert.equal(byNode['finished']?.inputs['content'], 'abcdefghijklmnop');
  assert.equal(byNode['finished']?.error_message, null);
});
