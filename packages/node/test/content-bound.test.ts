/**
 * `maxContentChars` of `startAgentspan` bounds content of every kind of span it
 * records: agentspan's own events and other instrumentations' (here a GenAI
 * chat turn and tool, as an instrumentation following the conventions emits them).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TRUNCATION_MARK } from '@agentspan/extract';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { startQuiet } from './quiet-start.js';

let db: TestSchema;
before(async () => {
  db = await createTestSchema('content_bound');
});
after(async () => {
  await db.drop();
});

test('maxContentChars cuts agentspan events and GenAI spans of other instrumentations alike', async () => {
  // Registered globally (the default): the other instrumentation's spans pass through the processor.
  const agentspan = await startQuiet(db, { registerGlobal: true, maxContentChars: 100 });
  const run = agentspan.startRun({ runId: 'content-bound' });
  const step = run.startNode('s');
  step.agentCall({ agent: 'own', content: 'o'.repeat(1000) });
  const tracer = agentspan.tracerProvider.getTracer('some-genai-instrumentation');
  step.with(() => {
    tracer
      .startSpan('chat m', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.agent.name': 'foreign',
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'f'.repeat(1000) }] }]),
        },
      })
      .end();
    tracer
      .startSpan('execute_tool lookup', {
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.result': 'r'.repeat(1000) },
      })
      .end();
  });
  step.end();
  run.end();
  await agentspan.shutdown();
  const r = await db.pool.query(
    `SELECT agent_name, event_type, inputs->>'content' AS content, outputs->>'result' AS result, meta->>'truncated' AS truncated
       FROM "${db.schema}".execution_events WHERE run_id = 'content-bound' ORDER BY execution_order`,
  );
  assert.deepEqual(
    r.rows.map((x) => [x.event_type, x.content?.length ?? null, x.result?.length ?? null, x.truncated]),
    [
      ['agent_call', 100 + TRUNCATION_MARK.length, null, 'true'],
      ['agent_call', 100 + TRUNCATION_MARK.length, null, 'true'],
      ['tool_call', null, 100 + TRUNCATION_MARK.length, 'true'],
    ],
  );
});
