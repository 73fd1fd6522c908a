import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Agent,
  Usage,
  run as runAgent,
  setTraceProcessors,
  setTracingDisabled,
  tool,
  withGenerationSpan,
  type AgentOutputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
} from '@openai/agents-core';
import { z } from 'zod';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { AgentspanTracingProcessor } from '../src/index.js';
import { eventRows, startHarness } from './helpers.js';

/**
 * The real OpenAI Agents SDK runner with an offline model: a triage agent
 * hands off to a math agent that calls real tools (one of them fails).
 */

let db: TestSchema;
before(async () => {
  db = await createTestSchema('openai_agents');
  setTracingDisabled(false); // the SDK turns tracing off when NODE_ENV=test
});
after(async () => {
  setTraceProcessors([]);
  await db.drop();
});
beforeEach(() => setTraceProcessors([]));

/**
 * A scripted model: each call returns the next list of output items. With
 * `generations`, it reports each call in a `generation` span the way the
 * SDK's Chat Completions model does.
 */
class ScriptedModel implements Model {
  private calls = 0;
  constructor(
    private readonly name: string,
    private readonly turns: AgentOutputItem[][],
    private readonly generations: boolean,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const output = this.turns[this.calls++] ?? [];
    const usage = new Usage({ requests: 1, inputTokens: 20, outputTokens: 8, totalTokens: 28 });
    if (!this.generations) return { usage, output, responseId: `r${this.calls}` };
    return withGenerationSpan(async (span) => {
      span.spanData.model = this.name;
      span.spanData.input = [{ role: 'user', content: String(request.input).slice(0, 100) }];
      span.spanData.output = [{ model: this.name, choices: [{ message: chatMessageOf(output) }], usage: { prompt_tokens: 20, completion_tokens: 8 } }];
      return { usage, output, responseId: `r${this.calls}` };
    });
  }

  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('streaming is not scripted');
  }
}

/** The Chat Completions message a scripted turn corresponds to. */
function chatMessageOf(output: AgentOutputItem[]): Record<string, unknown> {
  const text = output
    .flatMap((o) => (o.type === 'message' && o.role === 'assistant' ? o.content : []))
    .map((c) => ('text' in c ? c.text : ''))
    .join('');
  const toolCalls = output.flatMap((o) =>
    o.type === 'function_call' ? [{ id: o.callId, type: 'function', function: { name: o.name, arguments: o.arguments } }] : [],
  );
  return { role: 'assistant', content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
}

function call(callId: string, name: string, args: unknown): AgentOutputItem {
  return { type: 'function_call', callId, name, arguments: JSON.stringify(args), status: 'completed' };
}

function say(text: string): AgentOutputItem {
  return { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] };
}

function agents(): Agent {
  const add = tool({
    name: 'add',
    description: 'add two numbers',
    parameters: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => JSON.stringify({ sum: a + b }),
  });
  const divide = tool({
    name: 'divide',
    description: 'divide a by b',
    parameters: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => {
      if (b === 0) throw new RangeError('division by zero');
      return String(a / b);
    },
  });
  const math = new Agent({
    name: 'math_agent',
    instructions: 'Do arithmetic with the tools.',
    tools: [add, divide],
    model: new ScriptedModel(
      'scripted-math',
      [[call('c2', 'add', { a: 1, b: 2 })], [call('c3', 'divide', { a: 1, b: 0 })], [say('1 + 2 = 3; 1 / 0 is undefined.')]],
      true,
    ),
  });
  return new Agent({
    name: 'triage',
    instructions: 'Route arithmetic to the math agent.',
    handoffs: [math],
    model: new ScriptedModel('scripted-triage', [[call('c1', 'transfer_to_math_agent', {})]], false),
  });
}

