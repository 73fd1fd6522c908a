import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { runFrameworkExample, type FrameworkWorkflow } from '../src/frameworks/run-framework-example.js';
import { runLangChainExample } from '../src/frameworks/langchain.js';
import { runAiSdkExample } from '../src/frameworks/ai-sdk.js';
import { runOpenAiAgentsExample } from '../src/frameworks/openai-agents.js';

/** The framework examples run offline, end to end, into Postgres. */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('framework_examples');
});
after(async () => {
  await db.drop();
});

async function timeline(name: string, workflow: FrameworkWorkflow): Promise<string[]> {
  const printed: string[] = [];
  const { summary } = await runFrameworkExample(name, workflow, {
    databaseUrl: db.url,
    schema: db.schema,
    otlpEndpoint: false,
    print: (t) => printed.push(t),
  });
  assert.equal(summary.status, 'success');
  assert.ok(printed.join('\n').includes(`run ${summary.runId}`));
  return summary.events.map((e) => `${e.eventType} ${e.agentName} @ ${e.nodeId}`);
}

test('LangChain / LangGraph example', async () => {
  assert.deepEqual(await timeline('langchain', (a) => runLangChainExample(a)), [
    'agent_call researcher @ research',
    'tool_call researcher @ research',
    'agent_call researcher @ research',
    'agent_call coder @ code',
    'code_exec coder @ code',
    'agent_call coder @ code',
  ]);
});

test('Vercel AI SDK example', async () => {
  assert.deepEqual(await timeline('ai-sdk', runAiSdkExample), [
    'agent_call forecaster @ lookup',
    'tool_call forecaster @ lookup',
    'agent_call forecaster @ lookup',
    'agent_call writer @ write',
    'tool_call writer @ write',
    'file_gen writer @ write',
    'agent_call writer @ write',
  ]);
});

test('OpenAI Agents SDK example', async () => {
  assert.deepEqual(await timeline('openai-agents', (a) => runOpenAiAgentsExample(a)), [
    'agent_call triage @ triage',
    'handoff triage @ triage',
    'agent_call math_agent @ math_agent',
    'tool_call math_agent @ math_agent',
    'agent_call math_agent @ math_agent',
  ]);
});