test('with { node }: turns, a handoff, tools (one failing) as rows of that node, in order', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const run = agentspan.startRun({ runId: 'oa-node-run', task: 'arithmetic' });
  const step = run.startNode('answer');
  setTraceProcessors([new AgentspanTracingProcessor({ node: step })]);
  const result = await runAgent(agents(), 'What is 1+2, and 1/0?');
  assert.equal(result.finalOutput, '1 + 2 = 3; 1 / 0 is undefined.');
  step.end();
  run.end();
  await agentspan.shutdown();

  const rows = await eventRows(db, 'oa-node-run');
  assert.deepEqual(
    rows.map((r) => [r.event_type, r.agent_name, r.node_id, r.inputs['tool'] ?? r.inputs['to_agent'] ?? null]),
    [
      ['agent_call', 'triage', 'answer', null],
      ['handoff', 'triage', 'answer', 'math_agent'],
      ['agent_call', 'math_agent', 'answer', null],
      ['tool_call', 'math_agent', 'answer', 'add'],
      ['agent_call', 'math_agent', 'answer', null],
      ['tool_call', 'math_agent', 'answer', 'divide'],
      ['agent_call', 'math_agent', 'answer', null],
    ],
  );
  assert.ok(rows.every((r, i) => i === 0 || (r.execution_order ?? 0) > (rows[i - 1]?.execution_order ?? 0)));
  const [triageTurn, handoff, mathTurn1, addRow, , divideRow, lastTurn] = rows;
  assert.equal(triageTurn?.meta['turn'], 1);
  assert.equal(triageTurn?.meta['input_tokens'], 20, 'usage from the turn span when no generation span reports it');
  assert.equal(handoff?.inputs['from_agent'], 'triage');
  assert.equal(mathTurn1?.meta['model'], 'scripted-math');
  assert.equal(mathTurn1?.meta['has_tool_calls'], true);
  assert.deepEqual(mathTurn1?.meta['tool_calls'], [{ id: 'c2', name: 'add', arguments: { a: 1, b: 2 } }]);
  assert.deepEqual(addRow?.inputs['args'], { a: 1, b: 2 });
  assert.deepEqual(addRow?.outputs['result'], { sum: 3 });
  assert.equal(addRow?.status, 'completed');
  assert.equal(divideRow?.status, 'failed');
  assert.equal(divideRow?.error_message, 'Error running tool (non-fatal): RangeError: division by zero');
  assert.match(String(divideRow?.outputs['result']), /division by zero/, 'what the model was told');
  assert.equal(lastTurn?.inputs['content'], '1 + 2 = 3; 1 / 0 is undefined.');
  assert.equal(lastTurn?.meta['model'], 'scripted-math');
  // Flat under the node span, which sits under the run span.
  const nodeSpan = await db.pool.query("SELECT span_id FROM dag_nodes WHERE run_id = 'oa-node-run'");
  assert.ok(rows.every((r) => r.parent_span_id === nodeSpan.rows[0]?.span_id));
});

test('with { run }: one node per agent invocation, named after the agent', async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const run = agentspan.startRun({ runId: 'oa-run-run' });
  setTraceProcessors([new AgentspanTracingProcessor({ run })]);
  await runAgent(agents(), 'What is 1+2, and 1/0?');
  run.end();
  await agentspan.shutdown();

  const nodes = await db.pool.query(
    "SELECT node_id, node_type, agent, status, order_index FROM dag_nodes WHERE run_id = 'oa-run-run' ORDER BY order_index",
  );
  assert.deepEqual(nodes.rows, [
    { node_id: 'triage', node_type: 'agent', agent: 'triage', status: 'completed', order_index: 0 },
    { node_id: 'math_agent', node_type: 'agent', agent: 'math_agent', status: 'completed', order_index: 1 },
  ]);
  const rows = await eventRows(db, 'oa-run-run');
  assert.deepEqual(
    rows.map((r) => [r.node_id, r.event_type]),
    [
      ['triage', 'agent_call'],
      ['triage', 'handoff'],
      ['math_agent', 'agent_call'],
      ['math_agent', 'tool_call'],
      ['math_agent', 'agent_call'],
      ['math_agent', 'tool_call'],
      ['math_agent', 'agent_call'],
    ],
  );
});

test("an agent used as a tool: the calling turn's tokens are not the nested agent's too (the SDK adds those into the turn's usage)", async () => {
  const { agentspan } = await startHarness(db, mkdtempSync(join(tmpdir(), 'agentspan-oa-')));
  const helper = new Agent({ name: 'helper', model: new ScriptedModel('scripted-helper', [[say('helped')]], false) });
  const boss = new Agent({
    name: 'boss',
    tools: [helper.asTool({ toolName: 'ask_helper', toolDescription: 'ask the helper' })],
    model: new ScriptedModel('scripted-boss', [[call('c1', 'ask_helper', { input: 'q' })], [say('done')]], false),
  });
  const run = agentspan.startRun({ runId: 'oa-nested-usage' });
  setTraceProcessors([new AgentspanTracingProcessor({ run })]);
  await runAgent(boss, 'go');
  run.end();
  await agentspan.shutdown();
  const turns = (await eventRows(db, 'oa-nested-usage')).filter((r) => r.event_type === 'agent_call');
  const tokens = (agent: string) => turns.filter((r) => r.agent_name === agent).map((r) => r.meta['input_tokens']);
  // Each model call reported 20 input tokens. Without a model span the turn's usage is all there is,
  // and for the boss's first turn it holds the helper's 20 as well.
  assert.deepEqual(tokens('helper'), [20]);
  const [first, second] = turns.filter((r) => r.agent_name === 'boss');
  assert.notEqual(first?.meta['input_tokens'], 40, 'the helper counted once, not again in the boss turn');
  assert.deepEqual(first?.meta['turn_usage_with_nested_agents'], { input_tokens: 40, output_tokens: 16 });
  assert.equal(second?.meta['input_tokens'], 20);
});
